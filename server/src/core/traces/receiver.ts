import * as http from 'http';
import type { AddressInfo } from 'net';
import * as zlib from 'zlib';
import { normaliseTraceId, type Span, type SpanKind, type Trace, type TraceSummary } from './model';
import { spansFromOtlpJson, spansFromOtlpProtobuf, spansToResourceSpans } from './otlp';
import { DEFAULT_MAX_SPANS, SpanStore } from './store';
import type { Operation, TraceQuery, TraceSource } from './source';

export const DEFAULT_RECEIVER_HOST = '127.0.0.1';
export const DEFAULT_RECEIVER_PORT = 4318;
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface LocalReceiverOptions {
  /** Loopback by default: the receiver has no authentication. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  maxSpans?: number;
}

export interface ReceiverStats {
  requests: number;
  spans: number;
  rejected: number;
}

type Listener = (spans: readonly Span[]) => void;

/**
 * The embedded trace backend: an OTLP/HTTP receiver (POST /v1/traces, JSON or protobuf, gzip or
 * not) that keeps spans in a bounded in-memory store, plus a read API in Jaeger's api_v3 shape on
 * the same port, so `JaegerV3Source` (the CLI's `--source local`) reads it like a Jaeger. In the
 * same process it is a TraceSource itself.
 */
export class LocalReceiver implements TraceSource {
  readonly store: SpanStore;
  readonly stats: ReceiverStats = { requests: 0, spans: 0, rejected: 0 };
  private readonly listeners = new Set<Listener>();
  private server: http.Server | undefined;
  private address: AddressInfo | undefined;

  constructor(private readonly options: LocalReceiverOptions = {}) {
    this.store = new SpanStore(options.maxSpans ?? DEFAULT_MAX_SPANS);
  }

  get description(): string {
    return `local receiver at ${this.url ?? `http://${this.options.host ?? DEFAULT_RECEIVER_HOST}:${this.options.port ?? DEFAULT_RECEIVER_PORT}`}`;
  }

  /** http://host:port once listening. */
  get url(): string | undefined {
    return this.address ? `http://${this.address.address}:${this.address.port}` : undefined;
  }

  /** Called with each batch of received spans; returns a function that unsubscribes. */
  onSpans(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Adds spans as if received (used by the OTLP endpoint, and by tests and benchmarks). */
  ingest(spans: readonly Span[]): void {
    this.store.add(spans);
    this.stats.spans += spans.length;
    for (const listener of this.listeners) listener(spans);
  }

  listen(): Promise<string> {
    if (this.server) return Promise.resolve(this.url!);
    const server = http.createServer((request, response) => this.handle(request, response));
    server.keepAliveTimeout = 30_000;
    return new Promise((resolve, reject) => {
      server.once('error', (error: Error & { code?: string }) => {
        const where = `${this.options.host ?? DEFAULT_RECEIVER_HOST}:${this.options.port ?? DEFAULT_RECEIVER_PORT}`;
        reject(new Error(error.code === 'EADDRINUSE' ? `cannot receive traces on ${where}: the port is in use (another collector or Jaeger?)` : `cannot listen on ${where}: ${error.message}`));
      });
      server.listen(this.options.port ?? DEFAULT_RECEIVER_PORT, this.options.host ?? DEFAULT_RECEIVER_HOST, () => {
        this.server = server;
        this.address = server.address() as AddressInfo;
        resolve(this.url!);
      });
    });
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.address = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  services(): Promise<string[]> {
    return this.store.services();
  }
  operations(service: string, spanKind?: SpanKind): Promise<Operation[]> {
    return this.store.operations(service, spanKind);
  }
  search(query: TraceQuery): Promise<TraceSummary[]> {
    return this.store.search(query);
  }
  searchTraces(query: TraceQuery): Promise<Trace[]> {
    return this.store.searchTraces(query);
  }
  getTrace(traceId: string): Promise<Trace | undefined> {
    return this.store.getTrace(traceId);
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://receiver');
    if (request.method === 'POST' && url.pathname === '/v1/traces') {
      this.receive(request, response);
      return;
    }
    if (request.method === 'GET' && url.pathname.startsWith('/api/v3/')) {
      this.query(url)
        .then(([status, body]) => send(response, status, 'application/json', JSON.stringify(body, bigintToString)))
        .catch((error: Error) => sendError(response, 400, error.message));
      return;
    }
    if (request.method === 'GET' && url.pathname === '/') {
      send(response, 200, 'application/json', JSON.stringify({ receiver: 'meshlens', spans: this.store.spanCount, traces: this.store.traceCount }));
      return;
    }
    sendError(response, 404, `no route for ${request.method} ${url.pathname}`);
  }

  private receive(request: http.IncomingMessage, response: http.ServerResponse): void {
    this.stats.requests++;
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        this.stats.rejected++;
        sendError(response, 413, `request body over ${MAX_BODY_BYTES} bytes`);
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (response.headersSent) return;
      const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      const protobuf = contentType === 'application/x-protobuf' || contentType === 'application/protobuf';
      try {
        let body = Buffer.concat(chunks);
        const encoding = (request.headers['content-encoding'] ?? '').toLowerCase();
        if (encoding === 'gzip') body = zlib.gunzipSync(body);
        else if (encoding === 'deflate') body = zlib.inflateSync(body);
        else if (encoding && encoding !== 'identity') throw new UnsupportedMedia(`content-encoding ${encoding} is not supported`);
        if (!protobuf && contentType !== 'application/json') throw new UnsupportedMedia(`content-type ${contentType || '(none)'}: send application/json or application/x-protobuf`);
        const spans = protobuf ? spansFromOtlpProtobuf(body) : spansFromOtlpJson(body.toString('utf8'));
        this.ingest(spans);
        // An empty ExportTraceServiceResponse: zero bytes in protobuf, {} in JSON.
        if (protobuf) send(response, 200, 'application/x-protobuf', Buffer.alloc(0));
        else send(response, 200, 'application/json', '{}');
      } catch (error) {
        this.stats.rejected++;
        const status = error instanceof UnsupportedMedia ? 415 : 400;
        sendError(response, status, `cannot read OTLP ${protobuf ? 'protobuf' : 'JSON'}: ${(error as Error).message}`);
      }
    });
  }

  /** The api_v3 read routes, accepting both camelCase and snake_case query parameters. */
  private async query(url: URL): Promise<[number, unknown]> {
    const p = url.searchParams;
    const param = (camel: string, snake: string) => p.get(`query.${camel}`) ?? p.get(`query.${snake}`) ?? undefined;
    const path = url.pathname;
    if (path === '/api/v3/services') return [200, { services: await this.store.services() }];
    if (path === '/api/v3/operations') {
      const service = p.get('service');
      if (!service) throw new Error('service is required');
      const kind = (p.get('spanKind') ?? p.get('span_kind') ?? undefined) as SpanKind | undefined;
      return [200, { operations: await this.store.operations(service, kind || undefined) }];
    }
    const single = /^\/api\/v3\/traces\/([0-9a-fA-F]{1,32})$/.exec(path);
    if (single) {
      const trace = await this.store.getTrace(normaliseTraceId(single[1]));
      if (!trace) return [404, { error: { httpCode: 404, message: 'trace not found' } }];
      return [200, { result: { resourceSpans: spansToResourceSpans(trace.spans) } }];
    }
    if (path === '/api/v3/traces' || path === '/api/v3/trace-summaries') {
      const service = param('serviceName', 'service_name');
      const startMin = param('startTimeMin', 'start_time_min');
      const startMax = param('startTimeMax', 'start_time_max');
      if (!service || !startMin || !startMax) throw new Error('serviceName, startTimeMin and startTimeMax are required');
      const seconds = (value: string | undefined) => (value === undefined ? undefined : parseGoDuration(value) * 1000);
      const attributes = p.get('query.attributes');
      const query: TraceQuery = {
        service,
        operation: param('operationName', 'operation_name') || undefined,
        startMs: Date.parse(startMin),
        endMs: Date.parse(startMax),
        limit: Number(param('searchDepth', 'search_depth') ?? 20),
        minDurationMs: seconds(param('durationMin', 'duration_min')),
        maxDurationMs: seconds(param('durationMax', 'duration_max')),
        attributes: attributes ? (JSON.parse(attributes) as Record<string, string>) : undefined,
      };
      if (!Number.isFinite(query.startMs) || !Number.isFinite(query.endMs)) throw new Error('startTimeMin and startTimeMax must be RFC 3339 times');
      if (path === '/api/v3/trace-summaries') {
        const summaries = await this.store.search(query);
        return [200, { summaries: summaries.map(toV3Summary) }];
      }
      const traces = await this.store.searchTraces(query);
      if (traces.length === 0) return [404, { error: { httpCode: 404, message: 'No traces found' } }];
      return [200, { result: { resourceSpans: spansToResourceSpans(traces.flatMap((trace) => trace.spans)) } }];
    }
    return [404, { error: { httpCode: 404, message: `no route ${path}` } }];
  }
}

class UnsupportedMedia extends Error {}

function toV3Summary(summary: TraceSummary): Record<string, unknown> {
  return {
    traceId: summary.traceId,
    rootServiceName: summary.rootService,
    rootOperationName: summary.rootOperation,
    minStartTimeUnixNano: summary.startNs.toString(),
    maxEndTimeUnixNano: (summary.startNs + BigInt(Math.round(summary.durationMs * 1e6))).toString(),
    spanCount: summary.spanCount,
    errorSpanCount: summary.errorCount,
    orphanSpanCount: summary.orphanCount,
    services: summary.services.map((name) => ({ name })),
  };
}

/** Seconds in a Go duration string ("0.25s", "1m30s", "500ms"). */
export function parseGoDuration(text: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  let total = 0;
  let rest = text.trim();
  if (rest === '0') return 0;
  while (rest.length > 0) {
    const match = /^(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/.exec(rest);
    if (!match) throw new Error(`not a duration: "${text}"`);
    total += Number(match[1]) * units[match[2]];
    rest = rest.slice(match[0].length);
  }
  return total;
}

function bigintToString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

function send(response: http.ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

function sendError(response: http.ServerResponse, status: number, message: string): void {
  send(response, status, 'application/json', JSON.stringify({ error: { httpCode: status, message } }));
}
