import { formatDuration, parseDuration } from '../../core/mesh/k8s';
import { virtualServiceRoutes } from '../../core/mesh/virtualservice';
import type { ManifestRule } from '../../core/rule';
import { mapAt, nodeRange, scalarNumber, scalarText } from '../../core/yaml/manifest';

export const vsRetriesExceedTimeout: ManifestRule = {
  id: 'vs-retries-exceed-timeout',
  title: 'Retries cannot all run within the route timeout',
  category: 'mesh',
  input: 'yaml',
  kinds: ['VirtualService'],
  defaultSeverity: 'warning',
  equivalents: {},
  docs: `## What it does
Flags HTTP routes where \`retries.attempts\` x \`retries.perTryTimeout\` is longer than the route's
\`timeout\`.

## Why is this bad
The route timeout bounds the whole request, retries included. When the tries need longer than
that, the last attempts are cut off: the retry policy promises resilience it cannot deliver, and
slow upstreams show up as 504 after fewer tries than configured.

## Example
\`\`\`yaml
timeout: 2s
retries:
  attempts: 3
  perTryTimeout: 1s   # 3 x 1s = 3s > 2s
\`\`\`

## Fix
None automatic: lower \`perTryTimeout\` or \`attempts\`, or raise \`timeout\`.

Suppress with \`# meshlens-disable-next-line vs-retries-exceed-timeout reason\`.`,
  check(context) {
    for (const route of virtualServiceRoutes(context.manifest)) {
      if (route.protocol !== 'http') continue;
      const timeout = parseDuration(scalarText(route.node.get('timeout', true)) ?? '');
      const retries = mapAt(route.node, 'retries');
      const attempts = scalarNumber(retries?.get('attempts', true));
      const perTryNode = retries?.get('perTryTimeout', true);
      const perTry = parseDuration(scalarText(perTryNode) ?? '');
      if (!timeout || !attempts || !perTry || attempts * perTry <= timeout) continue;
      const range = nodeRange(context.manifest.file, perTryNode);
      if (!range) continue;
      context.report({
        range,
        message: `retries: ${attempts} attempts x perTryTimeout ${formatDuration(perTry)} = ${formatDuration(attempts * perTry)}, longer than the route timeout ${formatDuration(timeout)}: at most ${Math.max(1, Math.floor(timeout / perTry))} tries fit`,
      });
    }
  },
};
