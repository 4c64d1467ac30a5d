import { isMap } from 'yaml';
import { trafficPolicies } from '../../core/mesh/destinationrule';
import { formatDuration, parseDuration } from '../../core/mesh/k8s';
import type { ManifestRule } from '../../core/rule';
import { keyRange, scalarNumber, scalarText } from '../../core/yaml/manifest';

const MINUTE = 60000;

export const drOutlierEjectsAll: ManifestRule = {
  id: 'dr-outlier-ejects-all',
  title: 'Outlier detection can eject every host for minutes on one error',
  category: 'mesh',
  input: 'yaml',
  kinds: ['DestinationRule'],
  defaultSeverity: 'warning',
  equivalents: {},
  docs: `## What it does
Flags \`outlierDetection\` that ejects a host after a single error (\`consecutive5xxErrors\`,
\`consecutiveGatewayErrors\` or \`consecutiveErrors\` of 1), for a minute or more
(\`baseEjectionTime\`), without a \`maxEjectionPercent\` below 100.

## Why is this bad
One bad deploy or a brief dependency outage returns a 5xx from every pod in turn: each is
ejected for minutes, and with no cap (or a cap that small pools always exceed) the whole pool can
be out at once. The service is down far longer than the blip that caused it.

## Example
\`\`\`yaml
outlierDetection:
  consecutive5xxErrors: 1
  baseEjectionTime: 5m
\`\`\`

## Fix
None automatic: require several consecutive errors, shorten \`baseEjectionTime\`, and set
\`maxEjectionPercent\` (for example 50).

Suppress with \`# meshlens-disable-next-line dr-outlier-ejects-all reason\`.`,
  check(context) {
    for (const policy of trafficPolicies(context.manifest.root)) {
      const outlier = policy.get('outlierDetection', true);
      if (!isMap(outlier)) continue;
      const trigger = ['consecutive5xxErrors', 'consecutiveGatewayErrors', 'consecutiveErrors'].find((key) => scalarNumber(outlier.get(key, true)) === 1);
      const ejection = parseDuration(scalarText(outlier.get('baseEjectionTime', true)) ?? '');
      const cap = scalarNumber(outlier.get('maxEjectionPercent', true));
      if (!trigger || ejection === undefined || ejection < MINUTE || (cap !== undefined && cap < 100)) continue;
      const range = keyRange(context.manifest.file, outlier, trigger);
      if (!range) continue;
      context.report({
        range,
        message: `outlierDetection ejects a host after 1 error (${trigger}) for ${formatDuration(ejection)}${cap === undefined ? ' with no maxEjectionPercent' : ' with maxEjectionPercent 100'}: one bad minute can eject every host`,
      });
    }
  },
};
