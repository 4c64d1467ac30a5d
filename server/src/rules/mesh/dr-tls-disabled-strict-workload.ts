import { trafficPolicies } from '../../core/mesh/destinationrule';
import { fqdn } from '../../core/mesh/hosts';
import { podLabels, serviceForHost, serviceSelector, workloadsSelectedBy } from '../../core/mesh/k8s';
import { namespaceMtls, workloadPeerAuthentications } from '../../core/mesh/peerauthentication';
import { selects } from '../../core/mesh/workloads';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { namespaceOf } from '../../core/workspace';
import { mapAt, nodeAt, nodeRange, scalarText, stringMap } from '../../core/yaml/manifest';

export const drTlsDisabledStrictWorkload: ManifestRule = {
  id: 'dr-tls-disabled-strict-workload',
  title: 'DestinationRule disables TLS towards workloads whose own PeerAuthentication is STRICT',
  category: 'mesh',
  input: 'yaml',
  kinds: ['DestinationRule'],
  defaultSeverity: 'error',
  equivalents: {},
  docs: `## What it does
For a DestinationRule with \`tls.mode: DISABLE\` (top level, subset or port) whose host is a
Service of the workspace, finds the workloads behind the Service (any file) and the
PeerAuthentications with a \`selector\` in that namespace, and reports when one of them selects
those workloads with mode \`STRICT\`. Namespace-wide and mesh-wide STRICT policies are reported by
\`dr-mtls-conflict\`.

## Why is this bad
The client sidecar sends plain text; the server sidecar of those workloads only accepts mutual
TLS. Every request fails with a connection reset (503 \`UF,URX\`), although the namespace as a
whole may be PERMISSIVE.

## Example
\`\`\`yaml
kind: PeerAuthentication
metadata: {name: payments, namespace: shop}
spec:
  selector: {matchLabels: {app: payments}}
  mtls: {mode: STRICT}
---
kind: DestinationRule
spec:
  host: payments.shop.svc.cluster.local
  trafficPolicy:
    tls: {mode: DISABLE}
\`\`\`

## Fix
None automatic: use \`ISTIO_MUTUAL\` (or remove the tls block), or relax the PeerAuthentication.

Suppress with \`# meshlens-disable-next-line dr-tls-disabled-strict-workload reason\` above the
line.`,
  check(context) {
    const { manifest, workspace } = context;
    const host = scalarText(nodeAt(manifest.root, 'spec', 'host'));
    const service = host ? serviceForHost(workspace, fqdn(host, namespaceOf(manifest))) : undefined;
    if (!service) return;
    const namespace = namespaceOf(service);
    const disables = trafficPolicies(manifest.root).map((policy) => nodeAt(policy, 'tls', 'mode')).filter((mode) => scalarText(mode) === 'DISABLE');
    if (disables.length === 0 || namespaceMtls(workspace, namespace)?.mode === 'STRICT') return;
    const workloads = workloadsSelectedBy(workspace, namespace, serviceSelector(service));
    const strict = workloadPeerAuthentications(workspace, namespace).find((pa) => {
      const selector = stringMap(mapAt(nodeAt(pa.root, 'spec', 'selector'), 'matchLabels'));
      return scalarText(nodeAt(pa.root, 'spec', 'mtls', 'mode')) === 'STRICT' && workloads.some((workload) => selects(selector, podLabels(workload)));
    });
    if (!strict) return;
    for (const mode of disables) {
      const range = nodeRange(manifest.file, mode);
      if (!range) continue;
      context.report({
        range,
        message: `${resourceName(strict.ref)} enables strict mTLS for the workloads behind ${resourceName(service.ref)}, but this DestinationRule disables TLS for ${host}: requests will be rejected`,
        related: [{ uri: strict.file.uri, range: nodeRange(strict.file, nodeAt(strict.root, 'spec', 'mtls', 'mode')) ?? range, message: `${resourceName(strict.ref)} is STRICT` }],
      });
    }
  },
};
