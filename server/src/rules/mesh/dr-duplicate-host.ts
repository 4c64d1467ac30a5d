import { fqdn } from '../../core/mesh/hosts';
import { subsetNames } from '../../core/mesh/virtualservice';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { namespaceOf } from '../../core/workspace';
import { nodeAt, nodeRange, scalarText } from '../../core/yaml/manifest';

export const drDuplicateHost: ManifestRule = {
  id: 'dr-duplicate-host',
  title: 'Several DestinationRules for the same host and subset',
  category: 'mesh',
  input: 'yaml',
  kinds: ['DestinationRule'],
  defaultSeverity: 'warning',
  equivalents: { kiali: 'KIA0201' },
  docs: `## What it does
Finds other DestinationRules, in any file, whose host resolves to the same service and that both
have no subsets, or define a subset of the same name. Rules with \`exportTo\` or a
\`workloadSelector\` are left alone.

## Why is this bad
Istio merges DestinationRules for one host only partly (subsets, not traffic policies) and keeps
the oldest on conflict: which policy applies depends on creation order.

## Example
Two files both define \`host: reviews\` with a subset \`v1\`.

## Fix
None automatic: merge the two into one DestinationRule.

Suppress with \`# meshlens-disable-next-line dr-duplicate-host reason\`.`,
  check(context) {
    const { manifest, workspace } = context;
    const spec = nodeAt(manifest.root, 'spec');
    const hostNode = nodeAt(spec, 'host');
    const host = scalarText(hostNode);
    if (!host || host.includes('*') || nodeAt(spec, 'exportTo') || nodeAt(spec, 'workloadSelector')) return;
    const target = fqdn(host, namespaceOf(manifest));
    const mine = subsetNames(manifest);
    for (const other of workspace.destinationRulesFor(target)) {
      if (other === manifest || nodeAt(other.root, 'spec', 'exportTo') || nodeAt(other.root, 'spec', 'workloadSelector')) continue;
      const theirs = subsetNames(other);
      const shared = mine.filter((name) => theirs.includes(name));
      if (!(mine.length === 0 && theirs.length === 0) && shared.length === 0) continue;
      const range = nodeRange(manifest.file, hostNode);
      if (range) {
        context.report({
          range,
          message: `More than one DestinationRule for the same host subset combination: ${resourceName(other.ref)} also configures ${host}${shared.length ? ` (subsets ${shared.join(', ')})` : ''}`,
          related: [{ uri: other.file.uri, range: nodeRange(other.file, nodeAt(other.root, 'spec', 'host')) ?? range, message: resourceName(other.ref) }],
        });
      }
    }
  },
};
