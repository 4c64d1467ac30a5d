import { isMap } from 'yaml';
import type { Manifest } from '../yaml/manifest';
import { nodeAt, scalarNumber, scalarText, seqItems } from '../yaml/manifest';

/** A `tls` block of a DestinationRule that originates TLS without a way to check the server's certificate. */
export interface UnverifiedTls {
  /** The `mode` value node. */
  modeNode: unknown;
  mode: string;
  subset?: string;
  /** Set for port-level settings. */
  port?: number;
}

function unverified(policy: unknown): { modeNode: unknown; mode: string } | undefined {
  const tls = nodeAt(policy, 'tls');
  if (!isMap(tls)) return undefined;
  const modeNode = tls.get('mode', true);
  const mode = scalarText(modeNode);
  if (mode !== 'SIMPLE' && mode !== 'MUTUAL') return undefined;
  const has = (key: string) => (scalarText(tls.get(key, true)) ?? '') !== '';
  if (has('caCertificates') || has('credentialName') || scalarText(tls.get('insecureSkipVerify', true)) === 'true') return undefined;
  return { modeNode, mode };
}

/**
 * TLS settings of a DestinationRule in SIMPLE or MUTUAL mode with neither `caCertificates` nor
 * `credentialName` (whose secret carries the CA) nor an explicit `insecureSkipVerify`: at the
 * destination level (top level and subsets) or per port.
 */
export function unverifiedTlsSettings(destinationRule: Manifest): UnverifiedTls[] {
  const found: UnverifiedTls[] = [];
  const visit = (policy: unknown, subset: string | undefined) => {
    const top = unverified(policy);
    if (top) found.push({ ...top, subset });
    for (const portSetting of seqItems(nodeAt(policy, 'portLevelSettings'))) {
      const port = scalarNumber(nodeAt(portSetting, 'port', 'number'));
      const atPort = unverified(portSetting);
      if (atPort && port !== undefined) found.push({ ...atPort, subset, port });
    }
  };
  visit(nodeAt(destinationRule.root, 'spec', 'trafficPolicy'), undefined);
  for (const subset of seqItems(nodeAt(destinationRule.root, 'spec', 'subsets'))) {
    if (isMap(subset)) visit(subset.get('trafficPolicy', true), scalarText(subset.get('name', true)));
  }
  return found;
}
