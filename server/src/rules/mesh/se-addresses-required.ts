import { isMap } from 'yaml';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { keyRange, nodeAt, scalarText, seqItems } from '../../core/yaml/manifest';

export const seAddressesRequired: ManifestRule = {
  id: 'se-addresses-required',
  title: 'TCP ServiceEntry without addresses',
  category: 'mesh',
  input: 'yaml',
  kinds: ['ServiceEntry'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0134' },
  docs: `## What it does
Flags ServiceEntries with a port whose protocol is TCP (or unset) and no \`addresses\`.

## Why is this bad
TCP traffic carries no host name: without an address Envoy listens on 0.0.0.0 for that port, so
the entry captures all traffic to the port (or conflicts with others) instead of this service's.

## Example
\`\`\`yaml
spec:
  hosts: [db.example.com]
  ports: [{number: 5432, name: tcp-pg, protocol: TCP}]   # no addresses
\`\`\`

## Fix
None automatic: add \`addresses\`, or declare the real protocol (TLS, HTTP) when it has one.

Suppress with \`# meshlens-disable-next-line se-addresses-required reason\` or the annotation
\`galley.istio.io/analyze-suppress: IST0134\`.`,
  check(context) {
    const { manifest } = context;
    const spec = nodeAt(manifest.root, 'spec');
    if (seqItems(nodeAt(spec, 'addresses')).length > 0) return;
    for (const port of seqItems(nodeAt(spec, 'ports'))) {
      if (!isMap(port)) continue;
      const protocol = scalarText(port.get('protocol', true))?.toUpperCase();
      if (protocol !== undefined && protocol !== 'TCP') continue;
      const range = keyRange(manifest.file, port, 'protocol') ?? keyRange(manifest.file, port, 'number');
      if (range) context.report({ range, message: `ServiceEntry addresses are required for this protocol (${protocol ?? 'unset, treated as TCP'}) in ${resourceName(manifest.ref)}` });
    }
  },
};
