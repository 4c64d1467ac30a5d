/**
 * Pure helpers behind the trace UI (no vscode import, so unit tests run them directly): the
 * timeline layout with its critical path, latency statistics, the search-form parser, trace ids
 * in free text, and labels for the tree.
 */
import { durationMs, isEmptyId, rootSpan, routeMatches, serverRoute, type Span, type Trace, type TraceSummary } from '../../../server/src/core/traces';

/** One row of the timeline, in display order (depth first, children by start time). */
export interface TimelineRow {
  spanId: string;
  name: string;
  /** Index into TimelineModel.services. */
  service: number;
  kind: string;
  depth: number;
  /** Offset from the trace start and length, in milliseconds. */
  startMs: number;
  durationMs: number;
  error: boolean;
  critical: boolean;
  /** Index one past this row's last descendant: collapsing skips to it. */
  subtreeEnd: number;
  /** The parent id names no span of the trace. */
  orphan: boolean;
  warnings: number;
}

export interface TimelineModel {
  traceId: string;
  /** ISO time of the first span. */
  start: string;
  totalMs: number;
  services: string[];
  rows: TimelineRow[];
}

/**
 * Spans of a trace as timeline rows. Roots and orphans start top-level subtrees; the critical
 * path is walked from the root span (see criticalPath).
 */
export function timelineModel(trace: Trace): TimelineModel {
  const spans = trace.spans;
  const ids = new Set<string>();
  for (const span of spans) ids.add(span.spanId);
  const children = new Map<string, Span[]>();
  const tops: Span[] = [];
  for (const span of spans) {
    if (isEmptyId(span.parentSpanId) || !ids.has(span.parentSpanId!) || span.parentSpanId === span.spanId) tops.push(span);
    else {
      let list = children.get(span.parentSpanId!);
      if (!list) children.set(span.parentSpanId!, (list = []));
      list.push(span);
    }
  }
  const byStart = (a: Span, b: Span) => (a.startNs === b.startNs ? 0 : a.startNs < b.startNs ? -1 : 1);
  tops.sort(byStart);
  for (const list of children.values()) list.sort(byStart);

  let startNs = spans.length > 0 ? spans[0].startNs : 0n;
  let endNs = startNs;
  for (const span of spans) {
    if (span.startNs < startNs) startNs = span.startNs;
    if (span.endNs > endNs) endNs = span.endNs;
  }
  const critical = criticalPath(trace, children);
  const serviceIndex = new Map<string, number>();
  const rows: TimelineRow[] = [];
  const visited = new Set<string>();
  // Iterative depth-first walk: 10,000-span traces can be deep enough to overflow recursion.
  const stack: { span: Span; depth: number; row?: number }[] = tops.map((span) => ({ span, depth: 0 })).reverse();
  while (stack.length > 0) {
    const entry = stack.pop()!;
    if (entry.row !== undefined) {
      rows[entry.row].subtreeEnd = rows.length;
      continue;
    }
    const { span, depth } = entry;
    if (visited.has(span.spanId)) continue;
    visited.add(span.spanId);
    let service = serviceIndex.get(span.service);
    if (service === undefined) serviceIndex.set(span.service, (service = serviceIndex.size));
    const row = rows.length;
    rows.push({
      spanId: span.spanId,
      name: span.name,
      service,
      kind: span.kind,
      depth,
      startMs: Number(span.startNs - startNs) / 1e6,
      durationMs: durationMs(span.startNs, span.endNs),
      error: span.status.code === 'error',
      critical: critical.has(span.spanId),
      subtreeEnd: row + 1,
      orphan: !isEmptyId(span.parentSpanId) && !ids.has(span.parentSpanId!),
      warnings: span.warnings.length,
    });
    stack.push({ span, depth, row });
    const kids = children.get(span.spanId) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i], depth: depth + 1 });
  }
  return { traceId: trace.traceId, start: new Date(Number(startNs / 1_000_000n)).toISOString(), totalMs: Number(endNs - startNs) / 1e6, services: [...serviceIndex.keys()], rows };
}

/** Flags of a packed row. */
export const ROW_ERROR = 1;
export const ROW_CRITICAL = 2;
export const ROW_ORPHAN = 4;
export const ROW_WARNINGS = 8;

/** The timeline as columns: what the page needs, about a third of the rows' JSON for big traces. */
export interface PackedTimeline {
  traceId: string;
  start: string;
  totalMs: number;
  services: string[];
  names: string[];
  kinds: string[];
  service: number[];
  depth: number[];
  /** Microsecond precision is all a bar can show. */
  startMs: number[];
  durationMs: number[];
  flags: number[];
  subtreeEnd: number[];
}

