import { fqdn } from '../../core/mesh/hosts';
import { unverifiedTlsSettings } from '../../core/mesh/tls';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { namespaceOf } from '../../core/workspace';
import { nodeAt, nodeRange, scalarText } from '../../core/yaml/manifest';

export const drTlsWithoutCa: ManifestRule = {
  id: 'dr-tls-without-ca',
  title: 'DestinationRule originates TLS without caCertificates',
  category: 'mesh',
  input: 'yaml',
  kinds: ['DestinationRule'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0128' },
  docs: `## What it does
Flags a DestinationRule whose \`trafficPolicy.tls\` (top level or of a subset) has mode \`SIMPLE\`
or \`MUTUAL\` but sets neither \`caCertificates\` nor \`credentialName\` (whose secret carries the
CA). \`ISTIO_MUTUAL\` is not concerned: Istio provides its own CA. An explicit
\`insecureSkipVerify: true\` is taken as a deliberate choice. Port-level settings are checked by
\`dr-port-tls-without-ca\`.

## Why is this bad
Nothing says which CA the server's certificate must chain to. Depending on the Istio version and
proxy settings the sidecar either does not verify the server at all (anyone on the path can
impersonate it) or falls back to the system roots, which is rarely what a private service wants.

## Example
\`\`\`yaml
trafficPolicy:
  tls:
    mode: SIMPLE   # no caCertificates
\`\`\`

## Fix
None automatic: add \`caCertificates\` (a file mounted in the proxy) or \`credentialName\` (a secret
with \`ca.crt\`).

Suppress with \`# meshlens-disable-next-line dr-tls-without-ca reason\` above the line, or the
annotation \`galley.istio.io/analyze-suppress: IST0128\`.`,
  check(context) {
    const { manifest } = context;
    const host = scalarText(nodeAt(manifest.root, 'spec', 'host'));
    for (const setting of unverifiedTlsSettings(manifest)) {
      if (setting.port !== undefined) continue;
      const range = nodeRange(manifest.file, setting.modeNode);
      if (!range) continue;
      context.report({
        range,
        message: `${resourceName(manifest.ref)} has TLS mode set to ${setting.mode}${setting.subset ? ` in subset ${setting.subset}` : ''} but no caCertificates are set to validate server identity for host: ${host ? fqdn(host, namespaceOf(manifest)) : '(none)'}`,
      });
    }
  },
};
