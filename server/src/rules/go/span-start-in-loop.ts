import { assignedNames, assignmentBefore, identifierUses, statementOf, tracerStartCalls, within } from '../../core/go/flow';
import type { GoNode } from '../../core/go/parser';
import type { GoRule } from '../../core/rule';

/** The innermost `for` statement around a node, inside the same function. */
function enclosingLoop(node: GoNode): GoNode | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === 'for_statement') return current;
    if (current.type === 'func_literal' || current.type === 'function_declaration' || current.type === 'method_declaration') return undefined;
  }
  return undefined;
}

export const goSpanStartInLoop: GoRule = {
  id: 'go-span-start-in-loop',
  title: 'Context re-assigned from tracer.Start inside a loop',
  category: 'go-propagation',
  input: 'go',
  defaultSeverity: 'warning',
  equivalents: { golangci: 'fatcontext' },
  docs: `## What it does
Finds \`ctx, span = tracer.Start(ctx, ...)\` (an assignment, not \`:=\`) inside a \`for\` loop, where
\`ctx\` lives outside the loop.

## Why is this bad
Each iteration starts its span from the context the previous iteration produced: iteration N
becomes a child of iteration N-1, the trace turns into a deep staircase instead of siblings, and
the context grows with every iteration.

## Example
\`\`\`go
for _, item := range items {
    ctx, span = tracer.Start(ctx, "item")
\`\`\`

## Fix
Declares the pair inside the loop (\`ctx, span := tracer.Start(ctx, ...)\`), so every iteration is a
child of the loop's context. Offered only when both variables are still used outside the loop
(so nothing is left unused); otherwise rename by hand.

Suppress with \`//meshlens:ignore go-span-start-in-loop reason\` on the line above.`,
  check(context) {
    const { file } = context;
    const { source } = file;
    for (const call of tracerStartCalls(file)) {
      const assigned = assignmentBefore(file, call);
      if (!assigned || assigned.define || assigned.names.length !== 2) continue;
      const statement = statementOf(call);
      if (!statement || statement.type !== 'assignment_statement') continue;
      const names = assignedNames(statement);
      const ctxArg = call.childForFieldName('arguments')?.namedChildren[0];
      if (names.length !== 2 || !names[0] || ctxArg?.text !== names[0]) continue;
      const loop = enclosingLoop(statement);
      const body = file.functions.enclosing(statement)[0]?.body;
      if (!loop || !body) continue;
      const outside = (name: string) => identifierUses(file, body, name).filter((use) => !within(loop, use));
      // ctx must come from outside the loop: a ctx declared per iteration is fine.
      if (outside(names[0]).length === 0) continue;
      const loopBody = loop.childForFieldName('body');
      const usedAfter = (name: string) => !!loopBody && identifierUses(file, loopBody, name).some((use) => use.startIndex > statement.endIndex);
      const declaredOnlyOutside = (name: string) =>
        outside(name).every((use) => use.parent?.type === 'expression_list' && use.parent.parent?.type === 'short_var_declaration' && use.parent.parent.childForFieldName('left')?.startIndex === use.parent.startIndex);
      const fixable = names[1] && names[1] !== '_' && usedAfter(names[0]) && usedAfter(names[1]) && !declaredOnlyOutside(names[0]) && !declaredOnlyOutside(names[1]);
      const operator = statement.children.find((child) => child?.type === '=');
      const range = source.lines.rangeOf(statement.startIndex, call.startIndex);
      context.report({
        range,
        message: `${names[0]} is re-assigned from tracer.Start inside a loop: each iteration's span becomes a child of the previous one. Declare it per iteration with :=`,
        fixes:
          fixable && operator
            ? [{ title: 'Declare the context and span per iteration (:=)', changes: [{ uri: context.uri, edits: [{ range: source.lines.rangeOf(operator.startIndex, operator.endIndex), newText: ':=' }] }], safe: true }]
            : [],
      });
    }
  },
};
