import { parseGatewayRef } from '../../core/mesh/gateways';
import type { ManifestRule } from '../../core/rule';
import { namespaceOf } from '../../core/workspace';
import { replaceNode } from '../../core/yaml/edit';
import { nodeAt, nodeRange, scalarText, seqItems } from '../../core/yaml/manifest';

export const vsLegacyGatewayName: ManifestRule = {
  id: 'vs-legacy-gateway-name',
  title: 'Gateway named the legacy way (name.namespace)',
  category: 'mesh',
  input: 'yaml',
  kinds: ['VirtualService'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0133' },
  docs: `## What it does
Flags \`gateways\` entries written \`name.namespace\`, the legacy form Istio's validator warns about.

## Why is this bad
The dotted form is ambiguous with host names and deprecated; \`namespace/name\` is what Istio
documents and what every other reference (Sidecar, exportTo) uses.

## Example
\`\`\`yaml
gateways:
- shop-gateway.shop   # means shop/shop-gateway
\`\`\`

## Fix
Rewrites the entry as \`namespace/name\` (same Gateway, safe).

Suppress with \`# meshlens-disable-next-line vs-legacy-gateway-name reason\`.`,
  check(context) {
    const { manifest } = context;
    for (const node of seqItems(nodeAt(manifest.root, 'spec', 'gateways'))) {
      const text = scalarText(node);
      const ref = text ? parseGatewayRef(text, namespaceOf(manifest)) : undefined;
      const range = nodeRange(manifest.file, node);
      if (!ref?.legacy || !range) continue;
      const qualified = `${ref.namespace}/${ref.name}`;
      const edit = replaceNode(manifest.file, node, qualified);
      context.report({
        range,
        message: `Gateway reference "${text}" uses the legacy name.namespace form: write "${qualified}"`,
        fixes: edit ? [{ title: `Qualify as ${qualified}`, changes: [{ uri: manifest.file.uri, edits: [edit] }], safe: true }] : [],
      });
    }
  },
};
