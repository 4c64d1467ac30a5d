import { fileURLToPath, pathToFileURL } from 'url';
import {
  CodeActionKind,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  type CodeAction,
  type Connection,
  type Diagnostic,
  type DocumentDiagnosticReport,
  type InitializeResult,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analyzer, DEFAULT_MAX_FILE_BYTES, inputKindOf, type RuleSettings } from '../core/analyzer';
import { collectFiles, readText } from '../core/files';
import { resourceName, type Finding, type Severity, type SeveritySetting } from '../core/types';
import {
  DIAGNOSTIC_SOURCE,
  ReindexRequest,
  RuleCatalogRequest,
  RuleDocRequest,
  StatusNotification,
  StatusRequest,
  WorkspaceFindingsRequest,
  type FixPayload,
  type RuleInfo,
  type ServerStatus,
} from '../protocol';
import type { Rule } from '../core/rule';
import { ALL_RULES } from '../rules/registry';
import { RoutingFeatures } from './routing';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Settings under `meshlens.`, as read per resource. */
interface MeshlensSettings {
  enable?: boolean;
  maxFileSize?: number;
  rules?: Record<string, SeveritySetting>;
}

const COMMENT_PREFIX: Record<string, string> = { yaml: '# meshlens-disable-next-line', go: '//meshlens:ignore', ts: '// meshlens:ignore' };

