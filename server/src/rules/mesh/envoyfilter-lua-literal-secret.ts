import { isMap, isScalar, isSeq } from 'yaml';
import type { ManifestRule } from '../../core/rule';
import { nodeAt } from '../../core/yaml/manifest';

const SECRETISH = /authorization|token|api[-_]?key|secret|password|x-auth/i;
/** `== "literal"` or `"literal" ==` (also ~=) with a literal long enough to be a credential. */
const LITERAL_COMPARE = /(?:[=~]=\s*(["'])([^"'\n]{8,})\1)|(?:(["'])([^"'\n]{8,})\3\s*[=~]=)/;

function luaSources(node: unknown, out: { value: { range?: [number, number, number]; value: unknown } }[]): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if ((key === 'inline_code' || key === 'inlineCode' || key === 'inline_string') && isScalar(pair.value)) out.push({ value: pair.value as never });
      else luaSources(pair.value, out);
    }
  } else if (isSeq(node)) node.items.forEach((item) => luaSources(item, out));
}

export const envoyfilterLuaLiteralSecret: ManifestRule = {
  id: 'envoyfilter-lua-literal-secret',
  title: 'EnvoyFilter Lua compares a credential with a literal',
  category: 'mesh',
  input: 'yaml',
  kinds: ['EnvoyFilter'],
  defaultSeverity: 'error',
  equivalents: {},
  docs: `## What it does
Looks inside the Lua code of EnvoyFilters (\`inline_code\`, \`inlineCode\`, \`inline_string\`)
that handles a credential (authorization, token, api key, secret, password) for comparisons with a
string literal of 8 characters or more (paths excepted).

## Why is this bad
The secret sits in plain text in the repository and in every Envoy config dump, anyone who can read
either can call the service, and rotating it means a config push. The plain \`==\` is also not a
constant-time comparison.

## Example
\`\`\`lua
if request_handle:headers():get("x-api-key") ~= "s3cr3t-prod-key" then
\`\`\`

## Fix
None automatic: use RequestAuthentication + AuthorizationPolicy (JWT), or an ext_authz service that
reads the secret from a Secret.

Suppress with \`# meshlens-disable-next-line envoyfilter-lua-literal-secret reason\`.`,
  check(context) {
    const { file } = context.manifest;
    const sources: { value: { range?: [number, number, number]; value: unknown } }[] = [];
    luaSources(nodeAt(context.manifest.root, 'spec'), sources);
    for (const { value } of sources) {
      if (!value.range || typeof value.value !== 'string') continue;
      // Search the file text itself, so the range is exact even inside block scalars.
      const start = file.lines.positionAt(value.range[0]).line;
      const end = file.lines.positionAt(value.range[1]).line;
      const code = (line: number) => file.lines.lineText(line).replace(/--.*$/, '');
      // The credential is often read into a variable on one line and compared on the next.
      if (!SECRETISH.test(value.value.replace(/--.*$/gm, ''))) continue;
      for (let line = start; line <= end; line++) {
        const text = code(line);
        const match = LITERAL_COMPARE.exec(text);
        if (!match || (match[2] ?? match[4]).startsWith('/')) continue;
        const literal = match[2] ?? match[4];
        const column = text.indexOf(literal, match.index);
        context.report({
          range: { start: { line, character: column }, end: { line, character: column + literal.length } },
          message: `Lua compares a credential with a literal secret: it is readable in the repository and in Envoy's config dump`,
        });
      }
    }
  },
};
