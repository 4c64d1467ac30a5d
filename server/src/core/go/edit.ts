import type { GoFile } from '../rule';
import type { TextEdit } from '../text';
import type { GoNode } from './parser';
import { defaultPackageName } from './syntax';

/** Standard-library paths have no dot in their first element (`net/http`, `context`). */
export function isStandardLibrary(importPath: string): boolean {
  return !importPath.split('/')[0].includes('.');
}

interface ImportLine {
  path: string;
  spec: GoNode;
}

function specsOf(list: GoNode): ImportLine[] {
  const specs: ImportLine[] = [];
  for (const child of list.namedChildren) {
    if (child?.type !== 'import_spec') continue;
    const pathNode = child.childForFieldName('path');
    if (pathNode) specs.push({ path: pathNode.text.replace(/^["`]|["`]$/g, ''), spec: child });
  }
  return specs;
}

/** Import specs of a parenthesised list, split into the groups gofmt keeps apart (blank lines). */
function groupsOf(list: GoNode): ImportLine[][] {
  const groups: ImportLine[][] = [];
  let previousRow = -2;
  for (const line of specsOf(list)) {
    const row = line.spec.startPosition.row;
    if (groups.length === 0 || row > previousRow + 1) groups.push([]);
    groups[groups.length - 1].push(line);
    previousRow = line.spec.endPosition.row;
  }
  return groups;
}

/**
 * Edits that import `importPath` (under its default name), placed the way goimports would: in
 * sorted position within the standard-library group or the first third-party group, creating that
 * group if the file has none. Returns no edit when the file already imports it.
 */
export function addImport(file: GoFile, importPath: string): { local: string; edits: TextEdit[] } {
  const local = file.imports.localNames(importPath)[0];
  if (local) return { local, edits: [] };
  const name = defaultPackageName(importPath);
  const quoted = `"${importPath}"`;
  const lines = file.source.lines;
  const at = (offset: number) => lines.positionAt(offset);
  const insert = (offset: number, text: string): TextEdit[] => [{ range: { start: at(offset), end: at(offset) }, newText: text }];
  const standard = isStandardLibrary(importPath);
  const declarations = file.root.namedChildren.filter((child): child is GoNode => child?.type === 'import_declaration');
  const list = declarations.map((d) => d.namedChildren.find((c) => c?.type === 'import_spec_list')).find((c): c is GoNode => !!c);
  if (list) {
    const groups = groupsOf(list);
    const target = groups.find((group) => group.every((line) => isStandardLibrary(line.path) === standard));
    if (target) {
      const after = target.find((line) => line.path > importPath);
      if (after) return { local: name, edits: insert(lines.lineStart(after.spec.startPosition.row), `\t${quoted}\n`) };
      const last = target[target.length - 1].spec;
      return { local: name, edits: insert(last.endIndex, `\n\t${quoted}`) };
    }
    if (groups.length === 0) return { local: name, edits: insert(list.startIndex + 1, `\n\t${quoted}\n`) };
    if (standard) return { local: name, edits: insert(lines.lineStart(groups[0][0].spec.startPosition.row), `\t${quoted}\n\n`) };
    // Third-party imports go right after the standard library, before any local-module group.
    const firstStandard = groups.find((group) => group.every((line) => isStandardLibrary(line.path)));
    const anchor = firstStandard ?? groups[groups.length - 1];
    return { local: name, edits: insert(anchor[anchor.length - 1].spec.endIndex, `\n\n\t${quoted}`) };
  }
  const single = declarations[0];
  const spec = single?.namedChildren.find((c) => c?.type === 'import_spec');
  if (single && spec) {
    const existing = spec.childForFieldName('path')?.text.replace(/^["`]|["`]$/g, '') ?? '';
    const existingLine = `\t${spec.text}`;
    const sameGroup = isStandardLibrary(existing) === standard;
    const ordered = (standard && !sameGroup) || (sameGroup && importPath < existing) ? [`\t${quoted}`, existingLine] : [existingLine, `\t${quoted}`];
    const block = `import (\n${ordered.join(sameGroup ? '\n' : '\n\n')}\n)`;
    return { local: name, edits: [{ range: lines.rangeOf(single.startIndex, single.endIndex), newText: block }] };
  }
  const pkg = file.root.namedChildren.find((c) => c?.type === 'package_clause');
  return { local: name, edits: insert(pkg?.endIndex ?? 0, `\n\nimport ${quoted}`) };
}

/**
 * The edit deleting the import of `importPath` when, once the `replaced` spans are gone, nothing
 * in the file refers to it any more; undefined while something still does.
 */
export function removeImportIfUnused(file: GoFile, importPath: string, replaced: readonly { startIndex: number; endIndex: number }[]): TextEdit | undefined {
  const locals = file.imports.localNames(importPath);
  if (locals.length !== 1) return undefined;
  const local = locals[0];
  const text = file.source.text;
  const pattern = new RegExp(`\\b${local}\\s*\\.`, 'g');
  for (const match of text.matchAll(pattern)) {
    const offset = match.index ?? 0;
    if (replaced.some((span) => span.startIndex <= offset && offset < span.endIndex)) continue;
    const node = file.root.descendantForIndex(offset, offset + local.length);
    if (node?.type === 'package_identifier' || (node?.type === 'identifier' && node.text === local)) return undefined;
  }
  const declarations = file.root.namedChildren.filter((child): child is GoNode => child?.type === 'import_declaration');
  for (const declaration of declarations) {
    for (const spec of declaration.descendantsOfType('import_spec')) {
      if (!spec || spec.childForFieldName('path')?.text.replace(/^["`]|["`]$/g, '') !== importPath) continue;
      const lines = file.source.lines;
      const inList = declaration.namedChildren.some((c) => c?.type === 'import_spec_list');
      if (!inList) return { range: lines.rangeOf(declaration.startIndex, lines.lineStart(declaration.endPosition.row + 1)), newText: '' };
      const row = spec.startPosition.row;
      const start = lines.lineStart(row);
      let end = lines.lineStart(row + 1);
      // The only spec of its group: take one of the blank lines around it too.
      const before = lines.lineText(row - 1).trim();
      const after = lines.lineText(row + 1).trim();
      if (before === '' && (after === '' || after === ')')) {
        return { range: lines.rangeOf(lines.lineStart(row - 1), end), newText: '' };
      }
      if (after === '' && before === 'import (') end = lines.lineStart(row + 2);
      return { range: lines.rangeOf(start, end), newText: '' };
    }
  }
  return undefined;
}

/** Leading whitespace of the line a node starts on. */
export function indentationOf(file: GoFile, node: GoNode): string {
  return /^[ \t]*/.exec(file.source.lines.lineText(node.startPosition.row))?.[0] ?? '';
}

/**
 * The edits adding `key: value` as the first element of a keyed composite literal (`{...}` node),
 * keeping gofmt's layout: on the same line for a one-line literal; on its own line otherwise,
 * with the values of the following one-line elements re-aligned as gofmt aligns them.
 */
export function addKeyedElement(file: GoFile, literal: GoNode, key: string, value: string): TextEdit[] {
  const lines = file.source.lines;
  const elements = literal.namedChildren.filter((n): n is GoNode => n?.type === 'keyed_element');
  const first = literal.namedChildren.find((n): n is GoNode => !!n && n.type !== 'comment');
  const at = (offset: number) => ({ start: lines.positionAt(offset), end: lines.positionAt(offset) });
  if (literal.startPosition.row === literal.endPosition.row || !first) {
    return [{ range: at(literal.startIndex + 1), newText: first ? `${key}: ${value}, ` : `${key}: ${value}` }];
  }
  // The run of one-line keyed elements on consecutive lines that gofmt aligns with the new one.
  const run: GoNode[] = [];
  let row = first.startPosition.row;
  for (const element of elements) {
    if (element.startPosition.row !== row || element.endPosition.row !== row) break;
    run.push(element);
    row++;
  }
  const keyOf = (element: GoNode) => element.namedChildren[0];
  const width = Math.max(key.length, ...run.map((element) => keyOf(element)?.text.length ?? 0));
  const edits: TextEdit[] = [{ range: at(lines.lineStart(first.startPosition.row)), newText: `${indentationOf(file, first)}${key}:${' '.repeat(width - key.length + 1)}${value},\n` }];
  for (const element of run) {
    const keyNode = keyOf(element);
    const valueNode = element.namedChildren[1];
    if (!keyNode || !valueNode) continue;
    const colon = file.source.text.indexOf(':', keyNode.endIndex);
    edits.push({ range: lines.rangeOf(colon + 1, valueNode.startIndex), newText: ' '.repeat(width - keyNode.text.length + 1) });
  }
  return edits;
}
