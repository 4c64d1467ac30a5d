import type { WorkspaceView } from '../workspace';
import { namespaceOf } from '../workspace';
import type { Manifest } from '../yaml/manifest';
import { mapAt, nodeAt, stringMap } from '../yaml/manifest';
import { podLabels, POD_KINDS } from './k8s';

/** Kinds beyond the usual workloads that also create pods, with where their pod labels are. */
const OTHER_POD_SOURCES: Record<string, readonly string[]> = {
  ReplicaSet: ['spec', 'template', 'metadata'],
  Job: ['spec', 'template', 'metadata'],
  Rollout: ['spec', 'template', 'metadata'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'metadata'],
};

export interface PodSource {
  manifest: Manifest;
  labels: Record<string, string>;
}

/**
 * Everything in a namespace that creates pods, with the labels those pods get: Deployments,
 * StatefulSets, DaemonSets and Pods, and also ReplicaSets, Jobs, CronJobs and Argo Rollouts, so
 * that "no pod has these labels" is not concluded from a partial list.
 */
export function podSourcesIn(workspace: WorkspaceView, namespace: string): PodSource[] {
  const inNamespace = (manifest: Manifest) => namespaceOf(manifest) === namespace;
  const sources: PodSource[] = POD_KINDS.flatMap((kind) => workspace.ofKind(kind))
    .filter(inNamespace)
    .map((manifest) => ({ manifest, labels: podLabels(manifest) }));
  for (const [kind, path] of Object.entries(OTHER_POD_SOURCES)) {
    for (const manifest of workspace.ofKind(kind).filter(inNamespace)) sources.push({ manifest, labels: stringMap(mapAt(nodeAt(manifest.root, ...path), 'labels')) });
  }
  return sources;
}
