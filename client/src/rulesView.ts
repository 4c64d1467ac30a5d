import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { RuleCatalogRequest, RuleDocRequest, type RuleInfo } from '../../server/src/protocol';

export const RULE_DOC_SCHEME = 'meshlens-rule';

const INPUTS = { yaml: 'Kubernetes/Istio YAML', go: 'Go', ts: 'TypeScript/JavaScript' } as const;

/** The rule catalog in the sidebar, grouped by input, with the severity in force. */
export class RulesView implements vscode.TreeDataProvider<RuleInfo | string> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private catalog: Promise<RuleInfo[]> | undefined;

  constructor(private readonly client: () => LanguageClient | undefined) {}

  refresh(): void {
    this.catalog = undefined;
    this.changed.fire();
  }

  private rules(): Promise<RuleInfo[]> {
    const client = this.client();
    if (!client?.isRunning()) return Promise.resolve([]);
    this.catalog ??= client.sendRequest(RuleCatalogRequest.type);
    return this.catalog;
  }

  async getChildren(node?: RuleInfo | string): Promise<(RuleInfo | string)[]> {
    const rules = await this.rules();
    if (node === undefined) return [...new Set(rules.map((rule) => rule.input))];
    if (typeof node === 'string') return rules.filter((rule) => rule.input === node);
    return [];
  }

  getTreeItem(node: RuleInfo | string): vscode.TreeItem {
    if (typeof node === 'string') return new vscode.TreeItem(INPUTS[node as keyof typeof INPUTS] ?? node, vscode.TreeItemCollapsibleState.Expanded);
    const item = new vscode.TreeItem(node.id);
    const equivalents = Object.entries(node.equivalents).map(([tool, code]) => `${tool} ${code}`).join(', ');
    item.description = `${node.effectiveSeverity}${equivalents ? ` · ${equivalents}` : ''}`;
    item.tooltip = node.title;
    item.command = { title: 'Show rule documentation', command: 'meshlens.showRuleDocs', arguments: [node.id] };
    return item;
  }
}

/** Serves `meshlens-rule:/<id>.md`, the rule's docs from the registry, for the Markdown preview. */
export class RuleDocProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly client: () => LanguageClient | undefined) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const id = uri.path.replace(/^\//, '').replace(/\.md$/, '');
    const rule = await this.client()?.sendRequest(RuleDocRequest.type, { ruleId: id });
    if (!rule) return `# ${id}\n\nNo such meshlens rule.`;
    const equivalents = Object.entries(rule.equivalents).map(([tool, code]) => `${tool} \`${code}\``).join(', ');
    return `# ${rule.id}: ${rule.title}\n\nDefault severity: **${rule.defaultSeverity}** · in force: **${rule.effectiveSeverity}**${equivalents ? ` · same as ${equivalents}` : ''}\n\n${rule.docs}\n`;
  }
}
