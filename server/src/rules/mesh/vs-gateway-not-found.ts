import { findGateway, gatewaysKnownIn, parseGatewayRef } from '../../core/mesh/gateways';
import type { ManifestRule } from '../../core/rule';
import { namespaceOf } from '../../core/workspace';
import { nodeAt, nodeRange, scalarText, seqItems } from '../../core/yaml/manifest';

export const vsGatewayNotFound: ManifestRule = {
  id: 'vs-gateway-not-found',
  title: 'VirtualService binds to a Gateway that does not exist',
  category: 'mesh',
  input: 'yaml',
  kinds: ['VirtualService'],
  defaultSeverity: 'error',
  equivalents: { istio: 'IST0101', kiali: 'KIA1102' },
  docs: `## What it does
Resolves each \`gateways\` entry of a VirtualService (\`ns/name\`, \`name\` in the VirtualService's
namespace, or legacy \`name.ns\`) and looks for that Gateway in every file of the workspace.

## Why is this bad
A VirtualService bound to a missing Gateway configures nothing: the external host returns 404.

## Example
\`\`\`yaml
gateways:
- shop-gatway   # typo: the Gateway is shop-gateway
\`\`\`

## Fix
None automatic. To avoid false positives when Gateways are installed from elsewhere, a reference is
only reported when the workspace defines Gateways of that namespace (or, for the VirtualService's
own namespace, any Gateway).

Suppress with \`# meshlens-disable-next-line vs-gateway-not-found reason\` or the annotation
\`galley.istio.io/analyze-suppress: IST0101\`.`,
  check(context) {
    const { manifest, workspace } = context;
    const namespace = namespaceOf(manifest);
    for (const node of seqItems(nodeAt(manifest.root, 'spec', 'gateways'))) {
      const text = scalarText(node);
      const ref = text ? parseGatewayRef(text, namespace) : undefined;
      if (!ref || findGateway(workspace, ref) || !gatewaysKnownIn(workspace, ref.namespace, namespace)) continue;
      const range = nodeRange(manifest.file, node);
      if (range) context.report({ range, message: `Referenced gateway not found: "${text}" (no Gateway ${ref.namespace}/${ref.name} in the workspace)` });
    }
  },
};
