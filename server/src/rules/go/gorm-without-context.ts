import { assignmentBefore, literalUse } from '../../core/go/flow';
import type { GoNode } from '../../core/go/parser';
import { inRequestPath } from '../../core/go/requests';
import { contextInScope, packageCalls, parameterSources } from '../../core/go/syntax';
import type { GoFile, GoRule } from '../../core/rule';

const GORM = 'gorm.io/gorm';

/** `*gorm.DB` methods that run a query or start a query chain. */
const QUERY_METHODS = [
  'Where', 'Not', 'Or', 'Find', 'First', 'Last', 'Take', 'Create', 'CreateInBatches', 'Save', 'Update', 'Updates', 'UpdateColumn', 'UpdateColumns',
  'Delete', 'Model', 'Table', 'Raw', 'Exec', 'Preload', 'Joins', 'Select', 'Omit', 'Order', 'Limit', 'Offset', 'Group', 'Having', 'Distinct',
  'Count', 'Pluck', 'Scan', 'Row', 'Rows', 'FirstOrCreate', 'FirstOrInit', 'FindInBatches', 'Scopes', 'Unscoped', 'Clauses', 'Transaction', 'Begin',
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Names holding a `*gorm.DB` that no caller prepared: struct fields and package or local variables
 * declared in this file with that type, and variables set from `gorm.Open`. Parameters are left out:
 * a caller may pass `db.WithContext(ctx)`.
 */
function databaseNames(file: GoFile): { fields: Set<string>; variables: Set<string> } {
  const fields = new Set<string>();
  const variables = new Set<string>();
  const { root, imports, source } = file;
  for (const local of imports.localNames(GORM)) {
    for (const match of source.text.matchAll(new RegExp(`\\b([A-Za-z_][A-Za-z0-9_]*)\\s+\\*\\s*${escapeRegExp(local)}\\s*\\.\\s*DB\\b`, 'g'))) {
      const offset = match.index ?? 0;
      const name = root.descendantForIndex(offset, offset + match[1].length);
      if (name?.parent?.type === 'field_declaration') fields.add(match[1]);
      else if (name?.parent?.type === 'var_spec') variables.add(match[1]);
    }
  }
  for (const open of packageCalls(root, source.text, imports, GORM, 'Open')) {
    const assigned = assignmentBefore(file, open);
    if (assigned && assigned.names[0] !== '_') variables.add(assigned.names[0]);
  }
  return { fields, variables };
}

/** The outermost call of the method chain a call starts: `db.Where(...).Find(...)` for `db.Where(...)`. */
function chainOf(call: GoNode): GoNode {
  let current = call;
  for (;;) {
    const selector = current.parent;
    const next = selector?.parent;
    if (selector?.type !== 'selector_expression' || selector.childForFieldName('operand')?.startIndex !== current.startIndex || next?.type !== 'call_expression') return current;
    current = next;
  }
}

export const goGormWithoutContext: GoRule = {
  id: 'go-gorm-without-context',
  title: 'GORM query without WithContext in a request path',
  category: 'go-propagation',
  input: 'go',
  defaultSeverity: 'warning',
  equivalents: {},
  docs: `## What it does
Finds GORM queries (\`db.Find\`, \`db.Where(...).First\`, \`db.Create\`, ...) that do not call
\`WithContext\` in a function that receives a \`context.Context\`, an \`*http.Request\` or a
\`*gin.Context\`. The database handle must be a struct field, a package or local variable declared
in the same file as \`*gorm.DB\`, or the result of \`gorm.Open\`: a \`*gorm.DB\` parameter is not
judged (the caller may have passed \`db.WithContext(ctx)\`), nor is a query chain that calls
\`WithContext\` or \`Session\` anywhere.

## Why is this bad
Without a context GORM runs the query under \`context.Background()\`: the spans of the
OpenTelemetry plugin (\`gorm.io/plugin/opentelemetry/tracing\`) start a new trace instead of
joining the request's, and the request's deadline and cancellation never reach the database.

## Example
\`\`\`go
func (s *store) order(w http.ResponseWriter, r *http.Request) {
    var o Order
    s.db.First(&o, r.PathValue("id")) // runs outside the request's trace
\`\`\`

## Fix
Inserts \`.WithContext(ctx)\` right after the handle, with the innermost context in scope (\`ctx\`,
\`r.Context()\` or \`c.Request.Context()\`): \`s.db.WithContext(r.Context()).First(&o, id)\`.

Suppress with \`//meshlens:ignore go-gorm-without-context reason\` on the line above.`,
  check(context) {
    const { file } = context;
    const { root, imports, source } = file;
    if (!imports.has(GORM)) return;
    const { fields, variables } = databaseNames(file);
    if (fields.size === 0 && variables.size === 0) return;
    const methods = QUERY_METHODS.join('|');
    const receivers = [...[...fields].map((name) => `\\.\\s*${name}`), ...[...variables].map((name) => `(?<![A-Za-z0-9_.])${name}`)].join('|');
    for (const match of source.text.matchAll(new RegExp(`(?:${receivers})\\s*\\.\\s*(${methods})\\s*\\(`, 'g'))) {
      const offset = (match.index ?? 0) + match[0].lastIndexOf(match[1]);
      const method = root.descendantForIndex(offset, offset + match[1].length);
      const selector = method?.parent;
      const call = selector?.parent;
      if (method?.type !== 'field_identifier' || selector?.type !== 'selector_expression' || call?.type !== 'call_expression') continue;
      const receiver = selector.childForFieldName('operand');
      if (!receiver) continue;
      const isDatabase =
        (receiver.type === 'identifier' && variables.has(receiver.text)) ||
        (receiver.type === 'selector_expression' && fields.has(receiver.childForFieldName('field')?.text ?? ''));
      if (!isDatabase) continue;
      if (/\bWithContext\s*\(|\bSession\s*\(/.test(chainOf(call).text)) continue;
      const scopes = file.functions.enclosing(call);
      // Goroutines and callbacks may run after the request on purpose, unless they receive a context or request themselves.
      const innermost = scopes[0]?.fn;
      if (!innermost || (innermost.type === 'func_literal' && literalUse(innermost) !== 'invoked' && parameterSources(innermost, imports).length === 0)) continue;
      if (!inRequestPath(scopes, file)) continue;
      const ctx = contextInScope(call, imports, file.functions);
      if (!ctx) continue;
      const lines = source.lines;
      const at = lines.positionAt(receiver.endIndex);
      const fixed = `${receiver.text}.WithContext(${ctx.expression})`;
      context.report({
        range: lines.rangeOf(receiver.startIndex, method.endIndex),
        message: `GORM query without WithContext: it runs outside the request's trace and ignores its cancellation. Use ${fixed}.${match[1]}(...)`,
        fixes: [{ title: `Use ${fixed}`, changes: [{ uri: context.uri, edits: [{ range: { start: at, end: at }, newText: `.WithContext(${ctx.expression})` }] }], safe: true }],
      });
    }
  },
};
