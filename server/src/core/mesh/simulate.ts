/**
 * Which rule of a VirtualService a request hits, and where it then goes. First match wins, as in
 * Envoy; regexes are RE2 full matches (Envoy's safe_regex), not JavaScript RegExp searches.
 */
import { RE2JS } from 're2js';
import type { WorkspaceView } from '../workspace';
import { hostMatches } from './hosts';
import {
  routingForHost,
  type DestinationModel,
  type PlainValue,
  type RouteModel,
  type RoutingModel,
  type VirtualServiceRouting,
  type WorkloadSource,
} from './routing';

export interface SimulatedRequest {
  method?: string;
  /** Path with an optional query string: `/api/v1/books?page=2`. */
  path?: string;
  /** Host / :authority; defaults to the host asked for. */
  authority?: string;
  scheme?: string;
  port?: number;
  headers?: Record<string, string>;
  sourceLabels?: Record<string, string>;
  sourceNamespace?: string;
  /** `ns/name` of the Gateway the request enters through; `mesh` (a sidecar) when unset. */
  gateway?: string;
}

/** `GET /api/v1/books` or just `/api/v1/books`. */
export function parseRequestLine(line: string): { method?: string; path: string } {
  const parts = line.trim().split(/\s+/);
  if (parts.length >= 2 && !parts[0].startsWith('/')) return { method: parts[0].toUpperCase(), path: parts[1] };
  return { path: parts[0] || '/' };
}

export interface RuleVerdict {
  virtualService: string;
  protocol: string;
  index: number;
  name: string | null;
  matched: boolean;
  /** Why it did not match (the first condition that failed), or what matched. */
  reason: string;
}

export interface SimulatedDestination {
  host: string;
  subset: string | null;
  port: number | null;
  share: number;
}

export interface SimulatedWorkload {
  kind: string;
  name: string;
  namespace: string;
  replicas: number | null;
  share: number;
  /** The destination (`host` + `subset`) the workload serves. */
  destination: number;
}

export interface SimulationResult {
  host: string;
  /** `ns/name` of the VirtualService that decided, null when none claims the host for this entry. */
  virtualService: string | null;
  matchedRoute: { index: number; name: string | null; protocol: string; virtualService: string } | null;
  destinations: SimulatedDestination[];
  workloads: SimulatedWorkload[];
  mirror: { host: string; subset: string | null; port: number | null; percentage: number }[] | null;
  redirect: PlainValue | null;
  directResponse: PlainValue | null;
  rewrite: PlainValue | null;
  fault: PlainValue | null;
  retries: PlainValue | null;
  timeout: string | null;
  /** Every rule looked at, in order, with its verdict. */
  evaluated: RuleVerdict[];
  /** What happens when nothing matched (Envoy answers 404, or traffic goes to the host's Service unchanged). */
  note: string | null;
}

const compiled = new Map<string, RE2JS | Error>();

/** RE2 full match; an invalid RE2 pattern (lookaround, backreference) matches nothing. */
export function re2FullMatch(pattern: string, value: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    try {
      re = RE2JS.compile(pattern);
    } catch (error) {
      re = error instanceof Error ? error : new Error(String(error));
    }
    if (compiled.size > 500) compiled.clear();
    compiled.set(pattern, re);
  }
  return !(re instanceof Error) && re.matches(value);
}

export function re2Error(pattern: string): string | undefined {
  re2FullMatch(pattern, '');
  const re = compiled.get(pattern);
  return re instanceof Error ? re.message : undefined;
}

