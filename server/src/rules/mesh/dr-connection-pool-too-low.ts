import { isMap } from 'yaml';
import { trafficPolicies } from '../../core/mesh/destinationrule';
import type { ManifestRule } from '../../core/rule';
import { nodeAt, nodeRange, scalarNumber } from '../../core/yaml/manifest';

const LIMITS: { path: [string, string]; why: string }[] = [
  { path: ['http', 'http1MaxPendingRequests'], why: 'a second concurrent request waiting for a connection is rejected with 503 (UO)' },
  { path: ['http', 'http2MaxRequests'], why: 'only one request at a time reaches the service; the rest are rejected with 503 (UO)' },
  { path: ['tcp', 'maxConnections'], why: 'all traffic to each host goes through a single connection; the rest queue or are rejected' },
  { path: ['http', 'maxRequestsPerConnection'], why: 'keep-alive is disabled: every request pays a new connection (and TLS handshake)' },
];

export const drConnectionPoolTooLow: ManifestRule = {
  id: 'dr-connection-pool-too-low',
  title: 'Connection pool limit so low it rejects or slows normal traffic',
  category: 'mesh',
  input: 'yaml',
  kinds: ['DestinationRule'],
  defaultSeverity: 'warning',
  equivalents: {},
  docs: `## What it does
Flags \`connectionPool\` limits of 1 in any trafficPolicy of a DestinationRule (top level, subset,
port): \`http1MaxPendingRequests\`, \`http2MaxRequests\`, \`tcp.maxConnections\`,
\`maxRequestsPerConnection\`.

## Why is this bad
These values are usually left over from a circuit-breaker demo. In production a limit of 1 turns
every burst into 503s (\`UO\`, upstream overflow), or, for \`maxRequestsPerConnection: 1\`, opens a
new connection per request.

## Example
\`\`\`yaml
connectionPool:
  http:
    http1MaxPendingRequests: 1
    maxRequestsPerConnection: 1
\`\`\`

## Fix
None automatic: size the limits from load tests, or remove them to keep Envoy's defaults.

Suppress with \`# meshlens-disable-next-line dr-connection-pool-too-low reason\`.`,
  check(context) {
    for (const policy of trafficPolicies(context.manifest.root)) {
      const pool = policy.get('connectionPool', true);
      if (!isMap(pool)) continue;
      for (const limit of LIMITS) {
        const node = nodeAt(pool, ...limit.path);
        const range = nodeRange(context.manifest.file, node);
        if (scalarNumber(node) !== 1 || !range) continue;
        context.report({ range, message: `connectionPool.${limit.path.join('.')} is 1: ${limit.why}` });
      }
    }
  },
};
