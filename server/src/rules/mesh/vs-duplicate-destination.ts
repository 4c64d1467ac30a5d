import { virtualServiceRoutes } from '../../core/mesh/virtualservice';
import type { ManifestRule } from '../../core/rule';
import { nodeRange } from '../../core/yaml/manifest';

export const vsDuplicateDestination: ManifestRule = {
  id: 'vs-duplicate-destination',
  title: 'Same host and subset twice in one route',
  category: 'mesh',
  input: 'yaml',
  kinds: ['VirtualService'],
  defaultSeverity: 'warning',
  equivalents: { kiali: 'KIA1105' },
  docs: `## What it does
Flags a route that lists the same destination (host, subset and port) more than once.

## Why is this bad
The weights of the copies add up, so the split is not what either line says; most often one of
the two was meant to be another subset.

## Example
\`\`\`yaml
route:
- destination: {host: reviews, subset: v1}
  weight: 50
- destination: {host: reviews, subset: v1}   # meant v2
  weight: 50
\`\`\`

## Fix
None automatic.

Suppress with \`# meshlens-disable-next-line vs-duplicate-destination reason\`.`,
  check(context) {
    for (const route of virtualServiceRoutes(context.manifest)) {
      const seen = new Set<string>();
      for (const destination of route.destinations) {
        if (!destination.fqdn) continue;
        const key = `${destination.fqdn}|${destination.subset ?? ''}|${destination.port ?? ''}`;
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        const range = nodeRange(context.manifest.file, destination.node);
        if (range) context.report({ range, message: `This host subset combination is duplicated: ${destination.host}${destination.subset ? ` subset ${destination.subset}` : ''} appears more than once in the route` });
      }
    }
  },
};
