// Smoke test of the e2e harness: a tiny extension, built and packaged here at test time,
// is installed into a real VS Code (code-server) and driven through Chromium.
//
//   bash scripts/install-e2e-deps.sh   # once per machine
//   node --test test/e2e/
//
// Screenshots of every step: test-results/e2e/smoke-*.png

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  REPO_ROOT, clickActivityBarItem, consoleErrors, notificationTexts, openBrowser, openFile,
  problemsPanelItems, runCommand, screenshot, sideBarTitle, startCodeServer, viewItems, waitFor,
  webviewFrame,
} from './harness.mjs';

const STEP_TIMEOUT = 180_000;

const EXTENSION_JS = `
const vscode = require('vscode');

function activate(context) {
  const diagnostics = vscode.languages.createDiagnosticCollection('meshlens-smoke');
  const check = (doc) => {
    if (!doc.uri.path.endsWith('.txt')) return;
    diagnostics.set(doc.uri, [new vscode.Diagnostic(
      new vscode.Range(0, 0, 0, 5), 'meshlens-smoke: smoke diagnostic', vscode.DiagnosticSeverity.Warning)]);
  };
  vscode.workspace.textDocuments.forEach(check);
  context.subscriptions.push(
    diagnostics,
    vscode.workspace.onDidOpenTextDocument(check),
    vscode.commands.registerCommand('meshlensSmoke.hello',
      () => vscode.window.showInformationMessage('Hello from meshlens-smoke')),
    vscode.commands.registerCommand('meshlensSmoke.showPanel', () => {
      const panel = vscode.window.createWebviewPanel('meshlensSmoke.panel', 'Smoke Panel',
        vscode.ViewColumn.One, { enableScripts: false });
      panel.webview.html = '<!DOCTYPE html><html><body><h1 id="greeting">Hello from the smoke webview</h1></body></html>';
    }),
    vscode.window.registerTreeDataProvider('meshlensSmoke.items', {
      getChildren: (element) => (element ? [] : ['alpha item', 'beta item']),
      getTreeItem: (label) => new vscode.TreeItem(label),
    }),
  );
}

module.exports = { activate, deactivate() {} };
`;

const PACKAGE_JSON = {
  name: 'meshlens-smoke',
  displayName: 'meshlens smoke',
  description: 'Throwaway extension for the e2e harness smoke test',
  publisher: 'meshlens-test',
  version: '0.0.1',
  engines: { vscode: '^1.95.0' },
  main: './extension.js',
  activationEvents: ['onStartupFinished'],
  contributes: {
    commands: [
      { command: 'meshlensSmoke.hello', title: 'Hello', category: 'meshlens-smoke' },
      { command: 'meshlensSmoke.showPanel', title: 'Show Panel', category: 'meshlens-smoke' },
    ],
    viewsContainers: {
      activitybar: [{ id: 'meshlensSmoke', title: 'Meshlens Smoke', icon: 'media/smoke.svg' }],
    },
    views: { meshlensSmoke: [{ id: 'meshlensSmoke.items', name: 'Smoke Items' }] },
  },
};

const ICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24">'
  + '<circle cx="12" cy="12" r="8" fill="none" stroke="currentColor" stroke-width="2"/></svg>\n';

