import { addImport, removeImportIfUnused } from '../../core/go/edit';
import { literalUse } from '../../core/go/flow';
import type { GoNode } from '../../core/go/parser';
import { requestSources } from '../../core/go/requests';
import { contextInScope, packageCalls, type ContextSource } from '../../core/go/syntax';
import type { GoFile, GoRule } from '../../core/rule';
import { comparePositions, type TextEdit } from '../../core/text';

const SLOG = 'log/slog';
const SLOG_LEVELS = ['Debug', 'Info', 'Warn', 'Error'];
const PRINTS = ['Print', 'Printf', 'Println'];

/** The request context to log with at a call, when the call runs inside a handler (and not in a goroutine or callback). */
function handlerContext(file: GoFile, call: GoNode): ContextSource | undefined {
  const scopes = file.functions.enclosing(call);
  const innermost = scopes[0]?.fn;
  // A literal run later (goroutine, callback) may outlive the request, unless it is a handler itself.
  if (!innermost || (innermost.type === 'func_literal' && literalUse(innermost) !== 'invoked' && requestSources(innermost, file).length === 0)) return undefined;
  if (!scopes.some(({ fn }) => requestSources(fn, file).length > 0)) return undefined;
  return contextInScope(call, file.imports, file.functions);
}

/** Names declared in this file as `*slog.Logger` (fields, parameters, variables). */
function loggerNames(file: GoFile): Set<string> {
  const names = new Set<string>();
  for (const local of file.imports.localNames(SLOG)) {
    for (const match of file.source.text.matchAll(new RegExp(`\\b([A-Za-z_][A-Za-z0-9_]*)\\s+\\*\\s*${local}\\s*\\.\\s*Logger\\b`, 'g'))) names.add(match[1]);
  }
  return names;
}

