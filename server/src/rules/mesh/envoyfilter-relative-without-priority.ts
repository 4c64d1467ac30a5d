import { envoyFilterPatches, envoyFilterPriority } from '../../core/mesh/envoyfilter';
import { sameResource } from '../../core/mesh/identity';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { nodeRange } from '../../core/yaml/manifest';

const RELATIVE = ['INSERT_BEFORE', 'INSERT_AFTER', 'REPLACE'];

export const envoyfilterRelativeWithoutPriority: ManifestRule = {
  id: 'envoyfilter-relative-without-priority',
  title: 'EnvoyFilter placed relative to another EnvoyFilter\'s filter without a priority',
  category: 'mesh',
  input: 'yaml',
  kinds: ['EnvoyFilter'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0151' },
  docs: `## What it does
Flags a patch with a relative operation (\`INSERT_BEFORE\`, \`INSERT_AFTER\`, \`REPLACE\`) whose
match names a filter that another EnvoyFilter of the workspace adds, when this EnvoyFilter's
\`priority\` does not order it after that one. Relative operations against Envoy's own filters
(the router, the connection manager) are left alone: those are always there.

## Why is this bad
EnvoyFilters of equal priority are applied in creation order. If this one runs first, the filter
it is placed against does not exist yet and the patch is silently skipped.

## Example
\`\`\`yaml
kind: EnvoyFilter
metadata: {name: rate-limit}
spec:
  configPatches:
  - applyTo: HTTP_FILTER
    match:
      listener:
        filterChain:
          filter:
            name: envoy.filters.network.http_connection_manager
            subFilter: {name: envoy.filters.http.lua}   # added by EnvoyFilter api-key
    patch:
      operation: INSERT_AFTER
\`\`\`

## Fix
None automatic: set \`priority\` higher than the EnvoyFilter that adds the filter, or use
\`INSERT_FIRST\`.

Suppress with \`# meshlens-disable-next-line envoyfilter-relative-without-priority reason\` above
the line, or the annotation \`galley.istio.io/analyze-suppress: IST0151\`.`,
  check(context) {
    const { manifest, workspace } = context;
    const priority = envoyFilterPriority(manifest);
    const patches = envoyFilterPatches(manifest);
    for (const patch of patches) {
      if (!patch.operation || !RELATIVE.includes(patch.operation) || !patch.relativeTo) continue;
      if (patches.some((own) => own.adds === patch.relativeTo)) continue;
      const providers = workspace
        .ofKind('EnvoyFilter')
        .filter((other) => !sameResource(other, manifest) && envoyFilterPatches(other).some((p) => p.adds === patch.relativeTo && p.operation !== 'REMOVE'));
      if (providers.length === 0 || providers.every((other) => envoyFilterPriority(other) < priority)) continue;
      const range = nodeRange(manifest.file, patch.operationNode);
      if (!range) continue;
      context.report({
        range,
        message: `Relative patch operation ${patch.operation} against ${patch.relativeTo}, which ${providers.map((p) => resourceName(p.ref)).join(', ')} add${providers.length === 1 ? 's' : ''}, without a priority that orders ${resourceName(manifest.ref)} after ${providers.length === 1 ? 'it' : 'them'}: the patch may not be applied`,
      });
    }
  },
};
