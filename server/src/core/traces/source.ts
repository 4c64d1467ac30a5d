import type { SpanKind, Trace, TraceSummary } from './model';

export interface TraceQuery {
  service: string;
  operation?: string;
  /** Earliest trace start, ms since the epoch. */
  startMs: number;
  /** Latest trace start, ms since the epoch. */
  endMs: number;
  limit: number;
  /** Exact attribute matches (Jaeger tags). */
  attributes?: Record<string, string>;
  minDurationMs?: number;
  maxDurationMs?: number;
}

export interface Operation {
  name: string;
  spanKind?: SpanKind;
}

/** Why a request to a trace backend failed, worded for the user. */
export type TraceSourceErrorKind = 'bad-request' | 'not-found' | 'unauthorized' | 'server-error' | 'timeout' | 'bad-response' | 'unreachable' | 'tls';

export class TraceSourceError extends Error {
  constructor(
    readonly kind: TraceSourceErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TraceSourceError';
  }
}

/**
 * Where traces come from: a Jaeger query service (api_v3 or legacy /api) or the embedded OTLP
 * receiver. Every method may reject with a TraceSourceError.
 */
export interface TraceSource {
  /** Short description for logs and status bars, e.g. "Jaeger api_v3 at http://host:16686". Never holds credentials. */
  readonly description: string;
  services(): Promise<string[]>;
  operations(service: string, spanKind?: SpanKind): Promise<Operation[]>;
  /** Newest first, at most `query.limit`. */
  search(query: TraceQuery): Promise<TraceSummary[]>;
  /** Full traces of a search, for detection; newest first. */
  searchTraces(query: TraceQuery): Promise<Trace[]>;
  /** Undefined when the backend has no such trace. */
  getTrace(traceId: string): Promise<Trace | undefined>;
}

export function sortNewestFirst<T extends { startNs: bigint }>(items: T[]): T[] {
  return items.sort((a, b) => (a.startNs === b.startNs ? 0 : a.startNs > b.startNs ? -1 : 1));
}

export function traceStartNs(trace: Trace): bigint {
  let start: bigint | undefined;
  for (const span of trace.spans) if (start === undefined || span.startNs < start) start = span.startNs;
  return start ?? 0n;
}
