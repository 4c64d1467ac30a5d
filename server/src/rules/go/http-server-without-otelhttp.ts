import { addImport } from '../../core/go/edit';
import { identifierUses, methodCalledOn } from '../../core/go/flow';
import type { GoNode } from '../../core/go/parser';
import { packageCallee, packageCalls } from '../../core/go/syntax';
import type { GoFile, GoRule } from '../../core/rule';
import { OTELHTTP } from './http-client-without-otelhttp';

/** Routes that probes and scrapers call; a server with only these is deliberately left untraced. */
const HEALTH_ROUTE = /^"(?:(?:GET|HEAD) )?\/(?:healthz?|readyz?|livez?|ready|live|ping|status|metrics)\/?"$/;

/**
 * Whether a served handler is a plain mux: `nil` (the DefaultServeMux) or a variable assigned once,
 * in the same function, from `http.NewServeMux()`, with at least one route that is not a health check.
 */
function plainMux(file: GoFile, handler: GoNode): boolean {
  if (handler.type === 'nil') return true;
  if (handler.type !== 'identifier') return false;
  const scope = file.functions.enclosing(handler)[0];
  if (!scope?.body) return false;
  let fromNewServeMux = false;
  const routes: string[] = [];
  for (const use of identifierUses(file, scope.body, handler.text)) {
    const list = use.parent;
    const statement = list?.parent;
    if (list?.type === 'expression_list' && (statement?.type === 'short_var_declaration' || statement?.type === 'assignment_statement') && statement.childForFieldName('left')?.startIndex === list.startIndex) {
      if (fromNewServeMux) return false;
      const value = statement.childForFieldName('right')?.namedChildren[0];
      const callee = value?.type === 'call_expression' ? packageCallee(value, file.imports) : undefined;
      if (callee?.path !== 'net/http' || callee.name !== 'NewServeMux') return false;
      fromNewServeMux = true;
      continue;
    }
    const method = methodCalledOn(use);
    if (method === 'Handle' || method === 'HandleFunc') routes.push(use.parent?.parent?.childForFieldName('arguments')?.namedChildren[0]?.text ?? '');
  }
  return fromNewServeMux && routes.some((route) => !HEALTH_ROUTE.test(route));
}

export const goHttpServerWithoutOtelhttp: GoRule = {
  id: 'go-http-server-without-otelhttp',
  title: 'HTTP server without otelhttp',
  category: 'go-propagation',
  input: 'go',
  defaultSeverity: 'warning',
  equivalents: {},
  docs: `## What it does
In a module that sets up OpenTelemetry (some file calls \`otel.SetTracerProvider\`), finds HTTP
servers whose handler is a plain \`http.ServeMux\`: \`http.ListenAndServe(addr, mux)\`,
\`http.ListenAndServeTLS(..., mux)\` and \`http.Server{Handler: mux}\`, where \`mux\` is \`nil\` (the
default mux) or a variable set from \`http.NewServeMux()\` in the same function. A handler built
any other way (a helper, a middleware chain) is not reported, nor is a mux that only serves health
checks (\`/healthz\`, \`/readyz\`, \`/metrics\`, ...).

## Why is this bad
Without \`otelhttp.NewHandler\` (or \`otelhttp.NewMiddleware\`) the incoming \`traceparent\` is never
extracted: \`r.Context()\` holds no span, every span the handlers start is a new root, and the
callers' traces end at this service.

## Example
\`\`\`go
mux := http.NewServeMux()
mux.HandleFunc("/orders", orders)
srv := &http.Server{Addr: ":8080", Handler: mux}
\`\`\`

## Fix
Wraps the handler: \`otelhttp.NewHandler(mux, "server")\`, importing
\`go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp\`. Rename the operation to taste.

Suppress with \`//meshlens:ignore go-http-server-without-otelhttp reason\` on the line above.`,
  check(context) {
    const { file } = context;
    const { root, imports, source } = file;
    if (!imports.has('net/http')) return;
    const handlers: GoNode[] = [];
    for (const [name, index] of [['ListenAndServe', 1], ['ListenAndServeTLS', 3]] as const) {
      for (const call of packageCalls(root, source.text, imports, 'net/http', name)) {
        const handler = call.childForFieldName('arguments')?.namedChildren[index];
        if (handler) handlers.push(handler);
      }
    }
    for (const local of imports.localNames('net/http')) {
      for (const match of source.text.matchAll(new RegExp(`\\b${local}\\s*\\.\\s*Server\\s*\\{`, 'g'))) {
        const offset = (match.index ?? 0) + match[0].indexOf('Server');
        const literal = root.descendantForIndex(offset, offset + 6)?.parent?.parent;
        if (literal?.type !== 'composite_literal') continue;
        for (const element of literal.childForFieldName('body')?.namedChildren ?? []) {
          if (element?.type === 'keyed_element' && element.namedChildren[0]?.text === 'Handler' && element.namedChildren[1]) handlers.push(element.namedChildren[1]);
        }
      }
    }
    if (handlers.length === 0 || !context.workspace.goModule(context.uri).setsUpTracing) return;
    for (const wrapper of handlers) {
      // A keyed element's value is a literal_element around the expression.
      const handler = wrapper.type === 'literal_element' ? wrapper.namedChildren[0] : wrapper;
      if (!handler || !plainMux(file, handler)) continue;
      const otelhttp = addImport(file, OTELHTTP);
      const httpLocal = imports.localNames('net/http')[0];
      const mux = handler.type === 'nil' ? `${httpLocal}.DefaultServeMux` : handler.text;
      const wrapped = `${otelhttp.local}.NewHandler(${mux}, "server")`;
      const range = source.lines.rangeOf(handler.startIndex, handler.endIndex);
      context.report({
        range,
        message: `HTTP server without otelhttp: incoming trace context is never extracted, so every request starts a new trace. Serve ${wrapped}`,
        fixes: [{ title: `Wrap in ${wrapped}`, changes: [{ uri: context.uri, edits: [{ range, newText: wrapped }, ...otelhttp.edits] }], safe: true }],
      });
    }
  },
};
