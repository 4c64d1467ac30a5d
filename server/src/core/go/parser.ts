import * as fs from 'fs';
import * as path from 'path';
import { Edit, Language, Parser, type Node, type Tree } from 'web-tree-sitter';
import { LineIndex, type Position } from '../text';

export type GoNode = Node;
export type GoTree = Tree;

/** Finds a wasm file next to the bundle (packaged extension, CLI) or in node_modules (development). */
function wasmPath(file: string, packagePath: string): string {
  const beside = path.join(__dirname, file);
  if (fs.existsSync(beside)) return beside;
  return require.resolve(packagePath);
}

let loading: Promise<Language> | undefined;

async function loadGoLanguage(): Promise<Language> {
  const runtime = wasmPath('web-tree-sitter.wasm', 'web-tree-sitter/web-tree-sitter.wasm');
  await Parser.init({ locateFile: () => runtime });
  return Language.load(wasmPath('tree-sitter-go.wasm', 'tree-sitter-go/tree-sitter-go.wasm'));
}

/** One tree-sitter parser for Go, shared by every Go document. */
export class GoParser {
  private constructor(private readonly parser: Parser) {}

  static async create(): Promise<GoParser> {
    loading ??= loadGoLanguage();
    const language = await loading;
    const parser = new Parser();
    parser.setLanguage(language);
    return new GoParser(parser);
  }

  parse(text: string, previous?: Tree): Tree {
    const tree = this.parser.parse(text, previous ?? null);
    if (!tree) throw new Error('tree-sitter returned no tree');
    return tree;
  }
}

function point(position: Position): { row: number; column: number } {
  return { row: position.line, column: position.character };
}

/**
 * A Go document whose syntax tree is re-parsed incrementally: edits are recorded on the old
 * tree, and the next parse reuses every unchanged subtree.
 */
export class GoSource {
  private tree: Tree | undefined;
  private edited = false;
  private lineIndex: LineIndex;
  /** How the tree was built so far; an edit must never cost a full parse. */
  readonly parses = { full: 0, incremental: 0 };

  constructor(
    private readonly parser: GoParser,
    private textValue: string,
  ) {
    this.lineIndex = new LineIndex(textValue);
  }

  get text(): string {
    return this.textValue;
  }

  get lines(): LineIndex {
    return this.lineIndex;
  }

  /** Applies one edit given in positions of the current text. */
  applyEdit(start: Position, end: Position, newText: string): void {
    const startIndex = this.lineIndex.offsetAt(start);
    const oldEndIndex = this.lineIndex.offsetAt(end);
    const startPosition = this.lineIndex.positionAt(startIndex);
    const oldEndPosition = this.lineIndex.positionAt(oldEndIndex);
    this.textValue = this.textValue.slice(0, startIndex) + newText + this.textValue.slice(oldEndIndex);
    this.lineIndex = new LineIndex(this.textValue);
    const newEndIndex = startIndex + newText.length;
    if (this.tree) {
      this.tree.edit(
        new Edit({
          startIndex,
          oldEndIndex,
          newEndIndex,
          startPosition: point(startPosition),
          oldEndPosition: point(oldEndPosition),
          newEndPosition: point(this.lineIndex.positionAt(newEndIndex)),
        }),
      );
      this.edited = true;
    }
  }

  replaceText(text: string): void {
    this.textValue = text;
    this.lineIndex = new LineIndex(text);
    this.tree?.delete();
    this.tree = undefined;
  }

  syntaxTree(): Tree {
    if (!this.tree || this.edited) {
      if (this.tree) this.parses.incremental++;
      else this.parses.full++;
      const next = this.parser.parse(this.textValue, this.tree);
      this.tree?.delete();
      this.tree = next;
      this.edited = false;
    }
    return this.tree;
  }

  dispose(): void {
    this.tree?.delete();
    this.tree = undefined;
  }
}
