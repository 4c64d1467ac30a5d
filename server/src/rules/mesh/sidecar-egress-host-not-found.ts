import { fqdn } from '../../core/mesh/hosts';
import { clusterHostMissing } from '../../core/mesh/registry';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { namespaceOf } from '../../core/workspace';
import { nodeAt, nodeRange, scalarText, seqItems } from '../../core/yaml/manifest';

export const sidecarEgressHostNotFound: ManifestRule = {
  id: 'sidecar-egress-host-not-found',
  title: 'Sidecar egress host with no Service or ServiceEntry',
  category: 'mesh',
  input: 'yaml',
  kinds: ['Sidecar'],
  defaultSeverity: 'warning',
  equivalents: { kiali: 'KIA1004' },
  docs: `## What it does
Reads each \`egress[].hosts\` entry of a Sidecar (\`namespace/dnsName\`, \`.\` meaning the Sidecar's
namespace) that names one cluster-local service, and looks for its Service or a ServiceEntry
covering it in every file of the workspace. Wildcards (\`*\`, \`~\`, \`ns/*\`, \`*.example.com\`) are
not checked, and a host is only reported when the workspace defines other Services of its namespace.

## Why is this bad
The entry makes nothing visible to the workloads: the host they need is still missing from their
configuration, so calls to it fail or leave the mesh as passthrough traffic.

## Example
\`\`\`yaml
egress:
- hosts:
  - "./ratings.shop.svc.cluster.local"   # there is no Service ratings in shop
\`\`\`

## Fix
None automatic: correct the host, or add the Service or ServiceEntry it names.

Suppress with \`# meshlens-disable-next-line sidecar-egress-host-not-found reason\`.`,
  check(context) {
    const { manifest, workspace } = context;
    for (const listener of seqItems(nodeAt(manifest.root, 'spec', 'egress'))) {
      for (const node of seqItems(nodeAt(listener, 'hosts'))) {
        const text = scalarText(node);
        const slash = text?.indexOf('/') ?? -1;
        if (!text || slash < 0) continue;
        const namespacePart = text.slice(0, slash);
        const dnsName = text.slice(slash + 1);
        if (namespacePart === '*' || namespacePart === '~' || dnsName.includes('*')) continue;
        const namespace = namespacePart === '.' ? namespaceOf(manifest) : namespacePart;
        const host = fqdn(dnsName, namespace);
        if (!clusterHostMissing(workspace, host)) continue;
        const range = nodeRange(manifest.file, node);
        if (range) context.report({ range, message: `This host has no matching entry in the service registry: "${text}" (no Service or ServiceEntry for ${host} in the workspace; ${resourceName(manifest.ref)})` });
      }
    }
  },
};
