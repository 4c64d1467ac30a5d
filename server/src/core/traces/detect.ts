/**
 * Broken-trace detection: pure functions over traces, no I/O.
 *
 * - orphan: a span whose parent id names no span of its trace.
 * - lost-propagation: a call whose callee continued in a separate trace. Two shapes:
 *   `client-root` — a CLIENT/PRODUCER span that is itself a root, made while a SERVER/CONSUMER span
 *   of the same service was running (the call was made without the request's context: Go's
 *   http.NewRequest instead of NewRequestWithContext);
 *   `server-root` — a CLIENT/PRODUCER span with no SERVER/CONSUMER child, while the peer service
 *   started a root SERVER/CONSUMER span inside its time window (the callee did not extract).
 * - clock-skew: a child that starts before its parent (clocks of two hosts disagree).
 */
import { isEmptyId, orphanSpans, stringAttribute, type Span, type Trace } from './model';

export type BrokenTraceKind = 'orphan' | 'lost-propagation' | 'clock-skew';
export type LostPropagationShape = 'client-root' | 'server-root';

export interface SpanRef {
  traceId: string;
  spanId: string;
  service: string;
  name: string;
}

/** One occurrence in one trace (or one pair of traces). */
export interface BrokenTraceOccurrence {
  kind: BrokenTraceKind;
  shape?: LostPropagationShape;
  /** For lost-propagation: the span the call should have continued (caller side). */
  parent?: SpanRef;
  /** The client span (lost-propagation), the orphan, or the early child. */
  span: SpanRef;
  /** For lost-propagation: the root span in the other trace (or the server span under the client root). */
  peer?: SpanRef;
  /** Route or URL seen on the caller's server span, e.g. /recommendations (for finding the handler). */
  callerRoute?: string;
  /** Route, URL path or RPC method the call went to. */
  calleeRoute?: string;
  /** How far apart, for clock-skew. */
  skewMs?: number;
}

export interface DetectOptions {
  /** Slack when fitting a span into another's time window (clocks of one host). Default 2 ms. */
  windowSlackMs?: number;
  /** A child starting this much before its parent is reported as clock skew. Default 1 ms. */
  skewToleranceMs?: number;
}

const CALLER_KINDS = new Set(['client', 'producer']);
const CALLEE_KINDS = new Set(['server', 'consumer']);

function ref(span: Span): SpanRef {
  return { traceId: span.traceId, spanId: span.spanId, service: span.service, name: span.name };
}

/** The route a server span served: http.route, else the URL path, else an RPC method. */
export function serverRoute(span: Span): string | undefined {
  const route = stringAttribute(span.attributes, 'http.route', 'url.path', 'http.target');
  if (route) return route.split('?')[0];
  const rpc = rpcMethod(span);
  return rpc ?? undefined;
}

/** The path a client span called: from url.full / http.url, else an RPC method. */
export function clientRoute(span: Span): string | undefined {
  const url = stringAttribute(span.attributes, 'url.full', 'http.url');
  if (url) {
    try {
      return new URL(url).pathname;
    } catch {
      return url.split('?')[0];
    }
  }
  const path = stringAttribute(span.attributes, 'url.path', 'http.target');
  if (path) return path.split('?')[0];
  return rpcMethod(span);
}

function rpcMethod(span: Span): string | undefined {
  const service = stringAttribute(span.attributes, 'rpc.service');
  const method = stringAttribute(span.attributes, 'rpc.method');
  if (service && method) return `/${service}/${method}`;
  return /^[\w.]+\/\w+$/.test(span.name) ? `/${span.name}` : undefined;
}

function childrenIndex(trace: Trace): Map<string, Span[]> {
  const children = new Map<string, Span[]>();
  for (const span of trace.spans) {
    if (isEmptyId(span.parentSpanId)) continue;
    let list = children.get(span.parentSpanId!);
    if (!list) children.set(span.parentSpanId!, (list = []));
    list.push(span);
  }
  return children;
}

export function detectOrphans(traces: readonly Trace[]): BrokenTraceOccurrence[] {
  return traces.flatMap((trace) => orphanSpans(trace).map((span): BrokenTraceOccurrence => ({ kind: 'orphan', span: ref(span) })));
}

export function detectClockSkew(traces: readonly Trace[], options: DetectOptions = {}): BrokenTraceOccurrence[] {
  const toleranceNs = BigInt(Math.round((options.skewToleranceMs ?? 1) * 1e6));
  const found: BrokenTraceOccurrence[] = [];
  for (const trace of traces) {
    const byId = new Map(trace.spans.map((span) => [span.spanId, span]));
    for (const span of trace.spans) {
      const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
      if (!parent || span.startNs + toleranceNs >= parent.startNs) continue;
      found.push({ kind: 'clock-skew', parent: ref(parent), span: ref(span), skewMs: Number(parent.startNs - span.startNs) / 1e6 });
    }
  }
  return found;
}

