import { virtualServiceRoutes } from '../../core/mesh/virtualservice';
import type { ManifestRule } from '../../core/rule';
import { nodeRange } from '../../core/yaml/manifest';

export const vsLoneDestinationWeight: ManifestRule = {
  id: 'vs-lone-destination-weight',
  title: 'Lone destination with a weight below 100',
  category: 'mesh',
  input: 'yaml',
  kinds: ['VirtualService'],
  defaultSeverity: 'warning',
  equivalents: { kiali: 'KIA1104' },
  docs: `## What it does
Flags a route with a single destination whose \`weight\` is below 100.

## Why is this bad
A lone destination receives all the traffic whatever its weight: \`weight: 10\` reads like a 10%
canary but sends 100%. Usually the other half of the split was deleted or never added.

## Example
\`\`\`yaml
route:
- destination: {host: reviews, subset: v2}
  weight: 10    # really 100%
\`\`\`

## Fix
None automatic: add the other destination, or drop the weight.

Suppress with \`# meshlens-disable-next-line vs-lone-destination-weight reason\`.`,
  check(context) {
    for (const route of virtualServiceRoutes(context.manifest)) {
      const [only] = route.destinations;
      if (route.destinations.length !== 1 || only.weight === undefined || only.weight >= 100) continue;
      const range = nodeRange(context.manifest.file, only.item?.get('weight', true));
      if (range) context.report({ range, message: `The weight is assumed to be 100 because there is only one route destination: weight ${only.weight} still sends 100% to ${only.host ?? '?'}${only.subset ? ` ${only.subset}` : ''}` });
    }
  },
};
