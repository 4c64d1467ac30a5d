import * as vscode from 'vscode';
import type { TraceQuery, TraceSummary } from '../../../server/src/core/traces';
import { traceSettings, type TraceBackend } from './backend';
import { summaryDescription, type SearchForm } from './model';

export type TraceNode =
  | { kind: 'message'; text: string; tooltip?: string }
  | { kind: 'service'; service: string }
  | { kind: 'operation'; service: string; operation: string }
  | { kind: 'search'; label: string; form: SearchForm; results: TraceSummary[]; elapsedMs: number }
  | { kind: 'trace'; summary: TraceSummary };

const RECENT_LIMIT = 20;

/**
 * The Traces view: services → operations → recent traces, and the latest search's results on top.
 * The tree reads the source lazily, one level per expansion.
 */
export class TracesView implements vscode.TreeDataProvider<TraceNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TraceNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private search: (TraceNode & { kind: 'search' }) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  treeView: vscode.TreeView<TraceNode> | undefined;

  constructor(private readonly backend: TraceBackend) {
    this.disposables.push(
      backend.onDidChange(() => this.refresh()),
      // New services show up while spans arrive; at most one refresh a second.
      backend.onDidReceiveSpans(() => {
        if (this.debounce) return;
        this.debounce = setTimeout(() => {
          this.debounce = undefined;
          this.refresh();
        }, 1000);
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('meshlens.traces.autoRefreshSeconds')) this.scheduleAutoRefresh();
      }),
    );
    this.scheduleAutoRefresh();
  }

  private scheduleAutoRefresh(): void {
    clearInterval(this.timer);
    const seconds = traceSettings().autoRefreshSeconds;
    if (seconds > 0) this.timer = setInterval(() => this.refresh(), Math.max(1, seconds) * 1000);
  }

  refresh(): void {
    this.updateDescription();
    this.changed.fire(undefined);
  }

  showSearch(form: SearchForm, results: TraceSummary[], elapsedMs: number): void {
    const what = [form.service, form.operation, ...Object.entries(form.attributes ?? {}).map(([k, v]) => `${k}=${v}`)].filter(Boolean).join(' ');
    this.search = { kind: 'search', label: `Search: ${what}`, form, results, elapsedMs };
    this.refresh();
  }

  private updateDescription(): void {
    if (!this.treeView) return;
    const state = this.backend.state;
    this.treeView.description = state.kind === 'ready' && this.backend.receiverUrl ? `receiver ${this.backend.receiverUrl.replace(/^https?:\/\//, '')} · ${this.backend.receivedSpans} spans` : state.kind === 'ready' ? 'Jaeger' : undefined;
  }

  async getChildren(node?: TraceNode): Promise<TraceNode[]> {
    const state = this.backend.state;
    if (!node) {
      if (state.kind === 'untrusted') {
        return [{ kind: 'message', text: 'Restricted mode: no trace back end is contacted and no receiver started until you trust this workspace.', tooltip: 'Trace sources reach the network, so meshlens waits for workspace trust.' }];
      }
      if (state.kind === 'starting') return [{ kind: 'message', text: 'Connecting to the trace source…' }];
      if (state.kind === 'failed') return [{ kind: 'message', text: `Trace source unavailable: ${state.message}`, tooltip: state.message }];
      const services = await this.backend.source().services().catch((error: Error) => error);
      if (services instanceof Error) return [{ kind: 'message', text: services.message, tooltip: services.message }];
      const nodes: TraceNode[] = services.map((service) => ({ kind: 'service', service }));
      if (nodes.length === 0) {
        nodes.push({ kind: 'message', text: this.backend.receiverUrl ? `No spans yet. Export OTLP/HTTP to ${this.backend.receiverUrl}` : 'The trace source knows no services yet.' });
      }
      return this.search ? [this.search, ...nodes] : nodes;
    }
    if (node.kind === 'search') return node.results.length > 0 ? node.results.map((summary) => ({ kind: 'trace', summary })) : [{ kind: 'message', text: 'No traces match.' }];
    if (state.kind !== 'ready') return [];
    const source = state.source;
    if (node.kind === 'service') {
      const operations = await source.operations(node.service);
      return operations.map((operation) => ({ kind: 'operation', service: node.service, operation: operation.name }));
    }
    if (node.kind === 'operation') {
      const now = Date.now();
      const query: TraceQuery = { service: node.service, operation: node.operation, startMs: now - traceSettings().lookbackMinutes * 60_000, endMs: now, limit: RECENT_LIMIT };
      const summaries = await source.search(query).catch((error: Error) => error);
      if (summaries instanceof Error) return [{ kind: 'message', text: summaries.message }];
      return summaries.length > 0 ? summaries.map((summary) => ({ kind: 'trace', summary })) : [{ kind: 'message', text: `No traces in the last ${traceSettings().lookbackMinutes} min.` }];
    }
    return [];
  }

  getTreeItem(node: TraceNode): vscode.TreeItem {
    switch (node.kind) {
      case 'message': {
        const item = new vscode.TreeItem(node.text);
        item.tooltip = node.tooltip ?? node.text;
        item.iconPath = new vscode.ThemeIcon('info');
        return item;
      }
      case 'service': {
        const item = new vscode.TreeItem(node.service, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `service:${node.service}`;
        item.iconPath = new vscode.ThemeIcon('server-process');
        item.contextValue = 'traceService';
        return item;
      }
      case 'operation': {
        const item = new vscode.TreeItem(node.operation, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `operation:${node.service}:${node.operation}`;
        item.iconPath = new vscode.ThemeIcon('symbol-method');
        return item;
      }
      case 'search': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = 'search';
        item.description = `${node.results.length} traces · ${Math.round(node.elapsedMs)} ms`;
        item.iconPath = new vscode.ThemeIcon('search');
        return item;
      }
      case 'trace': {
        const { summary } = node;
        const item = new vscode.TreeItem(`${summary.rootService}: ${summary.rootOperation}`);
        item.description = summaryDescription(summary, Date.now());
        item.tooltip = `${summary.traceId}\n${summary.services.join(', ')}\n${summary.start}`;
        item.iconPath = new vscode.ThemeIcon(summary.errorCount > 0 || summary.orphanCount > 0 ? 'warning' : 'pulse');
        item.contextValue = 'trace';
        item.command = { title: 'Open trace', command: 'meshlens.openTraceById', arguments: [summary.traceId] };
        return item;
      }
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    this.changed.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}
