import type { ManifestRule } from '../../core/rule';
import { servicePorts, type ServicePort } from '../../core/mesh/k8s';
import { replaceNode } from '../../core/yaml/edit';
import { nodeRange } from '../../core/yaml/manifest';
import { resourceName } from '../../core/types';

/** Protocol prefixes Istio's naming convention accepts (`<protocol>[-<suffix>]`). */
const PROTOCOLS = ['http', 'http2', 'https', 'grpc', 'grpc-web', 'tcp', 'tls', 'udp', 'mongo', 'mysql', 'redis'];
const WELL_KNOWN: Record<number, string> = { 80: 'http', 8080: 'http', 8000: 'http', 3000: 'http', 443: 'https', 8443: 'https', 9090: 'grpc', 3306: 'mysql', 6379: 'redis', 27017: 'mongo' };

function followsConvention(name: string): boolean {
  const lower = name.toLowerCase();
  return PROTOCOLS.some((protocol) => lower === protocol || lower.startsWith(`${protocol}-`));
}

/** The protocol a port most likely speaks: from its name, else its number. */
function guessProtocol(port: ServicePort): string | undefined {
  const name = port.name?.toLowerCase() ?? '';
  for (const protocol of ['grpc-web', 'grpc', 'http2', 'https', 'http', 'redis', 'mysql', 'mongo', 'tls', 'tcp']) if (name.includes(protocol)) return protocol;
  if (name === 'web' || name === 'api') return 'http';
  return port.port !== undefined ? WELL_KNOWN[port.port] : undefined;
}

export const servicePortName: ManifestRule = {
  id: 'service-port-name',
  title: "Service port name does not follow Istio's protocol convention",
  category: 'mesh',
  input: 'yaml',
  kinds: ['Service'],
  defaultSeverity: 'info',
  equivalents: { istio: 'IST0118' },
  docs: `## What it does
Flags named Service ports whose name is not \`<protocol>[-<suffix>]\` (http, http2, https, grpc,
grpc-web, tcp, tls, udp, mongo, mysql, redis) and that set no \`appProtocol\`.

## Why is this bad
Without a protocol, Istio sniffs it or treats the port as opaque TCP: no HTTP routing, retries,
metrics per route or trace headers for that port.

## Example
\`\`\`yaml
ports:
- name: web      # Istio cannot tell this is HTTP
  port: 80
\`\`\`

## Fix
Renames the port to \`<protocol>-<old name>\` when the protocol can be guessed from the name or a
well-known port number (\`web\` on 80 becomes \`http-web\`). Not marked safe: other objects
(Ingress, ServiceMonitor) may refer to the port by name. Setting \`appProtocol\` also silences it.

Suppress with \`# meshlens-disable-next-line service-port-name reason\` or the annotation
\`galley.istio.io/analyze-suppress: IST0118\`.`,
  check(context) {
    const { manifest } = context;
    for (const port of servicePorts(manifest)) {
      if (port.appProtocol || port.protocol === 'UDP' || port.protocol === 'SCTP') continue;
      // An unnamed port (allowed when it is the only one) is left to protocol sniffing.
      if (port.name === undefined || followsConvention(port.name)) continue;
      const nameNode = port.node.get('name', true);
      const range = nodeRange(manifest.file, nameNode);
      if (!range) continue;
      const protocol = guessProtocol(port);
      const newName = protocol ? (port.name && port.name.toLowerCase() !== protocol ? `${protocol}-${port.name}` : protocol) : undefined;
      const edit = newName ? replaceNode(manifest.file, nameNode, newName) : undefined;
      context.report({
        range,
        message: `Port name ${port.name} (port: ${port.port ?? '?'}, targetPort: ${port.targetPort ?? '?'}) doesn't follow the naming convention of Istio port in ${resourceName(manifest.ref)}`,
        fixes: edit ? [{ title: `Rename the port to ${newName}`, changes: [{ uri: manifest.file.uri, edits: [edit] }], safe: false }] : [],
      });
    }
  },
};
