import { indentationOf } from '../../core/go/edit';
import { assignedNames, assignmentBefore, identifierUses, methodCalledOn, statementOf, textAfter, tracerStartCalls } from '../../core/go/flow';
import type { GoRule } from '../../core/rule';

export const goSpanNotEnded: GoRule = {
  id: 'go-span-not-ended',
  title: 'Span started and never ended',
  category: 'go-propagation',
  input: 'go',
  defaultSeverity: 'warning',
  equivalents: { golangci: 'spancheck' },
  docs: `## What it does
Finds \`ctx, span := tracer.Start(ctx, ...)\` where the function never calls \`span.End()\` (directly,
deferred, or in a closure). A span that leaves the function (returned, passed to another function,
stored) is not reported: helpers that return spans end them elsewhere.

## Why is this bad
A span that is never ended is never exported: it is missing from the trace, and its children
point at a parent that does not exist.

## Example
\`\`\`go
ctx, span := tracer.Start(ctx, "reserve")
return s.store.Reserve(ctx, item)
\`\`\`

## Fix
Adds \`defer span.End()\` right after the \`tracer.Start\` line.

Suppress with \`//meshlens:ignore go-span-not-ended reason\` on the line above.`,
  check(context) {
    const { file } = context;
    const { source } = file;
    for (const call of tracerStartCalls(file)) {
      // First by text: most spans are ended (`defer span.End()`), and those need no tree walk.
      const assigned = assignmentBefore(file, call);
      if (!assigned?.define || assigned.names.length !== 2 || assigned.names[1] === '_') continue;
      const outer = file.functions.enclosing(call)[0]?.body;
      if (!outer || textAfter(file, outer, call.endIndex, new RegExp(`\\b${assigned.names[1]}\\s*\\.\\s*End\\s*\\(`))) continue;
      const statement = statementOf(call);
      if (!statement || statement.type !== 'short_var_declaration') continue;
      const names = assignedNames(statement);
      if (names.length !== 2 || !names[1] || names[1] === '_') continue;
      const body = file.functions.enclosing(statement)[0]?.body;
      if (!body) continue;
      const span = names[1];
      const uses = identifierUses(file, body, span).filter((use) => use.startIndex > statement.endIndex);
      if (uses.some((use) => methodCalledOn(use) === 'End')) continue;
      // Anything but a method call on it lets the span leave: someone else may end it.
      if (uses.some((use) => methodCalledOn(use) === undefined)) continue;
      const row = statement.endPosition.row;
      const at = { line: row, character: source.lines.lineText(row).length };
      context.report({
        range: source.lines.rangeOf(call.startIndex, call.endIndex),
        message: `${span} is never ended: it is never exported and its children lose their parent. Add defer ${span}.End()`,
        fixes: [{ title: `Add defer ${span}.End()`, changes: [{ uri: context.uri, edits: [{ range: { start: at, end: at }, newText: `\n${indentationOf(file, statement)}defer ${span}.End()` }] }], safe: true }],
      });
    }
  },
};
