import { durationMs, summarise, type Span, type SpanKind, type Trace, type TraceSummary } from './model';
import { sortNewestFirst, type Operation, type TraceQuery, type TraceSource } from './source';

export const DEFAULT_MAX_SPANS = 100_000;

interface StoredTrace {
  traceId: string;
  spans: Span[];
  startNs: bigint;
}

/**
 * Spans in memory, grouped by trace, bounded by a span count: when full, whole traces are dropped
 * oldest-received first, so what stays is always complete as far as it arrived.
 */
export class SpanStore implements TraceSource {
  readonly description: string;
  private readonly traces = new Map<string, StoredTrace>();
  private readonly operationsByService = new Map<string, Map<string, SpanKind>>();
  private count = 0;

  constructor(readonly maxSpans: number = DEFAULT_MAX_SPANS) {
    if (!(maxSpans > 0)) throw new Error('maxSpans must be positive');
    this.description = `in-memory store (${maxSpans} spans)`;
  }

  get spanCount(): number {
    return this.count;
  }

  get traceCount(): number {
    return this.traces.size;
  }

  add(spans: readonly Span[]): void {
    for (const span of spans) {
      let stored = this.traces.get(span.traceId);
      if (!stored) {
        stored = { traceId: span.traceId, spans: [], startNs: span.startNs };
        this.traces.set(span.traceId, stored);
      }
      stored.spans.push(span);
      if (span.startNs < stored.startNs) stored.startNs = span.startNs;
      this.count++;
      let operations = this.operationsByService.get(span.service);
      if (!operations) this.operationsByService.set(span.service, (operations = new Map()));
      if (!operations.has(span.name)) operations.set(span.name, span.kind);
    }
    this.evict();
  }

  private evict(): void {
    if (this.count <= this.maxSpans) return;
    for (const [traceId, stored] of this.traces) {
      // Keep the trace being written to when it is the only one, even over the bound.
      if (this.count <= this.maxSpans || this.traces.size === 1) break;
      this.traces.delete(traceId);
      this.count -= stored.spans.length;
    }
  }

  clear(): void {
    this.traces.clear();
    this.operationsByService.clear();
    this.count = 0;
  }

  async services(): Promise<string[]> {
    return [...this.operationsByService.keys()].sort();
  }

  async operations(service: string, spanKind?: SpanKind): Promise<Operation[]> {
    const operations = this.operationsByService.get(service) ?? new Map<string, SpanKind>();
    return [...operations]
      .filter(([, kind]) => !spanKind || kind === spanKind)
      .map(([name, kind]) => ({ name, spanKind: kind }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private static spanMatches(span: Span, query: TraceQuery): boolean {
    if (span.service !== query.service) return false;
    if (query.operation && span.name !== query.operation) return false;
    const ms = durationMs(span.startNs, span.endNs);
    if (query.minDurationMs !== undefined && ms < query.minDurationMs) return false;
    if (query.maxDurationMs !== undefined && ms > query.maxDurationMs) return false;
    for (const [key, value] of Object.entries(query.attributes ?? {})) {
      const actual = span.attributes[key] ?? span.resource[key];
      if (actual === undefined || String(actual) !== value) return false;
    }
    return true;
  }

  /** Same matching as Jaeger: a trace matches when one of its spans does; start bounds on the trace. */
  async searchTraces(query: TraceQuery): Promise<Trace[]> {
    const minNs = BigInt(Math.floor(query.startMs)) * 1_000_000n;
    const maxNs = BigInt(Math.ceil(query.endMs)) * 1_000_000n;
    const matches: StoredTrace[] = [];
    for (const stored of this.traces.values()) {
      if (stored.startNs < minNs || stored.startNs > maxNs) continue;
      if (stored.spans.some((span) => SpanStore.spanMatches(span, query))) matches.push(stored);
    }
    return sortNewestFirst(matches)
      .slice(0, query.limit)
      .map((stored) => ({ traceId: stored.traceId, spans: [...stored.spans] }));
  }

  async search(query: TraceQuery): Promise<TraceSummary[]> {
    return (await this.searchTraces(query)).map(summarise);
  }

  async getTrace(traceId: string): Promise<Trace | undefined> {
    const stored = this.traces.get(traceId.toLowerCase().padStart(32, '0'));
    return stored ? { traceId: stored.traceId, spans: [...stored.spans] } : undefined;
  }
}
