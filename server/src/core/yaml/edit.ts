import { isMap, isSeq } from 'yaml';
import type { TextEdit } from '../text';
import type { ManifestFile } from './manifest';

/**
 * Text edits on YAML that leave every other byte of the file alone, so comments and layout
 * survive a fix. Only block style is edited; flow collections return undefined (no fix offered).
 */

export function replaceNode(file: ManifestFile, node: unknown, newText: string): TextEdit | undefined {
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  if (!range) return undefined;
  return { range: file.lines.rangeOf(range[0], range[1]), newText };
}

function columnOf(file: ManifestFile, offset: number): number {
  return file.lines.positionAt(offset).character;
}

/** An edit that inserts whole lines after the line on which `offset` falls. */
function insertLinesAfter(file: ManifestFile, offset: number, lines: string[]): TextEdit {
  // Block nodes end after their line break (and trailing comment): step back onto their last line.
  let last = offset;
  while (last > 0 && /\s/.test(file.lines.text[last - 1])) last--;
  const line = file.lines.positionAt(last).line;
  const end = { line, character: file.lines.lineText(line).length };
  const eol = file.lines.text.includes('\r\n') ? '\r\n' : '\n';
  return { range: { start: end, end }, newText: lines.map((text) => eol + text).join('') };
}

/** Appends an item, given as YAML lines relative to the item's dash, to a block sequence. */
export function appendSequenceItem(file: ManifestFile, sequence: unknown, itemLines: string[]): TextEdit | undefined {
  if (!isSeq(sequence) || sequence.flow || sequence.items.length === 0) return undefined;
  const first = sequence.items[0] as { range?: [number, number, number] };
  const last = sequence.items[sequence.items.length - 1] as { range?: [number, number, number] };
  if (!first.range || !last.range || !sequence.range) return undefined;
  const dashIndent = ' '.repeat(columnOf(file, sequence.range[0]));
  const lines = itemLines.map((text, i) => (i === 0 ? `${dashIndent}- ${text}` : `${dashIndent}  ${text}`));
  return insertLinesAfter(file, last.range[1], lines);
}

/** Adds `key:` with the given block value lines at the end of a block map. */
export function appendMapEntry(file: ManifestFile, map: unknown, key: string, valueLines: string[]): TextEdit | undefined {
  if (!isMap(map) || map.flow || map.items.length === 0 || !map.range) return undefined;
  const lastValue = map.items[map.items.length - 1].value as { range?: [number, number, number] } | null;
  const lastKey = map.items[map.items.length - 1].key as { range?: [number, number, number] } | null;
  const end = lastValue?.range?.[1] ?? lastKey?.range?.[1];
  if (end === undefined) return undefined;
  const indent = ' '.repeat(columnOf(file, map.range[0]));
  return insertLinesAfter(file, end, [`${indent}${key}:`, ...valueLines.map((text) => `${indent}${text}`)]);
}

/** Quotes a scalar for YAML only when it needs it. */
export function yamlScalar(value: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value) && !/^(true|false|yes|no|on|off|null|~|\d+(\.\d+)?)$/i.test(value)
    ? value
    : JSON.stringify(value);
}

/**
 * Moves item `index` of a block sequence to its end, carrying its whole lines (dash, comments
 * inside it) along. Undefined for flow sequences or items that do not start their own line.
 */
export function moveSequenceItemToEnd(file: ManifestFile, sequence: unknown, index: number): TextEdit[] | undefined {
  if (!isSeq(sequence) || sequence.flow || index >= sequence.items.length - 1) return undefined;
  const ranges = sequence.items.map((item) => (item as { range?: [number, number, number] }).range);
  if (ranges.some((range) => !range)) return undefined;
  const lineOf = (offset: number) => file.lines.positionAt(offset).line;
  const startLine = lineOf(ranges[index]![0]);
  const nextLine = lineOf(ranges[index + 1]![0]);
  const dashed = (line: number) => /^\s*-\s/.test(file.lines.lineText(line));
  if (!dashed(startLine) || !dashed(nextLine)) return undefined;
  let lastEnd = ranges[ranges.length - 1]![1];
  while (lastEnd > 0 && /\s/.test(file.lines.text[lastEnd - 1])) lastEnd--;
  const lastLine = lineOf(lastEnd);
  const eol = file.lines.text.includes('\r\n') ? '\r\n' : '\n';
  const moved: string[] = [];
  for (let line = startLine; line < nextLine; line++) moved.push(file.lines.lineText(line));
  while (moved.length > 1 && moved[moved.length - 1].trim() === '') moved.pop();
  const end = { line: lastLine, character: file.lines.lineText(lastLine).length };
  return [
    { range: { start: { line: startLine, character: 0 }, end: { line: nextLine, character: 0 } }, newText: '' },
    { range: { start: end, end }, newText: moved.map((text) => eol + text).join('') },
  ];
}
