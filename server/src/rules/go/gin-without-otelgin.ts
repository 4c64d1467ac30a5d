import { addImport, indentationOf } from '../../core/go/edit';
import { assignmentBefore, identifierUses, methodCalledOn, statementOf } from '../../core/go/flow';
import { packageCalls } from '../../core/go/syntax';
import type { GoRule } from '../../core/rule';

const GIN = 'github.com/gin-gonic/gin';
export const OTELGIN = 'go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin';

const LINE_COMMENT = /\/\/.*$/gm;

/** Engine methods that serve requests: a router with one of these is a real server. */
const SERVING = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'Any', 'Match', 'Handle', 'Group', 'Run', 'RunTLS', 'RunListener', 'NoRoute']);

export const goGinWithoutOtelgin: GoRule = {
  id: 'go-gin-without-otelgin',
  title: 'gin router without otelgin middleware',
  category: 'go-propagation',
  input: 'go',
  defaultSeverity: 'warning',
  equivalents: {},
  docs: `## What it does
In a module that sets up OpenTelemetry (some file calls \`otel.SetTracerProvider\`), finds gin
routers created with \`gin.New()\` or \`gin.Default()\` and assigned to a variable that serves routes
(\`r.GET\`, \`r.Group\`, \`r.Run\`, ...) in the same function, where that function never mentions
\`otelgin\`. A router handed to anything else (returned, passed to a helper, wrapped in
\`otelhttp.NewHandler\`) is not reported: it may be instrumented there. Test files are skipped.

## Why is this bad
Without \`otelgin.Middleware\` the incoming \`traceparent\` is never extracted: \`c.Request.Context()\`
holds no span, every span the handlers start is a new root, and the callers' traces end at this service.

## Example
\`\`\`go
r := gin.Default()
r.GET("/orders/:id", getOrder)
r.Run(":8080")
\`\`\`

## Fix
Adds \`r.Use(otelgin.Middleware("server"))\` right after the router is created, so that it runs
before every other middleware and route, importing
\`go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin\`. Rename the
server to taste. Handlers must then use \`c.Request.Context()\` for their own spans and calls.

Suppress with \`//meshlens:ignore go-gin-without-otelgin reason\` on the line above.`,
  check(context) {
    const { file } = context;
    const { root, imports, source } = file;
    // Tests build routers to call them directly: nothing to trace there.
    if (!imports.has(GIN) || context.uri.endsWith('_test.go')) return;
    const calls = [...packageCalls(root, source.text, imports, GIN, 'New'), ...packageCalls(root, source.text, imports, GIN, 'Default')];
    let tracing: boolean | undefined;
    for (const call of calls) {
      const assigned = assignmentBefore(file, call);
      if (!assigned || assigned.names.length !== 1 || assigned.names[0] === '_') continue;
      const router = assigned.names[0];
      const scope = file.functions.enclosing(call)[0];
      if (!scope?.body || /\botelgin\b/.test(source.text.slice(scope.body.startIndex, scope.body.endIndex).replace(LINE_COMMENT, ''))) continue;
      let serves = false;
      let escapes = false;
      for (const use of identifierUses(file, scope.body, router)) {
        if (use.startIndex < call.startIndex) continue;
        const method = methodCalledOn(use);
        if (method === undefined) escapes = true;
        else if (SERVING.has(method)) serves = true;
      }
      if (escapes || !serves) continue;
      const statement = statementOf(call);
      if (!statement) continue;
      tracing ??= context.workspace.goModule(context.uri).setsUpTracing;
      if (!tracing) return;
      const otelgin = addImport(file, OTELGIN);
      const lines = source.lines;
      const at = lines.positionAt(lines.lineStart(statement.endPosition.row + 1));
      const use = `${router}.Use(${otelgin.local}.Middleware("server"))`;
      context.report({
        range: lines.rangeOf(call.startIndex, call.endIndex),
        message: `gin router without otelgin middleware: incoming trace context is never extracted, so every request starts a new trace. Add ${use}`,
        fixes: [{ title: `Add ${use}`, changes: [{ uri: context.uri, edits: [...otelgin.edits, { range: { start: at, end: at }, newText: `${indentationOf(file, statement)}${use}\n` }] }], safe: true }],
      });
    }
  },
};
