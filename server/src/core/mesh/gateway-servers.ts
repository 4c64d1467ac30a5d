import { isMap, type YAMLMap } from 'yaml';
import type { WorkspaceView } from '../workspace';
import type { Manifest } from '../yaml/manifest';
import { mapAt, nodeAt, scalarNumber, scalarText, seqItems, stringMap } from '../yaml/manifest';
import { sameResource } from './identity';

export interface GatewayServer {
  node: YAMLMap;
  port?: number;
  /** Upper case, as written in \`port.protocol\`. */
  protocol?: string;
  /** Host nodes with the host as a gateway matches it (any `namespace/` prefix removed, lower case). */
  hosts: { node: unknown; host: string }[];
}

export function gatewayServers(gateway: Manifest): GatewayServer[] {
  return seqItems(nodeAt(gateway.root, 'spec', 'servers')).flatMap((node) => {
    if (!isMap(node)) return [];
    const hosts = seqItems(node.get('hosts', true)).flatMap((hostNode) => {
      const text = scalarText(hostNode);
      return text ? [{ node: hostNode, host: text.slice(text.indexOf('/') + 1).toLowerCase() }] : [];
    });
    return [{ node, port: scalarNumber(nodeAt(node, 'port', 'number')), protocol: scalarText(nodeAt(node, 'port', 'protocol'))?.toUpperCase(), hosts }];
  });
}

/** A Gateway's selector as one comparable string (`app=x,istio=y`), empty when it has none. */
export function gatewaySelectorKey(gateway: Manifest): string {
  return Object.entries(stringMap(mapAt(nodeAt(gateway.root, 'spec'), 'selector')))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/** Other Gateways (any file) with the same non-empty selector: they configure the same proxies. */
export function gatewaysOnSameProxies(workspace: WorkspaceView, gateway: Manifest): Manifest[] {
  const key = gatewaySelectorKey(gateway);
  if (!key) return [];
  return workspace.ofKind('Gateway').filter((other) => !sameResource(other, gateway) && gatewaySelectorKey(other) === key);
}
