// Loaded with `node --import ./dist/tracing.js` so that the SDK and its
// instrumentations are in place before express and the HTTP stack load.
import { register } from "node:module";

import { getNodeAutoInstrumentations } from "@opentelemetry/auto-instrumentations-node";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";

// ESM modules are only patched through the loader hook.
register("@opentelemetry/instrumentation/hook.mjs", import.meta.url);

const DEFAULT_OTLP_TRACES_URL = "http://127.0.0.1:4318/v1/traces";

const hasOtlpEndpoint =
  Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT) || Boolean(process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);

const sdk = new NodeSDK({
  resource: resourceFromAttributes({
    [ATTR_SERVICE_NAME]: "web-bff",
    [ATTR_SERVICE_VERSION]: process.env.SERVICE_VERSION ?? "dev",
  }),
  traceExporter: new OTLPTraceExporter(hasOtlpEndpoint ? {} : { url: DEFAULT_OTLP_TRACES_URL }),
  instrumentations: [
    getNodeAutoInstrumentations({
      "@opentelemetry/instrumentation-fs": { enabled: false },
      "@opentelemetry/instrumentation-dns": { enabled: false },
      "@opentelemetry/instrumentation-net": { enabled: false },
    }),
  ],
});

sdk.start();

/** Flushes buffered spans and stops the SDK. */
export async function shutdownTracing(): Promise<void> {
  try {
    await sdk.shutdown();
  } catch (err) {
    console.error("web-bff: flushing spans failed", err);
  }
}
