import type { WorkspaceView } from '../workspace';
import { namespaceOf } from '../workspace';
import type { Manifest } from '../yaml/manifest';
import { nodeAt, scalarNumber, scalarText, seqItems } from '../yaml/manifest';
import { fqdn, hostMatches, serviceOfHost } from './hosts';

/**
 * The service registry as far as the files show it: Kubernetes Services and ServiceEntries.
 * Files rarely hold a whole cluster, so a host is only judged missing when the workspace clearly
 * holds the Services of its namespace.
 */

/** The Service `istioctl analyze` assumes without a cluster: the default ingress gateway. */
const DEFAULT_INGRESS_SERVICE = `istio-ingressgateway.istio-system.svc.cluster.local`;

/** True when at least one Service of the namespace is defined in the workspace. */
export function servicesKnownIn(workspace: WorkspaceView, namespace: string): boolean {
  return workspace.ofKind('Service').some((service) => namespaceOf(service) === namespace);
}

/** Hosts of a ServiceEntry as written and resolved against its namespace, as Istio may read either. */
export function serviceEntryHosts(entry: Manifest): string[] {
  return seqItems(nodeAt(entry.root, 'spec', 'hosts'))
    .map((node) => scalarText(node))
    .filter((host): host is string => host !== undefined && host !== '')
    .flatMap((host) => [host.toLowerCase(), fqdn(host, namespaceOf(entry))]);
}

/** ServiceEntries whose hosts (wildcards included) cover the FQDN. */
export function serviceEntriesFor(workspace: WorkspaceView, host: string): Manifest[] {
  return workspace.ofKind('ServiceEntry').filter((entry) => serviceEntryHosts(entry).some((pattern) => hostMatches(pattern, host)));
}

/**
 * Whether a cluster-local FQDN can be judged absent from the registry: it names a Service of a
 * namespace whose Services the workspace holds, and no Service or ServiceEntry provides it.
 * Undefined hosts, wildcards and external names are never judged missing.
 */
export function clusterHostMissing(workspace: WorkspaceView, host: string): boolean {
  if (host.includes('*') || host === DEFAULT_INGRESS_SERVICE) return false;
  const service = serviceOfHost(host);
  if (!service || !servicesKnownIn(workspace, service.namespace)) return false;
  if (workspace.find('Service', service.namespace, service.name)) return false;
  return serviceEntriesFor(workspace, host).length === 0;
}

export interface ServiceEntryHostPort {
  hostNode: unknown;
  /** Resolved against the ServiceEntry's namespace. */
  host: string;
  port: number;
  /** Upper case; unset counts as TCP. */
  protocol: string;
}

/** Every host x port a ServiceEntry declares. */
export function serviceEntryHostPorts(entry: Manifest): ServiceEntryHostPort[] {
  const ports = seqItems(nodeAt(entry.root, 'spec', 'ports')).flatMap((node) => {
    const port = scalarNumber(nodeAt(node, 'number'));
    return port === undefined ? [] : [{ port, protocol: (scalarText(nodeAt(node, 'protocol')) ?? 'TCP').toUpperCase() }];
  });
  return seqItems(nodeAt(entry.root, 'spec', 'hosts')).flatMap((hostNode) => {
    const text = scalarText(hostNode);
    return text ? ports.map((port) => ({ hostNode, host: fqdn(text, namespaceOf(entry)), ...port })) : [];
  });
}
