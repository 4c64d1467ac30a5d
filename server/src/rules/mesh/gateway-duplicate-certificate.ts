import { gatewayServers, gatewaysOnSameProxies } from '../../core/mesh/gateway-servers';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { nodeAt, nodeRange, scalarText } from '../../core/yaml/manifest';

/** The certificate a server presents: its credentialName, or its certificate file; undefined without TLS termination. */
function certificateOf(server: unknown): { node: unknown; key: string } | undefined {
  const mode = scalarText(nodeAt(server, 'tls', 'mode'));
  if (mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') return undefined;
  const credential = nodeAt(server, 'tls', 'credentialName');
  const credentialName = scalarText(credential);
  if (credentialName) return { node: credential, key: `secret:${credentialName}` };
  const file = nodeAt(server, 'tls', 'serverCertificate');
  const path = scalarText(file);
  return path ? { node: file, key: `file:${path}` } : undefined;
}

export const gatewayDuplicateCertificate: ManifestRule = {
  id: 'gateway-duplicate-certificate',
  title: 'Gateways on the same proxies use the same certificate',
  category: 'mesh',
  input: 'yaml',
  kinds: ['Gateway'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0138' },
  docs: `## What it does
Looks in every file for another Gateway with the same \`selector\` (so the same gateway proxies)
with a server that terminates TLS with the same \`credentialName\` or \`serverCertificate\` as one
of this Gateway's servers. Passthrough servers are left alone.

Copies of one resource (same kind, namespace and name, as in per-environment overlays) are not
compared with each other.

## Why is this bad
Browsers reuse an HTTP/2 connection for every host the certificate covers. A request for a host of
the other Gateway then arrives on this server's connection, whose routes do not know the host, and
gets a 404.

## Example
\`\`\`yaml
kind: Gateway
metadata: {name: shop}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: [shop.example.com], tls: {mode: SIMPLE, credentialName: wildcard-example-com}}]
---
kind: Gateway
metadata: {name: blog}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: [blog.example.com], tls: {mode: SIMPLE, credentialName: wildcard-example-com}}]
\`\`\`

## Fix
None automatic: put the hosts that share a certificate in one server of one Gateway.

Suppress with \`# meshlens-disable-next-line gateway-duplicate-certificate reason\` above the line,
or the annotation \`galley.istio.io/analyze-suppress: IST0138\`.`,
  check(context) {
    const { manifest, workspace } = context;
    const others = gatewaysOnSameProxies(workspace, manifest);
    if (others.length === 0) return;
    for (const server of gatewayServers(manifest)) {
      const certificate = certificateOf(server.node);
      if (!certificate) continue;
      const sharing = others
        .filter((other) => gatewayServers(other).some((s) => certificateOf(s.node)?.key === certificate.key))
        .sort((a, b) => resourceName(a.ref).localeCompare(resourceName(b.ref)));
      const range = nodeRange(manifest.file, certificate.node);
      if (sharing.length === 0 || !range) continue;
      context.report({
        range,
        message: `Duplicate certificate in multiple gateways ${[manifest, ...sharing].map((g) => resourceName(g.ref)).join(', ')} may cause 404s if HTTP2 connection reuse happens`,
      });
    }
  },
};
