/**
 * Where a VirtualService really sends traffic: its routes in order with their match conditions,
 * each destination's effective share resolved through DestinationRule subsets down to workloads,
 * plus everything Envoy does on the way (mirrors, fault, retries, timeout, rewrite, redirect,
 * direct response, delegation) and the rules that can never match. Plain data, so the language
 * server, the CLI and the preview all show the same thing.
 */
import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import type { Range } from '../text';
import { namespaceOf, type WorkspaceView } from '../workspace';
import type { Manifest } from '../yaml/manifest';
import { keyRange, mapAt, nodeAt, nodeRange, scalarNumber, scalarText, seqItems, stringMap } from '../yaml/manifest';
import { fqdn, hostMatches } from './hosts';
import { effectiveShares } from './shares';
import { virtualServiceRoutes, type RouteDestination, type RouteProtocol } from './virtualservice';
import { podTemplateLabels, selects, workloadsForHost } from './workloads';

export interface Location {
  uri: string;
  range: Range;
}

/** A YAML value turned into plain JSON (scalars, maps, lists), for display and for matching. */
export type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

export interface WorkloadModel {
  kind: string;
  name: string;
  namespace: string;
  /** As written; Kubernetes defaults a missing count to 1. Null for DaemonSets (one per node). */
  replicas: number | null;
  /** Part of the route's traffic this workload gets: the destination's share split by replicas. */
  share: number;
  /** Where the workload was found: `workspace` here; a live cluster source names itself. */
  source: string;
  location?: Location;
}

export interface TrafficPolicySetting {
  /** `loadBalancer`, `connectionPool`, `outlierDetection` or `tls`. */
  field: string;
  value: PlainValue;
  /** Which level set it: `DestinationRule shop/checkout`, `... subset v2`, `... port 80`. */
  from: string;
}

export interface DestinationModel {
  host: string;
  fqdn: string;
  subset: string | null;
  port: number | null;
  /** As written; null when missing. */
  weight: number | null;
  /** 0..1 of the route's traffic, as Envoy splits it. */
  share: number;
  /** `none`: no subset named; `unresolved`: no DestinationRule of this host defines it. */
  subsetStatus: 'none' | 'resolved' | 'unresolved';
  subsetLabels: Record<string, string> | null;
  destinationRule: { ref: string; location: Location } | null;
  trafficPolicy: TrafficPolicySetting[];
  workloads: WorkloadModel[];
  location: Location;
  /** Range of the weight's value, for inlay hints. */
  weightRange: Range | null;
}

export interface MirrorModel {
  host: string;
  fqdn: string;
  subset: string | null;
  port: number | null;
  /** 0..1 of requests copied; Istio mirrors everything when unset. */
  percentage: number;
  location: Location;
}

export interface RouteModel {
  protocol: RouteProtocol;
  /** 0-based index in its http/tcp/tls list. */
  index: number;
  name: string | null;
  /** Each entry is one alternative (OR); the conditions inside an entry all hold (AND). Empty: matches everything. */
  matches: Record<string, PlainValue>[];
  destinations: DestinationModel[];
  mirrors: MirrorModel[];
  fault: PlainValue | null;
  retries: PlainValue | null;
  timeout: string | null;
  rewrite: PlainValue | null;
  redirect: PlainValue | null;
  directResponse: PlainValue | null;
  headers: PlainValue | null;
  /** The VirtualService this route hands over to (`ns/name`). */
  delegate: string | null;
  /** Why no request can reach this rule, when that is so. */
  unreachable: string | null;
  /** Why the weights do not make a valid split (negative, all zero). */
  invalidSplit: string | null;
  location: Location;
}

export interface GatewayEntry {
  /** `mesh` (sidecars) or `ns/name` of a Gateway. */
  name: string;
  found: boolean;
  servers: { port: number | null; protocol: string | null; hosts: string[] }[];
  location: Location | null;
}

export interface VirtualServiceRouting {
  /** `ns/name`. */
  ref: string;
  name: string;
  namespace: string;
  hosts: string[];
  gateways: GatewayEntry[];
  /** True for a delegate: a VirtualService without hosts, reached only from another's `delegate:`. */
  isDelegate: boolean;
  /** Root VirtualServices (`ns/name`) whose routes delegate here. */
  delegatedFrom: string[];
  routes: RouteModel[];
  location: Location;
}