/** A Go string literal without its trailing `\n` (log adds one, slog needs none). */
function withoutNewline(literal: string): string {
  return literal.startsWith('"') ? literal.replace(/(?:\\n)+"$/, '"') : literal;
}

/** Import edits of one fix, merged where two would insert at one point (their order would be up to the editor). */
function mergedImports(edits: TextEdit[]): TextEdit[] | undefined {
  const merged: TextEdit[] = [];
  for (const edit of edits) {
    const same = merged.find((m) => comparePositions(m.range.start, edit.range.start) === 0 && comparePositions(m.range.end, edit.range.end) === 0);
    if (!same) merged.push({ ...edit });
    else if (comparePositions(edit.range.start, edit.range.end) === 0) same.newText += edit.newText;
    else return undefined;
  }
  return merged;
}

/** Whether no two edits overlap (an import rewritten whole and also deleted, say). */
function disjoint(edits: readonly TextEdit[]): boolean {
  const sorted = [...edits].sort((a, b) => comparePositions(a.range.start, b.range.start));
  return sorted.every((edit, i) => i === 0 || comparePositions(sorted[i - 1].range.end, edit.range.start) <= 0);
}

export const goLogWithoutContext: GoRule = {
  id: 'go-log-without-context',
  title: 'Logging in a handler without the request context',
  category: 'go-propagation',
  input: 'go',
  defaultSeverity: 'info',
  equivalents: { golangci: 'sloglint' },
  docs: `## What it does
Finds log calls in HTTP and gin handlers (functions receiving an \`*http.Request\` or a
\`*gin.Context\`) that cannot see the request's context: \`slog.Info\`/\`Warn\`/\`Error\`/\`Debug\`
and the same methods of a \`*slog.Logger\` declared in the file, \`log.Print\`/\`Printf\`/\`Println\`
and \`fmt.Print\`/\`Printf\`/\`Println\`. Goroutines and callbacks started by the handler are left alone.

## Why is this bad
A log record written without the context carries no trace and span id: with an OpenTelemetry log
bridge (\`otelslog\`) or a handler that reads the span from the context, the \`...Context\` variants
correlate every line with the request's trace; these calls never can.

## Example
\`\`\`go
func (s *server) order(w http.ResponseWriter, r *http.Request) {
    slog.Info("order received", "id", id)
    log.Printf("charging %s", id)
\`\`\`

## Fix
\`slog.Info(msg, ...)\` becomes \`slog.InfoContext(ctx, msg, ...)\` (likewise for a logger), with the
innermost context in scope. \`log.Printf(format, args...)\` and \`fmt.Printf\` become
\`slog.InfoContext(ctx, fmt.Sprintf(format, args...))\`, a \`Print\`/\`Println\` of one value becomes
\`slog.InfoContext(ctx, value)\`; the output format changes, so these fixes are not applied by
\`--fix\`. Calls printing several values are reported without a fix.

Suppress with \`//meshlens:ignore go-log-without-context reason\` on the line above.`,
  check(context) {
    const { file } = context;
    const { root, imports, source } = file;
    const lines = source.lines;
    const text = source.text;
    const report = (call: GoNode, message: string, fix: { title: string; edits: TextEdit[]; safe: boolean } | undefined) => {
      const fn = call.childForFieldName('function');
      context.report({
        range: lines.rangeOf(call.startIndex, fn?.endIndex ?? call.endIndex),
        message,
        fixes: fix ? [{ title: fix.title, changes: [{ uri: context.uri, edits: fix.edits }], safe: fix.safe }] : [],
      });
    };

    // slog: the same call with Context appended to its name and the context as first argument.
    const slogCalls: GoNode[] = [];
    if (imports.has(SLOG)) {
      for (const level of SLOG_LEVELS) slogCalls.push(...packageCalls(root, text, imports, SLOG, level));
      const loggers = loggerNames(file);
      if (loggers.size > 0) {
        const receivers = [...loggers].join('|');
        for (const match of text.matchAll(new RegExp(`(?<![A-Za-z0-9_])(?:${receivers})\\s*\\.\\s*(${SLOG_LEVELS.join('|')})\\s*\\(`, 'g'))) {
          const offset = (match.index ?? 0) + match[0].lastIndexOf(match[1]);
          const call = root.descendantForIndex(offset, offset + match[1].length)?.parent?.parent;
          const receiver = call?.childForFieldName('function')?.childForFieldName('operand');
          if (call?.type !== 'call_expression' || !receiver) continue;
          const name = receiver.type === 'selector_expression' ? receiver.childForFieldName('field')?.text : receiver.text;
          if ((receiver.type === 'identifier' || receiver.type === 'selector_expression') && name && loggers.has(name)) slogCalls.push(call);
        }
      }
    }
    for (const call of slogCalls) {
      const ctx = handlerContext(file, call);
      const field = call.childForFieldName('function')?.childForFieldName('field');
      const first = call.childForFieldName('arguments')?.namedChildren[0];
      if (!ctx || !field || !first) continue;
      const receiver = call.childForFieldName('function')?.childForFieldName('operand')?.text;
      const renamed = `${field.text}Context`;
      const suggested = `${receiver}.${renamed}(${ctx.expression}, ...)`;
      const at = lines.positionAt(first.startIndex);
      report(call, `${receiver}.${field.text} logs without the request context: the record cannot be correlated with the trace. Use ${suggested}`, {
        title: `Use ${suggested}`,
        edits: [
          { range: lines.rangeOf(field.startIndex, field.endIndex), newText: renamed },
          { range: { start: at, end: at }, newText: `${ctx.expression}, ` },
        ],
        safe: true,
      });
    }

    // log and fmt printing: rewritten to slog.InfoContext.
    for (const pkg of ['log', 'fmt']) {
      if (!imports.has(pkg)) continue;
      for (const name of PRINTS) {
        for (const call of packageCalls(root, text, imports, pkg, name)) {
          const ctx = handlerContext(file, call);
          if (!ctx) continue;
          const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((n): n is GoNode => !!n && n.type !== 'comment');
          const spread = call.childForFieldName('arguments')?.children.some((c) => c?.type === '...') ?? false;
          const message = `${pkg}.${name} in a handler: the line cannot be correlated with the request's trace. Log with slog.InfoContext(${ctx.expression}, ...)`;
          if (args.length === 0 || spread || (name !== 'Printf' && args.length > 1)) {
            report(call, message, undefined);
            continue;
          }
          const slog = addImport(file, SLOG);
          const importEdits = [...slog.edits];
          let value: string;
          const literal = args[0].type === 'interpreted_string_literal' || args[0].type === 'raw_string_literal';
          if (literal && (name !== 'Printf' || (args.length === 1 && !args[0].text.includes('%')))) {
            value = withoutNewline(args[0].text);
          } else {
            const fmt = addImport(file, 'fmt');
            importEdits.push(...fmt.edits);
            const verb = name === 'Printf' ? 'Sprintf' : 'Sprint';
            value = `${fmt.local}.${verb}(${[withoutNewline(args[0].text), ...args.slice(1).map((a) => a.text)].join(', ')})`;
          }
          const imported = mergedImports(importEdits);
          const edits: TextEdit[] = [{ range: lines.rangeOf(call.startIndex, call.endIndex), newText: `${slog.local}.InfoContext(${ctx.expression}, ${value})` }];
          const fmtStillUsed = value.includes('.Sprint');
          const unused = pkg === 'fmt' && fmtStillUsed ? undefined : removeImportIfUnused(file, pkg, [call]);
          if (unused) edits.push(unused);
          const all = imported ? [...imported, ...edits] : undefined;
          report(call, message, all && disjoint(all) ? { title: `Use slog.InfoContext(${ctx.expression}, ...)`, edits: all, safe: false } : undefined);
        }
      }
    }
  },
};