export function startServer(connection: Connection): void {
  let analyzer: Analyzer | undefined;
  let workspaceRoots: string[] = [];
  let state: ServerStatus['state'] = 'indexing';
  let supportsRefresh = false;
  let supportsConfiguration = false;
  const open = new Map<string, TextDocument>();
  const settingsCache = new Map<string, Promise<MeshlensSettings>>();
  const timings: number[] = [];

  const log = {
    info: (message: string) => connection.console.info(message),
    warn: (message: string) => connection.console.warn(message),
    error: (message: string) => connection.console.error(message),
  };

  process.on('uncaughtException', (error) => log.error(`uncaught: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (error) => log.error(`unhandled rejection: ${String(error)}`));

  const ready = Analyzer.create({ rules: ALL_RULES, logger: log }).then((created) => {
    analyzer = created;
    return created;
  });
  const routing = new RoutingFeatures(connection, ready);

  function settingsFor(uri: string): Promise<MeshlensSettings> {
    if (!supportsConfiguration) return Promise.resolve({});
    let settings = settingsCache.get(uri);
    if (!settings) {
      settings = connection.workspace.getConfiguration({ scopeUri: uri, section: 'meshlens' }).then(
        (value: MeshlensSettings | null) => value ?? {},
        () => ({}),
      );
      settingsCache.set(uri, settings);
    }
    return settings;
  }

  function ruleSettings(settings: MeshlensSettings): RuleSettings {
    return { severity: (id) => settings.rules?.[id] };
  }

  function status(): ServerStatus {
    const files = { yaml: 0, go: 0, ts: 0 };
    for (const uri of analyzer?.uris() ?? []) {
      const kind = inputKindOf(uri);
      if (kind) files[kind]++;
    }
    const sorted = [...timings].sort((a, b) => a - b);
    return { state, files, analysisMedianMs: sorted.length ? Math.round(sorted[sorted.length >> 1] * 10) / 10 : 0 };
  }

  let refreshTimer: NodeJS.Timeout | undefined;
  /** Asks the client to pull diagnostics again (other files' results depend on this change). */
  function scheduleRefresh(): void {
    if (!supportsRefresh) return;
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void connection.languages.diagnostics.refresh().catch(() => undefined), 30);
  }

  async function indexWorkspace(): Promise<void> {
    const engine = await ready;
    state = 'indexing';
    connection.sendNotification(StatusNotification.type, status());
    const started = Date.now();
    let files: string[] = [];
    try {
      files = collectFiles(workspaceRoots);
    } catch (error) {
      log.warn(`could not list the workspace: ${String(error)}`);
    }
    for (let i = 0; i < files.length; i++) {
      const uri = pathToFileURL(files[i]).href;
      if (open.has(uri)) continue;
      try {
        engine.setFile(uri, readText(files[i]));
      } catch (error) {
        log.warn(`skipped ${files[i]}: ${String(error)}`);
      }
      // Yield now and then so open documents are served while a large workspace is read.
      if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
    }
    state = 'ready';
    log.info(`indexed ${files.length} files in ${Date.now() - started} ms`);
    connection.sendNotification(StatusNotification.type, status());
    scheduleRefresh();
  }

  connection.onInitialize((params): InitializeResult => {
    supportsRefresh = params.capabilities.workspace?.diagnostics?.refreshSupport === true;
    supportsConfiguration = params.capabilities.workspace?.configuration === true;
    const folders = params.workspaceFolders?.map((folder) => folder.uri) ?? (params.rootUri ? [params.rootUri] : []);
    workspaceRoots = folders.filter((uri) => uri.startsWith('file:')).map((uri) => fileURLToPath(uri));
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        diagnosticProvider: { identifier: 'meshlens', interFileDependencies: true, workspaceDiagnostics: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        ...routing.capabilities(params),
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'meshlens' },
    };
  });

  connection.onInitialized(() => {
    if (supportsConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, undefined);
    void connection.client
      .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{yaml,yml,go,ts,tsx,mts,cts,js,jsx,mjs,cjs}' }] })
      .catch(() => log.info('the client does not watch files for the server; only open documents update the index'));
    void indexWorkspace();
  });

  connection.onDidChangeConfiguration(() => {
    settingsCache.clear();
    scheduleRefresh();
  });

  connection.onDidOpenTextDocument(async ({ textDocument }) => {
    const document = TextDocument.create(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
    open.set(document.uri, document);
    const engine = await ready;
    if (engine.setFile(document.uri, document.getText(), { version: document.version, languageId: document.languageId }).length > 0) scheduleRefresh();
  });

  connection.onDidChangeTextDocument(async ({ textDocument, contentChanges }) => {
    const document = open.get(textDocument.uri);
    if (!document) return;
    const changes = contentChanges.flatMap((change) => ('range' in change ? [{ range: change.range, text: change.text }] : []));
    const updated = TextDocument.update(document, contentChanges, textDocument.version);
    open.set(updated.uri, updated);
    const engine = await ready;
    const incremental = changes.length === contentChanges.length ? changes : undefined;
    const dependents = engine.setFile(updated.uri, updated.getText(), { version: updated.version, languageId: updated.languageId, changes: incremental });
    if (dependents.length > 0) scheduleRefresh();
  });

  connection.onDidCloseTextDocument(async ({ textDocument }) => {
    open.delete(textDocument.uri);
    settingsCache.delete(textDocument.uri);
    const engine = await ready;
    // The index keeps the file as it is on disk: other files may still depend on it.
    let dependents: string[];
    try {
      dependents = engine.setFile(textDocument.uri, readText(fileURLToPath(textDocument.uri)));
    } catch {
      dependents = engine.removeFile(textDocument.uri);
    }
    if (dependents.length > 0) scheduleRefresh();
  });

  connection.onDidChangeWatchedFiles(async ({ changes }) => {
    const engine = await ready;
    let refresh = false;
    for (const change of changes) {
      if (open.has(change.uri) || !change.uri.startsWith('file:')) continue;
      if (change.type === FileChangeType.Deleted) {
        refresh = engine.removeFile(change.uri).length > 0 || refresh;
        continue;
      }
      try {
        refresh = engine.setFile(change.uri, readText(fileURLToPath(change.uri))).length > 0 || refresh;
      } catch (error) {
        log.warn(`could not read ${change.uri}: ${String(error)}`);
      }
    }
    connection.sendNotification(StatusNotification.type, status());
    if (refresh) scheduleRefresh();
  });

  function toDiagnostic(finding: Finding, version: number): Diagnostic {
    const data: FixPayload = { version, fixes: finding.fixes };
    return {
      range: finding.range,
      severity: SEVERITY[finding.severity],
      code: finding.ruleId,
      source: DIAGNOSTIC_SOURCE,
      message: finding.resource ? `${finding.message} [${resourceName(finding.resource)}]` : finding.message,
      relatedInformation: finding.related.map((related) => ({ location: { uri: related.uri, range: related.range }, message: related.message })),
      data,
    };
  }

  connection.languages.diagnostics.on(async (params, token): Promise<DocumentDiagnosticReport> => {
    const engine = await ready;
    const uri = params.textDocument.uri;
    const settings = await settingsFor(uri);
    if (settings.enable === false || !engine.has(uri)) return { kind: 'full', items: [] };
    const maxBytes = settings.maxFileSize ? settings.maxFileSize * 1048576 : DEFAULT_MAX_FILE_BYTES;
    const document = open.get(uri);
    if (document && document.getText().length > maxBytes) {
      return { kind: 'full', items: [skippedDiagnostic(`meshlens skipped this file: it is over the ${settings.maxFileSize ?? 5} MB limit (setting meshlens.maxFileSize)`)] };
    }
    const started = performance.now();
    const result = engine.analyze(uri, ruleSettings(settings), () => token.isCancellationRequested);
    if (result.cancelled || token.isCancellationRequested) {
      throw new ResponseError(LSPErrorCodes.ServerCancelled, 'cancelled', { retriggerRequest: true });
    }
    timings.push(performance.now() - started);
    if (timings.length > 50) timings.shift();
    if (result.skipped) return { kind: 'full', items: [skippedDiagnostic(`meshlens ${result.skipped}`)] };
    const version = document?.version ?? 0;
    return { kind: 'full', items: result.findings.map((finding) => toDiagnostic(finding, version)) };
  });

  function skippedDiagnostic(message: string): Diagnostic {
    return { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Information, source: DIAGNOSTIC_SOURCE, message };
  }

  connection.onCodeAction((params): CodeAction[] => {
    const document = open.get(params.textDocument.uri);
    if (!document) return [];
    const actions: CodeAction[] = [];
    for (const diagnostic of params.context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE || typeof diagnostic.code !== 'string') continue;
      const payload = diagnostic.data as FixPayload | undefined;
      // Fixes computed for an older version would edit the wrong text: wait for fresh diagnostics.
      if (payload && payload.version === document.version) {
        payload.fixes.forEach((fix, index) => {
          const edit: WorkspaceEdit = { changes: Object.fromEntries(fix.changes.map((change) => [change.uri, change.edits])) };
          actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit, isPreferred: index === 0 && fix.safe });
        });
      }
      const ignore = ignoreAction(document, diagnostic, diagnostic.code);
      if (ignore) actions.push(ignore);
    }
    return actions;
  });

  function ignoreAction(document: TextDocument, diagnostic: Diagnostic, ruleId: string): CodeAction | undefined {
    const kind = inputKindOf(document.uri, document.languageId);
    if (!kind) return undefined;
    const line = diagnostic.range.start.line;
    const lineText = document.getText({ start: { line, character: 0 }, end: { line, character: Number.MAX_SAFE_INTEGER } });
    const indent = /^\s*/.exec(lineText)?.[0] ?? '';
    const at = { line, character: 0 };
    return {
      title: `Ignore ${ruleId} on this line`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: { changes: { [document.uri]: [{ range: { start: at, end: at }, newText: `${indent}${COMMENT_PREFIX[kind]} ${ruleId} reason\n` }] } },
    };
  }

  async function ruleInfo(rule: Rule): Promise<RuleInfo> {
    const configured = workspaceRoots[0] ? (await settingsFor(pathToFileURL(workspaceRoots[0]).href)).rules?.[rule.id] : undefined;
    return {
      id: rule.id,
      title: rule.title,
      category: rule.category,
      input: rule.input,
      defaultSeverity: rule.defaultSeverity,
      effectiveSeverity: !configured || configured === 'default' ? rule.defaultSeverity : configured,
      equivalents: { ...rule.equivalents },
      docs: rule.docs,
    };
  }

  connection.onRequest(RuleCatalogRequest.type, () => Promise.all(ALL_RULES.map(ruleInfo)));
  connection.onRequest(RuleDocRequest.type, async ({ ruleId }) => {
    const rule = ALL_RULES.find((candidate) => candidate.id === ruleId);
    return rule ? ruleInfo(rule) : null;
  });
  connection.onRequest(StatusRequest.type, () => status());
  connection.onRequest(ReindexRequest.type, async () => {
    await indexWorkspace();
    return status();
  });
  connection.onRequest(WorkspaceFindingsRequest.type, async (token) => {
    const engine = await ready;
    const findings = [];
    const skipped = [];
    for (const uri of engine.uris()) {
      if (token.isCancellationRequested) break;
      const result = engine.analyze(uri, ruleSettings(await settingsFor(uri)));
      if (result.skipped) skipped.push({ uri, reason: result.skipped });
      for (const finding of result.findings) {
        findings.push({
          uri,
          ruleId: finding.ruleId,
          severity: finding.severity,
          message: finding.message,
          range: finding.range,
          resource: finding.resource ? resourceName(finding.resource) : undefined,
        });
      }
    }
    return { findings, fileCount: engine.uris().length, skipped };
  });

  connection.listen();
}
