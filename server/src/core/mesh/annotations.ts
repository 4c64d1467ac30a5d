import { isMap, type YAMLMap } from 'yaml';
import type { Manifest } from '../yaml/manifest';
import { mapAt, nodeAt } from '../yaml/manifest';

/**
 * Istio annotations read from Pods only (by the injector or the sidecar). On a Deployment's own
 * metadata or a Service they do nothing: they must sit on the pod template.
 */
export const POD_ANNOTATIONS: readonly string[] = [
  'sidecar.istio.io/inject',
  'sidecar.istio.io/proxyCPU',
  'sidecar.istio.io/proxyCPULimit',
  'sidecar.istio.io/proxyMemory',
  'sidecar.istio.io/proxyMemoryLimit',
  'sidecar.istio.io/proxyImage',
  'sidecar.istio.io/logLevel',
  'sidecar.istio.io/componentLogLevel',
  'sidecar.istio.io/agentLogLevel',
  'sidecar.istio.io/rewriteAppHTTPProbers',
  'sidecar.istio.io/interceptionMode',
  'sidecar.istio.io/userVolume',
  'sidecar.istio.io/userVolumeMount',
  'sidecar.istio.io/bootstrapOverride',
  'sidecar.istio.io/statsInclusionPrefixes',
  'sidecar.istio.io/statsInclusionSuffixes',
  'sidecar.istio.io/statsInclusionRegexps',
  'sidecar.istio.io/extraStatTags',
  'sidecar.istio.io/enableCoreDump',
  'proxy.istio.io/config',
  'traffic.sidecar.istio.io/includeOutboundIPRanges',
  'traffic.sidecar.istio.io/excludeOutboundIPRanges',
  'traffic.sidecar.istio.io/includeInboundPorts',
  'traffic.sidecar.istio.io/excludeInboundPorts',
  'traffic.sidecar.istio.io/includeOutboundPorts',
  'traffic.sidecar.istio.io/excludeOutboundPorts',
  'traffic.sidecar.istio.io/excludeInterfaces',
  'traffic.sidecar.istio.io/kubevirtInterfaces',
  'status.sidecar.istio.io/port',
  'readiness.status.sidecar.istio.io/applicationPorts',
  'readiness.status.sidecar.istio.io/initialDelaySeconds',
  'readiness.status.sidecar.istio.io/periodSeconds',
  'readiness.status.sidecar.istio.io/failureThreshold',
  'prometheus.istio.io/merge-metrics',
];

/** Istio annotations valid on other resources. */
const OTHER_ANNOTATIONS: readonly string[] = ['galley.istio.io/analyze-suppress', 'networking.istio.io/exportTo', 'sidecar.istio.io/status', 'istio.io/dry-run', 'istio.io/rev'];

export const KNOWN_ANNOTATIONS: readonly string[] = [...POD_ANNOTATIONS, ...OTHER_ANNOTATIONS];

export const WORKLOAD_CONTROLLER_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'] as const;

/** The annotation maps of an object: its own, and its pod template's for workload controllers. */
export function annotationMaps(manifest: Manifest): { map: YAMLMap; onPodTemplate: boolean }[] {
  const maps: { map: YAMLMap; onPodTemplate: boolean }[] = [];
  const own = mapAt(nodeAt(manifest.root, 'metadata'), 'annotations');
  if (own) maps.push({ map: own, onPodTemplate: manifest.kind === 'Pod' });
  const template = mapAt(nodeAt(manifest.root, 'spec', 'template', 'metadata'), 'annotations');
  if (template && isMap(template)) maps.push({ map: template, onPodTemplate: true });
  return maps;
}

/** Edit distance, for telling a misspelt Istio annotation from an unrelated one. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}
