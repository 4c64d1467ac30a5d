import { trafficPolicies } from '../../core/mesh/destinationrule';
import { fqdn, serviceOfHost } from '../../core/mesh/hosts';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { namespaceOf } from '../../core/workspace';
import type { Manifest } from '../../core/yaml/manifest';
import { nodeAt, nodeRange, scalarText } from '../../core/yaml/manifest';

const ROOT_NAMESPACE = 'istio-system';

/** The namespace-wide (no selector) PeerAuthentication mode for a namespace, falling back to the mesh-wide one. */
function strictPolicy(peerAuthentications: readonly Manifest[], namespace: string): Manifest | undefined {
  const wide = (ns: string) => peerAuthentications.find((pa) => namespaceOf(pa) === ns && !nodeAt(pa.root, 'spec', 'selector'));
  const policy = wide(namespace) ?? wide(ROOT_NAMESPACE);
  return scalarText(nodeAt(policy?.root, 'spec', 'mtls', 'mode')) === 'STRICT' ? policy : undefined;
}

export const drMtlsConflict: ManifestRule = {
  id: 'dr-mtls-conflict',
  title: 'DestinationRule disables TLS towards a namespace whose PeerAuthentication is STRICT',
  category: 'mesh',
  input: 'yaml',
  kinds: ['DestinationRule'],
  defaultSeverity: 'error',
  equivalents: { kiali: 'KIA0501' },
  docs: `## What it does
For DestinationRules of cluster-local hosts with \`tls.mode: DISABLE\` (top level, subset or
port), looks in every file for the PeerAuthentication of the host's namespace (without selector),
or else the mesh-wide one in istio-system, and reports when it is \`STRICT\`.

## Why is this bad
The client sidecar sends plain text; the server sidecar only accepts mutual TLS. Every request
fails with a connection reset (503 \`UF,URX\`).

## Example
\`\`\`yaml
kind: DestinationRule
spec:
  host: ratings.shop.svc.cluster.local
  trafficPolicy:
    tls: {mode: DISABLE}    # PeerAuthentication shop/default is STRICT
\`\`\`

## Fix
None automatic: use \`ISTIO_MUTUAL\` (or remove the tls block), or relax the PeerAuthentication.

Suppress with \`# meshlens-disable-next-line dr-mtls-conflict reason\`.`,
  check(context) {
    const { manifest, workspace } = context;
    const host = scalarText(nodeAt(manifest.root, 'spec', 'host'));
    const service = host ? serviceOfHost(fqdn(host, namespaceOf(manifest))) : undefined;
    if (!service) return;
    for (const policy of trafficPolicies(manifest.root)) {
      const mode = nodeAt(policy, 'tls', 'mode');
      if (scalarText(mode) !== 'DISABLE') continue;
      const strict = strictPolicy(workspace.ofKind('PeerAuthentication'), service.namespace);
      const range = nodeRange(manifest.file, mode);
      if (!strict || !range) continue;
      context.report({
        range,
        message: `Policy enabling strict mTLS found (${resourceName(strict.ref)}), but this DestinationRule disables TLS for ${host}: requests will be rejected`,
        related: [{ uri: strict.file.uri, range: nodeRange(strict.file, nodeAt(strict.root, 'spec', 'mtls', 'mode')) ?? range, message: `${resourceName(strict.ref)} is STRICT` }],
      });
    }
  },
};
