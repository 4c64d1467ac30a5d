import { addImport, addKeyedElement } from '../../core/go/edit';
import { contextInScope, packageCalls, type GoImports } from '../../core/go/syntax';
import type { GoNode } from '../../core/go/parser';
import type { GoRule } from '../../core/rule';
import type { TextEdit } from '../../core/text';

export const OTELHTTP = 'go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp';
const SHORTCUTS = ['Get', 'Head', 'Post', 'PostForm'];

/** `http.<name>` selectors (not calls) and `http.Client{...}` literals, found by a text search. */
function httpSelectors(root: GoNode, text: string, imports: GoImports, name: string): GoNode[] {
  const found: GoNode[] = [];
  for (const local of imports.localNames('net/http')) {
    for (const match of text.matchAll(new RegExp(`\\b${local}\\s*\\.\\s*${name}\\b`, 'g'))) {
      const offset = (match.index ?? 0) + match[0].lastIndexOf(name);
      const node = root.descendantForIndex(offset, offset + name.length);
      const parent = node?.parent;
      if (!node || !parent || node.text !== name) continue;
      if (parent.type === 'selector_expression' || parent.type === 'qualified_type') found.push(parent);
    }
  }
  return found;
}

export const goHttpClientWithoutOtelhttp: GoRule = {
  id: 'go-http-client-without-otelhttp',
  title: 'HTTP client without the otelhttp transport',
  category: 'go-propagation',
  input: 'go',
  defaultSeverity: 'warning',
  equivalents: { golangci: 'noctx' },
  docs: `## What it does
In a module that sets up OpenTelemetry (some file calls \`otel.SetTracerProvider\`), finds HTTP
clients that do not go through \`otelhttp.NewTransport\`:
- \`http.Client{...}\` literals without a \`Transport\`;
- \`http.DefaultClient\`, and \`http.Get\`, \`http.Head\`, \`http.Post\`, \`http.PostForm\` (which use
  it), where a request context is in scope.

A client with a \`Transport\` of its own is not reported: it may well be wrapped already.

## Why is this bad
Only the otelhttp transport injects \`traceparent\` into outgoing requests and records the client
span: without it the called service starts a new trace. \`http.Get\` and friends also take no
context, so the call cannot be a child of the request's span even through an instrumented client.

## Example
\`\`\`go
client := &http.Client{Timeout: 5 * time.Second}
\`\`\`

## Fix
Adds \`Transport: otelhttp.NewTransport(http.DefaultTransport)\` to the client literal, or replaces
\`http.DefaultClient\` by \`&http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport)}\`,
importing \`go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp\`. \`http.Get\` and the other
shortcuts have no automatic fix: build the request with \`http.NewRequestWithContext(ctx, ...)\` and
send it with an instrumented client. (\`otelhttp.Get\` and \`otelhttp.DefaultClient\` were removed in
contrib v0.65.0.)

Suppress with \`//meshlens:ignore go-http-client-without-otelhttp reason\` on the line above.`,
  check(context) {
    const { file } = context;
    const { root, imports, source } = file;
    if (!imports.has('net/http')) return;
    if (!context.workspace.goModule(context.uri).setsUpTracing) return;
    const lines = source.lines;
    const transport = (httpLocal: string, otelhttpLocal: string) => `${otelhttpLocal}.NewTransport(${httpLocal}.DefaultTransport)`;

    for (const type of httpSelectors(root, source.text, imports, 'Client')) {
      const literal = type.parent;
      if (type.type !== 'qualified_type' || literal?.type !== 'composite_literal') continue;
      const body = literal.childForFieldName('body');
      if (!body) continue;
      const keys = body.namedChildren.filter((n) => n?.type === 'keyed_element').map((n) => n?.namedChildren[0]?.text);
      if (keys.includes('Transport')) continue;
      // Positional literals are not written in practice; leave them alone.
      if (body.namedChildren.some((n) => n && n.type !== 'keyed_element' && n.type !== 'comment')) continue;
      const httpLocal = type.childForFieldName('package')?.text ?? 'http';
      const otelhttp = addImport(file, OTELHTTP);
      const edits: TextEdit[] = [...addKeyedElement(file, body, 'Transport', transport(httpLocal, otelhttp.local)), ...otelhttp.edits];
      context.report({
        range: lines.rangeOf(literal.startIndex, body.startIndex),
        message: 'HTTP client without the otelhttp transport: its requests carry no trace context and make no client spans. Set Transport: otelhttp.NewTransport(http.DefaultTransport)',
        fixes: [{ title: 'Add Transport: otelhttp.NewTransport(http.DefaultTransport)', changes: [{ uri: context.uri, edits }], safe: true }],
      });
    }

    for (const selector of httpSelectors(root, source.text, imports, 'DefaultClient')) {
      if (selector.type !== 'selector_expression' || !contextInScope(selector, imports, file.functions)) continue;
      const httpLocal = selector.childForFieldName('operand')?.text ?? 'http';
      const otelhttp = addImport(file, OTELHTTP);
      const client = `&${httpLocal}.Client{Transport: ${transport(httpLocal, otelhttp.local)}}`;
      const operand = selector.parent?.type === 'selector_expression' && selector.parent.childForFieldName('operand')?.startIndex === selector.startIndex;
      context.report({
        range: lines.rangeOf(selector.startIndex, selector.endIndex),
        message: 'http.DefaultClient has no otelhttp transport: the request carries no trace context. Use a client with Transport: otelhttp.NewTransport(http.DefaultTransport)',
        fixes: [
          {
            title: 'Use a client with the otelhttp transport',
            changes: [{ uri: context.uri, edits: [{ range: lines.rangeOf(selector.startIndex, selector.endIndex), newText: operand ? `(${client})` : client }, ...otelhttp.edits] }],
            safe: true,
          },
        ],
      });
    }

    for (const name of SHORTCUTS) {
      for (const call of packageCalls(root, source.text, imports, 'net/http', name)) {
        const ctx = contextInScope(call, imports, file.functions);
        if (!ctx) continue;
        const fn = call.childForFieldName('function')!;
        context.report({
          range: lines.rangeOf(fn.startIndex, fn.endIndex),
          message: `http.${name} uses http.DefaultClient and no context: the call starts a new trace. Build the request with http.NewRequestWithContext(${ctx.expression}, ...) and send it with an otelhttp-instrumented client`,
        });
      }
    }
  },
};
