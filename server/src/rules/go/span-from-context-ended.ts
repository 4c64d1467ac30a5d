import { removeImportIfUnused } from '../../core/go/edit';
import { assignedNames, assignmentBefore, identifierUses, methodCalledOn, statementOf, textAfter } from '../../core/go/flow';
import type { GoNode } from '../../core/go/parser';
import { packageCalls } from '../../core/go/syntax';
import type { GoRule } from '../../core/rule';
import type { TextEdit } from '../../core/text';

const TRACE = 'go.opentelemetry.io/otel/trace';

export const goSpanFromContextEnded: GoRule = {
  id: 'go-span-from-context-ended',
  title: 'Ending a span taken from the context',
  category: 'go-propagation',
  input: 'go',
  defaultSeverity: 'warning',
  equivalents: {},
  docs: `## What it does
Finds \`End()\` called on a span obtained with \`trace.SpanFromContext(ctx)\`, directly
(\`trace.SpanFromContext(ctx).End()\`) or through a variable assigned once from it.

## Why is this bad
\`SpanFromContext\` returns the span someone else started (the \`otelhttp\` server span, the caller's
span). Ending it here cuts it short: its duration is wrong, attributes and children added later
are dropped, and its owner's own \`End()\` is ignored.

## Example
\`\`\`go
span := trace.SpanFromContext(r.Context())
defer span.End()
span.SetAttributes(attribute.String("order.id", id))
\`\`\`

## Fix
Removes the \`End()\` statement (and the \`trace\` import if nothing else uses it). To time work of
your own, start a child span with \`tracer.Start(ctx, ...)\` and end that one.

Suppress with \`//meshlens:ignore go-span-from-context-ended reason\` on the line above.`,
  check(context) {
    const { file } = context;
    const { root, imports, source } = file;
    if (!imports.has(TRACE)) return;
    const lines = source.lines;
    const deleteLine = (statement: GoNode): TextEdit => ({ range: lines.rangeOf(lines.lineStart(statement.startPosition.row), lines.lineStart(statement.endPosition.row + 1)), newText: '' });
    const report = (end: GoNode, edits: TextEdit[] | undefined) =>
      context.report({
        range: lines.rangeOf(end.startIndex, end.endIndex),
        message: 'This span comes from trace.SpanFromContext: it belongs to whoever started it, and ending it here cuts it short. Start a child span with tracer.Start instead',
        fixes: edits ? [{ title: 'Remove the End() call', changes: [{ uri: context.uri, edits }], safe: true }] : [],
      });
    for (const call of packageCalls(root, source.text, imports, TRACE, 'SpanFromContext')) {
      // First by text: only `SpanFromContext(ctx).End()` or a variable that is later ended can be wrong.
      const direct = /^\s*\.\s*End\s*\(/.test(source.text.slice(call.endIndex, call.endIndex + 40));
      if (!direct) {
        const assigned = assignmentBefore(file, call);
        const outer = file.functions.enclosing(call)[0]?.body;
        if (!assigned?.define || assigned.names.length !== 1 || !outer || !textAfter(file, outer, call.endIndex, new RegExp(`\\b${assigned.names[0]}\\s*\\.\\s*End\\s*\\(`))) continue;
      }
      const selector = call.parent;
      if (selector?.type === 'selector_expression' && selector.childForFieldName('field')?.text === 'End' && selector.parent?.type === 'call_expression') {
        const statement = statementOf(selector.parent);
        const alone = statement && (statement.type === 'expression_statement' || statement.type === 'defer_statement') && statement.text.trim() === `${statement.type === 'defer_statement' ? 'defer ' : ''}${selector.parent.text}`;
        if (!alone) {
          report(selector.parent, undefined);
          continue;
        }
        const unused = removeImportIfUnused(file, TRACE, [statement]);
        report(selector.parent, [deleteLine(statement), ...(unused ? [unused] : [])]);
        continue;
      }
      const declaration = statementOf(call);
      if (declaration?.type !== 'short_var_declaration') continue;
      const names = assignedNames(declaration);
      if (names.length !== 1 || !names[0] || names[0] === '_') continue;
      const body = file.functions.enclosing(declaration)[0]?.body;
      if (!body) continue;
      const uses = identifierUses(file, body, names[0]).filter((use) => use.startIndex > declaration.endIndex);
      // Re-assigned (say, from tracer.Start): it is no longer the context's span.
      if (uses.some((use) => use.parent?.type === 'expression_list' && use.parent.parent?.type === 'assignment_statement')) continue;
      const ends = uses.filter((use) => methodCalledOn(use) === 'End');
      const others = uses.length - ends.length;
      for (const use of ends) {
        const endCall = use.parent!.parent!;
        const statement = statementOf(endCall);
        const removable = others > 0 && statement && (statement.type === 'expression_statement' || statement.type === 'defer_statement') && statement.text.trim().endsWith(endCall.text) && statement.text.length - endCall.text.length <= 'defer '.length;
        report(endCall, removable ? [deleteLine(statement)] : undefined);
      }
    }
  },
};
