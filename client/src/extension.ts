import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { ReindexRequest, RuleCatalogRequest, StatusNotification, StatusRequest, type RuleInfo, type ServerStatus } from '../../server/src/protocol';
import { FindingsView } from './findingsView';
import { RoutingPreview } from './routingPreview';
import { RULE_DOC_SCHEME, RuleDocProvider, RulesView } from './rulesView';
import { activateTraces } from './traces';

const LANGUAGES = ['yaml', 'go', 'typescript', 'javascript', 'typescriptreact', 'javascriptreact'];
const SELECTOR = LANGUAGES.flatMap((language) => [
  { scheme: 'file', language },
  { scheme: 'untitled', language },
]);

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('meshlens', { log: true });
  context.subscriptions.push(output);
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: SELECTOR,
    outputChannel: output,
    traceOutputChannel: output,
    diagnosticPullOptions: { onChange: true, onSave: true, onTabs: false },
  };
  client = new LanguageClient('meshlens', 'meshlens', serverOptions, clientOptions);

  const status = vscode.languages.createLanguageStatusItem('meshlens.status', SELECTOR);
  status.name = 'meshlens';
  status.text = '$(sync~spin) meshlens: starting';
  status.command = { title: 'Show output', command: 'meshlens.showOutput' };
  context.subscriptions.push(status);
  const showStatus = (value: ServerStatus) => {
    const files = `${value.files.yaml} YAML · ${value.files.go} Go · ${value.files.ts} TS/JS`;
    status.text = value.state === 'indexing' ? '$(sync~spin) meshlens: indexing' : '$(check) meshlens';
    status.detail = `${files} · analysis median ${value.analysisMedianMs} ms`;
    status.busy = value.state === 'indexing';
  };

  // Live traces need no language server: they work even when it fails to start.
  activateTraces(context, output);

  const findings = new FindingsView(() => client);
  const rules = new RulesView(() => client);
  const docs = new RuleDocProvider(() => client);
  context.subscriptions.push(
    vscode.window.registerTreeDataProvider('meshlens.findings', findings),
    vscode.window.registerTreeDataProvider('meshlens.rules', rules),
    vscode.workspace.registerTextDocumentContentProvider(RULE_DOC_SCHEME, docs),
    vscode.languages.onDidChangeDiagnostics(() => findings.refreshSoon()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('meshlens.rules')) rules.refresh();
    }),
  );

  const command = (id: string, run: (...args: never[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, run));
  command('meshlens.showOutput', () => output.show(true));
  command('meshlens.restartServer', async () => {
    output.info('restarting the language server');
    await client?.restart();
  });
  command('meshlens.reindex', async () => {
    if (!client) return;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'meshlens: indexing workspace' }, async () => {
      showStatus(await client!.sendRequest(ReindexRequest.type));
    });
    findings.refresh();
  });
  command('meshlens.refreshFindings', () => findings.refresh());
  const routingPreview = new RoutingPreview(context.extensionUri, () => client, output);
  context.subscriptions.push(routingPreview);
  // Lenses pass the file and line; from the palette, the active editor's cursor decides.
  command('meshlens.previewRouting', async (uri?: string, line?: number) => {
    const editor = vscode.window.activeTextEditor;
    const target = typeof uri === 'string' ? uri : editor?.document.uri.toString();
    if (!target) {
      void vscode.window.showInformationMessage('meshlens: open a VirtualService YAML file to preview its routing.');
      return;
    }
    await routingPreview.show(target, typeof line === 'number' ? line : (editor?.selection.active.line ?? 0));
  });
  command('meshlens.showRuleDocs', async (ruleId?: string) => {
    let id = typeof ruleId === 'string' ? ruleId : undefined;
    if (!id && client) {
      const catalog: RuleInfo[] = await client.sendRequest(RuleCatalogRequest.type);
      const picked = await vscode.window.showQuickPick(
        catalog.map((rule) => ({ label: rule.id, description: rule.title, detail: Object.entries(rule.equivalents).map(([tool, code]) => `${tool} ${code}`).join(', ') })),
        { placeHolder: 'meshlens rule' },
      );
      id = picked?.label;
    }
    if (!id) return;
    await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.from({ scheme: RULE_DOC_SCHEME, path: `/${id}.md` }));
  });

  try {
    await client.start();
  } catch (error) {
    output.error(`the language server did not start: ${String(error)}`);
    status.text = '$(error) meshlens';
    status.severity = vscode.LanguageStatusSeverity.Error;
    void vscode.window.showErrorMessage('meshlens: the language server did not start. See the meshlens output for details.', 'Show Output').then((choice) => {
      if (choice) output.show();
    });
    return;
  }
  context.subscriptions.push(client.onNotification(StatusNotification.type, (value) => {
    showStatus(value);
    findings.refreshSoon();
  }));
  showStatus(await client.sendRequest(StatusRequest.type));
  rules.refresh();
  findings.refresh();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
