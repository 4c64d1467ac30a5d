/**
 * From a trace source to findings about broken propagation, grouped across traces, with the
 * evidence ("seen in 37 of 40 traces in the last 15 min") and the code location when a Go index
 * is given.
 */
import type { Finding } from '../types';
import type { CodeLocation, GoCodeIndex } from './code-index';
import { detectBrokenTraces, serverRoute, type BrokenTraceKind, type BrokenTraceOccurrence, type DetectOptions, type LostPropagationShape } from './detect';
import type { Trace } from './model';
import type { TraceSource } from './source';

export interface TraceFinding {
  kind: BrokenTraceKind;
  shape?: LostPropagationShape;
  /** Groups the same problem across traces. */
  key: string;
  message: string;
  /** "seen in 37 of 40 traces in the last 15 min" */
  evidence: string;
  /** Traces that show the problem (for lost-propagation, the caller's traces). */
  occurrences: number;
  /** Traces in which the caller's operation ran at all. */
  outOf: number;
  services: string[];
  /** Every trace involved, caller and callee traces alike. */
  traceIds: string[];
  spanIds: string[];
  /** Where to fix it: the call without propagation, or the handler that did not extract. */
  codeLocation?: CodeLocation;
  /** Other code worth showing, e.g. the callee's handler. */
  related: { location: CodeLocation; message: string }[];
  /** Up to five occurrences with both sides, for the UI to open. */
  examples: BrokenTraceOccurrence[];
}

export interface CheckOptions extends DetectOptions {
  /** Only traces with a span of these services; default every service the source knows. */
  services?: string[];
  /** How far back to look. */
  sinceMs: number;
  /** "now", ms since the epoch; default Date.now(). */
  nowMs?: number;
  /** Traces per service query. */
  limit?: number;
  codeIndex?: GoCodeIndex;
}

export interface CheckResult {
  traceCount: number;
  services: string[];
  findings: TraceFinding[];
}

/** Findings of these kinds mean broken propagation (the CLI's exit status 1). */
export const PROPAGATION_KINDS: ReadonlySet<BrokenTraceKind> = new Set(['orphan', 'lost-propagation']);

export function formatWindow(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}

function keyOf(o: BrokenTraceOccurrence): string {
  if (o.kind === 'lost-propagation' && o.shape === 'client-root') {
    return `lost-propagation:client-root:${o.span.service}:${o.parent?.name}:${o.callerRoute ?? ''}:${o.peer?.service ?? ''}:${o.calleeRoute ?? ''}`;
  }
  if (o.kind === 'lost-propagation') return `lost-propagation:server-root:${o.span.service}:${o.span.name}:${o.peer?.service}:${o.peer?.name}:${o.calleeRoute ?? ''}`;
  if (o.kind === 'orphan') return `orphan:${o.span.service}:${o.span.name}`;
  return `clock-skew:${o.parent?.service}:${o.span.service}`;
}

/** Traces in which the operation that broke ran at all: the denominator of the evidence. */
function tracesWithOperation(traces: readonly Trace[], o: BrokenTraceOccurrence): number {
  const target = o.kind === 'lost-propagation' && o.shape === 'client-root' ? o.parent : o.span;
  if (!target) return 0;
  const route = o.kind === 'lost-propagation' && o.shape === 'client-root' ? o.callerRoute : undefined;
  return traces.filter((trace) => trace.spans.some((s) => s.service === target.service && s.name === target.name && (route === undefined || serverRoute(s) === route))).length;
}

function describe(o: BrokenTraceOccurrence): string {
  if (o.kind === 'lost-propagation' && o.shape === 'client-root') {
    const callee = o.peer ? `${o.peer.service}${o.calleeRoute ? ` (${o.calleeRoute})` : ''}` : (o.calleeRoute ?? 'its callee');
    return `${o.span.service} calls ${callee} without the request's context: the call "${o.span.name}" starts a new trace instead of continuing "${o.parent?.name}"${o.callerRoute ? ` ${o.callerRoute}` : ''}`;
  }
  if (o.kind === 'lost-propagation') {
    return `${o.peer?.service} does not continue the trace of ${o.span.service}'s call "${o.span.name}": its span "${o.peer?.name}" starts a new trace (context not extracted)`;
  }
  if (o.kind === 'orphan') return `span "${o.span.name}" of ${o.span.service} names a parent that is not in its trace (a span was lost or not exported)`;
  return `span "${o.span.name}" of ${o.span.service} starts ${o.skewMs?.toFixed(1)} ms before its parent "${o.parent?.name}" of ${o.parent?.service}: clock skew between hosts`;
}

