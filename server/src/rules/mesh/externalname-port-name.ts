import { servicePorts } from '../../core/mesh/k8s';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { keyRange, nodeAt, scalarText } from '../../core/yaml/manifest';

/** True when Istio treats the port as plain TCP: named `tcp`/`tcp-*`, or appProtocol tcp. */
function isTcp(name: string | undefined, appProtocol: string | undefined): boolean {
  if (appProtocol) return appProtocol.toLowerCase() === 'tcp';
  const lower = name?.toLowerCase() ?? '';
  return lower === 'tcp' || lower.startsWith('tcp-');
}

export const externalnamePortName: ManifestRule = {
  id: 'externalname-port-name',
  title: 'ExternalName Service port declared as plain TCP',
  category: 'mesh',
  input: 'yaml',
  kinds: ['Service'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0150' },
  docs: `## What it does
Flags ports of a \`type: ExternalName\` Service that Istio treats as plain TCP: named \`tcp\` or
\`tcp-*\`, or with \`appProtocol: tcp\`. Ports whose names follow no convention at all are
reported by \`service-port-name\`.

## Why is this bad
An ExternalName Service has no addresses. For plain TCP the sidecar can only match traffic by
destination IP, so it cannot tell this service's connections apart: they are not forwarded to the
external name as intended (they fall through to passthrough or the wrong listener).

## Example
\`\`\`yaml
kind: Service
spec:
  type: ExternalName
  externalName: db.example.com
  ports:
  - {name: tcp-db, port: 5432}
\`\`\`

## Fix
None automatic: name the port after the real protocol when it has one (\`tls-db\`, \`https\`), or
use a ServiceEntry with \`addresses\` for TCP.

Suppress with \`# meshlens-disable-next-line externalname-port-name reason\` above the line, or the
annotation \`galley.istio.io/analyze-suppress: IST0150\`.`,
  check(context) {
    const { manifest } = context;
    if (scalarText(nodeAt(manifest.root, 'spec', 'type')) !== 'ExternalName') return;
    for (const port of servicePorts(manifest)) {
      if (!isTcp(port.name, port.appProtocol)) continue;
      const range = keyRange(manifest.file, port.node, port.appProtocol ? 'appProtocol' : 'name');
      if (range) context.report({ range, message: `Port name for ExternalName service is invalid: ${port.name ?? port.port} is plain TCP, so the proxy cannot forward it to ${scalarText(nodeAt(manifest.root, 'spec', 'externalName')) ?? 'the external name'} correctly (${resourceName(manifest.ref)})` });
    }
  },
};
