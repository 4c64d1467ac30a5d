import { gatewaySelectorKey, gatewayServers, gatewaysOnSameProxies } from '../../core/mesh/gateway-servers';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { nodeRange } from '../../core/yaml/manifest';

/** Plain HTTP servers for one host and port are merged into one virtual host by Istio: no conflict. */
const PLAIN_HTTP = ['HTTP', 'HTTP2', 'GRPC'];

export const gatewayConflict: ManifestRule = {
  id: 'gateway-conflict',
  title: 'Gateways on the same proxies declare the same port and host',
  category: 'mesh',
  input: 'yaml',
  kinds: ['Gateway'],
  defaultSeverity: 'error',
  equivalents: { istio: 'IST0145' },
  docs: `## What it does
Looks in every file for another Gateway with the same \`selector\` (so the same gateway proxies)
that has a server on the same port number with the same host (any \`namespace/\` prefix
ignored). Only identical hosts are compared, not overlapping wildcards, and only servers that are
not plain HTTP (HTTPS, TLS, TCP, ...): for plain HTTP Istio merges the routes of both servers.

Copies of one resource (same kind, namespace and name, as in per-environment overlays) are not
compared with each other.

## Why is this bad
The proxy can serve a host on a port only once: Istio keeps one of the two servers, depending on
creation order, and the routes and TLS settings of the other are silently dropped.

## Example
\`\`\`yaml
kind: Gateway
metadata: {name: shop}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: [shop.example.com], ...}]
---
kind: Gateway
metadata: {name: shop-v2}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: [shop.example.com], ...}]
\`\`\`

## Fix
None automatic: declare the host once, and bind every VirtualService for it to that Gateway.

Suppress with \`# meshlens-disable-next-line gateway-conflict reason\` above the host, or the
annotation \`galley.istio.io/analyze-suppress: IST0145\`.`,
  check(context) {
    const { manifest, workspace } = context;
    const others = gatewaysOnSameProxies(workspace, manifest);
    if (others.length === 0) return;
    for (const server of gatewayServers(manifest)) {
      if (server.port === undefined || PLAIN_HTTP.includes(server.protocol ?? '')) continue;
      for (const { node, host } of server.hosts) {
        const conflicting = others
          .filter((other) => gatewayServers(other).some((s) => s.port === server.port && !PLAIN_HTTP.includes(s.protocol ?? '') && s.hosts.some((h) => h.host === host)))
          .sort((a, b) => resourceName(a.ref).localeCompare(resourceName(b.ref)));
        const range = nodeRange(manifest.file, node);
        if (conflicting.length === 0 || !range) continue;
        context.report({
          range,
          message: `Conflict with gateways ${conflicting.map((g) => resourceName(g.ref)).join(', ')} (workload selector ${gatewaySelectorKey(manifest)}, port ${server.port}, hosts ${host})`,
        });
      }
    }
  },
};