interface Candidate {
  span: Span;
  /** Lower is better. */
  score: number;
}

/** Greedy one-to-one pairing, best score first. */
function pairUp<T>(wants: { item: T; candidates: Candidate[] }[]): { item: T; match: Span }[] {
  const flat = wants.flatMap(({ item, candidates }, index) => candidates.map((c) => ({ index, item, c })));
  flat.sort((a, b) => a.c.score - b.c.score);
  const usedWant = new Set<number>();
  const usedSpan = new Set<Span>();
  const pairs: { item: T; match: Span }[] = [];
  for (const { index, item, c } of flat) {
    if (usedWant.has(index) || usedSpan.has(c.span)) continue;
    usedWant.add(index);
    usedSpan.add(c.span);
    pairs.push({ item, match: c.span });
  }
  return pairs;
}

export function detectLostPropagation(traces: readonly Trace[], options: DetectOptions = {}): BrokenTraceOccurrence[] {
  const slackNs = BigInt(Math.round((options.windowSlackMs ?? 2) * 1e6));
  const children = new Map<string, Map<string, Span[]>>();
  for (const trace of traces) children.set(trace.traceId, childrenIndex(trace));
  const childrenOf = (span: Span) => children.get(span.traceId)?.get(span.spanId) ?? [];

  const rootCallers: Span[] = [];
  const rootCallees: Span[] = [];
  const openCallers: Span[] = [];
  const calleesByService = new Map<string, Span[]>();
  for (const trace of traces) {
    for (const span of trace.spans) {
      const root = isEmptyId(span.parentSpanId);
      if (CALLER_KINDS.has(span.kind)) {
        if (root) rootCallers.push(span);
        else if (!childrenOf(span).some((child) => CALLEE_KINDS.has(child.kind))) openCallers.push(span);
      }
      if (CALLEE_KINDS.has(span.kind)) {
        if (root) rootCallees.push(span);
        let list = calleesByService.get(span.service);
        if (!list) calleesByService.set(span.service, (list = []));
        list.push(span);
      }
    }
  }

  const found: BrokenTraceOccurrence[] = [];

  // client-root: the call ran inside a server span of its own service, in another trace.
  const clientRoot = pairUp(
    rootCallers.map((client) => ({
      item: client,
      candidates: (calleesByService.get(client.service) ?? [])
        .filter((server) => server.traceId !== client.traceId && server.startNs <= client.startNs + slackNs && client.endNs <= server.endNs + slackNs)
        .map((server) => ({
          span: server,
          // A server span with no outgoing call of its own is the likelier caller; then the tightest fit.
          score: (childrenOf(server).some((c) => CALLER_KINDS.has(c.kind)) ? 1e12 : 0) + Number(server.endNs - server.startNs),
        })),
    })),
  );
  for (const { item: client, match: server } of clientRoot) {
    const callee = childrenOf(client).find((child) => CALLEE_KINDS.has(child.kind));
    found.push({
      kind: 'lost-propagation',
      shape: 'client-root',
      parent: ref(server),
      span: ref(client),
      peer: callee ? ref(callee) : undefined,
      callerRoute: serverRoute(server),
      calleeRoute: (callee && serverRoute(callee)) ?? clientRoute(client),
    });
  }

  // server-root: the peer's root server span started inside the client span's window.
  const serverRoot = pairUp(
    openCallers.map((client) => ({
      item: client,
      candidates: rootCallees
        .filter((server) => server.traceId !== client.traceId && server.service !== client.service && client.startNs - slackNs <= server.startNs && server.startNs <= client.endNs + slackNs)
        .map((server) => {
          const want = clientRoute(client);
          const routeMatches = want !== undefined && want === serverRoute(server);
          return { span: server, score: (routeMatches ? 0 : 1e12) + Number(server.startNs - client.startNs) };
        }),
    })),
  );
  const byTrace = new Map(traces.map((trace) => [trace.traceId, trace]));
  for (const { item: client, match: server } of serverRoot) {
    const callerTrace = byTrace.get(client.traceId);
    const callerParent = callerTrace?.spans.find((span) => span.spanId === client.parentSpanId);
    found.push({
      kind: 'lost-propagation',
      shape: 'server-root',
      parent: callerParent ? ref(callerParent) : undefined,
      span: ref(client),
      peer: ref(server),
      callerRoute: callerParent ? serverRoute(callerParent) : undefined,
      calleeRoute: serverRoute(server) ?? clientRoute(client),
    });
  }
  return found;
}

export function detectBrokenTraces(traces: readonly Trace[], options: DetectOptions = {}): BrokenTraceOccurrence[] {
  return [...detectLostPropagation(traces, options), ...detectOrphans(traces), ...detectClockSkew(traces, options)];
}
