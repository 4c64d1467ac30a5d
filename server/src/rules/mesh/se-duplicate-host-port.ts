import { serviceEntryOverlaps } from '../../core/mesh/serviceentry-overlap';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { nodeAt, nodeRange } from '../../core/yaml/manifest';

export const seDuplicateHostPort: ManifestRule = {
  id: 'se-duplicate-host-port',
  title: 'Several ServiceEntries declare the same host and port',
  category: 'mesh',
  input: 'yaml',
  kinds: ['ServiceEntry'],
  defaultSeverity: 'warning',
  equivalents: { kiali: 'KIA1211' },
  docs: `## What it does
Looks in every file for another ServiceEntry that declares one of this entry's hosts (resolved
against each one's namespace) with the same port number and the same protocol, exported alike
(both public, or both private to a common namespace). Entries with a \`workloadSelector\` are
left alone. The same host and port with different protocols is reported by
\`se-conflicting-protocol\` instead.

Copies of one resource (same kind, namespace and name, as in per-environment overlays) are not
compared with each other.

## Why is this bad
Istio keeps one of the two for the host and port, depending on creation order: its resolution,
endpoints and location win, and a later edit of the other entry silently does nothing.

## Example
\`\`\`yaml
kind: ServiceEntry
metadata: {name: stripe}
spec: {hosts: [api.stripe.com], ports: [{number: 443, name: tls, protocol: TLS}]}
---
kind: ServiceEntry
metadata: {name: payments-egress}
spec: {hosts: [api.stripe.com], ports: [{number: 443, name: tls, protocol: TLS}]}
\`\`\`

## Fix
None automatic: keep one ServiceEntry per host and port.

Suppress with \`# meshlens-disable-next-line se-duplicate-host-port reason\` above the host.`,
  check(context) {
    const { manifest, workspace } = context;
    for (const { mine, other, theirs } of serviceEntryOverlaps(workspace, manifest)) {
      if (mine.protocol !== theirs.protocol) continue;
      const range = nodeRange(manifest.file, mine.hostNode);
      if (!range) continue;
      context.report({
        range,
        message: `Duplicate entry of ServiceEntry host and port: ${resourceName(other.ref)} also declares ${mine.host} port ${mine.port}`,
        related: [{ uri: other.file.uri, range: nodeRange(other.file, theirs.hostNode) ?? nodeRange(other.file, nodeAt(other.root, 'spec')) ?? range, message: resourceName(other.ref) }],
      });
    }
  },
};
