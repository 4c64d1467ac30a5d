import * as vscode from 'vscode';
import { GoCodeIndex, type CodeLocation, type Span, type Trace } from '../../../server/src/core/traces';
import { GO_RULES } from '../../../server/src/rules/go';

/**
 * The Go code index of the workspace folders (handlers, client call sites), built on first use in
 * the extension host and rebuilt lazily after a Go file changes.
 */
export class CodeIndexCache implements vscode.Disposable {
  private building: Promise<GoCodeIndex> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/*.go');

  constructor(private readonly output: vscode.LogOutputChannel) {
    const invalidate = () => {
      this.building = undefined;
      this.changed.fire();
    };
    this.watcher.onDidChange(invalidate);
    this.watcher.onDidCreate(invalidate);
    this.watcher.onDidDelete(invalidate);
  }

  get(): Promise<GoCodeIndex> {
    if (!this.building) {
      const roots = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file').map((folder) => folder.uri.fsPath);
      const started = performance.now();
      this.building = GoCodeIndex.build(roots, GO_RULES).then((index) => {
        this.output.info(`traces: Go code index: ${index.handlers.length} handlers, ${index.callSites.length} call sites in ${Math.round(performance.now() - started)} ms`);
        return index;
      });
      this.building.catch(() => (this.building = undefined));
    }
    return this.building;
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }
}

export function locationRange(location: CodeLocation): vscode.Range {
  const position = new vscode.Position(Math.max(0, location.line - 1), Math.max(0, location.column - 1));
  return new vscode.Range(position, position);
}

/** Opens the code behind a span: code.* attributes first, else the handler or call site the index matches. */
export async function goToSource(index: GoCodeIndex, trace: Trace, span: Span): Promise<CodeLocation | undefined> {
  const parent = span.parentSpanId ? trace.spans.find((candidate) => candidate.spanId === span.parentSpanId) : undefined;
  const location = index.locateSpan(span, { parent });
  if (!location) {
    void vscode.window.showInformationMessage(`meshlens: no code found for span "${span.name}" of ${span.service} (no code.* attributes, and no handler or call site matches it).`);
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(location.uri));
  const range = locationRange(location);
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, selection: range });
  return location;
}
