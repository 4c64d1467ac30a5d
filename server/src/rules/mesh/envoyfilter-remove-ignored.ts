import { envoyFilterPatches } from '../../core/mesh/envoyfilter';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { nodeRange } from '../../core/yaml/manifest';

export const envoyfilterRemoveIgnored: ManifestRule = {
  id: 'envoyfilter-remove-ignored',
  title: 'EnvoyFilter REMOVE on a route configuration',
  category: 'mesh',
  input: 'yaml',
  kinds: ['EnvoyFilter'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0154' },
  docs: `## What it does
Flags a patch with \`operation: REMOVE\` whose \`applyTo\` is \`ROUTE_CONFIGURATION\`.

## Why is this bad
Istio only removes listeners, clusters, virtual hosts, routes, network filters and HTTP filters:
for a whole route configuration the patch is ignored and the routes stay.

## Example
\`\`\`yaml
configPatches:
- applyTo: ROUTE_CONFIGURATION
  patch:
    operation: REMOVE
\`\`\`

## Fix
None automatic: remove the virtual hosts or routes themselves (\`VIRTUAL_HOST\`, \`HTTP_ROUTE\`).

Suppress with \`# meshlens-disable-next-line envoyfilter-remove-ignored reason\` above the line, or
the annotation \`galley.istio.io/analyze-suppress: IST0154\`.`,
  check(context) {
    const { manifest } = context;
    for (const patch of envoyFilterPatches(manifest)) {
      if (patch.operation !== 'REMOVE' || patch.applyTo !== 'ROUTE_CONFIGURATION') continue;
      const range = nodeRange(manifest.file, patch.operationNode);
      if (range) context.report({ range, message: `The REMOVE operation will be ignored when applyTo is set to ROUTE_CONFIGURATION (${resourceName(manifest.ref)})` });
    }
  },
};
