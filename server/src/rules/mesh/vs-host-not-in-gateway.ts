import { findGateway, gatewayHostsFor, hostsOverlap, parseGatewayRef } from '../../core/mesh/gateways';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { namespaceOf } from '../../core/workspace';
import { nodeAt, nodeRange, scalarText, seqItems } from '../../core/yaml/manifest';

export const vsHostNotInGateway: ManifestRule = {
  id: 'vs-host-not-in-gateway',
  title: 'VirtualService host is not served by its Gateway',
  category: 'mesh',
  input: 'yaml',
  kinds: ['VirtualService'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0132' },
  docs: `## What it does
For a VirtualService bound to Gateways defined in the workspace, checks that each of its hosts
matches a host of one of those Gateways' servers (wildcards and \`namespace/host\` forms included).

## Why is this bad
The gateway never asks for routes of a host it does not serve: requests for it get 404 at the edge.

## Example
\`\`\`yaml
hosts: [shop.example.org]    # the Gateway serves shop.example.com
gateways: [shop-gateway]
\`\`\`

## Fix
None automatic: add the host to the Gateway, or correct the VirtualService.

Suppress with \`# meshlens-disable-next-line vs-host-not-in-gateway reason\` or the annotation
\`galley.istio.io/analyze-suppress: IST0132\`.`,
  check(context) {
    const { manifest, workspace } = context;
    const namespace = namespaceOf(manifest);
    const gateways = seqItems(nodeAt(manifest.root, 'spec', 'gateways'))
      .map((node) => scalarText(node))
      .map((text) => (text ? parseGatewayRef(text, namespace) : undefined))
      .filter((ref) => ref !== undefined)
      .map((ref) => findGateway(workspace, ref));
    // Only judge when every Gateway it binds to (other than mesh) is known.
    if (gateways.length === 0 || gateways.some((g) => g === undefined)) return;
    for (const gateway of gateways) {
      if (!gateway) continue;
      const served = gatewayHostsFor(gateway, namespace);
      for (const node of seqItems(nodeAt(manifest.root, 'spec', 'hosts'))) {
        const host = scalarText(node);
        // Short names are resolved per namespace by istiod; comparing them textually would mislead.
        if (!host || !host.includes('.') || served.some((pattern) => hostsOverlap(pattern, host))) continue;
        const range = nodeRange(manifest.file, node);
        if (range) context.report({ range, message: `One or more host [${host}] defined in ${resourceName(manifest.ref)} not found in ${resourceName(gateway.ref)}` });
      }
    }
  },
};
