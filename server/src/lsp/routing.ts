/**
 * The routing preview's language features: a code lens per route with its effective split, a
 * hover per destination (subset labels, workloads, traffic policy), inlay hints where a weight
 * is not the share it yields, and the routing-model and simulation requests of the preview panel.
 * Only translation lives here; the model is `core/mesh/routing.ts`.
 */
import {
  InlayHintKind,
  MarkupKind,
  type CodeLens,
  type Connection,
  type Hover,
  type InitializeParams,
  type InlayHint,
  type Position,
  type ServerCapabilities,
} from 'vscode-languageserver';
import type { Analyzer } from '../core/analyzer';
import {
  describeRoute,
  describeValue,
  routingForHost,
  routingMarkdown,
  virtualServiceAt,
  virtualServiceRouting,
  type DestinationModel,
  type RoutingModel,
  type VirtualServiceRouting,
} from '../core/mesh/routing';
import { formatShare } from '../core/mesh/shares';
import { sampleRequests, simulateOnModel } from '../core/mesh/simulate';
import type { Range } from '../core/text';
import { RoutingModelRequest, SimulateRequestRequest, type RoutingModelResult } from '../protocol';

/** The client command the lenses run: opens the preview on that line. */
export const PREVIEW_COMMAND = 'meshlens.previewRouting';

interface FileRouting {
  generation: number;
  services: VirtualServiceRouting[];
  dependencies: Set<string>;
}

function contains(range: Range, position: Position): boolean {
  const after = position.line > range.start.line || (position.line === range.start.line && position.character >= range.start.character);
  const before = position.line < range.end.line || (position.line === range.end.line && position.character <= range.end.character);
  return after && before;
}

