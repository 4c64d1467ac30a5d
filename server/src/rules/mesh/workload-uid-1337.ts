import { containers, podSpec, POD_KINDS } from '../../core/mesh/k8s';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { nodeAt, nodeRange, scalarNumber } from '../../core/yaml/manifest';

export const workloadUid1337: ManifestRule = {
  id: 'workload-uid-1337',
  title: 'Application runs as UID 1337, the sidecar\'s',
  category: 'mesh',
  input: 'yaml',
  kinds: POD_KINDS,
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0144' },
  docs: `## What it does
Flags \`runAsUser: 1337\` in the pod or an application container's securityContext.

## Why is this bad
Istio's iptables rules let traffic of UID 1337 (Envoy's) bypass the proxy: an app running as 1337
sends its traffic around the mesh, without mTLS, policies or telemetry.

## Example
\`\`\`yaml
securityContext:
  runAsUser: 1337
\`\`\`

## Fix
None automatic: pick another UID.

Suppress with \`# meshlens-disable-next-line workload-uid-1337 reason\` or the annotation
\`galley.istio.io/analyze-suppress: IST0144\`.`,
  check(context) {
    const { manifest } = context;
    const nodes = [nodeAt(podSpec(manifest), 'securityContext', 'runAsUser'), ...containers(manifest).filter((c) => c.get('name') !== 'istio-proxy').map((c) => nodeAt(c, 'securityContext', 'runAsUser'))];
    for (const node of nodes) {
      const range = nodeRange(manifest.file, node);
      if (scalarNumber(node) !== 1337 || !range) continue;
      context.report({ range, message: `User ID (UID) 1337 is reserved for the sidecar proxy: ${resourceName(manifest.ref)} would bypass the mesh` });
    }
  },
};