export interface RoutingModel {
  virtualServices: VirtualServiceRouting[];
}

/**
 * Where workloads come from. The workspace is one source; a connected cluster can add another
 * (its pods and replica counts) without the routing model changing.
 */
export interface WorkloadSource {
  readonly name: string;
  workloads(host: string, subsetLabels: Record<string, string> | null): Omit<WorkloadModel, 'share'>[];
}

/** Deployments/StatefulSets/DaemonSets of the workspace behind a host, narrowed to a subset's labels. */
export function workspaceWorkloads(workspace: WorkspaceView): WorkloadSource {
  return {
    name: 'workspace',
    workloads(host, subsetLabels) {
      return workloadsForHost(workspace, host)
        .filter((workload) => !subsetLabels || Object.keys(subsetLabels).length === 0 || selects(subsetLabels, podTemplateLabels(workload)))
        .map((workload) => ({
          kind: workload.kind,
          name: workload.name,
          namespace: namespaceOf(workload),
          replicas: workload.kind === 'DaemonSet' ? null : (scalarNumber(nodeAt(workload.root, 'spec', 'replicas')) ?? 1),
          source: 'workspace',
          location: { uri: workload.file.uri, range: keyRange(workload.file, workload.root, 'kind') ?? zeroRange() },
        }));
    },
  };
}

