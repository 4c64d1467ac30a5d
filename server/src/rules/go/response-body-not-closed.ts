import { indentationOf } from '../../core/go/edit';
import { assignedNames, assignmentBefore, identifierUses, statementOf, textAfter } from '../../core/go/flow';
import type { GoNode } from '../../core/go/parser';
import { packageCallee, packageCalls } from '../../core/go/syntax';
import type { GoFile, GoRule } from '../../core/rule';

/** Whether `x` names a request built in this function with http.NewRequest(WithContext). */
function isBuiltRequest(file: GoFile, body: GoNode, argument: GoNode | null): boolean {
  if (argument?.type !== 'identifier') return false;
  return identifierUses(file, body, argument.text).some((use) => {
    const statement = use.parent?.parent;
    if (statement?.type !== 'short_var_declaration' || use.parent?.namedChildren[0]?.startIndex !== use.startIndex) return false;
    const value = statement.childForFieldName('right')?.namedChildren[0];
    const callee = value?.type === 'call_expression' ? packageCallee(value, file.imports) : undefined;
    return callee?.path === 'net/http' && callee.name.startsWith('NewRequest');
  });
}

export const goResponseBodyNotClosed: GoRule = {
  id: 'go-response-body-not-closed',
  title: 'HTTP response body never closed',
  category: 'go-propagation',
  input: 'go',
  defaultSeverity: 'warning',
  equivalents: { golangci: 'bodyclose' },
  docs: `## What it does
In a module that sets up OpenTelemetry, finds \`resp, err := client.Do(req)\` (with \`req\` built by
\`http.NewRequest...\` in the same function) and \`http.Get\`/\`Head\`/\`Post\`/\`PostForm\` whose
\`resp.Body\` is never closed or even touched. A response that is returned, passed on, or whose body
is handed to anything (a decoder, \`io.Copy\`) is not reported.

## Why is this bad
The \`otelhttp\` transport ends the client span when the body is closed or read to the end: an
untouched body leaves the span open forever, so it is never exported, and the connection leaks.

## Example
\`\`\`go
resp, err := s.client.Do(req)
if err != nil {
    return err
}
if resp.StatusCode != http.StatusOK {
\`\`\`

## Fix
Adds \`defer resp.Body.Close()\` after the \`if err != nil { ... }\` check that follows the call.

Suppress with \`//meshlens:ignore go-response-body-not-closed reason\` on the line above.`,
  check(context) {
    const { file } = context;
    const { root, imports, source } = file;
    if (!imports.has('net/http')) return;
    const candidates: GoNode[] = [];
    for (const name of ['Get', 'Head', 'Post', 'PostForm']) candidates.push(...packageCalls(root, source.text, imports, 'net/http', name));
    for (const match of source.text.matchAll(/\.\s*Do\s*\(/g)) {
      const offset = (match.index ?? 0) + match[0].indexOf('Do');
      const call = root.descendantForIndex(offset, offset + 2)?.parent?.parent;
      if (call?.type === 'call_expression') candidates.push(call);
    }
    if (candidates.length === 0 || !context.workspace.goModule(context.uri).setsUpTracing) return;
    for (const call of candidates) {
      // First by text: a response whose Body is mentioned at all is not reported.
      const assigned = assignmentBefore(file, call);
      if (!assigned?.define || assigned.names.length !== 2 || assigned.names[0] === '_') continue;
      const outer = file.functions.enclosing(call)[0]?.body;
      if (!outer || textAfter(file, outer, call.endIndex, new RegExp(`\\b${assigned.names[0]}\\s*\\.\\s*Body\\b`))) continue;
      const statement = statementOf(call);
      if (statement?.type !== 'short_var_declaration' || statement.childForFieldName('right')?.namedChildren[0]?.startIndex !== call.startIndex) continue;
      const names = assignedNames(statement);
      if (names.length !== 2 || !names[0] || names[0] === '_') continue;
      const body = file.functions.enclosing(statement)[0]?.body;
      if (!body) continue;
      if (packageCallee(call, imports) === undefined && !isBuiltRequest(file, body, call.childForFieldName('arguments')?.namedChildren[0] ?? null)) continue;
      const resp = names[0];
      const uses = identifierUses(file, body, resp).filter((use) => use.startIndex > statement.endIndex);
      // Only plain field reads (resp.StatusCode, resp.Header.Get(...)) that leave Body alone.
      const fieldRead = (use: GoNode) => {
        const selector = use.parent;
        if (selector?.type !== 'selector_expression' || selector.childForFieldName('operand')?.startIndex !== use.startIndex) return false;
        return selector.childForFieldName('field')?.text !== 'Body';
      };
      if (!uses.every(fieldRead)) continue;
      let next = statement.nextNamedSibling;
      while (next?.type === 'comment') next = next.nextNamedSibling;
      const errName = names[1];
      const checksErr = next?.type === 'if_statement' && !!errName && new RegExp(`^\\s*${errName}\\s*!=\\s*nil\\s*$`).test(next.childForFieldName('condition')?.text ?? '');
      const anchor = checksErr ? next : undefined;
      const row = anchor?.endPosition.row;
      const fixes =
        anchor && row !== undefined
          ? [
              {
                title: `Add defer ${resp}.Body.Close()`,
                changes: [{ uri: context.uri, edits: [{ range: { start: { line: row, character: source.lines.lineText(row).length }, end: { line: row, character: source.lines.lineText(row).length } }, newText: `\n${indentationOf(file, statement)}defer ${resp}.Body.Close()` }] }],
                safe: true,
              },
            ]
          : [];
      context.report({
        range: source.lines.rangeOf(call.startIndex, call.endIndex),
        message: `${resp}.Body is never closed: the otelhttp client span never ends (and the connection leaks). Add defer ${resp}.Body.Close()`,
        fixes,
      });
    }
  },
};