function isObject(value: PlainValue | undefined): value is { [key: string]: PlainValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Istio StringMatch: exact, prefix or regex (RE2, full); `{}` only asks for presence. */
export function stringMatches(match: PlainValue | undefined, value: string | undefined, ignoreCase = false): boolean {
  if (!isObject(match)) return false;
  if (value === undefined) return false;
  const fold = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  if (match.exact !== undefined) return fold(value) === fold(String(match.exact));
  if (match.prefix !== undefined) return fold(value).startsWith(fold(String(match.prefix)));
  if (match.regex !== undefined) return re2FullMatch(String(match.regex), value);
  return true;
}

function describeMatch(match: PlainValue | undefined): string {
  if (!isObject(match)) return 'present';
  for (const kind of ['exact', 'prefix', 'regex']) if (match[kind] !== undefined) return `${kind} "${String(match[kind])}"`;
  return 'present';
}

function splitPath(path: string): { path: string; query: Map<string, string> } {
  const at = path.indexOf('?');
  if (at < 0) return { path, query: new Map() };
  const query = new Map<string, string>();
  for (const part of path.slice(at + 1).split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    if (!query.has(key)) query.set(key, eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1)));
  }
  return { path: path.slice(0, at), query };
}

/**
 * Why one HTTP match entry rejects the request, or undefined when it accepts it. Envoy matches
 * `exact` and `regex` against the path without its query string, `prefix` against the whole :path.
 */
export function httpMatchFailure(entry: Record<string, PlainValue>, request: SimulatedRequest, vsGateways: readonly string[]): string | undefined {
  const fullPath = request.path ?? '/';
  const { path, query } = splitPath(fullPath);
  const headers = lowerKeys(request.headers ?? {});
  const uri = entry.uri;
  if (uri !== undefined) {
    const ignoreCase = entry.ignoreUriCase === true;
    const subject = isObject(uri) && uri.prefix !== undefined ? fullPath : path;
    if (!stringMatches(uri, subject, ignoreCase)) return `uri ${describeMatch(uri)} does not match "${path}"`;
  }
  if (entry.method !== undefined && !stringMatches(entry.method, (request.method ?? 'GET').toUpperCase())) {
    return `method ${describeMatch(entry.method)} does not match ${request.method ?? 'GET'}`;
  }
  if (entry.scheme !== undefined && !stringMatches(entry.scheme, request.scheme ?? 'http')) return `scheme ${describeMatch(entry.scheme)} does not match`;
  if (entry.authority !== undefined && !stringMatches(entry.authority, request.authority)) {
    return `authority ${describeMatch(entry.authority)} does not match "${request.authority ?? ''}"`;
  }
  if (isObject(entry.headers)) {
    for (const [name, match] of Object.entries(entry.headers)) {
      const value = headers[name.toLowerCase()];
      if (value === undefined) return `header ${name} is missing`;
      if (!stringMatches(match, value)) return `header ${name} ${describeMatch(match)} does not match "${value}"`;
    }
  }
  if (isObject(entry.withoutHeaders)) {
    for (const [name, match] of Object.entries(entry.withoutHeaders)) {
      const value = headers[name.toLowerCase()];
      if (value !== undefined && stringMatches(match, value)) return `withoutHeaders ${name} ${describeMatch(match)} matches "${value}"`;
    }
  }
  if (isObject(entry.queryParams)) {
    for (const [name, match] of Object.entries(entry.queryParams)) {
      const value = query.get(name);
      if (value === undefined) return `query parameter ${name} is missing`;
      if (!stringMatches(match, value)) return `query parameter ${name} ${describeMatch(match)} does not match "${value}"`;
    }
  }
  return commonMatchFailure(entry, request, vsGateways);
}