export function packTimeline(model: TimelineModel): PackedTimeline {
  const micro = (ms: number) => Math.round(ms * 1000) / 1000;
  const rows = model.rows;
  return {
    traceId: model.traceId,
    start: model.start,
    totalMs: model.totalMs,
    services: model.services,
    names: rows.map((r) => r.name),
    kinds: rows.map((r) => r.kind),
    service: rows.map((r) => r.service),
    depth: rows.map((r) => r.depth),
    startMs: rows.map((r) => micro(r.startMs)),
    durationMs: rows.map((r) => micro(r.durationMs)),
    flags: rows.map((r) => (r.error ? ROW_ERROR : 0) | (r.critical ? ROW_CRITICAL : 0) | (r.orphan ? ROW_ORPHAN : 0) | (r.warnings > 0 ? ROW_WARNINGS : 0)),
    subtreeEnd: rows.map((r) => r.subtreeEnd),
  };
}

/**
 * The spans on the critical path from the root span: walking back from the root's end, the child
 * that finished last before the cursor is on the path, then the cursor moves to that child's
 * start (Jaeger UI's algorithm). Time the root spent with no child running is the root's own.
 */
export function criticalPath(trace: Trace, childrenIndex?: Map<string, Span[]>): Set<string> {
  const children = childrenIndex ?? indexChildren(trace);
  const path = new Set<string>();
  const root = rootSpan(trace);
  if (!root) return path;
  const stack: { span: Span; untilNs: bigint }[] = [{ span: root, untilNs: root.endNs }];
  while (stack.length > 0) {
    const { span, untilNs } = stack.pop()!;
    if (path.has(span.spanId)) continue;
    path.add(span.spanId);
    const kids = [...(children.get(span.spanId) ?? [])].sort((a, b) => (a.endNs === b.endNs ? 0 : a.endNs > b.endNs ? -1 : 1));
    let cursor = untilNs < span.endNs ? untilNs : span.endNs;
    for (const child of kids) {
      if (child.startNs >= cursor || child.endNs <= span.startNs) continue;
      const childEnd = child.endNs < cursor ? child.endNs : cursor;
      stack.push({ span: child, untilNs: childEnd });
      cursor = child.startNs;
      if (cursor <= span.startNs) break;
    }
  }
  return path;
}

function indexChildren(trace: Trace): Map<string, Span[]> {
  const children = new Map<string, Span[]>();
  for (const span of trace.spans) {
    if (isEmptyId(span.parentSpanId)) continue;
    let list = children.get(span.parentSpanId!);
    if (!list) children.set(span.parentSpanId!, (list = []));
    list.push(span);
  }
  return children;
}

export interface LatencyStats {
  count: number;
  p50Ms: number;
  p95Ms: number;
  /** Share of spans with error status, 0..1. */
  errorRate: number;
}

/** Nearest-rank percentile of already sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function latencyStats(spans: readonly Span[]): LatencyStats | undefined {
  if (spans.length === 0) return undefined;
  const durations = spans.map((span) => durationMs(span.startNs, span.endNs)).sort((a, b) => a - b);
  const errors = spans.filter((span) => span.status.code === 'error').length;
  return { count: spans.length, p50Ms: percentile(durations, 50), p95Ms: percentile(durations, 95), errorRate: errors / spans.length };
}

/** Server spans of a service whose route a handler pattern serves (`/items/` serves `/items/42`). */
export function spansForRoute(spans: readonly Span[], service: string, pattern: string): Span[] {
  return spans.filter((span) => {
    if (span.service !== service || (span.kind !== 'server' && span.kind !== 'consumer')) return false;
    const route = serverRoute(span);
    return route !== undefined && routeMatches(pattern, route);
  });
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms * 1000)} µs`;
}

export function formatStats(stats: LatencyStats): string {
  return `p50 ${formatMs(stats.p50Ms)} · p95 ${formatMs(stats.p95Ms)} · ${(stats.errorRate * 100).toFixed(stats.errorRate > 0 && stats.errorRate < 0.01 ? 1 : 0)}% errors`;
}

/** "3 min ago", from a time in ms since the epoch. */
export function formatAge(thenMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

/** The tree's description of a trace: duration, span count, errors, orphans, age. */
export function summaryDescription(summary: TraceSummary, nowMs: number): string {
  const parts = [formatMs(summary.durationMs), `${summary.spanCount} spans`];
  if (summary.errorCount > 0) parts.push(`${summary.errorCount} errors`);
  if (summary.orphanCount > 0) parts.push(`${summary.orphanCount} orphans`);
  parts.push(formatAge(Date.parse(summary.start), nowMs));
  return parts.join(' · ');
}

/** A 32- or 16-hex-digit trace id in free text (a log line, a URL), or a W3C traceparent's. */
export function findTraceId(text: string): string | undefined {
  const traceparent = /\b[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}\b/i.exec(text);
  if (traceparent) return traceparent[1].toLowerCase();
  const long = /(?<![0-9a-f])([0-9a-f]{32})(?![0-9a-f])/i.exec(text);
  if (long) return long[1].toLowerCase();
  const short = /(?<![0-9a-f])([0-9a-f]{16})(?![0-9a-f])/i.exec(text);
  return short ? short[1].toLowerCase().padStart(32, '0') : undefined;
}

export interface SearchForm {
  service: string;
  operation?: string;
  attributes?: Record<string, string>;
  lookbackMs: number;
  /** An absolute time range (ms since the epoch) instead of the lookback. */
  fromMs?: number;
  toMs?: number;
  minDurationMs?: number;
  maxDurationMs?: number;
  limit: number;
}

const UNITS_MS: Record<string, number> = { us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** "250ms", "1.5s", "15m", "2h" to milliseconds; a bare number is milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(us|µs|ms|s|min|m|h|d)?$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: "${text}" (use e.g. 250ms, 1.5s, 15m, 2h)`);
  return Number(match[1]) * UNITS_MS[match[2] ?? 'ms'];
}

