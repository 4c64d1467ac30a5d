import { addImport, indentationOf } from '../../core/go/edit';
import { statementOf } from '../../core/go/flow';
import { packageCalls } from '../../core/go/syntax';
import type { GoRule } from '../../core/rule';

const OTEL = 'go.opentelemetry.io/otel';
const PROPAGATION = 'go.opentelemetry.io/otel/propagation';

export const goNoGlobalPropagator: GoRule = {
  id: 'go-no-global-propagator',
  title: 'TracerProvider set, but no global propagator',
  category: 'go-propagation',
  input: 'go',
  defaultSeverity: 'error',
  equivalents: {},
  docs: `## What it does
Reports \`otel.SetTracerProvider(...)\` when no file of the same Go module (the folder of the nearest
\`go.mod\`) calls \`otel.SetTextMapPropagator(...)\`. The module's files are indexed once and kept
current file by file: adding the propagator in any file of the module clears the finding.

## Why is this bad
The default global propagator is a no-op. \`otelhttp\`, \`otelgrpc\`, \`otelgin\` and every
\`otel.GetTextMapPropagator().Inject/Extract\` then inject and extract nothing: spans are recorded
in every service, but each service starts its own trace.

## Example
\`\`\`go
tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter))
otel.SetTracerProvider(tp) // no otel.SetTextMapPropagator anywhere in the module
\`\`\`

## Fix
Adds, right after the provider is set,
\`otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))\`
(W3C Trace Context and Baggage, the OpenTelemetry default) and imports
\`go.opentelemetry.io/otel/propagation\`. To choose propagators by \`OTEL_PROPAGATORS\` instead, use
\`autoprop.NewTextMapPropagator()\` from \`go.opentelemetry.io/contrib/propagators/autoprop\`.

Suppress with \`//meshlens:ignore go-no-global-propagator reason\` on the line above, e.g. when the
propagator is set by a library in another module.`,
  check(context) {
    const { file } = context;
    const { root, imports, source } = file;
    if (!imports.has(OTEL)) return;
    const calls = packageCalls(root, source.text, imports, OTEL, 'SetTracerProvider');
    if (calls.length === 0 || context.workspace.goModule(context.uri).setsPropagator) return;
    for (const call of calls) {
      const statement = statementOf(call);
      const otelLocal = call.childForFieldName('function')?.childForFieldName('operand')?.text ?? 'otel';
      const propagation = addImport(file, PROPAGATION);
      const p = propagation.local;
      const setter = `${otelLocal}.SetTextMapPropagator(${p}.NewCompositeTextMapPropagator(${p}.TraceContext{}, ${p}.Baggage{}))`;
      // After any comment at the end of the line, so the comment stays with its statement.
      const endOfLine = (row: number) => {
        const at = { line: row, character: source.lines.lineText(row).length };
        return { start: at, end: at };
      };
      const fixes =
        statement?.type === 'expression_statement'
          ? [
              {
                title: 'Set the W3C TraceContext + Baggage propagator',
                changes: [
                  {
                    uri: context.uri,
                    edits: [{ range: endOfLine(statement.endPosition.row), newText: `\n${indentationOf(file, statement)}${setter}` }, ...propagation.edits],
                  },
                ],
                safe: true,
              },
            ]
          : [];
      const fn = call.childForFieldName('function')!;
      context.report({
        range: source.lines.rangeOf(fn.startIndex, fn.endIndex),
        message: 'A TracerProvider is set but no file of this module sets a propagator: the default one propagates nothing, so every service starts its own trace. Call otel.SetTextMapPropagator',
        fixes,
      });
    }
  },
};
