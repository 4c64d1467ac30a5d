import { isMap } from 'yaml';
import type { ManifestRule } from '../../core/rule';
import { keyRange, mapAt, nodeAt, scalarText, seqItems } from '../../core/yaml/manifest';

export const drSubsetWithoutLabels: ManifestRule = {
  id: 'dr-subset-without-labels',
  title: 'DestinationRule subset has no labels',
  category: 'mesh',
  input: 'yaml',
  kinds: ['DestinationRule'],
  defaultSeverity: 'warning',
  equivalents: { kiali: 'KIA0209' },
  docs: `## What it does
Flags subsets of a DestinationRule without \`labels\` (or with an empty map).

## Why is this bad
A subset without labels selects every endpoint of the host: traffic routed to "v2" also reaches v1
pods, so a canary or version pin silently does nothing.

## Example
\`\`\`yaml
subsets:
- name: v2      # no labels: all pods
\`\`\`

## Fix
None automatic: add the labels that select the subset's pods (\`version: v2\`).

Suppress with \`# meshlens-disable-next-line dr-subset-without-labels reason\`.`,
  check(context) {
    for (const subset of seqItems(nodeAt(context.manifest.root, 'spec', 'subsets'))) {
      if (!isMap(subset)) continue;
      const labels = mapAt(subset, 'labels');
      if (labels && labels.items.length > 0) continue;
      const range = keyRange(context.manifest.file, subset, 'name');
      if (range) context.report({ range, message: `Subset ${scalarText(subset.get('name', true)) ?? '?'} has no labels: it selects every endpoint of the host` });
    }
  },
};
