// The packaged extension in real VS Code (code-server 4.100.3) driven in Chromium: the example
// shop's findings in the Problems panel, a quick fix from the light bulb, a fix in one file that
// clears an error in another, the sidebar, and the commands. Screenshots: test-results/e2e/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  REPO_ROOT,
  clickActivityBarItem,
  consoleErrors,
  openBrowser,
  openFile,
  problemsPanelItems,
  screenshot,
  startCodeServer,
  tempDir,
  viewItems,
  waitFor,
} from './harness.mjs';

const VSIX = path.join(REPO_ROOT, 'out', 'meshlens.vsix');

/** Moves the cursor with Go to Line (Ctrl+G), `line:column` 1-based. */
async function goToLine(page, line, column) {
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/**
 * Picks an entry of the open code-action menu with the keyboard (the menu's pointer block
 * swallows synthetic clicks): moves the focus down to the row and presses Enter.
 */
async function chooseAction(page, title) {
  const rows = page.locator('.action-widget .monaco-list-row.action');
  await rows.first().waitFor({ state: 'visible' });
  const labels = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''));
  const target = labels.findIndex((label) => label.startsWith(title));
  assert.ok(target >= 0, `code action "${title}" in ${JSON.stringify(labels)}`);
  // The menu opens with its first entry focused.
  await waitFor(async () => (await rows.first().getAttribute('class'))?.includes('focused'), 5_000, { message: 'the first code action focused' });
  for (let i = 0; i < target; i++) await page.keyboard.press('ArrowDown');
  await waitFor(async () => (await rows.nth(target).getAttribute('class'))?.includes('focused'), 5_000, { message: `"${title}" focused` });
  await page.keyboard.press('Enter');
  await page.locator('.action-widget').waitFor({ state: 'hidden' });
}

/**
 * Whether the Problems panel lists a finding with this text. The panel is filtered by the text,
 * since its list is virtualised and web-bff's own TS errors (no node_modules) would crowd ours out.
 */
async function hasProblem(page, text) {
  const rows = await problemsPanelItems(page, { filter: text });
  return rows.some((row) => row.includes(text) && row.includes('meshlens'));
}

describe('meshlens in VS Code (code-server + Chromium)', { timeout: 600_000 }, () => {
  let server;
  let browser;
  let page;
  let workspace;

  before(async () => {
    assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: run npm run package`);
    workspace = path.join(tempDir(), 'examples');
    fs.cpSync(path.join(REPO_ROOT, 'examples'), workspace, { recursive: true });
    server = await startCodeServer({ vsixPath: VSIX, workspace, settings: { 'files.autoSave': 'off' } });
    ({ browser, page } = await openBrowser(server.url, workspace));
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  it('lists the example shop\'s findings in the Problems panel', async () => {
    await openFile(page, 'k8s/istio/inventory-vs.yaml');
    await openFile(page, 'k8s/istio/recommendations-vs.yaml');
    await openFile(page, 'services/web-bff/src/server.ts');
    await openFile(page, 'services/frontend/main.go');
    // The weights finding is a hint: VS Code shows hints in the editor only, not in Problems.
    for (const text of ['inventory.shop.svc.cluster.local+v3', 'Span "span" is never ended', 'http.NewRequest drops the request']) {
      await waitFor(() => hasProblem(page, text), 60_000, { message: `a meshlens Problems row with "${text}"` });
    }
    await problemsPanelItems(page, { filter: 'meshlens' });
    await screenshot(page, '01-problems');
  });

  it('applies a Go quick fix from the light bulb', async () => {
    await openFile(page, 'services/frontend/main.go');
    await goToLine(page, 76, 20);
    const bulb = page.locator('.lightBulbWidget .codicon, .lightBulbWidget').first();
    await bulb.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, '02-light-bulb');
    await bulb.click();
    await page.locator('.action-widget .monaco-list-row.action').first().waitFor({ state: 'visible' });
    await screenshot(page, '03-quick-fix-menu');
    await chooseAction(page, 'Use http.NewRequestWithContext(r.Context(), ...)');
    await page.keyboard.press('Control+S');
    const file = path.join(workspace, 'services', 'frontend', 'main.go');
    await waitFor(() => fs.readFileSync(file, 'utf8').includes('http.NewRequestWithContext(r.Context(), "GET"'), 30_000, { message: 'the fix saved to disk' });
    await waitFor(async () => !(await hasProblem(page, 'http.NewRequest drops the request')), 30_000, {
      message: 'the Go finding to disappear',
    });
    await screenshot(page, '04-go-fixed');
  });

  it('clears the VirtualService error when the DestinationRule in another file gets the subset', async () => {
    await openFile(page, 'k8s/istio/inventory-vs.yaml');
    await waitFor(() => hasProblem(page, 'inventory.shop.svc.cluster.local+v3'), 30_000, { message: 'the subset error' });
    await openFile(page, 'k8s/istio/destination-rules.yaml');
    // Rename the unused subset v2 of the inventory DestinationRule (line 42) to v3.
    await goToLine(page, 42, 13);
    await page.keyboard.press('Shift+End');
    await page.keyboard.type('v3');
    await screenshot(page, '05-destination-rule-edited');
    await waitFor(async () => !(await hasProblem(page, 'inventory.shop.svc.cluster.local+v3')), 30_000, {
      message: 'the subset error in inventory-vs.yaml to clear after the edit in destination-rules.yaml',
    });
    await openFile(page, 'k8s/istio/inventory-vs.yaml');
    await screenshot(page, '06-cross-file-cleared');
  });

  it('shows the sidebar with findings and rules', async () => {
    await clickActivityBarItem(page, 'meshlens');
    const findings = await waitFor(async () => {
      const items = await viewItems(page, 'Findings');
      return items.includes('ts-span-not-ended') && items.includes('vs-weights-not-100') ? items : false;
    }, 60_000, { message: 'rule groups in the Findings view' });
    assert.ok(!findings.includes('go-request-without-context'), 'the fixed Go finding is gone from the sidebar');
    await screenshot(page, '07-sidebar');
  });

  it('offers its commands under the meshlens category', async () => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input.input');
    await input.fill('>meshlens: ');
    const labels = await waitFor(async () => {
      const found = await page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name').allTextContents();
      return found.length >= 5 ? found : false;
    }, 30_000, { message: 'meshlens commands in the palette' });
    for (const title of ['Show Rule Documentation', 'Re-index Workspace', 'Restart Language Server', 'Show Output']) {
      assert.ok(labels.some((label) => label.includes(`meshlens: ${title}`)), `palette lists meshlens: ${title}; got ${labels.join(' | ')}`);
    }
    await screenshot(page, '08-commands');
    await page.keyboard.press('Escape');
    assert.deepEqual(consoleErrors(page).filter((e) => /meshlens/i.test(e)), []);
  });
});
