import { visibilityOf, exportedAlike } from '../../core/mesh/exportto';
import { fqdn } from '../../core/mesh/hosts';
import { sameResource } from '../../core/mesh/identity';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { namespaceOf } from '../../core/workspace';
import type { Manifest } from '../../core/yaml/manifest';
import { nodeAt, nodeRange, scalarText, seqItems } from '../../core/yaml/manifest';

/** True when the VirtualService applies to sidecars: no `gateways`, or `mesh` among them. */
function boundToMesh(virtualService: Manifest): boolean {
  const gateways = seqItems(nodeAt(virtualService.root, 'spec', 'gateways')).map((node) => scalarText(node));
  return gateways.length === 0 || gateways.includes('mesh');
}

/** Exact (non-wildcard) hosts of a VirtualService, resolved against its namespace. */
function meshHosts(virtualService: Manifest): { node: unknown; host: string }[] {
  return seqItems(nodeAt(virtualService.root, 'spec', 'hosts')).flatMap((node) => {
    const text = scalarText(node);
    return text && !text.includes('*') ? [{ node, host: fqdn(text, namespaceOf(virtualService)) }] : [];
  });
}

export const vsConflictingMeshHost: ManifestRule = {
  id: 'vs-conflicting-mesh-host',
  title: 'Several mesh VirtualServices for the same host',
  category: 'mesh',
  input: 'yaml',
  kinds: ['VirtualService'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0109', kiali: 'KIA1106' },
  docs: `## What it does
For a VirtualService bound to the mesh (no \`gateways\`, or \`mesh\` among them), looks in every
file for another mesh-bound VirtualService with the same host (short names resolved against each
one's namespace) and exported alike: both public (no \`exportTo\`, or \`*\`), or both private to
a common namespace. A private VirtualService overrides a public one in its namespace on purpose,
so that pair is not reported. Wildcard hosts are not compared, and VirtualServices bound only to
Gateways are left alone: Istio merges those per host.

Copies of one resource (same kind, namespace and name, as in per-environment overlays) are not
compared with each other.

## Why is this bad
Sidecars do not merge VirtualServices: for one host they use one of them, the oldest, and ignore
the other's routes. Which one wins depends on creation order, so a canary or a timeout can vanish
after a redeploy.

## Example
\`\`\`yaml
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
---
kind: VirtualService
metadata: {name: reviews-canary, namespace: shop}
spec:
  hosts: [reviews.shop.svc.cluster.local]   # the same host
\`\`\`

## Fix
None automatic: merge the routes into one VirtualService, or restrict one with \`exportTo\`.

Suppress with \`# meshlens-disable-next-line vs-conflicting-mesh-host reason\` above the host, or
the annotation \`galley.istio.io/analyze-suppress: IST0109\`.`,
  check(context) {
    const { manifest, workspace } = context;
    if (!boundToMesh(manifest)) return;
    const mine = meshHosts(manifest);
    if (mine.length === 0) return;
    const visibility = visibilityOf(manifest);
    const others = workspace.ofKind('VirtualService').filter((other) => !sameResource(other, manifest) && boundToMesh(other) && exportedAlike(visibility, visibilityOf(other)));
    for (const { node, host } of mine) {
      const conflicting = others
        .filter((other) => meshHosts(other).some((theirs) => theirs.host === host))
        .sort((a, b) => resourceName(a.ref).localeCompare(resourceName(b.ref)));
      const range = nodeRange(manifest.file, node);
      if (conflicting.length === 0 || !range) continue;
      context.report({
        range,
        message: `More than one VirtualService for host ${host} on the mesh gateway: ${conflicting.map((other) => resourceName(other.ref)).join(', ')} also define${conflicting.length === 1 ? 's' : ''} it, so sidecars apply only one of them (merge them into a single resource)`,
        related: conflicting.map((other) => ({ uri: other.file.uri, range: nodeRange(other.file, nodeAt(other.root, 'spec', 'hosts')) ?? range, message: resourceName(other.ref) })),
      });
    }
  },
};
