import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { spanToJson, type Trace } from '../../../server/src/core/traces';
import { findSpans, packTimeline, timelineModel } from './model';

type FromWebview =
  | { type: 'ready' }
  | { type: 'rendered'; paintMs: number; at: number }
  | { type: 'details'; index: number }
  | { type: 'goToSource'; index: number }
  | { type: 'find'; text: string };

/**
 * The trace timeline: a webview that draws a waterfall of one trace. The extension host lays the
 * trace out (order, depth, critical path) and sends plain data; the page renders only the rows in
 * view and puts every span value in the DOM as text, since attributes come from untrusted services.
 */
export class TimelinePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private trace: Trace | undefined;
  /** Span ids in row order, to map the page's row indexes back to spans. */
  private order: string[] = [];
  private openedAt = 0;
  private pending: unknown;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly output: vscode.LogOutputChannel,
    private readonly onGoToSource: (trace: Trace, spanId: string) => Promise<void>,
  ) {}

  /** `openedAt`: Date.now() when the user asked for the trace, for the first-paint report. */
  show(trace: Trace, openedAt: number): void {
    this.trace = trace;
    this.openedAt = openedAt;
    const model = timelineModel(trace);
    this.order = model.rows.map((row) => row.spanId);
    const message = { type: 'trace', model: packTimeline(model) };
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('meshlens.traceTimeline', this.title(trace), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media', 'timeline')],
      });
      this.panel.webview.onDidReceiveMessage((m: FromWebview) => void this.onMessage(m), undefined, this.disposables);
      this.panel.onDidDispose(() => {
        this.panel = undefined;
      }, undefined, this.disposables);
      // The page asks for the trace once its script runs.
      this.pending = message;
      this.panel.webview.html = this.html(this.panel.webview);
    } else {
      this.panel.title = this.title(trace);
      this.panel.reveal(undefined, false);
      void this.panel.webview.postMessage(message);
    }
  }

  private title(trace: Trace): string {
    return `Trace ${trace.traceId.slice(0, 8)}`;
  }

  private async onMessage(message: FromWebview): Promise<void> {
    const trace = this.trace;
    switch (message.type) {
      case 'ready':
        if (this.pending) void this.panel?.webview.postMessage(this.pending);
        this.pending = undefined;
        return;
      case 'rendered': {
        const fromOpen = message.at - this.openedAt;
        this.output.info(`traces: timeline of ${this.order.length} spans painted in ${Math.round(message.paintMs)} ms in the page, ${fromOpen} ms after the trace was requested`);
        void this.panel?.webview.postMessage({ type: 'latency', fromOpenMs: fromOpen });
        return;
      }
      case 'details': {
        const span = trace && this.spanAt(message.index);
        if (span) void this.panel?.webview.postMessage({ type: 'details', index: message.index, span: spanToJson(span) });
        return;
      }
      case 'goToSource': {
        const span = trace && this.spanAt(message.index);
        if (trace && span) await this.onGoToSource(trace, span.spanId);
        return;
      }
      case 'find':
        if (trace) void this.panel?.webview.postMessage({ type: 'found', text: message.text, indexes: findSpans(trace, this.order, String(message.text).slice(0, 500)) });
        return;
    }
  }

  private spanAt(index: number) {
    const spanId = this.order[index];
    return spanId === undefined ? undefined : this.trace?.spans.find((span) => span.spanId === spanId);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const media = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'timeline', file)).toString();
    // No inline script or style: the script needs the nonce, styles come from the extension's file.
    const csp = [`default-src 'none'`, `img-src ${webview.cspSource}`, `style-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`, `font-src ${webview.cspSource}`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media('timeline.css')}">
<title>Trace timeline</title>
</head>
<body>
<main id="app"><p class="muted">Loading the trace…</p></main>
<script nonce="${nonce}" src="${media('timeline.js')}"></script>
</body>
</html>`;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}
