import type { WorkspaceView } from '../workspace';
import { namespaceOf } from '../workspace';
import type { Manifest } from '../yaml/manifest';
import { mapAt, nodeAt, stringMap } from '../yaml/manifest';
import { serviceOfHost } from './hosts';

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;

// A parsed object never changes (an edit parses a new one), so its pod labels are read once.
const templateLabels = new WeakMap<Manifest, Record<string, string>>();

export function podTemplateLabels(workload: Manifest): Record<string, string> {
  let labels = templateLabels.get(workload);
  if (!labels) {
    labels = stringMap(mapAt(nodeAt(workload.root, 'spec', 'template', 'metadata'), 'labels'));
    templateLabels.set(workload, labels);
  }
  return labels;
}

export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((key) => labels[key] === selector[key]);
}

/** Workloads behind a cluster-local host: those whose pod labels match the Service's selector. */
export function workloadsForHost(workspace: WorkspaceView, host: string): Manifest[] {
  const target = serviceOfHost(host);
  if (!target) return [];
  const service = workspace.find('Service', target.namespace, target.name);
  const selector = service ? stringMap(mapAt(nodeAt(service.root, 'spec'), 'selector')) : {};
  if (Object.keys(selector).length === 0) return [];
  return WORKLOAD_KINDS.flatMap((kind) => workspace.ofKind(kind)).filter(
    (workload) => namespaceOf(workload) === target.namespace && selects(selector, podTemplateLabels(workload)),
  );
}

/**
 * The label a subset most likely means, read off the workloads: the one label whose value is the
 * subset's name (`version: v2` for subset `v2`). Undefined when none or several fit.
 */
export function guessSubsetLabels(workspace: WorkspaceView, host: string, subset: string): Record<string, string> | undefined {
  const candidates = new Set<string>();
  for (const workload of workloadsForHost(workspace, host)) {
    for (const [key, value] of Object.entries(podTemplateLabels(workload))) {
      if (value === subset) candidates.add(key);
    }
  }
  if (candidates.size !== 1) return undefined;
  const [key] = candidates;
  return { [key]: subset };
}
