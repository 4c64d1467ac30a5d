import { trafficPolicies } from '../../core/mesh/destinationrule';
import { CLUSTER_DOMAIN, fqdn, serviceOfHost } from '../../core/mesh/hosts';
import { namespaceMtls, workloadPeerAuthentications } from '../../core/mesh/peerauthentication';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { namespaceOf } from '../../core/workspace';
import { nodeAt, nodeRange, scalarText } from '../../core/yaml/manifest';

/** The namespace a cluster-local host (or `*.ns.svc.cluster.local`) lives in. */
function hostNamespace(host: string): string | undefined {
  const wildcard = /^\*\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(host);
  if (wildcard) return wildcard[1];
  return host.endsWith(`.${CLUSTER_DOMAIN}`) ? serviceOfHost(host)?.namespace : undefined;
}

export const drMutualTlsToPlaintext: ManifestRule = {
  id: 'dr-mutual-tls-to-plaintext',
  title: 'DestinationRule sends Istio mTLS to a namespace whose PeerAuthentication disables it',
  category: 'mesh',
  input: 'yaml',
  kinds: ['DestinationRule'],
  defaultSeverity: 'error',
  equivalents: {},
  docs: `## What it does
For DestinationRules of cluster-local hosts (or \`*.namespace.svc.cluster.local\`) with
\`tls.mode: ISTIO_MUTUAL\` (top level, subset or port), looks in every file for the
PeerAuthentication without selector of the host's namespace, or else the mesh-wide one in
istio-system, and reports when its mode is \`DISABLE\`. When the namespace also has
PeerAuthentications with a selector, nothing is reported: they may enable mTLS for the workloads
behind the host.

## Why is this bad
The client sidecar originates mutual TLS; the server sidecar, told to accept plain text only,
does not terminate it. Every request fails with a connection reset (503 \`UF,URX\`).

## Example
\`\`\`yaml
kind: DestinationRule
spec:
  host: ratings.legacy.svc.cluster.local
  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL}   # PeerAuthentication legacy/default is DISABLE
\`\`\`

## Fix
None automatic: remove the tls block (Istio then picks plain text or mTLS on its own), or set the
PeerAuthentication to PERMISSIVE or STRICT.

Suppress with \`# meshlens-disable-next-line dr-mutual-tls-to-plaintext reason\` above the line.`,
  check(context) {
    const { manifest, workspace } = context;
    const host = scalarText(nodeAt(manifest.root, 'spec', 'host'));
    const namespace = host ? hostNamespace(fqdn(host, namespaceOf(manifest))) : undefined;
    if (!namespace) return;
    for (const policy of trafficPolicies(manifest.root)) {
      const mode = nodeAt(policy, 'tls', 'mode');
      if (scalarText(mode) !== 'ISTIO_MUTUAL') continue;
      const effective = namespaceMtls(workspace, namespace);
      if (effective?.mode !== 'DISABLE' || workloadPeerAuthentications(workspace, namespace).length > 0) return;
      const range = nodeRange(manifest.file, mode);
      if (!range) continue;
      const { policy: pa } = effective;
      context.report({
        range,
        message: `${resourceName(pa.ref)} disables mTLS for namespace ${namespace}, but this DestinationRule sends Istio mutual TLS to ${host}: requests will be reset`,
        related: [{ uri: pa.file.uri, range: nodeRange(pa.file, nodeAt(pa.root, 'spec', 'mtls', 'mode')) ?? range, message: `${resourceName(pa.ref)} is DISABLE` }],
      });
    }
  },
};
