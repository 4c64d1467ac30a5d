import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type {
  CodeAction,
  Diagnostic,
  DocumentDiagnosticReport,
  InitializeResult,
  Range,
  TextDocumentContentChangeEvent,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { REPO } from './fixtures';

/**
 * Drives the bundled language server (dist/server.js) over stdio with JSON-RPC, as an editor would.
 */
export class LspClient {
  readonly refreshes: number[] = [];
  readonly logs: string[] = [];
  settings: Record<string, unknown> = {};
  private readonly versions = new Map<string, number>();

  private constructor(
    private readonly child: ChildProcess,
    readonly connection: MessageConnection,
  ) {}

  /** `workspaceCapabilities` adds to the client's workspace capabilities (e.g. `codeLens: {refreshSupport: true}`). */
  static async start(workspace: string, settings: Record<string, unknown> = {}, workspaceCapabilities: Record<string, unknown> = {}): Promise<LspClient> {
    const child = spawn(process.execPath, [path.join(REPO, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(child, connection);
    client.settings = settings;
    connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) =>
      params.items.map((item) => (item.section === 'meshlens' ? client.settings : null)),
    );
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onRequest('workspace/diagnostic/refresh', () => {
      client.refreshes.push(Date.now());
      return null;
    });
    connection.onNotification('window/logMessage', (params: { message: string }) => {
      client.logs.push(params.message);
    });
    connection.onNotification(() => undefined);
    connection.listen();
    const rootUri = pathToFileURL(workspace).href;
    await connection.sendRequest<InitializeResult>('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: path.basename(workspace) }],
      capabilities: {
        workspace: { configuration: true, diagnostics: { refreshSupport: true }, didChangeWatchedFiles: { dynamicRegistration: true }, ...workspaceCapabilities },
        textDocument: { diagnostic: { dynamicRegistration: false }, codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } } },
      },
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  async waitForIndex(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const status = await this.connection.sendRequest<{ state: string }>('meshlens/status');
      if (status.state === 'ready') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the server did not finish indexing');
  }

  open(uri: string, languageId: string, text: string): void {
    this.versions.set(uri, 1);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  change(uri: string, changes: TextDocumentContentChangeEvent[]): void {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  async diagnostics(uri: string): Promise<Diagnostic[]> {
    const report = await this.connection.sendRequest<DocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri } });
    return report.kind === 'full' ? report.items : [];
  }

  async codeActions(uri: string, range: Range, diagnostics: Diagnostic[]): Promise<CodeAction[]> {
    return this.connection.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics } });
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // Already gone.
    }
    this.connection.dispose();
    this.child.kill();
  }

  get exitCode(): number | null {
    return this.child.exitCode;
  }
}

export function editsFor(edit: WorkspaceEdit | undefined, uri: string): { range: Range; newText: string }[] {
  return edit?.changes?.[uri] ?? [];
}
