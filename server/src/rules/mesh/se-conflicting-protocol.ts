import { serviceEntryOverlaps } from '../../core/mesh/serviceentry-overlap';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { nodeAt, nodeRange } from '../../core/yaml/manifest';

export const seConflictingProtocol: ManifestRule = {
  id: 'se-conflicting-protocol',
  title: 'ServiceEntries declare one host and port with different protocols',
  category: 'mesh',
  input: 'yaml',
  kinds: ['ServiceEntry'],
  defaultSeverity: 'error',
  equivalents: { istio: 'IST0177' },
  docs: `## What it does
Looks in every file for another ServiceEntry that declares one of this entry's hosts (resolved
against each one's namespace) with the same port number but another protocol (unset counts as
TCP), exported alike (both public, or both private to a common namespace). Entries with a
\`workloadSelector\` are left alone.

Copies of one resource (same kind, namespace and name, as in per-environment overlays) are not
compared with each other.

## Why is this bad
Envoy has one listener per port: it cannot treat the same host and port as, say, HTTP and TLS at
once. Istio keeps one protocol depending on creation order, and traffic of the other kind breaks.

## Example
\`\`\`yaml
kind: ServiceEntry
metadata: {name: search}
spec: {hosts: [search.example.com], ports: [{number: 443, name: https, protocol: HTTPS}]}
---
kind: ServiceEntry
metadata: {name: search-tls}
spec: {hosts: [search.example.com], ports: [{number: 443, name: tls, protocol: TLS}]}
\`\`\`

## Fix
None automatic: agree on one protocol for the host and port, in one ServiceEntry.

Suppress with \`# meshlens-disable-next-line se-conflicting-protocol reason\` above the host, or
the annotation \`galley.istio.io/analyze-suppress: IST0177\`.`,
  check(context) {
    const { manifest, workspace } = context;
    for (const { mine, other, theirs } of serviceEntryOverlaps(workspace, manifest)) {
      if (mine.protocol === theirs.protocol) continue;
      const range = nodeRange(manifest.file, mine.hostNode);
      if (!range) continue;
      context.report({
        range,
        message: `Port ${mine.port} of host ${mine.host} has conflicting protocols: ${mine.protocol} in ${resourceName(manifest.ref)}, ${theirs.protocol} in ${resourceName(other.ref)}`,
        related: [{ uri: other.file.uri, range: nodeRange(other.file, theirs.hostNode) ?? nodeRange(other.file, nodeAt(other.root, 'spec')) ?? range, message: `${resourceName(other.ref)} declares ${theirs.protocol}` }],
      });
    }
  },
};