/** Conditions HTTP, TCP and TLS matches share: port, source labels and namespace, gateways. */
function commonMatchFailure(entry: Record<string, PlainValue>, request: SimulatedRequest, vsGateways: readonly string[]): string | undefined {
  if (typeof entry.port === 'number' && request.port !== undefined && entry.port !== request.port) return `port ${entry.port} is not ${request.port}`;
  if (typeof entry.port === 'number' && request.port === undefined) return `port ${entry.port} asked for and the request names no port`;
  if (isObject(entry.sourceLabels)) {
    const labels = request.sourceLabels ?? {};
    for (const [key, value] of Object.entries(entry.sourceLabels)) {
      if (labels[key] !== String(value)) return `source label ${key}=${String(value)} not on the caller`;
    }
  }
  if (entry.sourceNamespace !== undefined && entry.sourceNamespace !== request.sourceNamespace) {
    return `source namespace "${String(entry.sourceNamespace)}" is not "${request.sourceNamespace ?? ''}"`;
  }
  if (Array.isArray(entry.gateways)) {
    const gateways = entry.gateways.map(String);
    const entryGateway = request.gateway ?? 'mesh';
    const namespace = vsGateways.find((g) => g.includes('/'))?.split('/')[0];
    const normal = gateways.map((g) => (g === 'mesh' || g.includes('/') ? g : namespace ? `${namespace}/${g}` : g));
    if (!normal.includes(entryGateway)) return `gateways ${gateways.join(', ')} do not include ${entryGateway}`;
  }
  return undefined;
}

function tcpMatchFailure(route: RouteModel, entry: Record<string, PlainValue>, request: SimulatedRequest, host: string, vsGateways: readonly string[]): string | undefined {
  if (route.protocol === 'tls' && Array.isArray(entry.sniHosts)) {
    const sni = (request.authority ?? host).toLowerCase();
    if (!entry.sniHosts.some((pattern) => hostMatches(String(pattern).toLowerCase(), sni))) return `sniHosts do not include ${sni}`;
  }
  return commonMatchFailure(entry, request, vsGateways);
}

function lowerKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key.toLowerCase(), value]));
}

interface Decision {
  vs: VirtualServiceRouting;
  route: RouteModel;
}

/** The rule (in `vs` or the delegates it hands over to) that takes the request, recording verdicts. */
function decide(
  model: RoutingModel,
  vs: VirtualServiceRouting,
  request: SimulatedRequest,
  host: string,
  evaluated: RuleVerdict[],
  depth = 0,
): Decision | undefined {
  const gateways = vs.gateways.map((g) => g.name);
  const protocol = vs.routes.some((route) => route.protocol === 'http') ? 'http' : request.authority || vs.routes.some((r) => r.protocol === 'tls') ? 'tls' : 'tcp';
  const candidates = vs.routes.filter((route) => route.protocol === protocol || (protocol !== 'http' && route.protocol !== 'http'));
  for (const route of candidates) {
    const failures = route.matches.map((entry) =>
      route.protocol === 'http' ? httpMatchFailure(entry, request, gateways) : tcpMatchFailure(route, entry, request, host, gateways),
    );
    const matched = route.matches.length === 0 || failures.some((failure) => failure === undefined);
    const verdict: RuleVerdict = {
      virtualService: vs.ref,
      protocol: route.protocol,
      index: route.index,
      name: route.name,
      matched,
      reason: matched
        ? route.matches.length === 0
          ? 'no match conditions: takes every request that gets here'
          : `match entry ${failures.indexOf(undefined)} holds`
        : failures.filter((f): f is string => !!f).join('; or '),
    };
    evaluated.push(verdict);
    if (!matched) continue;
    if (route.delegate && depth < 8) {
      const delegate = model.virtualServices.find((candidate) => candidate.ref === route.delegate);
      if (!delegate) {
        verdict.reason += `; delegate ${route.delegate} is not in the workspace`;
        return { vs, route };
      }
      // Istio merges the root's match into each delegate rule: if none of them matches, the root moves on.
      const inner = decide(model, delegate, request, host, evaluated, depth + 1);
      if (inner) return inner;
      continue;
    }
    return { vs, route };
  }
  return undefined;
}

/** The route a request takes through the VirtualServices of `host`, and the resulting distribution. */
export function simulateRequest(
  workspace: WorkspaceView,
  host: string,
  request: SimulatedRequest,
  options: { sources?: readonly WorkloadSource[]; model?: RoutingModel } = {},
): SimulationResult {
  const model = options.model ?? routingForHost(workspace, host, options.sources);
  return simulateOnModel(model, host, request);
}

