import { envoyFilterPatches } from '../../core/mesh/envoyfilter';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { nodeRange } from '../../core/yaml/manifest';

export const envoyfilterReplaceMisuse: ManifestRule = {
  id: 'envoyfilter-replace-misuse',
  title: 'EnvoyFilter REPLACE on something other than a filter',
  category: 'mesh',
  input: 'yaml',
  kinds: ['EnvoyFilter'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0152' },
  docs: `## What it does
Flags a patch with \`operation: REPLACE\` whose \`applyTo\` is neither \`HTTP_FILTER\` nor
\`NETWORK_FILTER\`.

## Why is this bad
Istio only replaces named HTTP and network filters; for anything else the patch is ignored, and
the listener, cluster or route keeps its old configuration.

## Example
\`\`\`yaml
configPatches:
- applyTo: CLUSTER
  patch:
    operation: REPLACE   # use MERGE for clusters
\`\`\`

## Fix
None automatic: use \`MERGE\`, or \`REMOVE\` then \`ADD\`.

Suppress with \`# meshlens-disable-next-line envoyfilter-replace-misuse reason\` above the line, or
the annotation \`galley.istio.io/analyze-suppress: IST0152\`.`,
  check(context) {
    const { manifest } = context;
    for (const patch of envoyFilterPatches(manifest)) {
      if (patch.operation !== 'REPLACE' || !patch.applyTo || patch.applyTo === 'HTTP_FILTER' || patch.applyTo === 'NETWORK_FILTER') continue;
      const range = nodeRange(manifest.file, patch.operationNode);
      if (range) context.report({ range, message: `The REPLACE operation is only valid for HTTP_FILTER and NETWORK_FILTER, not ${patch.applyTo}: this patch of ${resourceName(manifest.ref)} is ignored` });
    }
  },
};