function zeroRange(): Range {
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

function locationOf(manifest: Manifest, node: unknown): Location {
  return { uri: manifest.file.uri, range: nodeRange(manifest.file, node) ?? zeroRange() };
}

export function plain(node: unknown): PlainValue {
  if (isScalar(node)) {
    const value = node.value;
    if (value === null || value === undefined) return null;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    return String(value);
  }
  if (isSeq(node)) return node.items.map(plain);
  if (isMap(node)) {
    const result: { [key: string]: PlainValue } = {};
    for (const item of node.items) {
      const key = scalarText(item.key);
      if (key !== undefined) result[key] = plain(item.value);
    }
    return result;
  }
  return null;
}

function plainOrNull(node: unknown): PlainValue | null {
  return node === undefined || node === null ? null : plain(node);
}

export function vsRef(manifest: Manifest): string {
  return `${namespaceOf(manifest)}/${manifest.name}`;
}

/** `name`, `ns/name` or the legacy `name.ns` reference to a Gateway, made `ns/name`. */
function gatewayRef(reference: string, namespace: string): string {
  if (reference === 'mesh') return 'mesh';
  if (reference.includes('/')) return reference;
  const dot = reference.indexOf('.');
  if (dot > 0) return `${reference.slice(dot + 1)}/${reference.slice(0, dot)}`;
  return `${namespace}/${reference}`;
}

function gatewayEntries(workspace: WorkspaceView, vs: Manifest): GatewayEntry[] {
  const written = seqItems(nodeAt(vs.root, 'spec', 'gateways')).map(scalarText).filter((g): g is string => !!g);
  const refs = (written.length > 0 ? written : ['mesh']).map((g) => gatewayRef(g, namespaceOf(vs)));
  return refs.map((name) => {
    if (name === 'mesh') return { name, found: true, servers: [], location: null };
    const [namespace, gatewayName] = name.split('/');
    const gateway = workspace.find('Gateway', namespace, gatewayName);
    if (!gateway) return { name, found: false, servers: [], location: null };
    const servers = seqItems(nodeAt(gateway.root, 'spec', 'servers')).map((server) => ({
      port: scalarNumber(nodeAt(server, 'port', 'number')) ?? null,
      protocol: scalarText(nodeAt(server, 'port', 'protocol')) ?? null,
      hosts: seqItems(nodeAt(server, 'hosts')).map(scalarText).filter((h): h is string => !!h),
    }));
    return { name, found: true, servers, location: locationOf(gateway, gateway.root) };
  });
}

const POLICY_FIELDS = ['loadBalancer', 'connectionPool', 'outlierDetection', 'tls'] as const;

/**
 * The traffic policy in force for host+subset+port: Istio overlays, field by field, the
 * DestinationRule's policy, its port-level settings, the subset's policy and the subset's port-level settings.
 */
function trafficPolicyOf(destinationRule: Manifest, subset: YAMLMap | undefined, port: number | null): TrafficPolicySetting[] {
  const settings = new Map<string, TrafficPolicySetting>();
  const ref = `DestinationRule ${vsRef(destinationRule)}`;
  const overlay = (policy: unknown, from: string) => {
    if (!isMap(policy)) return;
    for (const field of POLICY_FIELDS) {
      const value = policy.get(field, true);
      if (value !== undefined && value !== null) settings.set(field, { field, value: plain(value), from });
    }
    if (port === null) return;
    for (const level of seqItems(policy.get('portLevelSettings', true))) {
      if (scalarNumber(nodeAt(level, 'port', 'number')) !== port) continue;
      for (const field of POLICY_FIELDS) {
        const value = nodeAt(level, field);
        if (value !== undefined) settings.set(field, { field, value: plain(value), from: `${from} port ${port}` });
      }
    }
  };
  overlay(nodeAt(destinationRule.root, 'spec', 'trafficPolicy'), ref);
  if (subset) overlay(subset.get('trafficPolicy', true), `${ref} subset ${scalarText(subset.get('name', true)) ?? ''}`);
  return [...settings.values()];
}

function resolveDestination(
  workspace: WorkspaceView,
  vs: Manifest,
  destination: RouteDestination,
  share: number,
  sources: readonly WorkloadSource[],
): DestinationModel {
  const host = destination.host ?? '';
  const hostFqdn = destination.fqdn ?? '';
  const subset = destination.subset ?? null;
  const port = destination.port ?? null;
  const rules = hostFqdn ? workspace.destinationRulesFor(hostFqdn) : [];
  let destinationRule: Manifest | undefined = rules[0];
  let subsetNode: YAMLMap | undefined;
  if (subset) {
    for (const rule of rules) {
      const found = seqItems(nodeAt(rule.root, 'spec', 'subsets')).find((item) => isMap(item) && scalarText(item.get('name', true)) === subset);
      if (isMap(found)) {
        destinationRule = rule;
        subsetNode = found;
        break;
      }
    }
  }
  const subsetStatus = !subset ? 'none' : subsetNode ? 'resolved' : 'unresolved';
  const subsetLabels = subsetNode ? stringMap(mapAt(subsetNode, 'labels')) : null;
  // An unresolved subset selects nothing: Envoy has no cluster for it and answers 503.
  const found = subsetStatus === 'unresolved' ? [] : sources.flatMap((source) => source.workloads(hostFqdn, subsetLabels));
  const replicaTotal = found.reduce((sum, w) => sum + (w.replicas ?? 1), 0);
  const workloads = found.map((w) => ({ ...w, share: replicaTotal > 0 ? (share * (w.replicas ?? 1)) / replicaTotal : 0 }));
  const weightNode = destination.item?.get('weight', true);
  return {
    host,
    fqdn: hostFqdn,
    subset,
    port,
    weight: destination.weight ?? null,
    share,
    subsetStatus,
    subsetLabels,
    destinationRule: destinationRule ? { ref: vsRef(destinationRule), location: locationOf(destinationRule, destinationRule.root) } : null,
    trafficPolicy: destinationRule ? trafficPolicyOf(destinationRule, subsetNode, port) : [],
    workloads,
    // The whole `- destination: ... weight:` item, so the hover covers the weight line too.
    location: locationOf(vs, destination.item ?? destination.node),
    weightRange: weightNode ? (nodeRange(vs.file, weightNode) ?? null) : null,
  };
}

function mirrorPercentage(routeNode: YAMLMap, mirrorNode: unknown, fromList: boolean): number {
  const percentage = fromList ? nodeAt(mirrorNode, 'percentage', 'value') : nodeAt(routeNode, 'mirrorPercentage', 'value');
  const value = scalarNumber(percentage);
  return value === undefined ? 1 : Math.max(0, Math.min(100, value)) / 100;
}

function routeMatches(routeNode: YAMLMap): Record<string, PlainValue>[] {
  return seqItems(routeNode.get('match', true))
    .map((entry) => plain(entry))
    .filter((entry): entry is { [key: string]: PlainValue } => typeof entry === 'object' && entry !== null && !Array.isArray(entry));
}

/** The routing model of one VirtualService. */
export function virtualServiceRouting(
  workspace: WorkspaceView,
  vs: Manifest,
  sources: readonly WorkloadSource[] = [workspaceWorkloads(workspace)],
): VirtualServiceRouting {
  const hosts = seqItems(nodeAt(vs.root, 'spec', 'hosts')).map(scalarText).filter((h): h is string => !!h);
  const routes: RouteModel[] = virtualServiceRoutes(vs).map((route) => {
    const weights = route.destinations.map((d) => d.weight);
    const shares = effectiveShares(weights);
    const invalidSplit = shares
      ? null
      : weights.some((w) => w !== undefined && w < 0)
        ? 'a weight is negative'
        : 'every destination has weight 0 (Istio rejects "total destination weight = 0")';
    const mirrorItems = seqItems(route.node.get('mirrors', true));
    const delegateNode = route.node.get('delegate', true);
    const delegateName = scalarText(nodeAt(delegateNode, 'name'));
    return {
      protocol: route.protocol,
      index: route.index,
      name: route.name ?? null,
      matches: routeMatches(route.node),
      destinations: route.destinations.map((d, i) => resolveDestination(workspace, vs, d, shares?.[i] ?? 0, sources)),
      mirrors: route.mirrors.map((m, i) => {
        const fromList = route.node.get('mirror', true) === undefined;
        return {
          host: m.host ?? '',
          fqdn: m.fqdn ?? '',
          subset: m.subset ?? null,
          port: m.port ?? null,
          percentage: mirrorPercentage(route.node, fromList ? mirrorItems[i] : m.node, fromList),
          location: locationOf(vs, m.node),
        };
      }),
      fault: plainOrNull(route.node.get('fault', true)),
      retries: plainOrNull(route.node.get('retries', true)),
      timeout: scalarText(route.node.get('timeout', true)) ?? null,
      rewrite: plainOrNull(route.node.get('rewrite', true)),
      redirect: plainOrNull(route.node.get('redirect', true)),
      directResponse: plainOrNull(route.node.get('directResponse', true)),
      headers: plainOrNull(route.node.get('headers', true)),
      delegate: delegateName ? `${scalarText(nodeAt(delegateNode, 'namespace')) ?? namespaceOf(vs)}/${delegateName}` : null,
      unreachable: null,
      invalidSplit,
      location: locationOf(vs, route.node),
    };
  });
  markUnreachable(routes);
  const ref = vsRef(vs);
  const delegatedFrom = workspace
    .ofKind('VirtualService')
    .filter((other) => other !== vs && virtualServiceRoutes(other).some((route) => delegateRefOf(other, route.node) === ref))
    .map(vsRef);
  return {
    ref,
    name: vs.name,
    namespace: namespaceOf(vs),
    hosts,
    gateways: gatewayEntries(workspace, vs),
    isDelegate: hosts.length === 0,
    delegatedFrom,
    routes,
    location: { uri: vs.file.uri, range: keyRange(vs.file, vs.root, 'kind') ?? zeroRange() },
  };
}

function delegateRefOf(vs: Manifest, routeNode: YAMLMap): string | undefined {
  const delegate = routeNode.get('delegate', true);
  const name = scalarText(nodeAt(delegate, 'name'));
  return name ? `${scalarText(nodeAt(delegate, 'namespace')) ?? namespaceOf(vs)}/${name}` : undefined;
}

// ---- unreachable rules ------------------------------------------------------------------------

function routeLabel(route: RouteModel): string {
  return `${route.protocol}[${route.index}]${route.name ? ` "${route.name}"` : ''}`;
}

function isObject(value: PlainValue | undefined): value is { [key: string]: PlainValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when every string the later StringMatch accepts, the earlier one accepts too. */
function stringMatchCovers(earlier: PlainValue | undefined, later: PlainValue | undefined): boolean {
  if (earlier === undefined) return true;
  if (!isObject(earlier) || !isObject(later)) return false;
  if (earlier.prefix !== undefined) {
    const prefix = String(earlier.prefix);
    const value = later.exact ?? later.prefix;
    return value !== undefined && String(value).startsWith(prefix);
  }
  if (earlier.exact !== undefined) return later.exact !== undefined && String(later.exact) === String(earlier.exact);
  if (earlier.regex !== undefined) return later.regex !== undefined && String(later.regex) === String(earlier.regex);
  // `{}`: presence only; any value matcher implies presence.
  return Object.keys(earlier).length === 0;
}

function mapOfMatchesCovers(earlier: PlainValue | undefined, later: PlainValue | undefined): boolean {
  if (earlier === undefined) return true;
  if (!isObject(earlier)) return false;
  const laterMap = isObject(later) ? later : {};
  return Object.entries(earlier).every(([key, value]) => key in laterMap && stringMatchCovers(value, laterMap[key]));
}

const STRING_MATCH_FIELDS = new Set(['uri', 'scheme', 'method', 'authority']);
const MAP_MATCH_FIELDS = new Set(['headers', 'queryParams']);

/** True when every request the later match entry accepts, the earlier one accepts too. */
export function matchCovers(earlier: Record<string, PlainValue>, later: Record<string, PlainValue>): boolean {
  for (const [field, value] of Object.entries(earlier)) {
    if (field === 'name') continue;
    if (STRING_MATCH_FIELDS.has(field)) {
      if (field === 'uri' && (earlier.ignoreUriCase ?? false) !== (later.ignoreUriCase ?? false)) return false;
      if (!stringMatchCovers(value, later[field])) return false;
    } else if (MAP_MATCH_FIELDS.has(field) || field === 'sourceLabels') {
      const covers = field === 'sourceLabels' ? labelsCover(value, later[field]) : mapOfMatchesCovers(value, later[field]);
      if (!covers) return false;
    } else if (field !== 'ignoreUriCase' && JSON.stringify(value) !== JSON.stringify(later[field])) {
      return false;
    }
  }
  return true;
}

function labelsCover(earlier: PlainValue | undefined, later: PlainValue | undefined): boolean {
  if (!isObject(earlier)) return earlier === undefined;
  const laterMap = isObject(later) ? later : {};
  return Object.entries(earlier).every(([key, value]) => laterMap[key] === value);
}

/**
 * Marks rules no request can reach (Istio's IST0130/IST0131): everything after a catch-all, and a
 * rule whose every match entry is covered by an entry of one earlier rule.
 */
function markUnreachable(routes: RouteModel[]): void {
  for (const protocol of ['http', 'tcp', 'tls'] as const) {
    const list = routes.filter((route) => route.protocol === protocol);
    list.forEach((route, i) => {
      for (const earlier of list.slice(0, i)) {
        if (earlier.matches.length === 0 || earlier.matches.some((entry) => Object.keys(entry).filter((k) => k !== 'name').length === 0)) {
          route.unreachable = `${routeLabel(earlier)} matches every request first`;
          return;
        }
        if (route.matches.length > 0 && route.matches.every((entry) => earlier.matches.some((prior) => matchCovers(prior, entry)))) {
          route.unreachable = `${routeLabel(earlier)} matches every request this rule matches`;
          return;
        }
      }
    });
  }
}

// ---- lookups -----------------------------------------------------------------------------------

/** VirtualServices of the workspace that claim a host (wildcards included), in workspace order. */
export function virtualServicesForHost(workspace: WorkspaceView, host: string): Manifest[] {
  const wanted = host.trim().toLowerCase();
  return workspace.ofKind('VirtualService').filter((vs) => {
    const namespace = namespaceOf(vs);
    return seqItems(nodeAt(vs.root, 'spec', 'hosts'))
      .map(scalarText)
      .some((h) => !!h && (hostMatches(fqdn(h, namespace), fqdn(wanted, namespace)) || hostMatches(h.toLowerCase(), wanted)));
  });
}

/** The delegates a VirtualService's routes hand over to, found in the workspace. */
export function delegatesOf(workspace: WorkspaceView, vs: Manifest): Manifest[] {
  const refs = new Set(virtualServiceRoutes(vs).map((route) => delegateRefOf(vs, route.node)).filter((r): r is string => !!r));
  return workspace.ofKind('VirtualService').filter((other) => refs.has(vsRef(other)));
}

/**
 * Every VirtualService of a host with its delegates (a host's traffic follows them too), each
 * once, roots first.
 */
export function routingForHost(workspace: WorkspaceView, host: string, sources?: readonly WorkloadSource[]): RoutingModel {
  const roots = virtualServicesForHost(workspace, host);
  const seen = new Set<Manifest>();
  const ordered: Manifest[] = [];
  const visit = (vs: Manifest, depth: number) => {
    if (seen.has(vs) || depth > 8) return;
    seen.add(vs);
    ordered.push(vs);
    for (const delegate of delegatesOf(workspace, vs)) visit(delegate, depth + 1);
  };
  roots.forEach((vs) => visit(vs, 0));
  return { virtualServices: ordered.map((vs) => virtualServiceRouting(workspace, vs, sources)) };
}

/** The VirtualService whose document contains the line, or the first of the file. */
export function virtualServiceAt(manifests: readonly Manifest[], line: number | undefined): Manifest | undefined {
  const services = manifests.filter((m) => m.kind === 'VirtualService');
  if (line === undefined) return services[0];
  return (
    services.find((vs) => {
      const range = nodeRange(vs.file, vs.root);
      return range !== undefined && range.start.line <= line && line <= range.end.line;
    }) ?? services.filter((vs) => (nodeRange(vs.file, vs.root)?.start.line ?? 0) <= line).pop() ?? services[0]
  );
}

/** Route's display text, as the code lens shows it: `checkout v1 90% · v2 10%`. */
export function describeRoute(route: RouteModel, format: (share: number) => string): string {
  if (route.redirect) return `redirect ${describeValue(route.redirect)}`;
  if (route.directResponse) return `direct response ${describeValue(route.directResponse)}`;
  if (route.delegate) return `delegate to ${route.delegate}`;
  if (route.invalidSplit) return `invalid split: ${route.invalidSplit}`;
  const parts: string[] = [];
  let lastHost: string | undefined;
  for (const destination of route.destinations) {
    const short = destination.host.split('.')[0];
    const subset = destination.subset ? `${destination.subset}${destination.subsetStatus === 'unresolved' ? ' (unresolved)' : ''}` : '';
    const head = short === lastHost ? subset : [short, subset].filter(Boolean).join(' ');
    parts.push(`${head || short} ${format(destination.share)}`);
    lastHost = short;
  }
  return parts.join(' · ');
}

export function describeValue(value: PlainValue): string {
  if (value === null) return '';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.map(describeValue).join(', ');
  return Object.entries(value)
    .map(([key, inner]) => (typeof inner === 'object' && inner !== null ? `${key} {${describeValue(inner)}}` : `${key} ${String(inner)}`))
    .join(', ');
}

/** One `a and b` line per match entry; entries are alternatives. */
export function describeMatches(matches: readonly Record<string, PlainValue>[]): string[] {
  return matches.map((entry) =>
    Object.entries(entry)
      .filter(([key]) => key !== 'name')
      .map(([key, value]) => `${key} ${describeValue(value)}`)
      .join(' and ') || 'any request',
  );
}

function markdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/([`*_<>[\]])/g, '\\$1');
}

/** The routing model as a Markdown table: one row per destination of every rule. */
export function routingMarkdown(model: RoutingModel, format: (share: number) => string): string {
  const rows = ['| VirtualService | Rule | Match | Destination | Weight | Share | Workloads |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const vs of model.virtualServices) {
    for (const route of vs.routes) {
      const rule = `${route.protocol}[${route.index}]${route.name ? ` ${route.name}` : ''}${route.unreachable ? ` (unreachable: ${route.unreachable})` : ''}`;
      const match = route.matches.length === 0 ? 'any request' : describeMatches(route.matches).join(' or ');
      const targets = route.destinations.length > 0 ? route.destinations : [undefined];
      for (const destination of targets) {
        const cells = destination
          ? [
              `${destination.fqdn || destination.host}${destination.subset ? ` ${destination.subset}` : ''}${destination.subsetStatus === 'unresolved' ? ' (unresolved subset)' : ''}${destination.port ? `:${destination.port}` : ''}`,
              destination.weight === null ? '' : String(destination.weight),
              format(destination.share),
              destination.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}${w.replicas === null ? '' : ` ×${w.replicas}`}`).join(', '),
            ]
          : [describeRoute(route, format), '', '', ''];
        rows.push(`| ${[vs.ref, rule, match, ...cells].map(markdownCell).join(' | ')} |`);
      }
    }
  }
  return `${rows.join('\n')}\n`;
}