export function simulateOnModel(model: RoutingModel, host: string, request: SimulatedRequest): SimulationResult {
  const entry = request.gateway ?? 'mesh';
  const withAuthority: SimulatedRequest = { ...request, authority: request.authority ?? host };
  const evaluated: RuleVerdict[] = [];
  const result: SimulationResult = {
    host,
    virtualService: null,
    matchedRoute: null,
    destinations: [],
    workloads: [],
    mirror: null,
    redirect: null,
    directResponse: null,
    rewrite: null,
    fault: null,
    retries: null,
    timeout: null,
    evaluated,
    note: null,
  };
  const roots = model.virtualServices.filter((vs) => !vs.isDelegate && vs.gateways.some((g) => g.name === entry));
  if (roots.length === 0) {
    result.note = `no VirtualService binds ${host} to ${entry}: traffic goes to the host's Service unchanged`;
    return result;
  }
  // Istio merges several VirtualServices of a host in no guaranteed order: take the first, say so.
  const [root] = roots;
  result.virtualService = root.ref;
  if (roots.length > 1) result.note = `${roots.length} VirtualServices claim ${host} for ${entry}; Istio merges them in no guaranteed order — ${root.ref} was used`;
  const decision = decide(model, root, withAuthority, host, evaluated);
  if (!decision) {
    result.note = `no rule matches: ${entry === 'mesh' ? 'the sidecar answers 404 (route not found)' : 'the gateway answers 404'}`;
    return result;
  }
  const { vs, route } = decision;
  result.matchedRoute = { index: route.index, name: route.name, protocol: route.protocol, virtualService: vs.ref };
  result.destinations = route.destinations.map((d) => ({ host: d.fqdn || d.host, subset: d.subset, port: d.port, share: d.share }));
  result.workloads = route.destinations.flatMap((d: DestinationModel, destination) =>
    d.workloads.map((w) => ({ kind: w.kind, name: w.name, namespace: w.namespace, replicas: w.replicas, share: w.share, destination })),
  );
  result.mirror = route.mirrors.length > 0 ? route.mirrors.map((m) => ({ host: m.fqdn || m.host, subset: m.subset, port: m.port, percentage: m.percentage })) : null;
  result.redirect = route.redirect;
  result.directResponse = route.directResponse;
  result.rewrite = route.rewrite;
  result.fault = route.fault;
  result.retries = route.retries;
  result.timeout = route.timeout;
  return result;
}

/** Deterministic PRNG (mulberry32): the same seed draws the same requests, so runs can be compared. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SampleResult {
  total: number;
  /** Requests per destination of the matched route, in its order. */
  destinations: number[];
  /** Requests per workload, in the order of `SimulationResult.workloads`. */
  workloads: number[];
}

/** Draws `n` requests through the weighted split (then across workloads by replicas) and counts them. */
export function sampleRequests(result: SimulationResult, n: number, seed = 1): SampleResult {
  const random = seededRandom(seed);
  const destinations = result.destinations.map(() => 0);
  const workloads = result.workloads.map(() => 0);
  const pick = (weights: number[]): number => {
    const total = weights.reduce((sum, w) => sum + w, 0);
    if (total <= 0) return -1;
    let r = random() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  };
  const destinationShares = result.destinations.map((d) => d.share);
  for (let i = 0; i < n; i++) {
    const destination = pick(destinationShares);
    if (destination < 0) continue;
    destinations[destination]++;
    const candidates = result.workloads.map((w, index) => ({ w, index })).filter(({ w }) => w.destination === destination);
    const workload = pick(candidates.map(({ w }) => w.replicas ?? 1));
    if (workload >= 0) workloads[candidates[workload].index]++;
  }
  return { total: n, destinations, workloads };
}
