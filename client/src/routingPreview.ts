import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { RoutingModelRequest, SimulateRequestRequest, type RoutingModelResult, type SimulateRequestParams } from '../../server/src/protocol';

/** Edits arrive a keystroke at a time: one model request per pause this long. */
const UPDATE_DEBOUNCE_MS = 30;

type FromWebview =
  | { type: 'ready' }
  | { type: 'rendered'; sequence: number }
  | { type: 'simulate'; params: SimulateRequestParams }
  | { type: 'exportSvg'; svg: string }
  | { type: 'exportMarkdown' }
  | { type: 'reveal'; line: number };

/**
 * The routing preview: a webview that draws where the VirtualService under the cursor (and the
 * others of its host) send traffic, kept current as the YAML is edited, with a request simulator.
 * The webview only renders what the server's routing model says; every YAML value is put in the
 * DOM as text, never as markup.
 */
export class RoutingPreview implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private target: { uri: string; line: number } | undefined;
  private latest: RoutingModelResult | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sequence = 0;
  /** When the edit that led to each pending render happened, to report the update latency. */
  private readonly editTimes = new Map<number, number>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: () => LanguageClient | undefined,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (!this.panel || event.contentChanges.length === 0 || event.document.languageId !== 'yaml') return;
        this.scheduleUpdate(performance.now());
      }),
    );
  }

  async show(uri: string, line: number): Promise<void> {
    this.target = { uri, line };
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('meshlens.routingPreview', 'Routing preview', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media', 'routing')],
      });
      this.panel.webview.html = this.html(this.panel.webview);
      this.panel.webview.onDidReceiveMessage((message: FromWebview) => void this.onMessage(message), undefined, this.disposables);
      this.panel.onDidDispose(() => {
        this.panel = undefined;
      }, undefined, this.disposables);
    } else {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
    }
    await this.update(undefined);
  }

  private scheduleUpdate(editTime: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(editTime), UPDATE_DEBOUNCE_MS);
  }

  private async update(editTime: number | undefined): Promise<void> {
    const client = this.client();
    if (!client || !this.panel || !this.target) return;
    const requested = performance.now();
    try {
      this.latest = await client.sendRequest(RoutingModelRequest.type, this.target);
    } catch (error) {
      this.output.warn(`routing preview: ${String(error)}`);
      return;
    }
    const sequence = ++this.sequence;
    if (editTime !== undefined) this.editTimes.set(sequence, editTime);
    const serverMs = Math.round(performance.now() - requested);
    void this.panel.webview.postMessage({ type: 'model', sequence, result: this.latest, serverMs });
  }

  private async onMessage(message: FromWebview): Promise<void> {
    const client = this.client();
    switch (message.type) {
      case 'ready':
        if (this.latest) void this.panel?.webview.postMessage({ type: 'model', sequence: ++this.sequence, result: this.latest, serverMs: 0 });
        return;
      case 'rendered': {
        const editTime = this.editTimes.get(message.sequence);
        for (const sequence of this.editTimes.keys()) if (sequence <= message.sequence) this.editTimes.delete(sequence);
        if (editTime === undefined) return;
        // From the edit in the editor to the redrawn preview, debounce included.
        const elapsed = Math.round(performance.now() - editTime);
        this.output.info(`routing preview updated ${elapsed} ms after the edit (debounce ${UPDATE_DEBOUNCE_MS} ms)`);
        void this.panel?.webview.postMessage({ type: 'latency', sequence: message.sequence, ms: elapsed });
        return;
      }
      case 'simulate': {
        if (!client) return;
        const result = await client.sendRequest(SimulateRequestRequest.type, message.params);
        void this.panel?.webview.postMessage({ type: 'simulation', result });
        return;
      }
      case 'exportSvg':
        await this.save(message.svg, 'svg', 'SVG image');
        return;
      case 'exportMarkdown':
        if (this.latest) await this.save(this.latest.markdown, 'md', 'Markdown');
        return;
      case 'reveal': {
        if (!this.target) return;
        const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(this.target.uri));
        const position = new vscode.Position(message.line, 0);
        await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(position, position) });
        return;
      }
    }
  }

  private async save(content: string, extension: string, label: string): Promise<void> {
    const name = (this.latest?.focus ?? 'routing').replace(/[^\w.-]+/g, '-');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, `${name}-routing.${extension}`) : undefined,
      filters: { [label]: [extension] },
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(content));
    void vscode.window.showInformationMessage(`meshlens: routing saved to ${vscode.workspace.asRelativePath(target)}`);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const media = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'routing', file));
    // No inline script or style: scripts need the nonce, styles come from the extension's files.
    const csp = [`default-src 'none'`, `img-src ${webview.cspSource} data:`, `style-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`, `font-src ${webview.cspSource}`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media('preview.css').toString()}">
<title>Routing preview</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="muted">Loading the routing model…</p></main>
<script nonce="${nonce}" src="${media('preview.js').toString()}"></script>
</body>
</html>`;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.panel?.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}
