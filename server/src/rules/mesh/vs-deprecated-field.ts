import { isMap, type YAMLMap } from 'yaml';
import type { ManifestRule } from '../../core/rule';
import type { Fix } from '../../core/types';
import { resourceName } from '../../core/types';
import { replaceNode } from '../../core/yaml/edit';
import type { Manifest } from '../../core/yaml/manifest';
import { nodeAt, nodeRange, pairFor, scalarNumber, seqItems } from '../../core/yaml/manifest';

/** Deprecated integer percent fields of an HTTP route and the field that replaces each. */
const DEPRECATED: { path: string[]; field: string; replacement: string; name: string }[] = [
  { path: ['fault', 'delay'], field: 'percent', replacement: 'percentage', name: 'HTTPRoute.fault.delay.percent' },
  { path: [], field: 'mirrorPercent', replacement: 'mirrorPercentage', name: 'HTTPRoute.mirrorPercent' },
];

/** Rewrites `percent: 50` as `percentage: {value: 50}` in place; undefined when that is not plainly possible. */
function replaceFix(manifest: Manifest, parent: YAMLMap, field: string, replacement: string): Fix | undefined {
  const pair = pairFor(parent, field);
  const value = scalarNumber(pair?.value);
  if (!pair || value === undefined || pairFor(parent, replacement)) return undefined;
  const key = replaceNode(manifest.file, pair.key, replacement);
  const number = replaceNode(manifest.file, pair.value, `{value: ${value}}`);
  if (!key || !number) return undefined;
  return { title: `Replace ${field}: ${value} with ${replacement}: {value: ${value}}`, changes: [{ uri: manifest.file.uri, edits: [key, number] }], safe: true };
}

export const vsDeprecatedField: ManifestRule = {
  id: 'vs-deprecated-field',
  title: 'VirtualService uses a deprecated percent field',
  category: 'mesh',
  input: 'yaml',
  kinds: ['VirtualService'],
  defaultSeverity: 'info',
  equivalents: { istio: 'IST0002' },
  docs: `## What it does
Flags the integer percent fields Istio deprecated in HTTP routes: \`fault.delay.percent\` (use
\`fault.delay.percentage.value\`) and \`mirrorPercent\` (use \`mirrorPercentage.value\`).

## Why is this bad
Deprecated fields are dropped in later API versions, and they only take whole percents. Tools
built on the current API (and readers of the docs) do not know them.

## Example
\`\`\`yaml
fault:
  delay:
    fixedDelay: 5s
    percent: 10
\`\`\`

## Fix
Rewrites \`percent: 10\` as \`percentage: {value: 10}\` (and \`mirrorPercent\` likewise), which
means the same. Not offered when the replacement field is already set.

Suppress with \`# meshlens-disable-next-line vs-deprecated-field reason\` above the line, or the
annotation \`galley.istio.io/analyze-suppress: IST0002\`.`,
  check(context) {
    const { manifest } = context;
    for (const route of seqItems(nodeAt(manifest.root, 'spec', 'http'))) {
      for (const { path, field, replacement, name } of DEPRECATED) {
        const parent = path.length ? nodeAt(route, ...path) : route;
        if (!isMap(parent)) continue;
        const pair = pairFor(parent, field);
        const range = pair ? nodeRange(manifest.file, pair.key) : undefined;
        if (!range) continue;
        const fix = replaceFix(manifest, parent, field, replacement);
        context.report({
          range,
          message: `Deprecated: "${name}" is deprecated; use "${name.replace(new RegExp(`${field}$`), replacement)}" (${resourceName(manifest.ref)})`,
          fixes: fix ? [fix] : [],
        });
      }
    }
  },
};