/** Writes the extension into a temp folder and packages it with vsce; returns the .vsix path. */
function buildSmokeExtension(dir) {
  const src = path.join(dir, 'extension');
  fs.mkdirSync(path.join(src, 'media'), { recursive: true });
  fs.writeFileSync(path.join(src, 'package.json'), JSON.stringify(PACKAGE_JSON, null, 2));
  fs.writeFileSync(path.join(src, 'extension.js'), EXTENSION_JS);
  fs.writeFileSync(path.join(src, 'media', 'smoke.svg'), ICON_SVG);
  fs.writeFileSync(path.join(src, 'README.md'), '# meshlens smoke\n\nThrowaway extension for the e2e smoke test.\n');
  const vsix = path.join(dir, 'meshlens-smoke.vsix');
  const vsce = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies',
    '--allow-missing-repository', '--skip-license', '-o', vsix], { cwd: src, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0 || !fs.existsSync(vsix)) {
    throw new Error(`vsce package failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return vsix;
}

/** Shared per-suite state and a failure reporter that prints the logs. */
function session() {
  const s = { tmp: null, workspace: null, vsix: null, server: null, browser: null, page: null };
  s.step = (name, fn) => async () => {
    try {
      await fn();
    } catch (e) {
      if (s.page) await screenshot(s.page, `${name}-FAILED`).catch(() => {});
      if (s.server) console.error(await s.server.dumpLogs(40));
      if (s.page) console.error(`---- browser errors ----\n${consoleErrors(s.page).slice(-20).join('\n')}`);
      throw e;
    }
  };
  s.cleanup = async () => {
    await s.browser?.close().catch(() => {});
    await s.server?.stop();
    if (s.tmp) fs.rmSync(s.tmp, { recursive: true, force: true });
  };
  return s;
}

describe('e2e harness smoke: a real extension in code-server', { timeout: 600_000 }, () => {
  const s = session();

  before(async () => {
    s.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-smoke-'));
    s.vsix = buildSmokeExtension(s.tmp);
    s.workspace = path.join(s.tmp, 'workspace');
    fs.mkdirSync(s.workspace);
    fs.writeFileSync(path.join(s.workspace, 'hello.txt'), 'hello world\n');
    s.server = await startCodeServer({ vsixPath: s.vsix, workspace: s.workspace });
    ({ browser: s.browser, page: s.page } = await openBrowser(s.server.url, s.workspace));
    await screenshot(s.page, 'smoke-1-workbench');
  }, { timeout: STEP_TIMEOUT });

  after(() => s.cleanup());

  it('shows the extension\'s diagnostic for an opened .txt file in the Problems panel',
    { timeout: STEP_TIMEOUT }, s.step('smoke-2-problems', async () => {
      await openFile(s.page, 'hello.txt');
      const rows = await waitFor(async () => {
        const r = await problemsPanelItems(s.page);
        return r.some((t) => t.includes('meshlens-smoke: smoke diagnostic')) && r;
      }, 60_000, { message: 'the smoke diagnostic in the Problems panel' });
      await screenshot(s.page, 'smoke-2-problems');
      assert.ok(rows.some((t) => /hello\.txt/.test(t)), `file row for hello.txt in ${JSON.stringify(rows)}`);
      assert.ok(rows.includes('Warning: meshlens-smoke: smoke diagnostic at line 1 and character 1.'),
        `warning row in ${JSON.stringify(rows)}`);
      // The filter box narrows the list: nothing matches this text; clearing it brings it back.
      await waitFor(async () => {
        const r = await problemsPanelItems(s.page, { filter: 'no-such-problem-text' });
        return !r.some((t) => t.includes('smoke diagnostic'));
      }, 15_000, { message: 'the filter to hide the smoke diagnostic' });
      await waitFor(async () => {
        const r = await problemsPanelItems(s.page, { filter: '' });
        return r.some((t) => t.includes('smoke diagnostic'));
      }, 15_000, { message: 'the cleared filter to show the smoke diagnostic again' });
    }));

  it('runs the command from the palette and shows its notification',
    { timeout: STEP_TIMEOUT }, s.step('smoke-3-notification', async () => {
      await runCommand(s.page, 'meshlens-smoke: Hello');
      const texts = await waitFor(async () => {
        const t = await notificationTexts(s.page);
        return t.includes('Hello from meshlens-smoke') && t;
      }, 30_000, { message: 'the "Hello from meshlens-smoke" notification' });
      await screenshot(s.page, 'smoke-3-notification');
      assert.ok(texts.includes('Hello from meshlens-smoke'));
    }));

  it('opens the contributed view from its activity-bar icon',
    { timeout: STEP_TIMEOUT }, s.step('smoke-4-view', async () => {
      await clickActivityBarItem(s.page, 'Meshlens Smoke');
      await waitFor(async () => (await sideBarTitle(s.page)).includes('Smoke Items'), 30_000,
        { message: 'the side bar to show "Smoke Items"' });
      const items = await waitFor(async () => {
        const i = await viewItems(s.page, 'Smoke Items');
        return i.length === 2 && i;
      }, 30_000, { message: 'two tree items in "Smoke Items"' });
      await screenshot(s.page, 'smoke-4-view');
      assert.deepEqual(items, ['alpha item', 'beta item']);
    }));

  it('shows a webview panel whose content is reachable through the nested iframes',
    { timeout: STEP_TIMEOUT }, s.step('smoke-5-webview', async () => {
      await runCommand(s.page, 'meshlens-smoke: Show Panel');
      const greeting = webviewFrame(s.page).locator('#greeting');
      await greeting.waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot(s.page, 'smoke-5-webview');
      assert.equal((await greeting.textContent()).trim(), 'Hello from the smoke webview');
    }));
});

describe('e2e harness smoke: workspace trust on', { timeout: 600_000 }, () => {
  const s = session();

  before(async () => {
    s.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-smoke-trust-'));
    s.workspace = path.join(s.tmp, 'workspace');
    fs.mkdirSync(s.workspace);
    fs.writeFileSync(path.join(s.workspace, 'hello.txt'), 'hello world\n');
    s.server = await startCodeServer({ workspace: s.workspace, trust: true });
  }, { timeout: STEP_TIMEOUT });

  after(() => s.cleanup());

  it('declines the trust dialog and leaves the window in Restricted Mode',
    { timeout: STEP_TIMEOUT }, s.step('smoke-6-restricted', async () => {
      ({ browser: s.browser, page: s.page } = await openBrowser(s.server.url, s.workspace,
        { trustDialog: 'decline' }));
      const badge = s.page.locator('.part.statusbar .statusbar-item', { hasText: 'Restricted Mode' });
      await badge.first().waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot(s.page, 'smoke-6-restricted');
      assert.equal(await s.page.locator('.monaco-dialog-box').count(), 0, 'no dialog left open');
    }));
});
