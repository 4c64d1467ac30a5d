/**
 * Live traces at speed:
 * - ingest: OTLP/HTTP protobuf batches of 512 spans (the Go SDK's default batch size), four
 *   requests in flight, into the embedded receiver over loopback: spans per second;
 * - search overhead: a real Jaeger v2 holding tracegen's traces; the time `JaegerV3Source.search`
 *   takes beyond a bare GET of the same api_v3 URL (parsing, grouping, summarising), and the same
 *   search on the embedded receiver.
 *
 *   npx tsc -p . && bash scripts/install-jaeger.sh && node out/bench/traces-receiver.js
 */
import * as http from 'node:http';
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JaegerV3Source, LocalReceiver, spansToResourceSpans, type Span } from '../server/src/core/traces';
import { Managed, startJaeger, TRACEGEN_BIN, waitFor } from '../test/traces/support';

interface ProtoRoot {
  opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: { fromObject(o: unknown): unknown; encode(m: unknown): { finish(): Uint8Array } } } } } } };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function hex(n: number, length: number): string {
  return n.toString(16).padStart(length, '0');
}

/** One batch: 64 traces of 8 spans (a server root and its children), attributes like otelhttp's. */
function batch(index: number): Uint8Array {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const root = require('@opentelemetry/otlp-transformer/build/src/generated/root') as ProtoRoot;
  const codec = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
  const spans: Span[] = [];
  const start = BigInt(Date.now()) * 1_000_000n;
  for (let t = 0; t < 64; t++) {
    const traceId = hex(index * 64 + t + 1, 32);
    for (let s = 0; s < 8; s++) {
      spans.push({
        traceId,
        spanId: hex((index * 64 + t) * 8 + s + 1, 16),
        ...(s > 0 ? { parentSpanId: hex((index * 64 + t) * 8 + 1, 16) } : {}),
        service: `svc-${s % 4}`,
        name: s === 0 ? 'GET /recommendations' : 'shop.inventory.v1.Inventory/CheckStock',
        kind: s === 0 ? 'server' : 'client',
        startNs: start + BigInt(s * 1000),
        endNs: start + BigInt(s * 1000 + 500_000),
        attributes: { 'http.request.method': 'GET', 'url.path': '/recommendations', 'http.response.status_code': 200, 'server.address': '127.0.0.1', 'network.protocol.version': '1.1' },
        resource: { 'service.name': `svc-${s % 4}`, 'telemetry.sdk.language': 'go', 'telemetry.sdk.name': 'opentelemetry', 'service.version': 'dev' },
        events: [],
        links: [],
        status: { code: 'unset' },
        warnings: [],
      });
    }
  }
  const wire = spansToResourceSpans(spans) as { scopeSpans: { spans: Record<string, unknown>[] }[] }[];
  for (const rs of wire) for (const ss of rs.scopeSpans) for (const s of ss.spans) for (const key of ['traceId', 'spanId', 'parentSpanId']) if (typeof s[key] === 'string') s[key] = Buffer.from(s[key] as string, 'hex');
  return codec.encode(codec.fromObject({ resourceSpans: wire })).finish();
}

async function ingest(): Promise<void> {
  const receiver = new LocalReceiver({ port: 0, maxSpans: 100_000 });
  const url = new URL(await receiver.listen());
  const batches = Array.from({ length: 16 }, (_, i) => batch(i));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const post = (body: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      const request = http.request({ host: url.hostname, port: url.port, path: '/v1/traces', method: 'POST', agent, headers: { 'Content-Type': 'application/x-protobuf', 'Content-Length': body.byteLength } }, (response) => {
        response.resume();
        response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`status ${response.statusCode}`))));
      });
      request.on('error', reject);
      request.end(body);
    });
  const rounds = 5;
  const rates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const total = 400; // batches of 512 spans: 204,800 spans per round
    const begin = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < total) await post(batches[next++ % batches.length]);
      }),
    );
    const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
    rates.push((total * 512) / seconds);
  }
  agent.destroy();
  await receiver.close();
  console.log(`receiver ingest (protobuf, 512-span batches, 4 in flight, store bound 100,000 spans): median ${Math.round(percentile(rates, 50)).toLocaleString('en')} spans/s, min ${Math.round(Math.min(...rates)).toLocaleString('en')} spans/s over ${rounds} rounds of 204,800 spans`);
}

async function searchOverhead(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-bench-'));
  const jaeger = await startJaeger(dir);
  const receiver = new LocalReceiver({ port: 0 });
  await receiver.listen();
  try {
    for (const target of [jaeger.otlpUrl, receiver.url!]) {
      const gen = Managed.start('tracegen', TRACEGEN_BIN, ['-trace-exporter', 'otlp-http', '-traces', '500', '-spans', '9', '-workers', '2', '-services', '4', '-pause', '1us'], { OTEL_EXPORTER_OTLP_ENDPOINT: target });
      if ((await gen.exited) !== 0) throw new Error(gen.log());
    }
    const services = await waitFor('tracegen traces in Jaeger', async () => {
      const list = await new JaegerV3Source({ baseUrl: jaeger.queryUrl }).services();
      return list.some((s) => s.startsWith('tracegen')) ? list : undefined;
    });
    const service = services.find((s) => s.startsWith('tracegen'))!;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    for (const [name, base] of [
      ['Jaeger v2 (memory)', jaeger.queryUrl],
      ['embedded receiver', receiver.url!],
    ] as const) {
      for (const limit of [20, 100]) {
        const source = new JaegerV3Source({ baseUrl: base });
        const query = { service, startMs: Date.now() - 3_600_000, endMs: Date.now() + 60_000, limit };
        await source.search(query);
        // The same request the source settled on, sent bare: the backend's own response time.
        const style = source.detected.paramStyle === 'snake';
        const params = new URLSearchParams({
          [style ? 'query.service_name' : 'query.serviceName']: service,
          [style ? 'query.start_time_min' : 'query.startTimeMin']: new Date(query.startMs).toISOString(),
          [style ? 'query.start_time_max' : 'query.startTimeMax']: new Date(query.endMs).toISOString(),
          [style ? 'query.num_traces' : 'query.searchDepth']: String(limit),
          ...(style ? { 'query.search_depth': String(limit) } : {}),
        });
        const route = source.detected.summaries ? '/api/v3/trace-summaries' : '/api/v3/traces';
        const bare: number[] = [];
        const full: number[] = [];
        let rows = 0;
        for (let i = 0; i < 30; i++) {
          let t = performance.now();
          await (await fetch(`${base}${route}?${params}`)).text();
          bare.push(performance.now() - t);
          t = performance.now();
          rows = (await source.search(query)).length;
          full.push(performance.now() - t);
        }
        const overhead = percentile(full, 50) - percentile(bare, 50);
        console.log(
          `search ${name}, ${rows} traces of 10 spans (${route}): backend p50 ${percentile(bare, 50).toFixed(1)} ms, through meshlens p50 ${percentile(full, 50).toFixed(1)} ms p95 ${percentile(full, 95).toFixed(1)} ms — overhead p50 ${overhead.toFixed(1)} ms`,
        );
      }
    }
  } finally {
    await receiver.close();
    await jaeger.process.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  await ingest();
  await searchOverhead();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
