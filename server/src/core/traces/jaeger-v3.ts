import { checkedJson, displayUrl, httpGet, type HttpSourceOptions } from './http';
import { groupByTrace, normaliseTraceId, nsToIso, summarise, type SpanKind, type Trace, type TraceSummary } from './model';
import { spansFromResourceSpans } from './otlp';
import { sortNewestFirst, traceStartNs, TraceSourceError, type Operation, type TraceQuery, type TraceSource } from './source';

/** Query parameter names: camelCase from Jaeger v2.19, snake_case up to v2.18. */
const PARAMS = {
  camel: { service: 'serviceName', operation: 'operationName', startMin: 'startTimeMin', startMax: 'startTimeMax', durationMin: 'durationMin', durationMax: 'durationMax', depth: 'searchDepth', spanKind: 'spanKind' },
  snake: { service: 'service_name', operation: 'operation_name', startMin: 'start_time_min', startMax: 'start_time_max', durationMin: 'duration_min', durationMax: 'duration_max', depth: 'search_depth', spanKind: 'span_kind' },
} as const;
export type ParamStyle = keyof typeof PARAMS;

interface V3Summary {
  traceId: string;
  rootServiceName?: string;
  rootOperationName?: string;
  minStartTimeUnixNano?: string;
  maxEndTimeUnixNano?: string;
  spanCount?: number;
  errorSpanCount?: number;
  orphanSpanCount?: number;
  services?: { name: string }[];
}

export function summaryFromV3(raw: V3Summary): TraceSummary {
  const startNs = BigInt(raw.minStartTimeUnixNano ?? '0');
  const endNs = BigInt(raw.maxEndTimeUnixNano ?? raw.minStartTimeUnixNano ?? '0');
  return {
    traceId: normaliseTraceId(raw.traceId),
    rootService: raw.rootServiceName ?? '',
    rootOperation: raw.rootOperationName ?? '',
    start: nsToIso(startNs),
    startNs,
    durationMs: Number(endNs - startNs) / 1e6,
    spanCount: raw.spanCount ?? 0,
    errorCount: raw.errorSpanCount ?? 0,
    orphanCount: raw.orphanSpanCount ?? 0,
    services: (raw.services ?? []).map((s) => s.name).sort(),
  };
}

/** Traces of an api_v3 `{"result":{"resourceSpans":[...]}}` body (all matches merged into one list). */
export function tracesFromV3(body: unknown): Trace[] {
  const result = (body as { result?: { resourceSpans?: unknown[] } } | null)?.result;
  if (!result || typeof result !== 'object') throw new TraceSourceError('bad-response', 'api_v3 response has no "result"');
  return groupByTrace(spansFromResourceSpans(result.resourceSpans));
}

export function summariesFromV3(body: unknown): TraceSummary[] {
  const list = (body as { summaries?: V3Summary[] } | null)?.summaries;
  if (!Array.isArray(list)) throw new TraceSourceError('bad-response', 'trace-summaries response has no "summaries" list');
  return list.map(summaryFromV3);
}

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

/** Jaeger's api_v3 over HTTP (Jaeger v2, and the embedded receiver's read API). */
export class JaegerV3Source implements TraceSource {
  readonly description: string;
  /** Settled by the first search: which parameter names the server accepts. */
  private paramStyle: ParamStyle | undefined;
  /** False once the server has shown it has no /api/v3/trace-summaries (before v2.19). */
  private summariesSupported: boolean | undefined;

  constructor(private readonly options: HttpSourceOptions) {
    this.description = `Jaeger api_v3 at ${displayUrl(options.baseUrl)}`;
  }

  /** What the server turned out to support, for tests and diagnostics. */
  get detected(): { paramStyle?: ParamStyle; summaries?: boolean } {
    return { paramStyle: this.paramStyle, summaries: this.summariesSupported };
  }

  private async get<T>(path: string): Promise<T> {
    return checkedJson<T>(await httpGet(this.options, path), `${this.description}${path.split('?')[0]}`);
  }

  async services(): Promise<string[]> {
    const body = await this.get<{ services?: string[] }>('/api/v3/services');
    if (!Array.isArray(body.services)) throw new TraceSourceError('bad-response', `${this.description}: services response has no "services" list`);
    return [...body.services].sort();
  }

