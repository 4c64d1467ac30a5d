import type { WorkspaceView } from '../workspace';
import { namespaceOf } from '../workspace';
import type { Manifest } from '../yaml/manifest';
import { podLabels, serviceSelector, servicePorts, type ServicePort } from './k8s';
import { sameResource } from './identity';
import { selects } from './workloads';

export interface AssociatedPort {
  service: Manifest;
  port: ServicePort;
}

/** Ports of the Services (any file, same namespace) whose selector matches a workload's pods, by port number. */
export function associatedServicePorts(workspace: WorkspaceView, workload: Manifest): Map<number, AssociatedPort[]> {
  const labels = podLabels(workload);
  const byNumber = new Map<number, AssociatedPort[]>();
  const seen: Manifest[] = [];
  for (const service of workspace.ofKind('Service')) {
    if (namespaceOf(service) !== namespaceOf(workload) || !selects(serviceSelector(service), labels)) continue;
    // Another variant of a Service already counted (an overlay, another environment) is not a second Service.
    if (seen.some((other) => sameResource(other, service))) continue;
    seen.push(service);
    for (const port of servicePorts(service)) {
      if (port.port === undefined) continue;
      const list = byNumber.get(port.port) ?? [];
      list.push({ service, port });
      byNumber.set(port.port, list);
    }
  }
  return byNumber;
}

/** Groups values by a key, keeping first-seen order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k) ?? [];
    list.push(item);
    groups.set(k, list);
  }
  return groups;
}
