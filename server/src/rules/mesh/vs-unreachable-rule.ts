import { isMap, type YAMLMap } from 'yaml';
import type { ManifestRule } from '../../core/rule';
import { moveSequenceItemToEnd } from '../../core/yaml/edit';
import { nodeAt, nodeRange, scalarText, seqItems } from '../../core/yaml/manifest';

/** A match entry that matches every request: empty, or only `uri: {prefix: /}`. */
function matchesEverything(match: unknown): boolean {
  if (!isMap(match)) return false;
  return match.items.every((pair) => {
    const key = scalarText(pair.key);
    if (key === 'name') return true;
    return key === 'uri' && isMap(pair.value) && pair.value.items.length === 1 && scalarText(nodeAt(pair.value, 'prefix')) === '/';
  });
}

function isCatchAll(rule: YAMLMap): boolean {
  const matches = seqItems(rule.get('match', true));
  return matches.length === 0 || matches.some(matchesEverything);
}

function label(rule: YAMLMap, index: number): string {
  const name = scalarText(rule.get('name', true));
  return name ? `#${index} (${name})` : `#${index}`;
}

export const vsUnreachableRule: ManifestRule = {
  id: 'vs-unreachable-rule',
  title: 'VirtualService rule can never match',
  category: 'mesh',
  input: 'yaml',
  kinds: ['VirtualService'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0130' },
  docs: `## What it does
Finds HTTP rules of a VirtualService that no request can reach: every rule after a catch-all rule
(no \`match\`, or a match on \`uri: {prefix: /}\`), and a rule whose match list repeats an earlier
rule's exactly.

## Why is this bad
Envoy takes the first rule that matches. A catch-all in the middle swallows everything, so the
canary or header-based rules below it never run, silently.

## Example
\`\`\`yaml
http:
- route: [{destination: {host: reviews, subset: v1}}]   # catch-all first
- match: [{headers: {end-user: {exact: jason}}}]        # never reached
  route: [{destination: {host: reviews, subset: v2}}]
\`\`\`

## Fix
Moves the catch-all rule to the end of \`http\`, keeping its comments.

Suppress with \`# meshlens-disable-next-line vs-unreachable-rule reason\` or the annotation
\`galley.istio.io/analyze-suppress: IST0130\`.`,
  check(context) {
    const { file } = context.manifest;
    const http = nodeAt(context.manifest.root, 'spec', 'http');
    const rules = seqItems(http).filter((rule): rule is YAMLMap => isMap(rule));
    if (rules.length !== seqItems(http).length) return;
    const catchAll = rules.findIndex(isCatchAll);
    if (catchAll >= 0 && catchAll < rules.length - 1) {
      const range = nodeRange(file, rules[catchAll].items[0]?.key ?? rules[catchAll]);
      const edits = moveSequenceItemToEnd(file, http, catchAll);
      const later = rules.slice(catchAll + 1).map((rule, i) => label(rule, catchAll + 1 + i));
      if (range) {
        context.report({
          range,
          message: `VirtualService rule ${label(rules[catchAll], catchAll)} matches every request but is not last: rule${later.length > 1 ? 's' : ''} ${later.join(', ')} not used (only the last rule can have no matches)`,
          fixes: edits ? [{ title: `Move rule ${label(rules[catchAll], catchAll)} to the end`, changes: [{ uri: file.uri, edits }], safe: false }] : [],
        });
      }
      return;
    }
    const seen = new Map<string, number>();
    rules.forEach((rule, index) => {
      const matches = rule.get('match', true);
      if (!matches) return;
      const key = JSON.stringify(stripNames(JSON.parse(JSON.stringify(matches))));
      const earlier = seen.get(key);
      if (earlier === undefined) return seen.set(key, index);
      const range = nodeRange(file, rule.items.find((pair) => scalarText(pair.key) === 'match')?.key);
      if (range) context.report({ range, message: `VirtualService rule ${label(rule, index)} not used (its matches repeat rule ${label(rules[earlier], earlier)})` });
      return undefined;
    });
  },
};

function stripNames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNames);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'name').map(([key, v]) => [key, stripNames(v)]));
  }
  return value;
}
