import type { GoFile } from '../rule';
import type { TextEdit } from '../text';
import type { GoNode } from './parser';

/** Whether a call's argument list ends in `xs...`: its options cannot be read from the syntax. */
export function hasSpreadArgument(call: GoNode): boolean {
  const args = call.childForFieldName('arguments');
  return !!args && args.children.some((child) => child?.type === '...' || child?.type === 'variadic_argument');
}

/**
 * The edit appending one argument to a call, in the call's layout: on a new line (with a trailing
 * comma) when the arguments are one per line, else after `, ` on the same line.
 */
export function appendArgument(file: GoFile, call: GoNode, argument: string): TextEdit | undefined {
  const args = call.childForFieldName('arguments');
  if (!args) return undefined;
  const lines = file.source.lines;
  const text = file.source.text;
  const values = args.namedChildren.filter((n): n is GoNode => !!n && n.type !== 'comment');
  const last = values[values.length - 1];
  const at = (offset: number) => lines.positionAt(offset);
  if (!last) return { range: { start: at(args.startIndex + 1), end: at(args.startIndex + 1) }, newText: argument };
  if (last.endPosition.row < args.endPosition.row && text[last.endIndex] === ',') {
    const indent = /^[ \t]*/.exec(lines.lineText(last.startPosition.row))?.[0] ?? '';
    return { range: { start: at(last.endIndex + 1), end: at(last.endIndex + 1) }, newText: `\n${indent}${argument},` };
  }
  return { range: { start: at(last.endIndex), end: at(last.endIndex) }, newText: `, ${argument}` };
}

/** The edit deleting one argument of a call with its separator (its whole line when it has one to itself). */
export function deleteArgument(file: GoFile, argument: GoNode): TextEdit {
  const lines = file.source.lines;
  const row = argument.startPosition.row;
  if (argument.endPosition.row === row && lines.lineText(row).replace(/\/\/.*$/, '').trim() === `${argument.text},`) {
    return { range: lines.rangeOf(lines.lineStart(row), lines.lineStart(row + 1)), newText: '' };
  }
  const previous = argument.previousNamedSibling;
  if (previous) return { range: lines.rangeOf(previous.endIndex, argument.endIndex), newText: '' };
  const next = argument.nextNamedSibling;
  return { range: lines.rangeOf(argument.startIndex, next ? next.startIndex : argument.endIndex), newText: '' };
}
