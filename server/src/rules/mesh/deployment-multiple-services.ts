import { associatedServicePorts, groupBy } from '../../core/mesh/service-association';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { manifestRange, nodeAt, nodeRange } from '../../core/yaml/manifest';

export const deploymentMultipleServices: ManifestRule = {
  id: 'deployment-multiple-services',
  title: 'Deployment behind several Services using one port with different protocols',
  category: 'mesh',
  input: 'yaml',
  kinds: ['Deployment'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0116' },
  docs: `## What it does
Finds the Services, in any file of the Deployment's namespace, whose selector matches the
Deployment's pod labels, and reports a port number that they declare with different protocols
(\`TCP\`, \`UDP\`, \`SCTP\`; unset means \`TCP\`).

Copies of one resource (same kind, namespace and name, as in per-environment overlays) are not
compared with each other.

## Why is this bad
The sidecar builds one inbound listener per port and protocol family: with the same port used by
two protocols, one of them is not intercepted as expected and its traffic fails or bypasses policy.

## Example
\`\`\`yaml
kind: Service
metadata: {name: dns-tcp}
spec: {selector: {app: dns}, ports: [{name: tcp-dns, port: 53, protocol: TCP}]}
---
kind: Service
metadata: {name: dns-udp}
spec: {selector: {app: dns}, ports: [{name: udp-dns, port: 53, protocol: UDP}]}
\`\`\`

## Fix
None automatic: serve the protocols on different ports, or keep such a workload out of the mesh.

Suppress with \`# meshlens-disable-next-line deployment-multiple-services reason\` above the
Deployment's name, or the annotation \`galley.istio.io/analyze-suppress: IST0116\`.`,
  check(context) {
    const { manifest, workspace } = context;
    const nameNode = nodeAt(manifest.root, 'metadata', 'name');
    const range = nodeRange(manifest.file, nameNode) ?? manifestRange(manifest);
    for (const [port, associated] of associatedServicePorts(workspace, manifest)) {
      const byProtocol = groupBy(associated, (a) => (a.port.protocol ?? 'TCP').toUpperCase());
      if (byProtocol.size < 2) continue;
      const detail = [...byProtocol].map(([protocol, list]) => `${protocol} (${list.map((a) => resourceName(a.service.ref)).join(', ')})`).join(', ');
      context.report({
        range,
        message: `This deployment ${manifest.name} is associated with multiple services using port ${port} but different protocols: ${detail}`,
        related: associated.map((a) => ({ uri: a.service.file.uri, range: nodeRange(a.service.file, a.port.node) ?? range, message: `${resourceName(a.service.ref)} port ${port}` })),
      });
    }
  },
};