/** Groups occurrences into findings and, with a code index, says where each is in the code. */
export function summariseFindings(traces: readonly Trace[], occurrences: readonly BrokenTraceOccurrence[], options: { sinceMs: number; codeIndex?: GoCodeIndex }): TraceFinding[] {
  const groups = new Map<string, BrokenTraceOccurrence[]>();
  for (const o of occurrences) {
    const key = keyOf(o);
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(o);
  }
  const findings: TraceFinding[] = [];
  for (const [key, list] of groups) {
    const first = list[0];
    const callerTraces = new Set(list.map((o) => o.parent?.traceId ?? o.span.traceId));
    const occurrencesCount = callerTraces.size;
    const outOf = Math.max(occurrencesCount, tracesWithOperation(traces, first));
    const traceIds = new Set<string>();
    const spanIds = new Set<string>();
    const services = new Set<string>();
    for (const o of list) {
      for (const r of [o.parent, o.span, o.peer]) {
        if (!r) continue;
        traceIds.add(r.traceId);
        spanIds.add(r.spanId);
        services.add(r.service);
      }
    }
    const finding: TraceFinding = {
      kind: first.kind,
      ...(first.shape ? { shape: first.shape } : {}),
      key,
      message: describe(first),
      evidence: `seen in ${occurrencesCount} of ${outOf} trace${outOf === 1 ? '' : 's'} in the last ${formatWindow(options.sinceMs)}`,
      occurrences: occurrencesCount,
      outOf,
      services: [...services].sort(),
      traceIds: [...traceIds],
      spanIds: [...spanIds],
      related: [],
      examples: list.slice(0, 5),
    };
    if (options.codeIndex) locate(finding, first, options.codeIndex);
    findings.push(finding);
  }
  const rank = (f: TraceFinding) => (f.kind === 'lost-propagation' ? 0 : f.kind === 'orphan' ? 1 : 2);
  return findings.sort((a, b) => rank(a) - rank(b) || b.occurrences - a.occurrences || a.key.localeCompare(b.key));
}

function locate(finding: TraceFinding, o: BrokenTraceOccurrence, index: GoCodeIndex): void {
  if (o.kind === 'lost-propagation' && o.shape === 'client-root') {
    const site = index.clientCallSite(o.span.service, { callerRoute: o.callerRoute, calleeRoute: o.calleeRoute, calleeService: o.peer?.service, lostContext: true });
    if (site) finding.codeLocation = site.at;
    const callee = o.peer && index.serverLocation(o.peer.service, o.calleeRoute);
    if (callee) finding.related.push({ location: callee, message: `${o.peer!.service} handles ${o.calleeRoute ?? o.peer!.name} here, in a separate trace` });
    return;
  }
  if (o.kind === 'lost-propagation') {
    const handler = o.peer && index.serverLocation(o.peer.service, o.calleeRoute);
    if (handler) finding.codeLocation = handler;
    const site = index.clientCallSite(o.span.service, { callerRoute: o.callerRoute, calleeRoute: o.calleeRoute, calleeService: o.peer?.service });
    if (site) finding.related.push({ location: site.at, message: `${o.span.service} makes the call here` });
    return;
  }
  if (o.kind === 'orphan') {
    const at = index.functionNamed(o.span.service, o.span.name);
    if (at) finding.codeLocation = at;
  }
}

/** Fetches the traces of the last `sinceMs`, detects broken propagation, groups and locates it. */
export async function checkTraces(source: TraceSource, options: CheckOptions): Promise<CheckResult> {
  const now = options.nowMs ?? Date.now();
  const services = options.services && options.services.length > 0 ? options.services : await source.services();
  const traces = new Map<string, Trace>();
  for (const service of services) {
    for (const trace of await source.searchTraces({ service, startMs: now - options.sinceMs, endMs: now, limit: options.limit ?? 500 })) {
      traces.set(trace.traceId, trace);
    }
  }
  const list = [...traces.values()];
  const occurrences = detectBrokenTraces(list, options);
  return { traceCount: list.length, services, findings: summariseFindings(list, occurrences, options) };
}

/**
 * Findings with a code location as analyzer findings (rule ids `trace-<kind>`), so the editor shows
 * them as diagnostics like any other, with the runtime evidence in the message.
 */
export function traceFindingsAsFindings(findings: readonly TraceFinding[]): Finding[] {
  return findings.flatMap((f): Finding[] => {
    if (!f.codeLocation) return [];
    const position = { line: f.codeLocation.line - 1, character: f.codeLocation.column - 1 };
    return [
      {
        ruleId: `trace-${f.kind}`,
        severity: f.kind === 'clock-skew' ? 'info' : 'warning',
        message: `${f.message} — ${f.evidence}`,
        uri: f.codeLocation.uri,
        range: { start: position, end: position },
        fixes: [],
        related: f.related.map((r) => ({ uri: r.location.uri, range: { start: { line: r.location.line - 1, character: r.location.column - 1 }, end: { line: r.location.line - 1, character: r.location.column - 1 } }, message: r.message })),
      },
    ];
  });
}
