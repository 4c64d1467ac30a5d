import { isMap, type YAMLMap } from 'yaml';
import type { Manifest } from '../yaml/manifest';
import { nodeAt, scalarNumber, scalarText, seqItems } from '../yaml/manifest';
import { namespaceOf } from '../workspace';
import { fqdn } from './hosts';

export type RouteProtocol = 'http' | 'tcp' | 'tls';
export const ROUTE_PROTOCOLS: readonly RouteProtocol[] = ['http', 'tcp', 'tls'];

export interface RouteDestination {
  /** The `destination:` map. */
  node: YAMLMap;
  /** The `- destination: ... weight: ...` item holding it (undefined for mirrors). */
  item?: YAMLMap;
  host?: string;
  /** Host resolved against the VirtualService's namespace. */
  fqdn?: string;
  subset?: string;
  weight?: number;
  port?: number;
  role: 'route' | 'mirror';
}

export interface VirtualServiceRoute {
  protocol: RouteProtocol;
  index: number;
  node: YAMLMap;
  name?: string;
  destinations: RouteDestination[];
  mirrors: RouteDestination[];
}

function destinationOf(manifest: Manifest, node: unknown, item: YAMLMap | undefined, role: RouteDestination['role']): RouteDestination | undefined {
  if (!isMap(node)) return undefined;
  const host = scalarText(node.get('host', true));
  const port = scalarNumber(nodeAt(node, 'port', 'number'));
  return {
    node,
    item,
    host,
    fqdn: host ? fqdn(host, namespaceOf(manifest)) : undefined,
    subset: scalarText(node.get('subset', true)),
    weight: item ? scalarNumber(item.get('weight', true)) : undefined,
    port,
    role,
  };
}

/** Every route of a VirtualService, in order, with its destinations and mirrors. */
export function virtualServiceRoutes(manifest: Manifest): VirtualServiceRoute[] {
  const routes: VirtualServiceRoute[] = [];
  for (const protocol of ROUTE_PROTOCOLS) {
    seqItems(nodeAt(manifest.root, 'spec', protocol)).forEach((routeNode, index) => {
      if (!isMap(routeNode)) return;
      const destinations: RouteDestination[] = [];
      for (const item of seqItems(routeNode.get('route', true))) {
        if (!isMap(item)) continue;
        const destination = destinationOf(manifest, item.get('destination', true), item, 'route');
        if (destination) destinations.push(destination);
      }
      const mirrors: RouteDestination[] = [];
      const mirror = destinationOf(manifest, routeNode.get('mirror', true), undefined, 'mirror');
      if (mirror) mirrors.push(mirror);
      for (const item of seqItems(routeNode.get('mirrors', true))) {
        const destination = isMap(item) ? destinationOf(manifest, item.get('destination', true), undefined, 'mirror') : undefined;
        if (destination) mirrors.push(destination);
      }
      routes.push({ protocol, index, node: routeNode, name: scalarText(routeNode.get('name', true)), destinations, mirrors });
    });
  }
  return routes;
}

/** Subset names a DestinationRule defines. */
export function subsetNames(destinationRule: Manifest): string[] {
  return seqItems(nodeAt(destinationRule.root, 'spec', 'subsets'))
    .map((item) => scalarText(nodeAt(item, 'name')))
    .filter((name): name is string => name !== undefined);
}
