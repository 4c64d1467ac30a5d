import { effectiveShares, formatShare, rescaleWeights } from '../../core/mesh/shares';
import { virtualServiceRoutes } from '../../core/mesh/virtualservice';
import type { ManifestRule } from '../../core/rule';
import type { TextEdit } from '../../core/text';
import { replaceNode } from '../../core/yaml/edit';
import { keyRange, nodeRange } from '../../core/yaml/manifest';

export const vsWeightsNot100: ManifestRule = {
  id: 'vs-weights-not-100',
  title: 'Route weights do not sum to 100',
  category: 'mesh',
  input: 'yaml',
  kinds: ['VirtualService'],
  defaultSeverity: 'hint',
  equivalents: {},
  docs: `## What it does
Flags a route with several weighted destinations whose weights do not add up to 100, and says
what each destination really receives.

## Why is this bad
Since Istio 1.15 this is valid: Envoy splits traffic by weight/sum. But people read \`weight: 70\`
as "70%", so a route with 70 and 20 sends 77.8% and 22.2% — not what the author wrote, and not what
the next reader thinks. It is a hint, not an error.

## Example
\`\`\`yaml
route:
- destination: {host: notifier, subset: v1}
  weight: 70    # really 77.8%
- destination: {host: notifier, subset: v2}
  weight: 20    # really 22.2%
\`\`\`

## Fix
Rescales the weights to sum to 100 keeping their proportions (largest remainder rounding).

Suppress with \`# meshlens-disable-next-line vs-weights-not-100 reason\`.`,
  check(context) {
    const file = context.manifest.file;
    for (const route of virtualServiceRoutes(context.manifest)) {
      const weighted = route.destinations;
      if (weighted.length < 2 || weighted.some((d) => d.weight === undefined)) continue;
      const weights = weighted.map((d) => d.weight ?? 0);
      const total = weights.reduce((sum, w) => sum + w, 0);
      const shares = effectiveShares(weights);
      if (total === 100 || !shares) continue;
      const range = keyRange(file, route.node, 'route');
      if (!range) continue;
      const rescaled = rescaleWeights(weights);
      const edits = weighted
        .map((d, i) => replaceNode(file, d.item?.get('weight', true), String(rescaled[i])))
        .filter((edit): edit is TextEdit => edit !== undefined);
      const describe = weighted.map((d, i) => `${d.host ?? '?'}${d.subset ? ` ${d.subset}` : ''} ${formatShare(shares[i])}`).join(' · ');
      context.report({
        range,
        message: `Weights sum to ${total}, not 100: traffic really splits ${describe}`,
        fixes:
          edits.length === weighted.length
            ? [{ title: `Rescale weights to ${rescaled.join('/')} (same proportions, sum 100)`, changes: [{ uri: file.uri, edits }], safe: true }]
            : [],
        related: weighted.flatMap((d, i) => {
          const weightRange = nodeRange(file, d.item?.get('weight', true));
          return weightRange ? [{ uri: file.uri, range: weightRange, message: `weight ${weights[i]} = ${formatShare(shares[i])}` }] : [];
        }),
      });
    }
  },
};
