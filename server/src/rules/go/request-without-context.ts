import { contextInScope, packageCalls } from '../../core/go/syntax';
import type { GoRule } from '../../core/rule';

export const goRequestWithoutContext: GoRule = {
  id: 'go-request-without-context',
  title: 'HTTP request built without the context in scope',
  category: 'go-propagation',
  input: 'go',
  defaultSeverity: 'warning',
  equivalents: { golangci: 'noctx' },
  docs: `## What it does
Finds \`http.NewRequest(...)\` in a function where a request-scoped context is available: a
\`context.Context\` parameter or local variable, an \`*http.Request\` (\`r.Context()\`), or a
\`*gin.Context\` (\`c.Request.Context()\`), including those of enclosing functions.

## Why is this bad
\`http.NewRequest\` uses \`context.Background()\`. Even through an \`otelhttp\` transport, the
outgoing call then starts a new root trace instead of continuing the caller's: the trace breaks at
this line, and cancellation of the incoming request does not reach the outgoing one.

## Example
\`\`\`go
func handler(w http.ResponseWriter, r *http.Request) {
    req, err := http.NewRequest("GET", url, nil) // new root trace
\`\`\`

## Fix
\`http.NewRequestWithContext(ctx, ...)\` with the innermost context in scope (\`ctx\`,
\`r.Context()\` or \`c.Request.Context()\`).

Suppress with \`//meshlens:ignore go-request-without-context reason\` on the line above, e.g. for
deliberately detached background calls.`,
  check(context) {
    const { root, imports, source } = context.file;
    if (!imports.has('net/http')) return;
    for (const call of packageCalls(root, source.text, imports, 'net/http', 'NewRequest')) {
      const ctx = contextInScope(call, imports, context.file.functions);
      if (!ctx) continue;
      const field = call.childForFieldName('function')?.childForFieldName('field');
      const args = call.childForFieldName('arguments');
      const firstArg = args?.namedChildren[0];
      if (!field || !args || !firstArg) continue;
      const lines = source.lines;
      const fieldRange = lines.rangeOf(field.startIndex, field.endIndex);
      const at = lines.positionAt(firstArg.startIndex);
      context.report({
        range: lines.rangeOf(call.startIndex, args.startIndex),
        message: `http.NewRequest drops the request's context: the call starts a new trace. Use http.NewRequestWithContext(${ctx.expression}, ...)`,
        fixes: [
          {
            title: `Use http.NewRequestWithContext(${ctx.expression}, ...)`,
            changes: [
              {
                uri: context.uri,
                edits: [
                  { range: fieldRange, newText: 'NewRequestWithContext' },
                  { range: { start: at, end: at }, newText: `${ctx.expression}, ` },
                ],
              },
            ],
            safe: true,
          },
        ],
      });
    }
  },
};
