import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { WorkspaceFindingsRequest, type WorkspaceFinding } from '../../server/src/protocol';

type Node = { kind: 'rule'; ruleId: string; findings: WorkspaceFinding[] } | { kind: 'finding'; finding: WorkspaceFinding } | { kind: 'message'; text: string };

const ICONS = { error: 'error', warning: 'warning', info: 'info', hint: 'lightbulb' } as const;

/** The sidebar's findings across the whole workspace, open files or not, grouped by rule. */
export class FindingsView implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly client: () => LanguageClient | undefined) {}

  refresh(): void {
    this.changed.fire();
  }

  refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), 500);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node?.kind === 'rule') return node.findings.map((finding) => ({ kind: 'finding', finding }));
    if (node) return [];
    const client = this.client();
    if (!client?.isRunning()) return [{ kind: 'message', text: 'The meshlens server is not running.' }];
    const result = await client.sendRequest(WorkspaceFindingsRequest.type);
    if (result.findings.length === 0) return [{ kind: 'message', text: `No findings in ${result.fileCount} files.` }];
    const byRule = new Map<string, WorkspaceFinding[]>();
    for (const finding of result.findings) byRule.set(finding.ruleId, [...(byRule.get(finding.ruleId) ?? []), finding]);
    return [...byRule].sort(([a], [b]) => a.localeCompare(b)).map(([ruleId, findings]) => ({ kind: 'rule', ruleId, findings }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'message') return new vscode.TreeItem(node.text);
    if (node.kind === 'rule') {
      const item = new vscode.TreeItem(node.ruleId, vscode.TreeItemCollapsibleState.Expanded);
      item.description = `${node.findings.length}`;
      item.contextValue = 'rule';
      item.tooltip = `Show the documentation of ${node.ruleId}`;
      item.command = { title: 'Show rule documentation', command: 'meshlens.showRuleDocs', arguments: [node.ruleId] };
      return item;
    }
    const { finding } = node;
    const uri = vscode.Uri.parse(finding.uri);
    const item = new vscode.TreeItem(`${vscode.workspace.asRelativePath(uri)}:${finding.range.start.line + 1}`);
    item.description = finding.resource ?? finding.message;
    item.tooltip = finding.resource ? `${finding.message}\n${finding.resource}` : finding.message;
    item.iconPath = new vscode.ThemeIcon(ICONS[finding.severity]);
    const { start, end } = finding.range;
    item.command = {
      title: 'Open',
      command: 'vscode.open',
      arguments: [uri, { selection: new vscode.Range(start.line, start.character, end.line, end.character) }],
    };
    return item;
  }
}
