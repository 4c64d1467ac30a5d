import { checkedJson, displayUrl, httpGet, type HttpSourceOptions } from './http';
import { normaliseSpanId, normaliseTraceId, summarise, type AttributeValue, type Attributes, type Span, type SpanKind, type Trace, type TraceSummary } from './model';
import { sortNewestFirst, traceStartNs, TraceSourceError, type Operation, type TraceQuery, type TraceSource } from './source';

interface LegacyTag {
  key: string;
  type?: string;
  value: AttributeValue;
}

interface LegacySpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references?: { refType: string; traceID: string; spanID: string }[] | null;
  startTime: number;
  duration: number;
  tags?: LegacyTag[] | null;
  logs?: { timestamp: number; fields?: LegacyTag[] | null }[] | null;
  processID: string;
  warnings?: string[] | null;
}

interface LegacyTrace {
  traceID: string;
  spans: LegacySpan[];
  processes: Record<string, { serviceName: string; tags?: LegacyTag[] | null }>;
  warnings?: string[] | null;
}

interface Envelope<T> {
  data: T;
  errors?: { code?: number; msg?: string }[] | null;
}

function tags(list: LegacyTag[] | null | undefined): Attributes {
  const attributes: Attributes = {};
  for (const tag of list ?? []) attributes[tag.key] = tag.value;
  return attributes;
}

const KINDS = new Set<SpanKind>(['internal', 'server', 'client', 'producer', 'consumer']);

/** A legacy /api trace (µs times, tags, references, processes) in the normalised model. */
export function traceFromLegacy(raw: LegacyTrace): Trace {
  const traceId = normaliseTraceId(raw.traceID);
  const spans = raw.spans.map((s): Span => {
    const attributes = tags(s.tags);
    const process = raw.processes[s.processID];
    const kindTag = attributes['span.kind'];
    const kind = typeof kindTag === 'string' && KINDS.has(kindTag as SpanKind) ? (kindTag as SpanKind) : 'unspecified';
    const statusCode = attributes['otel.status_code'];
    const failed = attributes.error === true || attributes.error === 'true' || statusCode === 'ERROR';
    const statusMessage = attributes['otel.status_description'];
    for (const key of ['span.kind', 'otel.status_code', 'otel.status_description', 'error']) delete attributes[key];
    const parent = (s.references ?? []).find((ref) => ref.refType === 'CHILD_OF' && normaliseTraceId(ref.traceID) === traceId) ?? (s.references ?? [])[0];
    const startNs = BigInt(Math.round(s.startTime)) * 1000n;
    const span: Span = {
      traceId,
      spanId: normaliseSpanId(s.spanID),
      service: process?.serviceName ?? 'unknown_service',
      name: s.operationName,
      kind,
      startNs,
      endNs: startNs + BigInt(Math.round(s.duration)) * 1000n,
      attributes,
      resource: { 'service.name': process?.serviceName ?? 'unknown_service', ...tags(process?.tags) },
      events: (s.logs ?? []).map((log) => {
        const fields = tags(log.fields);
        const name = typeof fields.event === 'string' ? fields.event : 'log';
        delete fields.event;
        return { name, timeNs: BigInt(Math.round(log.timestamp)) * 1000n, attributes: fields };
      }),
      links: (s.references ?? [])
        .filter((ref) => ref !== parent)
        .map((ref) => ({ traceId: normaliseTraceId(ref.traceID), spanId: normaliseSpanId(ref.spanID), attributes: {} })),
      status: failed ? { code: 'error', ...(typeof statusMessage === 'string' ? { message: statusMessage } : {}) } : { code: statusCode === 'OK' ? 'ok' : 'unset' },
      warnings: s.warnings ?? [],
    };
    if (parent) span.parentSpanId = normaliseSpanId(parent.spanID);
    return span;
  });
  return { traceId, spans };
}

export function tracesFromLegacy(body: unknown): Trace[] {
  const data = (body as Envelope<LegacyTrace[]> | null)?.data;
  if (!Array.isArray(data)) throw new TraceSourceError('bad-response', 'legacy /api response has no "data" list');
  return data.map(traceFromLegacy);
}

/** Jaeger's legacy query API (/api/...): Jaeger v1, and v2 up to 2.20. */
export class JaegerLegacySource implements TraceSource {
  readonly description: string;

  constructor(private readonly options: HttpSourceOptions) {
    this.description = `Jaeger /api at ${displayUrl(options.baseUrl)}`;
  }

  private async get<T>(path: string): Promise<T> {
    const body = checkedJson<Envelope<T>>(await httpGet(this.options, path), `${this.description}${path.split('?')[0]}`);
    if (body.errors && body.errors.length > 0 && (body.data === null || body.data === undefined)) {
      throw new TraceSourceError('server-error', `${this.description}${path.split('?')[0]}: ${body.errors.map((e) => e.msg).join('; ')}`);
    }
    if (body.data === undefined) throw new TraceSourceError('bad-response', `${this.description}${path.split('?')[0]}: no "data" in the response`);
    return body.data;
  }

  async services(): Promise<string[]> {
    return [...((await this.get<string[] | null>('/api/services')) ?? [])].sort();
  }

  async operations(service: string, spanKind?: SpanKind): Promise<Operation[]> {
    const params = new URLSearchParams({ service });
    if (spanKind) params.set('spanKind', spanKind);
    const list = (await this.get<{ name: string; spanKind?: string }[] | null>(`/api/operations?${params}`)) ?? [];
    return list.map((op) => ({ name: op.name, ...(op.spanKind ? { spanKind: op.spanKind as SpanKind } : {}) }));
  }

  async searchTraces(query: TraceQuery): Promise<Trace[]> {
    const params = new URLSearchParams({
      service: query.service,
      start: String(query.startMs * 1000),
      end: String(query.endMs * 1000),
      limit: String(query.limit),
    });
    if (query.operation) params.set('operation', query.operation);
    if (query.minDurationMs !== undefined) params.set('minDuration', `${query.minDurationMs}ms`);
    if (query.maxDurationMs !== undefined) params.set('maxDuration', `${query.maxDurationMs}ms`);
    if (query.attributes && Object.keys(query.attributes).length > 0) params.set('tags', JSON.stringify(query.attributes));
    const traces = tracesFromLegacy({ data: await this.get<LegacyTrace[] | null>(`/api/traces?${params}`).then((d) => d ?? []) });
    return sortNewestFirst(traces.map((trace) => ({ trace, startNs: traceStartNs(trace) })))
      .slice(0, query.limit)
      .map(({ trace }) => trace);
  }

  async search(query: TraceQuery): Promise<TraceSummary[]> {
    return (await this.searchTraces(query)).map(summarise);
  }

  async getTrace(traceId: string): Promise<Trace | undefined> {
    const id = normaliseTraceId(traceId);
    try {
      const traces = tracesFromLegacy({ data: await this.get<LegacyTrace[]>(`/api/traces/${id}`) });
      return traces.find((trace) => trace.traceId === id) ?? traces[0];
    } catch (error) {
      if (error instanceof TraceSourceError && error.kind === 'not-found') return undefined;
      throw error;
    }
  }
}