/**
 * The search form as one line: `service=frontend operation="GET /pay" http.status_code=500
 * lookback=1h min=100ms max=2s limit=50`, or `from=<ISO time> to=<ISO time>` instead of the
 * lookback. Unknown keys are attribute filters.
 */
export function parseSearch(text: string, defaults: { service?: string; lookbackMs?: number; limit?: number } = {}): SearchForm {
  const form: SearchForm = { service: defaults.service ?? '', lookbackMs: defaults.lookbackMs ?? 3_600_000, limit: defaults.limit ?? 20 };
  const attributes: Record<string, string> = {};
  for (const match of text.matchAll(/([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g)) {
    const key = match[1];
    const value = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3];
    switch (key) {
      case 'service':
        form.service = value;
        break;
      case 'operation':
      case 'op':
        form.operation = value || undefined;
        break;
      case 'lookback':
        form.lookbackMs = parseDuration(value);
        break;
      case 'from':
      case 'to': {
        const ms = Date.parse(value);
        if (!Number.isFinite(ms)) throw new Error(`${key} must be a date and time, e.g. 2026-01-31T14:00:00Z (got "${value}")`);
        form[key === 'from' ? 'fromMs' : 'toMs'] = ms;
        break;
      }
      case 'min':
      case 'minDuration':
        form.minDurationMs = parseDuration(value);
        break;
      case 'max':
      case 'maxDuration':
        form.maxDurationMs = parseDuration(value);
        break;
      case 'limit': {
        const limit = Number(value);
        if (!Number.isInteger(limit) || limit < 1) throw new Error(`limit must be a positive whole number (got "${value}")`);
        form.limit = limit;
        break;
      }
      default:
        attributes[key] = value;
    }
  }
  const leftover = text.replace(/([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g, '').trim();
  if (leftover && !form.service) form.service = leftover;
  else if (leftover) throw new Error(`cannot read "${leftover}": write key=value pairs`);
  if (!form.service) throw new Error('a search needs a service: service=<name>');
  if (Object.keys(attributes).length > 0) form.attributes = attributes;
  if (form.fromMs !== undefined && form.toMs !== undefined && form.fromMs > form.toMs) throw new Error('from must be before to');
  return form;
}

/** The start-time window a search covers: from/to when given, else the lookback up to now. */
export function searchWindow(form: SearchForm, nowMs: number): { startMs: number; endMs: number } {
  const endMs = form.toMs ?? nowMs;
  return { startMs: form.fromMs ?? endMs - form.lookbackMs, endMs };
}

/** Indexes of rows whose span id, name or attributes contain the text (case-insensitive). */
export function findSpans(trace: Trace, order: readonly string[], text: string): number[] {
  const needle = text.trim().toLowerCase();
  if (!needle) return [];
  const byId = new Map(trace.spans.map((span) => [span.spanId, span]));
  const hits: number[] = [];
  order.forEach((spanId, index) => {
    const span = byId.get(spanId);
    if (!span) return;
    if (span.spanId.includes(needle) || span.name.toLowerCase().includes(needle) || span.service.toLowerCase().includes(needle)) {
      hits.push(index);
      return;
    }
    for (const [key, value] of Object.entries(span.attributes)) {
      const flat = `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`.toLowerCase();
      if (flat.includes(needle)) {
        hits.push(index);
        return;
      }
    }
  });
  return hits;
}
