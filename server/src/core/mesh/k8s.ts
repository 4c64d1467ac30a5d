import { isMap, type YAMLMap } from 'yaml';
import type { WorkspaceView } from '../workspace';
import { namespaceOf } from '../workspace';
import type { Manifest } from '../yaml/manifest';
import { mapAt, nodeAt, scalarNumber, scalarText, seqItems, stringMap } from '../yaml/manifest';
import { serviceOfHost } from './hosts';
import { podTemplateLabels, selects, WORKLOAD_KINDS } from './workloads';

export interface ServicePort {
  node: YAMLMap;
  name?: string;
  port?: number;
  /** Number or name, as written. */
  targetPort?: string | number;
  appProtocol?: string;
  protocol?: string;
}

export function servicePorts(service: Manifest): ServicePort[] {
  return seqItems(nodeAt(service.root, 'spec', 'ports')).flatMap((node) => {
    if (!isMap(node)) return [];
    const target = node.get('targetPort', true);
    return [
      {
        node,
        name: scalarText(node.get('name', true)),
        port: scalarNumber(node.get('port', true)),
        targetPort: scalarNumber(target) ?? scalarText(target),
        appProtocol: scalarText(node.get('appProtocol', true)),
        protocol: scalarText(node.get('protocol', true)),
      },
    ];
  });
}

export function serviceSelector(service: Manifest): Record<string, string> {
  return stringMap(mapAt(nodeAt(service.root, 'spec'), 'selector'));
}

/** The pod spec of a workload or Pod. */
export function podSpec(manifest: Manifest): YAMLMap | undefined {
  const node = manifest.kind === 'Pod' ? nodeAt(manifest.root, 'spec') : nodeAt(manifest.root, 'spec', 'template', 'spec');
  return isMap(node) ? node : undefined;
}

export function podLabels(manifest: Manifest): Record<string, string> {
  return manifest.kind === 'Pod' ? manifest.labels : podTemplateLabels(manifest);
}

export function containers(manifest: Manifest): YAMLMap[] {
  const spec = podSpec(manifest);
  return [...seqItems(spec?.get('containers', true)), ...seqItems(spec?.get('initContainers', true))].filter((c): c is YAMLMap => isMap(c));
}

export interface ContainerPort {
  name?: string;
  containerPort?: number;
}

export function containerPorts(container: YAMLMap): ContainerPort[] {
  return seqItems(container.get('ports', true)).flatMap((node) =>
    isMap(node) ? [{ name: scalarText(node.get('name', true)), containerPort: scalarNumber(node.get('containerPort', true)) }] : [],
  );
}

export const POD_KINDS = [...WORKLOAD_KINDS, 'Pod'] as const;

/** Workloads and Pods of a namespace whose pod labels match the selector. */
export function workloadsSelectedBy(workspace: WorkspaceView, namespace: string, selector: Record<string, string>): Manifest[] {
  if (Object.keys(selector).length === 0) return [];
  return POD_KINDS.flatMap((kind) => workspace.ofKind(kind)).filter((w) => namespaceOf(w) === namespace && selects(selector, podLabels(w)));
}

/** The Service a host names, when the workspace defines it. */
export function serviceForHost(workspace: WorkspaceView, host: string): Manifest | undefined {
  const target = serviceOfHost(host);
  return target ? workspace.find('Service', target.namespace, target.name) : undefined;
}

/**
 * Go duration syntax as Istio accepts it (`1h2m`, `1.5s`, `250ms`), in milliseconds;
 * undefined when it does not parse.
 */
export function parseDuration(text: string): number | undefined {
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const part of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * unit[part[2]];
  return total;
}

export function formatDuration(ms: number): string {
  if (ms >= 60000 && ms % 60000 === 0) return `${ms / 60000}m`;
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(3))}s`;
  return `${Number(ms.toFixed(3))}ms`;
}
