/** Live traces: sources, the normalised model, broken-trace detection and mapping to code. */
export * from './model';
export * from './source';
export { DEFAULT_TIMEOUT_MS, displayUrl, type HttpSourceOptions } from './http';
export { JaegerV3Source, summariesFromV3, tracesFromV3, type ParamStyle } from './jaeger-v3';
export { JaegerLegacySource, tracesFromLegacy } from './jaeger-legacy';
export { connectJaeger, openTraceSource, LOCAL_SOURCE_URL, type JaegerApi } from './connect';
export { LocalReceiver, DEFAULT_RECEIVER_HOST, DEFAULT_RECEIVER_PORT, type LocalReceiverOptions, type ReceiverStats } from './receiver';
export { SpanStore, DEFAULT_MAX_SPANS } from './store';
export { spansFromOtlpJson, spansFromOtlpProtobuf, spansFromResourceSpans, spansToResourceSpans } from './otlp';
export * from './detect';
export * from './check';
export { GoCodeIndex, routeMatches, type ClientCallSite, type CodeLocation, type HandlerRegistration } from './code-index';
