/**
 * The normalised trace model every trace source produces: Jaeger api_v3 (OTLP JSON), Jaeger's
 * legacy /api and the embedded OTLP receiver all map into these types, so detection, the CLI and
 * the editor never see a backend's wire format.
 */

export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** OTLP's numeric span kinds, index = wire value. */
export const OTLP_SPAN_KINDS: readonly SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export interface SpanEvent {
  name: string;
  timeNs: bigint;
  attributes: Attributes;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

export interface SpanStatus {
  code: 'unset' | 'ok' | 'error';
  message?: string;
}

export interface Span {
  /** 32 lower-case hex characters. */
  traceId: string;
  /** 16 lower-case hex characters. */
  spanId: string;
  /** Absent on a root span. */
  parentSpanId?: string;
  /** `service.name` of the resource that reported the span. */
  service: string;
  name: string;
  kind: SpanKind;
  startNs: bigint;
  endNs: bigint;
  attributes: Attributes;
  /** Resource attributes (service.name, host, SDK, ...). */
  resource: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
  status: SpanStatus;
  /** Notes from the backend about this span, e.g. Jaeger's "parent span ID=... is not in the trace". */
  warnings: string[];
}

export interface Trace {
  traceId: string;
  spans: Span[];
}

/** One line of a search result: what a trace list shows without loading the spans. */
export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootOperation: string;
  /** ISO 8601 with milliseconds; nanoseconds in startNs. */
  start: string;
  startNs: bigint;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  orphanCount: number;
  services: string[];
}

const HEX = /^[0-9a-f]*$/;

/** Lower-case hex, left-padded to `length`: Jaeger's legacy API drops leading zeros of 64-bit ids. */
export function normaliseId(id: string, length: 32 | 16): string {
  const hex = id.trim().toLowerCase();
  if (!HEX.test(hex) || hex.length > length) throw new Error(`not a ${length}-hex-digit id: "${id}"`);
  return hex.padStart(length, '0');
}

export const normaliseTraceId = (id: string): string => normaliseId(id, 32);
export const normaliseSpanId = (id: string): string => normaliseId(id, 16);

export function isEmptyId(id: string | undefined): boolean {
  return !id || /^0*$/.test(id);
}

export function nsToIso(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString();
}

export function durationMs(startNs: bigint, endNs: bigint): number {
  return Number(endNs - startNs) / 1e6;
}

/** Spans grouped by trace, in first-seen order. */
export function groupByTrace(spans: Iterable<Span>): Trace[] {
  const byId = new Map<string, Span[]>();
  for (const span of spans) {
    let list = byId.get(span.traceId);
    if (!list) byId.set(span.traceId, (list = []));
    list.push(span);
  }
  return [...byId].map(([traceId, list]) => ({ traceId, spans: list }));
}

/** Spans whose parent id is set but names no span of the trace. */
export function orphanSpans(trace: Trace): Span[] {
  const ids = new Set(trace.spans.map((span) => span.spanId));
  return trace.spans.filter((span) => !isEmptyId(span.parentSpanId) && !ids.has(span.parentSpanId!));
}

/** The root a trace list shows: the earliest span without a parent, else the earliest span. */
export function rootSpan(trace: Trace): Span | undefined {
  let best: Span | undefined;
  for (const span of trace.spans) {
    const isRoot = isEmptyId(span.parentSpanId);
    const bestIsRoot = best !== undefined && isEmptyId(best.parentSpanId);
    if (!best || (isRoot && !bestIsRoot) || (isRoot === bestIsRoot && span.startNs < best.startNs)) best = span;
  }
  return best;
}

export function summarise(trace: Trace): TraceSummary {
  const root = rootSpan(trace);
  let start = root?.startNs ?? 0n;
  let end = root?.endNs ?? 0n;
  for (const span of trace.spans) {
    if (span.startNs < start) start = span.startNs;
    if (span.endNs > end) end = span.endNs;
  }
  return {
    traceId: trace.traceId,
    rootService: root?.service ?? '',
    rootOperation: root?.name ?? '',
    start: nsToIso(start),
    startNs: start,
    durationMs: durationMs(start, end),
    spanCount: trace.spans.length,
    errorCount: trace.spans.filter((span) => span.status.code === 'error').length,
    orphanCount: orphanSpans(trace).length,
    services: [...new Set(trace.spans.map((span) => span.service))].sort(),
  };
}

/** A span as plain JSON (ids as hex, times as ISO and as nanosecond strings), for the CLI and the UI. */
export function spanToJson(span: Span): Record<string, unknown> {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? null,
    service: span.service,
    name: span.name,
    kind: span.kind,
    start: nsToIso(span.startNs),
    end: nsToIso(span.endNs),
    startNs: span.startNs.toString(),
    endNs: span.endNs.toString(),
    durationMs: durationMs(span.startNs, span.endNs),
    status: span.status,
    attributes: span.attributes,
    resource: span.resource,
    events: span.events.map((event) => ({ ...event, timeNs: event.timeNs.toString() })),
    links: span.links,
    warnings: span.warnings,
  };
}

export function summaryToJson(summary: TraceSummary): Record<string, unknown> {
  const { startNs, ...rest } = summary;
  return { ...rest, startNs: startNs.toString() };
}

/** Reads an attribute as a string, whatever its type. */
export function stringAttribute(attributes: Attributes, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
  return undefined;
}
