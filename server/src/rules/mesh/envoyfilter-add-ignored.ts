import { envoyFilterPatches } from '../../core/mesh/envoyfilter';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { nodeRange } from '../../core/yaml/manifest';

export const envoyfilterAddIgnored: ManifestRule = {
  id: 'envoyfilter-add-ignored',
  title: 'EnvoyFilter ADD on a route configuration or route',
  category: 'mesh',
  input: 'yaml',
  kinds: ['EnvoyFilter'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0153' },
  docs: `## What it does
Flags a patch with \`operation: ADD\` whose \`applyTo\` is \`ROUTE_CONFIGURATION\` or
\`HTTP_ROUTE\`.

## Why is this bad
Istio ignores ADD for these: it only adds listeners, clusters, virtual hosts, network filters and
HTTP filters. The route meant to be added never appears.

## Example
\`\`\`yaml
configPatches:
- applyTo: HTTP_ROUTE
  patch:
    operation: ADD
\`\`\`

## Fix
None automatic: add routes through a VirtualService, or \`MERGE\` into an existing route or
virtual host.

Suppress with \`# meshlens-disable-next-line envoyfilter-add-ignored reason\` above the line, or
the annotation \`galley.istio.io/analyze-suppress: IST0153\`.`,
  check(context) {
    const { manifest } = context;
    for (const patch of envoyFilterPatches(manifest)) {
      if (patch.operation !== 'ADD' || (patch.applyTo !== 'ROUTE_CONFIGURATION' && patch.applyTo !== 'HTTP_ROUTE')) continue;
      const range = nodeRange(manifest.file, patch.operationNode);
      if (range) context.report({ range, message: `The ADD operation will be ignored when applyTo is set to ${patch.applyTo} (${resourceName(manifest.ref)})` });
    }
  },
};
