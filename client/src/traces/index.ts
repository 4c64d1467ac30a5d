import * as vscode from 'vscode';
import { normaliseTraceId, type Trace } from '../../../server/src/core/traces';
import { TraceBackend, traceSettings } from './backend';
import { CodeIndexCache, goToSource } from './code';
import { LatencyLenses, TraceDiagnostics } from './insights';
import { findTraceId, parseSearch, searchWindow } from './model';
import { TimelinePanel } from './timeline';
import { TracesView, type TraceNode } from './view';

/** Spans arriving at the receiver re-run the broken-trace check after this quiet time. */
const CHECK_DEBOUNCE_MS = 3000;

/** Live traces in the editor: the Traces view, the timeline, go to source, diagnostics and lenses. */
export function activateTraces(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): void {
  const backend = new TraceBackend(context.secrets, output);
  const view = new TracesView(backend);
  const treeView = vscode.window.createTreeView<TraceNode>('meshlens.traces', { treeDataProvider: view, showCollapseAll: true });
  view.treeView = treeView;
  const codeIndex = new CodeIndexCache(output);
  const diagnostics = new TraceDiagnostics(codeIndex, output);
  const lenses = new LatencyLenses(codeIndex, () => (backend.state.kind === 'ready' ? backend.state.source : undefined));

  const openSource = async (trace: Trace, spanId: string) => {
    const span = trace.spans.find((candidate) => candidate.spanId === spanId);
    if (!span) return;
    const location = await goToSource(await codeIndex.get(), trace, span);
    if (location) output.info(`traces: span "${span.name}" of ${span.service} -> ${vscode.workspace.asRelativePath(vscode.Uri.parse(location.uri))}:${location.line}`);
  };
  const timeline = new TimelinePanel(context.extensionUri, output, openSource);

  let checkTimer: NodeJS.Timeout | undefined;
  const runCheck = async (report: boolean) => {
    try {
      const result = await diagnostics.check(backend.source());
      if (report) void vscode.window.showInformationMessage(`meshlens: ${result.findings} broken-trace findings in ${result.traces} traces; ${result.located} shown in the code.`);
    } catch (error) {
      output.warn(`traces: check failed: ${String(error)}`);
      if (report) void vscode.window.showErrorMessage(`meshlens: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  context.subscriptions.push(
    backend,
    view,
    treeView,
    codeIndex,
    diagnostics,
    lenses,
    timeline,
    vscode.languages.registerCodeLensProvider({ language: 'go', scheme: 'file' }, lenses),
    backend.onDidChange((state) => {
      if (state.kind !== 'ready') diagnostics.collection.clear();
      lenses.refresh();
    }),
    backend.onDidReceiveSpans(() => {
      clearTimeout(checkTimer);
      checkTimer = setTimeout(() => {
        lenses.refresh();
        void runCheck(false);
      }, CHECK_DEBOUNCE_MS);
    }),
    { dispose: () => clearTimeout(checkTimer) },
  );

  const command = (id: string, run: (...args: never[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, run));
  command('meshlens.refreshTraces', () => {
    view.refresh();
    lenses.refresh();
  });
  command('meshlens.setTraceToken', () => backend.setToken());
  command('meshlens.clearTraceToken', () => backend.clearToken());
  command('meshlens.checkTraces', () => runCheck(true));

  command('meshlens.openTraceById', async (traceId?: string) => {
    let id = typeof traceId === 'string' ? traceId : undefined;
    if (!id) {
      const editor = vscode.window.activeTextEditor;
      const selected = editor ? editor.document.getText(editor.selection.isEmpty ? editor.document.lineAt(editor.selection.active.line).range : editor.selection) : '';
      const found = findTraceId(selected);
      id = await vscode.window.showInputBox({ title: 'meshlens: open trace by ID', prompt: 'Trace ID (32 hex digits), or a log line that holds one', value: found ?? '', ignoreFocusOut: true });
      if (!id) return;
      id = findTraceId(id) ?? id;
    }
    // From here on it is the extension's time: the first-paint report starts counting now.
    const requested = Date.now();
    try {
      const trace = await backend.source().getTrace(normaliseTraceId(id));
      if (!trace) {
        void vscode.window.showWarningMessage(`meshlens: the trace source has no trace ${id}.`);
        return;
      }
      timeline.show(trace, requested);
    } catch (error) {
      void vscode.window.showErrorMessage(`meshlens: ${error instanceof Error ? error.message : String(error)}`);
    }
  });

  command('meshlens.searchTraces', async (initial?: string) => {
    let source;
    try {
      source = backend.source();
    } catch (error) {
      void vscode.window.showErrorMessage(`meshlens: ${(error as Error).message}`);
      return;
    }
    const services = await source.services().catch(() => [] as string[]);
    const value = typeof initial === 'string' ? `${initial} lookback=${traceSettings().lookbackMinutes}m limit=20` : `service=${services[0] ?? ''} lookback=${traceSettings().lookbackMinutes}m limit=20`;
    const text = await vscode.window.showInputBox({
      title: 'meshlens: search traces',
      prompt: `service=<name> operation="<name>" <attribute>=<value> lookback=15m (or from=<ISO time> to=<ISO time>) min=100ms max=2s limit=20 · services: ${services.join(', ') || 'none yet'}`,
      value,
      ignoreFocusOut: true,
      validateInput: (input) => {
        try {
          parseSearch(input);
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      },
    });
    if (!text) return;
    const form = parseSearch(text);
    const started = performance.now();
    try {
      const results = await source.search({ service: form.service, operation: form.operation, attributes: form.attributes, ...searchWindow(form, Date.now()), limit: form.limit, minDurationMs: form.minDurationMs, maxDurationMs: form.maxDurationMs });
      view.showSearch(form, results, performance.now() - started);
    } catch (error) {
      void vscode.window.showErrorMessage(`meshlens: ${error instanceof Error ? error.message : String(error)}`);
    }
  });

  void backend.restart();
}
