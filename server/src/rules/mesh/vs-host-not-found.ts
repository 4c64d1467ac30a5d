import { clusterHostMissing } from '../../core/mesh/registry';
import { virtualServiceRoutes } from '../../core/mesh/virtualservice';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { nodeRange } from '../../core/yaml/manifest';

export const vsHostNotFound: ManifestRule = {
  id: 'vs-host-not-found',
  title: 'VirtualService routes or mirrors to a host with no Service or ServiceEntry',
  category: 'mesh',
  input: 'yaml',
  kinds: ['VirtualService'],
  defaultSeverity: 'error',
  equivalents: { istio: 'IST0101', kiali: 'KIA1101' },
  docs: `## What it does
Resolves the \`host\` of every \`route\`, \`mirror\` and \`mirrors\` destination of a VirtualService
(short names against the VirtualService's namespace) and, for cluster-local hosts, looks for the
Service, or a ServiceEntry covering the host, in every file of the workspace.

Files rarely hold a whole cluster, so a host is only reported when the workspace defines other
Services of that namespace: then a missing one is most likely a typo or a forgotten manifest.
External hosts, wildcards and namespaces without any Service in the workspace are not checked.
The default ingress gateway Service (\`istio-ingressgateway.istio-system\`) is assumed to exist.

## Why is this bad
Envoy has no cluster for an unknown host: requests routed there fail with 503 \`NR\`/\`NC\`, and
mirrored traffic silently goes nowhere.

## Example
\`\`\`yaml
route:
- destination:
    host: reviwes   # typo: the Service is reviews
\`\`\`

## Fix
None automatic: correct the host, or add the Service or ServiceEntry it names.

Suppress with \`# meshlens-disable-next-line vs-host-not-found reason\` above the line, or the
annotation \`galley.istio.io/analyze-suppress: IST0101\`.`,
  check(context) {
    const { manifest, workspace } = context;
    for (const route of virtualServiceRoutes(manifest)) {
      for (const destination of [...route.destinations, ...route.mirrors]) {
        if (!destination.fqdn || !clusterHostMissing(workspace, destination.fqdn)) continue;
        const range = nodeRange(manifest.file, destination.node.get('host', true));
        if (!range) continue;
        const what = destination.role === 'mirror' ? 'mirror host' : 'host';
        context.report({
          range,
          message: `Referenced ${what} not found: "${destination.host}" (no Service or ServiceEntry for ${destination.fqdn} in the workspace; ${resourceName(manifest.ref)})`,
        });
      }
    }
  },
};
