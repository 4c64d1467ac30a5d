import type { WorkspaceView } from '../workspace';
import { namespaceOf } from '../workspace';
import type { Manifest } from '../yaml/manifest';
import { isMap } from 'yaml';
import { nodeAt, scalarText, seqItems } from '../yaml/manifest';
import { hostMatches } from './hosts';

export interface GatewayRef {
  namespace: string;
  name: string;
  /** Written the legacy way, `name.namespace`. */
  legacy: boolean;
}

/** Resolves a VirtualService `gateways` entry; undefined for `mesh`. */
export function parseGatewayRef(ref: string, virtualServiceNamespace: string): GatewayRef | undefined {
  if (ref === 'mesh') return undefined;
  const slash = ref.indexOf('/');
  if (slash >= 0) return { namespace: ref.slice(0, slash), name: ref.slice(slash + 1), legacy: false };
  const parts = ref.split('.');
  if (parts.length === 1) return { namespace: virtualServiceNamespace, name: ref, legacy: false };
  return { namespace: parts[1], name: parts[0], legacy: parts.length === 2 };
}

export function findGateway(workspace: WorkspaceView, ref: GatewayRef): Manifest | undefined {
  return workspace.find('Gateway', ref.namespace, ref.name);
}

/**
 * Whether a Gateway named by a VirtualService can be judged missing: the workspace must define
 * Gateways of that namespace (or, for the VirtualService's own namespace, any Gateway at all);
 * otherwise it is most likely installed from elsewhere.
 */
export function gatewaysKnownIn(workspace: WorkspaceView, namespace: string, virtualServiceNamespace: string): boolean {
  const gateways = workspace.ofKind('Gateway');
  return gateways.some((g) => namespaceOf(g) === namespace) || (namespace === virtualServiceNamespace && gateways.length > 0);
}

/** Server hosts of a Gateway that a VirtualService in `namespace` may bind to. */
export function gatewayHostsFor(gateway: Manifest, namespace: string): string[] {
  const hosts: string[] = [];
  for (const server of seqItems(nodeAt(gateway.root, 'spec', 'servers'))) {
    if (!isMap(server)) continue;
    for (const node of seqItems(server.get('hosts', true))) {
      const text = scalarText(node);
      if (!text) continue;
      const slash = text.indexOf('/');
      if (slash < 0) hosts.push(text);
      else {
        const ns = text.slice(0, slash);
        if (ns === '*' || ns === namespace || (ns === '.' && namespaceOf(gateway) === namespace)) hosts.push(text.slice(slash + 1));
      }
    }
  }
  return hosts;
}

/** True when a VirtualService host and a Gateway host can both match one request host. */
export function hostsOverlap(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return hostMatches(x, y) || hostMatches(y, x);
}
