import { removeImportIfUnused } from '../../core/go/edit';
import { literalUse, statementOf } from '../../core/go/flow';
import { contextInScope, packageCalls } from '../../core/go/syntax';
import type { GoRule } from '../../core/rule';
import type { TextEdit } from '../../core/text';

export const goContextBackgroundInScope: GoRule = {
  id: 'go-context-background-in-scope',
  title: 'context.Background() or TODO() where a request context is in scope',
  category: 'go-propagation',
  input: 'go',
  defaultSeverity: 'warning',
  equivalents: { golangci: 'contextcheck' },
  docs: `## What it does
Finds \`context.Background()\` and \`context.TODO()\` in a function that already has a context: a
\`context.Context\` parameter or variable, an \`*http.Request\` or a \`*gin.Context\` (also those of
an enclosing function, when a function literal is called on the spot).

It stays quiet where a fresh context is usually deliberate: in \`defer\`red cleanup, in goroutines
(see \`go-goroutine-request-context\`) and in function literals handed to something else to run later.

## Why is this bad
A fresh context has no span in it: every span started and every call made from it begins a new
trace, and the caller's deadline and cancellation no longer reach the work.

## Example
\`\`\`go
func (s *server) order(w http.ResponseWriter, r *http.Request) {
    rows, err := s.db.QueryContext(context.Background(), query) // the query span is a new root
\`\`\`

## Fix
Use the context in scope (\`ctx\`, \`r.Context()\` or \`c.Request.Context()\`); the \`context\` import is
removed when nothing else uses it. Not applied by \`--fix\`: the work now stops when the request is
cancelled. For work that must outlive the request, write \`context.WithoutCancel(ctx)\` instead,
which keeps the trace and drops the cancellation.

Suppress with \`//meshlens:ignore go-context-background-in-scope reason\` on the line above.`,
  check(context) {
    const { file } = context;
    const { root, imports, source } = file;
    if (!imports.has('context')) return;
    for (const name of ['Background', 'TODO']) {
      for (const call of packageCalls(root, source.text, imports, 'context', name)) {
        const scopes = file.functions.enclosing(call);
        if (scopes.length === 0) continue;
        // Inside a function literal, a context of an enclosing function only counts when the
        // literal runs on the spot; goroutines and callbacks may outlive it on purpose.
        const innermost = scopes[0].fn;
        if (innermost.type === 'func_literal' && literalUse(innermost) !== 'invoked') continue;
        const ctx = contextInScope(call, imports, file.functions);
        if (!ctx) continue;
        if (statementOf(call)?.type === 'defer_statement') continue;
        const edits: TextEdit[] = [{ range: source.lines.rangeOf(call.startIndex, call.endIndex), newText: ctx.expression }];
        const unused = removeImportIfUnused(file, 'context', [call]);
        if (unused) edits.push(unused);
        context.report({
          range: source.lines.rangeOf(call.startIndex, call.endIndex),
          message: `context.${name}() drops the context in scope: spans below start a new trace. Use ${ctx.expression}`,
          fixes: [{ title: `Use ${ctx.expression}`, changes: [{ uri: context.uri, edits }], safe: false }],
        });
      }
    }
  },
};
