import { fqdn } from '../../core/mesh/hosts';
import { clusterHostMissing } from '../../core/mesh/registry';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { namespaceOf } from '../../core/workspace';
import { nodeAt, nodeRange, scalarText } from '../../core/yaml/manifest';

export const drHostNotFound: ManifestRule = {
  id: 'dr-host-not-found',
  title: 'DestinationRule for a host with no Service or ServiceEntry',
  category: 'mesh',
  input: 'yaml',
  kinds: ['DestinationRule'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0174', kiali: 'KIA0202' },
  docs: `## What it does
Resolves a DestinationRule's \`host\` (short names against its namespace) and, for cluster-local
hosts, looks for the Service, or a ServiceEntry covering the host, in every file of the workspace.
A host is only reported when the workspace defines other Services of that namespace; external
hosts and wildcards are not checked.

## Why is this bad
The policy (subsets, TLS, load balancing, outlier detection) applies to nothing. Usually the host
is misspelled, so the service meant to get the policy runs without it.

## Example
\`\`\`yaml
kind: DestinationRule
spec:
  host: reveiws   # typo: the Service is reviews
\`\`\`

## Fix
None automatic: correct the host, or add the Service or ServiceEntry it names.

Suppress with \`# meshlens-disable-next-line dr-host-not-found reason\` above the line, or the
annotation \`galley.istio.io/analyze-suppress: IST0174\`.`,
  check(context) {
    const { manifest, workspace } = context;
    const hostNode = nodeAt(manifest.root, 'spec', 'host');
    const host = scalarText(hostNode);
    if (!host) return;
    const resolved = fqdn(host, namespaceOf(manifest));
    if (!clusterHostMissing(workspace, resolved)) return;
    const range = nodeRange(manifest.file, hostNode);
    if (range) context.report({ range, message: `Unknown host "${host}" in ${resourceName(manifest.ref)}: no Service or ServiceEntry for ${resolved} in the workspace` });
  },
};
