import type { Node as TsNode, VariableDeclaration } from 'ts-morph';
import type { TsRule, TsRuleContext } from '../../core/rule';
import type { Fix } from '../../core/types';

export const tsSpanNotEnded: TsRule = {
  id: 'ts-span-not-ended',
  title: 'Span started with tracer.startSpan is never ended',
  category: 'ts-propagation',
  input: 'ts',
  defaultSeverity: 'warning',
  equivalents: {},
  docs: `## What it does
In files that use \`@opentelemetry/api\`, finds \`const span = tracer.startSpan(...)\` where the span
is never ended in that function and never handed elsewhere (returned, passed to a function, stored)
where someone else could end it.

## Why is this bad
A span that is never ended is never exported: the operation is missing from the trace, and
children that name it as parent show up as orphans.

## Example
\`\`\`ts
const span = tracer.startSpan('load-profile');
const profile = await db.load(id);
return profile; // span never ended
\`\`\`

## Fix
Wraps the rest of the block in \`try { ... } finally { span.end(); }\`, so the span ends on every
path, thrown errors included.

Suppress with \`// meshlens:ignore ts-span-not-ended reason\` on the line above.`,
  check(context) {
    const { sourceFile, morph } = context.file;
    const { Node, SyntaxKind } = morph;
    const usesOtel =
      sourceFile.getImportDeclarations().some((d) => d.getModuleSpecifierValue() === '@opentelemetry/api') ||
      /require\(\s*['"]@opentelemetry\/api['"]\s*\)/.test(sourceFile.getFullText());
    if (!usesOtel) return;
    for (const declaration of sourceFile.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
      const initializer = declaration.getInitializer();
      const nameNode = declaration.getNameNode();
      if (!initializer || !Node.isCallExpression(initializer) || !Node.isIdentifier(nameNode)) continue;
      const callee = initializer.getExpression();
      if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'startSpan') continue;
      const scope = declaration.getFirstAncestor((a) => Node.isBlock(a) || Node.isSourceFile(a));
      if (!scope || spanIsEndedOrEscapes(context, scope, declaration)) continue;
      const lines = context.file.lines;
      context.report({
        range: lines.rangeOf(nameNode.getStart(), nameNode.getEnd()),
        message: `Span "${nameNode.getText()}" is never ended: it is never exported, and spans created under it become orphans`,
        fixes: wrapInTryFinally(context, declaration),
      });
    }
  },
};

const NON_ESCAPING_CALLS = new Set(['setSpan', 'setSpanContext']);

/** True when the span is ended here, or leaves the function (returned, passed, stored) so someone else may end it. */
function spanIsEndedOrEscapes(context: TsRuleContext, scope: TsNode, declaration: VariableDeclaration): boolean {
  const { Node, SyntaxKind } = context.file.morph;
  const name = declaration.getName();
  for (const identifier of scope.getDescendantsOfKind(SyntaxKind.Identifier)) {
    if (identifier.getText() !== name || identifier === declaration.getNameNode()) continue;
    const parent = identifier.getParent();
    if (!parent) continue;
    if (Node.isPropertyAccessExpression(parent) && parent.getExpression() === identifier) {
      if (parent.getName() === 'end') return true;
      continue;
    }
    if (Node.isCallExpression(parent)) {
      const callee = parent.getExpression();
      const calleeName = Node.isPropertyAccessExpression(callee) ? callee.getName() : callee.getText();
      if (NON_ESCAPING_CALLS.has(calleeName)) continue;
    }
    // Returned, passed, assigned, captured in an object/array: ending it is someone else's job.
    return true;
  }
  return false;
}

function wrapInTryFinally(context: TsRuleContext, declaration: VariableDeclaration): Fix[] {
  const { Node } = context.file.morph;
  const statement = declaration.getVariableStatement();
  const block = statement?.getParent();
  if (!statement || !block || !(Node.isBlock(block) || Node.isSourceFile(block))) return [];
  const lines = context.file.lines;
  const text = lines.text;
  const statements = block.getStatements();
  const rest = statements.slice(statements.indexOf(statement) + 1);
  const name = declaration.getName();
  const statementLine = lines.positionAt(statement.getStart()).line;
  const indent = /^\s*/.exec(lines.lineText(statementLine))?.[0] ?? '';
  const unit = indent.includes('\t') ? '\t' : '  ';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (rest.length === 0) {
    // After the statement's line, so a trailing comment stays where it is.
    const endLine = lines.positionAt(statement.getEnd()).line;
    const at = { line: endLine, character: lines.lineText(endLine).length };
    return [{ title: `End span "${name}"`, changes: [{ uri: context.uri, edits: [{ range: { start: at, end: at }, newText: `${eol}${indent}${name}.end();` }] }], safe: true }];
  }
  const restStart = lines.offsetAt({ line: lines.positionAt(rest[0].getStart()).line, character: 0 });
  const restEnd = rest[rest.length - 1].getEnd();
  const body = text
    .slice(restStart, restEnd)
    .split(/\r?\n/)
    .map((line) => (line.trim() === '' ? '' : unit + line))
    .join(eol);
  const newText = `${indent}try {${eol}${body}${eol}${indent}} finally {${eol}${indent}${unit}${name}.end();${eol}${indent}}`;
  return [
    {
      title: `End span "${name}" on every path (try/finally)`,
      changes: [{ uri: context.uri, edits: [{ range: lines.rangeOf(restStart, restEnd), newText }] }],
      // Re-indenting would change the content of multi-line template literals.
      safe: !body.includes('`'),
    },
  ];
}
