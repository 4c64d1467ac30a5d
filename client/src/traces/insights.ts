import * as vscode from 'vscode';
import { checkTraces, traceFindingsAsFindings, type GoCodeIndex, type TraceSource } from '../../../server/src/core/traces';
import { traceSettings } from './backend';
import type { CodeIndexCache } from './code';
import { formatStats, latencyStats, spansForRoute, type LatencyStats } from './model';

const SEVERITY = { error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning, info: vscode.DiagnosticSeverity.Information, hint: vscode.DiagnosticSeverity.Hint } as const;

/**
 * Broken-trace findings of the last window as diagnostics at the code that causes them (the call
 * site without propagation), with the runtime evidence in the message.
 */
export class TraceDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('meshlens traces');

  constructor(
    private readonly codeIndex: CodeIndexCache,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  async check(source: TraceSource): Promise<{ findings: number; located: number; traces: number }> {
    const index = await this.codeIndex.get();
    const sinceMs = traceSettings().lookbackMinutes * 60_000;
    const result = await checkTraces(source, { sinceMs, codeIndex: index });
    const byUri = new Map<string, vscode.Diagnostic[]>();
    for (const finding of traceFindingsAsFindings(result.findings)) {
      const range = new vscode.Range(finding.range.start.line, finding.range.start.character, finding.range.end.line, finding.range.end.character);
      const diagnostic = new vscode.Diagnostic(range, finding.message, SEVERITY[finding.severity]);
      diagnostic.source = 'meshlens traces';
      diagnostic.code = finding.ruleId;
      diagnostic.relatedInformation = finding.related.map((related) => new vscode.DiagnosticRelatedInformation(
        new vscode.Location(vscode.Uri.parse(related.uri), new vscode.Position(related.range.start.line, related.range.start.character)),
        related.message,
      ));
      byUri.set(finding.uri, [...(byUri.get(finding.uri) ?? []), diagnostic]);
    }
    this.collection.clear();
    for (const [uri, diagnostics] of byUri) this.collection.set(vscode.Uri.parse(uri), diagnostics);
    const located = [...byUri.values()].reduce((sum, list) => sum + list.length, 0);
    this.output.info(`traces: ${result.findings.length} broken-trace findings in ${result.traceCount} traces, ${located} placed in the code`);
    return { findings: result.findings.length, located, traces: result.traceCount };
  }

  dispose(): void {
    this.collection.dispose();
  }
}

interface HandlerStats {
  service: string;
  route: string;
  stats: LatencyStats;
}

/**
 * A code lens over each Go handler registration with the live p50/p95/error rate of the
 * operation it serves, over the last window. Stats are computed once per refresh, not per lens.
 */
export class LatencyLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private cache: Promise<{ index: GoCodeIndex; byFile: Map<string, { line: number; stats?: HandlerStats; service: string; route: string }[]> }> | undefined;

  constructor(
    private readonly codeIndex: CodeIndexCache,
    private readonly source: () => TraceSource | undefined,
  ) {
    this.subscription = codeIndex.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.cache = undefined;
    this.changed.fire();
  }

  private compute() {
    if (!this.cache) {
      this.cache = (async () => {
        const index = await this.codeIndex.get();
        const byFile = new Map<string, { line: number; stats?: HandlerStats; service: string; route: string }[]>();
        const source = this.source();
        if (!source) return { index, byFile };
        const now = Date.now();
        const sinceMs = traceSettings().lookbackMinutes * 60_000;
        const services = await source.services();
        for (const service of services) {
          const dirs = new Set(index.dirsOf(service));
          const handlers = index.handlers.filter((handler) => dirs.has(handler.dir));
          if (handlers.length === 0) continue;
          const traces = await source.searchTraces({ service, startMs: now - sinceMs, endMs: now, limit: 500 });
          const spans = traces.flatMap((trace) => trace.spans);
          for (const handler of handlers) {
            const location = index.serverLocation(service, handler.route) ?? handler.registeredAt;
            const stats = latencyStats(spansForRoute(spans, service, handler.route));
            const list = byFile.get(location.uri) ?? [];
            list.push({ line: location.line - 1, service, route: handler.route, ...(stats ? { stats: { service, route: handler.route, stats } } : {}) });
            byFile.set(location.uri, list);
          }
        }
        return { index, byFile };
      })();
      this.cache.catch(() => (this.cache = undefined));
    }
    return this.cache;
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!this.source()) return [];
    const { byFile } = await this.compute();
    const window = `${traceSettings().lookbackMinutes} min`;
    return (byFile.get(document.uri.toString()) ?? []).map((entry) => {
      const range = new vscode.Range(entry.line, 0, entry.line, 0);
      const title = entry.stats
        ? `${entry.service} ${entry.route}: ${formatStats(entry.stats.stats)} · ${entry.stats.stats.count} requests in ${window}`
        : `${entry.service} ${entry.route}: no requests in ${window}`;
      return new vscode.CodeLens(range, { title, command: 'meshlens.searchTraces', arguments: [`service=${entry.service}`], tooltip: 'Live latency of this handler from traces; click to search them' });
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
