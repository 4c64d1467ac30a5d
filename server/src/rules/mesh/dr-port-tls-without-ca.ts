import { fqdn } from '../../core/mesh/hosts';
import { unverifiedTlsSettings } from '../../core/mesh/tls';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { namespaceOf } from '../../core/workspace';
import { nodeAt, nodeRange, scalarText } from '../../core/yaml/manifest';

export const drPortTlsWithoutCa: ManifestRule = {
  id: 'dr-port-tls-without-ca',
  title: 'DestinationRule port-level TLS without caCertificates',
  category: 'mesh',
  input: 'yaml',
  kinds: ['DestinationRule'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0129' },
  docs: `## What it does
Flags \`portLevelSettings\` entries of a DestinationRule (top level or of a subset) whose \`tls\`
has mode \`SIMPLE\` or \`MUTUAL\` but sets neither \`caCertificates\` nor \`credentialName\` (whose
secret carries the CA). \`ISTIO_MUTUAL\` is not concerned, and an explicit
\`insecureSkipVerify: true\` is taken as a deliberate choice. The destination level is checked by
\`dr-tls-without-ca\`.

## Why is this bad
Nothing says which CA the server's certificate on that port must chain to: the sidecar either does
not verify the server (anyone on the path can impersonate it) or falls back to the system roots.

## Example
\`\`\`yaml
portLevelSettings:
- port: {number: 443}
  tls:
    mode: SIMPLE   # no caCertificates
\`\`\`

## Fix
None automatic: add \`caCertificates\` or \`credentialName\` to that port's \`tls\`.

Suppress with \`# meshlens-disable-next-line dr-port-tls-without-ca reason\` above the line, or the
annotation \`galley.istio.io/analyze-suppress: IST0129\`.`,
  check(context) {
    const { manifest } = context;
    const host = scalarText(nodeAt(manifest.root, 'spec', 'host'));
    for (const setting of unverifiedTlsSettings(manifest)) {
      if (setting.port === undefined) continue;
      const range = nodeRange(manifest.file, setting.modeNode);
      if (!range) continue;
      context.report({
        range,
        message: `${resourceName(manifest.ref)} has TLS mode set to ${setting.mode}${setting.subset ? ` in subset ${setting.subset}` : ''} but no caCertificates are set to validate server identity for host: ${host ? fqdn(host, namespaceOf(manifest)) : '(none)'} at port ${setting.port}`,
      });
    }
  },
};