  async operations(service: string, spanKind?: SpanKind): Promise<Operation[]> {
    const names = PARAMS[this.paramStyle ?? 'camel'];
    // Both spellings: old servers ignore the camelCase one and new ones accept either.
    const params = new URLSearchParams({ service });
    if (spanKind) {
      params.set(names.spanKind, spanKind);
      params.set('span_kind', spanKind);
    }
    const body = await this.get<{ operations?: { name: string; spanKind?: string }[] }>(`/api/v3/operations?${params}`);
    if (!Array.isArray(body.operations)) throw new TraceSourceError('bad-response', `${this.description}: operations response has no "operations" list`);
    return body.operations.map((op) => ({ name: op.name, ...(op.spanKind ? { spanKind: op.spanKind as SpanKind } : {}) }));
  }

  private queryString(query: TraceQuery, style: ParamStyle): string {
    const names = PARAMS[style];
    const params = new URLSearchParams();
    params.set(`query.${names.service}`, query.service);
    if (query.operation) params.set(`query.${names.operation}`, query.operation);
    params.set(`query.${names.startMin}`, new Date(query.startMs).toISOString());
    params.set(`query.${names.startMax}`, new Date(query.endMs).toISOString());
    if (query.minDurationMs !== undefined) params.set(`query.${names.durationMin}`, seconds(query.minDurationMs));
    if (query.maxDurationMs !== undefined) params.set(`query.${names.durationMax}`, seconds(query.maxDurationMs));
    params.set(`query.${names.depth}`, String(query.limit));
    // Before search_depth, releases up to v2.17 or so called it num_traces; servers ignore the other.
    if (style === 'snake') params.set('query.num_traces', String(query.limit));
    if (query.attributes && Object.keys(query.attributes).length > 0) params.set('query.attributes', JSON.stringify(query.attributes));
    return params.toString();
  }

  /** GET with the parameter style the server accepts, trying camelCase first and remembering. */
  private async query<T>(path: string, query: TraceQuery): Promise<T | undefined> {
    const styles: ParamStyle[] = this.paramStyle ? [this.paramStyle] : ['camel', 'snake'];
    for (const style of styles) {
      try {
        const body = await this.get<T>(`${path}?${this.queryString(query, style)}`);
        this.paramStyle = style;
        return body;
      } catch (error) {
        // "No traces found" is a 404 on this route, not a missing route.
        if (error instanceof TraceSourceError && error.kind === 'not-found' && path === '/api/v3/traces') return undefined;
        const retry = error instanceof TraceSourceError && error.kind === 'bad-request' && style === 'camel' && !this.paramStyle;
        if (!retry) throw error;
      }
    }
    return undefined;
  }

  async searchTraces(query: TraceQuery): Promise<Trace[]> {
    const body = await this.query<unknown>('/api/v3/traces', query);
    if (body === undefined) return [];
    const traces = tracesFromV3(body).map((trace) => ({ trace, startNs: traceStartNs(trace) }));
    return sortNewestFirst(traces)
      .slice(0, query.limit)
      .map(({ trace }) => trace);
  }

  async search(query: TraceQuery): Promise<TraceSummary[]> {
    if (this.summariesSupported !== false) {
      try {
        const body = await this.query<unknown>('/api/v3/trace-summaries', query);
        const summaries = body === undefined ? [] : summariesFromV3(body);
        this.summariesSupported = true;
        return sortNewestFirst(summaries).slice(0, query.limit);
      } catch (error) {
        // Before v2.19 the route does not exist: a 404, or the UI's HTML page in its place.
        const missing = error instanceof TraceSourceError && (error.kind === 'not-found' || error.kind === 'bad-response');
        if (!missing || this.summariesSupported === true) throw error;
        this.summariesSupported = false;
      }
    }
    return (await this.searchTraces(query)).map(summarise);
  }

  async getTrace(traceId: string): Promise<Trace | undefined> {
    const id = normaliseTraceId(traceId);
    try {
      const traces = tracesFromV3(await this.get<unknown>(`/api/v3/traces/${id}`));
      return traces.find((trace) => trace.traceId === id) ?? (traces.length > 0 ? { traceId: id, spans: traces.flatMap((t) => t.spans) } : undefined);
    } catch (error) {
      if (error instanceof TraceSourceError && error.kind === 'not-found') return undefined;
      throw error;
    }
  }
}