/** A YAML value in a Markdown code span; YAML is untrusted, so nothing in it may become markup. */
function code(value: string): string {
  const text = value.replace(/[\r\n]+/g, ' ').replace(/`/g, "'");
  return `\`${text}\``;
}

export function destinationHover(destination: DestinationModel): string {
  const lines: string[] = [];
  const subset = destination.subset ? ` subset ${code(destination.subset)}` : '';
  lines.push(`**${code(destination.fqdn || destination.host)}**${subset} — receives **${formatShare(destination.share)}** of this route`);
  if (destination.subsetStatus === 'unresolved') {
    lines.push('', `⚠ No DestinationRule of this host defines subset ${code(destination.subset ?? '')}: Envoy has no cluster for it and answers 503.`);
  } else if (destination.subsetLabels) {
    const labels = Object.entries(destination.subsetLabels).map(([k, v]) => code(`${k}=${v}`));
    lines.push('', `Subset labels: ${labels.length > 0 ? labels.join(' ') : '(none: every pod of the host)'}`);
  }
  lines.push('', '**Workloads**');
  if (destination.workloads.length === 0) {
    lines.push(destination.subsetStatus === 'unresolved' ? '- none (unresolved subset)' : '- none found in the workspace');
  }
  for (const workload of destination.workloads) {
    const replicas = workload.replicas === null ? 'one pod per node' : `${workload.replicas} replica${workload.replicas === 1 ? '' : 's'}`;
    lines.push(`- ${workload.kind} ${code(`${workload.namespace}/${workload.name}`)} — ${replicas}, ${formatShare(workload.share)} of the route (${workload.source})`);
  }
  if (destination.destinationRule) {
    lines.push('', `**Traffic policy** (DestinationRule ${code(destination.destinationRule.ref)})`);
    if (destination.trafficPolicy.length === 0) lines.push('- Istio defaults (round robin, no outlier detection)');
    for (const setting of destination.trafficPolicy) {
      const label = { loadBalancer: 'Load balancer', connectionPool: 'Connection pool', outlierDetection: 'Outlier detection', tls: 'TLS' }[setting.field] ?? setting.field;
      lines.push(`- ${label}: ${code(describeValue(setting.value))} — from ${code(setting.from)}`);
    }
  } else {
    lines.push('', '**Traffic policy**: no DestinationRule for this host (Istio defaults)');
  }
  return lines.join('\n');
}

/** Effective shares differ from the written weight: a lone destination, or a sum other than 100. */
export function shareDiffersFromWeight(destination: DestinationModel): boolean {
  return destination.weight !== null && Math.abs(destination.share * 100 - destination.weight) > 1e-9;
}

export class RoutingFeatures {
  private generation = 0;
  private readonly cache = new Map<string, FileRouting>();
  private codeLensRefresh = false;
  private inlayHintRefresh = false;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly ready: Promise<Analyzer>,
  ) {
    void ready.then((engine) => engine.onDidChangeFile((uri, keys) => this.fileChanged(uri, keys)));
    connection.onCodeLens(async ({ textDocument }) => this.codeLenses(await this.routingOf(textDocument.uri), textDocument.uri));
    connection.onHover(async ({ textDocument, position }) => this.hover(await this.routingOf(textDocument.uri), position));
    connection.languages.inlayHint.on(async ({ textDocument, range }) => this.inlayHints(await this.routingOf(textDocument.uri), range));
    connection.onRequest(RoutingModelRequest.type, async ({ uri, line }) => this.routingModel(await ready, uri, line));
    connection.onRequest(SimulateRequestRequest.type, async ({ host, request, samples, seed }) => {
      const engine = await ready;
      const result = simulateOnModel(routingForHost(engine.workspaceView(), host), host, request);
      const count = samples !== undefined ? Math.max(0, Math.min(1_000_000, Math.floor(samples))) : 0;
      return { ...result, samples: count > 0 ? sampleRequests(result, count, seed ?? 1) : null };
    });
  }

  /** Capabilities to merge into the server's, recording which refreshes the client accepts. */
  capabilities(params: InitializeParams): Pick<ServerCapabilities, 'codeLensProvider' | 'hoverProvider' | 'inlayHintProvider'> {
    this.codeLensRefresh = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    this.inlayHintRefresh = params.capabilities.workspace?.inlayHint?.refreshSupport === true;
    return { codeLensProvider: { resolveProvider: false }, hoverProvider: true, inlayHintProvider: true };
  }

  /** Lenses and hints of other files that read what changed must be asked for again. */
  private fileChanged(uri: string, keys: ReadonlySet<string>): void {
    this.generation++;
    let affected = false;
    for (const [other, routing] of this.cache) {
      if (other === uri) continue;
      if ([...keys].some((key) => routing.dependencies.has(key))) affected = true;
    }
    this.cache.delete(uri);
    if (!affected || (!this.codeLensRefresh && !this.inlayHintRefresh)) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      if (this.codeLensRefresh) void this.connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
      if (this.inlayHintRefresh) void this.connection.sendRequest('workspace/inlayHint/refresh').catch(() => undefined);
    }, 50);
  }

  private async routingOf(uri: string): Promise<VirtualServiceRouting[]> {
    const engine = await this.ready;
    const cached = this.cache.get(uri);
    if (cached && cached.generation === this.generation) return cached.services;
    const file = engine.manifestFile(uri);
    const view = engine.workspaceView();
    const services = (file?.manifests ?? []).filter((m) => m.kind === 'VirtualService').map((vs) => virtualServiceRouting(view, vs));
    this.cache.set(uri, { generation: this.generation, services, dependencies: view.dependencies });
    return services;
  }

  private codeLenses(services: VirtualServiceRouting[], uri: string): CodeLens[] {
    const lenses: CodeLens[] = [];
    for (const vs of services) {
      const at = vs.location.range;
      lenses.push({ range: at, command: { title: '$(type-hierarchy) Preview routing', command: PREVIEW_COMMAND, arguments: [uri, at.start.line] } });
      for (const route of vs.routes) {
        const text = describeRoute(route, formatShare);
        const title = route.unreachable ? `unreachable: ${route.unreachable}` : text;
        lenses.push({ range: route.location.range, command: { title, command: PREVIEW_COMMAND, arguments: [uri, route.location.range.start.line] } });
      }
    }
    return lenses;
  }

  private hover(services: VirtualServiceRouting[], position: Position): Hover | null {
    for (const vs of services) {
      for (const route of vs.routes) {
        for (const destination of route.destinations) {
          const onWeight = destination.weightRange !== null && contains(destination.weightRange, position);
          if (contains(destination.location.range, position) || onWeight) {
            return { contents: { kind: MarkupKind.Markdown, value: destinationHover(destination) }, range: destination.location.range };
          }
        }
      }
    }
    return null;
  }

  private inlayHints(services: VirtualServiceRouting[], range: Range): InlayHint[] {
    const hints: InlayHint[] = [];
    for (const vs of services) {
      for (const route of vs.routes) {
        for (const destination of route.destinations) {
          const at = destination.weightRange;
          if (!at || !shareDiffersFromWeight(destination) || at.end.line < range.start.line || at.start.line > range.end.line) continue;
          hints.push({
            position: at.end,
            label: `→ ${formatShare(destination.share)}`,
            kind: InlayHintKind.Parameter,
            paddingLeft: true,
            tooltip: `Envoy sends ${formatShare(destination.share)} of this route here: ${route.destinations.length === 1 ? 'a lone destination gets everything' : 'weight / sum of the weights'}.`,
          });
        }
      }
    }
    return hints;
  }

  private routingModel(engine: Analyzer, uri: string, line: number | undefined): RoutingModelResult {
    const started = performance.now();
    const view = engine.workspaceView();
    const vs = virtualServiceAt(engine.manifestFile(uri)?.manifests ?? [], line);
    let model: RoutingModel = { virtualServices: [] };
    let host: string | null = null;
    if (vs) {
      const focus = virtualServiceRouting(view, vs);
      const roots = focus.isDelegate ? focus.delegatedFrom : [];
      // A delegate has no host of its own: show it from the host of a root that delegates to it.
      const rootHost = roots.length > 0 ? routingForHostOfRef(engine, roots[0]) : undefined;
      host = focus.hosts[0] ?? rootHost ?? null;
      model = host ? routingForHost(view, host) : { virtualServices: [focus] };
      // The VirtualService under the cursor comes first.
      model.virtualServices.sort((a, b) => Number(b.ref === focus.ref) - Number(a.ref === focus.ref));
    }
    return {
      uri,
      focus: vs ? `${vs.namespace ?? 'default'}/${vs.name}` : null,
      host,
      model,
      markdown: routingMarkdown(model, formatShare),
      computeMs: Math.round((performance.now() - started) * 100) / 100,
    };
  }
}

function routingForHostOfRef(engine: Analyzer, ref: string): string | undefined {
  const view = engine.workspaceView();
  const [namespace, name] = ref.split('/');
  const root = view.find('VirtualService', namespace, name);
  return root ? virtualServiceRouting(view, root).hosts[0] : undefined;
}
