import { serviceForHost, servicePorts } from '../../core/mesh/k8s';
import { virtualServiceRoutes } from '../../core/mesh/virtualservice';
import type { ManifestRule } from '../../core/rule';
import { resourceName, type Fix } from '../../core/types';
import { appendMapEntry } from '../../core/yaml/edit';
import { nodeAt, nodeRange, scalarText, seqItems } from '../../core/yaml/manifest';

export const vsDestinationPortRequired: ManifestRule = {
  id: 'vs-destination-port-required',
  title: 'Destination needs a port: its Service has several',
  category: 'mesh',
  input: 'yaml',
  kinds: ['VirtualService'],
  defaultSeverity: 'error',
  equivalents: { istio: 'IST0112' },
  docs: `## What it does
For VirtualServices bound to a gateway, flags route destinations without \`port\` whose Service
(found anywhere in the workspace) exposes more than one port.

## Why is this bad
A gateway cannot guess which port of the Service to send to; Istio rejects the route for that
destination and the gateway answers 503.

## Example
\`\`\`yaml
route:
- destination:
    host: checkout   # Service checkout has ports 80 (http) and 9090 (grpc)
\`\`\`

## Fix
Adds \`port: {number: N}\`, one fix per Service port (the first is the first HTTP-named port).
Not marked safe: pick the port you mean.

Suppress with \`# meshlens-disable-next-line vs-destination-port-required reason\` or the annotation
\`galley.istio.io/analyze-suppress: IST0112\`.`,
  check(context) {
    const { manifest, workspace } = context;
    const gateways = seqItems(nodeAt(manifest.root, 'spec', 'gateways')).map(scalarText);
    const gatewayBound = gateways.some((g) => g !== undefined && g !== 'mesh');
    if (!gatewayBound) return;
    for (const route of virtualServiceRoutes(manifest)) {
      for (const destination of route.destinations) {
        if (destination.port !== undefined || destination.node.has('port') || !destination.fqdn) continue;
        const service = serviceForHost(workspace, destination.fqdn);
        const ports = service ? servicePorts(service).filter((p) => p.port !== undefined) : [];
        if (!service || ports.length < 2) continue;
        const range = nodeRange(manifest.file, destination.node.get('host', true));
        if (!range) continue;
        const ordered = [...ports].sort((a, b) => Number(!/^(http|grpc)/.test(a.name ?? '')) - Number(!/^(http|grpc)/.test(b.name ?? '')));
        const fixes = ordered.flatMap((port): Fix[] => {
          const edit = appendMapEntry(manifest.file, destination.node, 'port', [`  number: ${port.port}`]);
          return edit ? [{ title: `Send to port ${port.port}${port.name ? ` (${port.name})` : ''}`, changes: [{ uri: manifest.file.uri, edits: [edit] }], safe: false }] : [];
        });
        context.report({
          range,
          message: `This VirtualService has destinations without a port to ${resourceName(service.ref)}, which has several ports (${ports.map((p) => p.port).join(', ')}): a port is required`,
          fixes,
        });
      }
    }
  },
};
