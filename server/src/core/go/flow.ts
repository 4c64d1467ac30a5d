import type { GoFile } from '../rule';
import type { GoNode } from './parser';

/**
 * Helpers for facts local to one function. They climb `.parent`, which web-tree-sitter answers by
 * walking down from the root: call them for candidate findings only, never for every node.
 */

/** The statement (a direct child of a statement list) that contains the node. */
export function statementOf(node: GoNode): GoNode | undefined {
  let current: GoNode | null = node;
  while (current && current.parent && current.parent.type !== 'statement_list') {
    if (current.parent.type === 'source_file') return undefined;
    current = current.parent;
  }
  return current?.parent ? current : undefined;
}

/** For a function literal: whether it is started with `go`, called on the spot, or passed on to run later. */
export function literalUse(fn: GoNode): 'goroutine' | 'invoked' | 'deferred' | 'stored' {
  const parent = fn.parent;
  if (parent?.type === 'call_expression' && parent.childForFieldName('function')?.startIndex === fn.startIndex) {
    const grand = parent.parent;
    if (grand?.type === 'go_statement') return 'goroutine';
    if (grand?.type === 'defer_statement') return 'deferred';
    return 'invoked';
  }
  return 'stored';
}

/** Identifiers named `name` inside `within`, found by a text search. */
export function identifierUses(file: GoFile, within: GoNode, name: string): GoNode[] {
  const uses: GoNode[] = [];
  const text = file.source.text.slice(within.startIndex, within.endIndex);
  const pattern = new RegExp(`(?<![A-Za-z0-9_.])${name}(?![A-Za-z0-9_])`, 'g');
  for (const match of text.matchAll(pattern)) {
    const offset = within.startIndex + (match.index ?? 0);
    const node = file.root.descendantForIndex(offset, offset + name.length);
    if (node?.type === 'identifier' && node.text === name) uses.push(node);
  }
  return uses;
}

/** `x.Method(...)` where `x` is the given identifier node: the method's name, else undefined. */
export function methodCalledOn(identifier: GoNode): string | undefined {
  const selector = identifier.parent;
  if (selector?.type !== 'selector_expression' || selector.childForFieldName('operand')?.startIndex !== identifier.startIndex) return undefined;
  if (selector.parent?.type !== 'call_expression') return undefined;
  return selector.childForFieldName('field')?.text;
}

/** The names a `a, b := ...` / `a, b = ...` statement assigns, in order (`_` kept). */
export function assignedNames(statement: GoNode): string[] {
  if (statement.type !== 'short_var_declaration' && statement.type !== 'assignment_statement') return [];
  return (statement.childForFieldName('left')?.namedChildren ?? []).map((n) => (n?.type === 'identifier' ? n.text : ''));
}

/** The first value of an assignment's right side, if it is a call. */
export function assignedCall(statement: GoNode): GoNode | undefined {
  const right = statement.childForFieldName('right')?.namedChildren[0];
  return right?.type === 'call_expression' ? right : undefined;
}

/**
 * `tracer.Start(ctx, ...)` calls of a file, found by a text search. The receiver must look like a
 * tracer: `otel.Tracer(...)`/`provider.Tracer(...)`, or a variable or field named `...tracer`.
 */
export function tracerStartCalls(file: GoFile): GoNode[] {
  const calls: GoNode[] = [];
  for (const match of file.source.text.matchAll(/\.\s*Start\s*\(/g)) {
    const offset = (match.index ?? 0) + match[0].indexOf('Start');
    const field = file.root.descendantForIndex(offset, offset + 5);
    const selector = field?.parent;
    const call = selector?.parent;
    if (field?.type !== 'field_identifier' || selector?.type !== 'selector_expression' || call?.type !== 'call_expression') continue;
    const receiver = selector.childForFieldName('operand');
    if (!receiver) continue;
    const looksLikeTracer =
      /(^|\.)[A-Za-z_]*[tT]racer$/.test(receiver.text) || (receiver.type === 'call_expression' && /\.Tracer$/.test(receiver.childForFieldName('function')?.text ?? ''));
    if (looksLikeTracer && (call.childForFieldName('arguments')?.namedChildCount ?? 0) >= 2) calls.push(call);
  }
  return calls;
}

/** Whether `use` sits inside `node`. */
export function within(node: GoNode, use: GoNode): boolean {
  return node.startIndex <= use.startIndex && use.endIndex <= node.endIndex;
}

/**
 * The names on the left of the assignment a call is the value of, read from the text before it on
 * its line (`a, b := call(...)` gives `{ names: ['a', 'b'], define: true }`). A cheap first look
 * that spares tree walks for calls that are not assigned.
 */
export function assignmentBefore(file: GoFile, call: GoNode): { names: string[]; define: boolean } | undefined {
  const lines = file.source.lines;
  const row = call.startPosition.row;
  const before = file.source.text.slice(lines.lineStart(row), call.startIndex);
  const match = /^\s*([A-Za-z_][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*)\s*(:?=)\s*$/.exec(before);
  if (!match) return undefined;
  return { names: match[1].split(',').map((name) => name.trim()), define: match[2] === ':=' };
}

/** Whether the text of `node` after `from` contains the pattern. */
export function textAfter(file: GoFile, node: GoNode, from: number, pattern: RegExp): boolean {
  return pattern.test(file.source.text.slice(from, node.endIndex));
}
