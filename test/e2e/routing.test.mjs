// The routing preview in real VS Code (code-server + Chromium): the canary's lenses, the preview
// panel's drawn shares, a weight edited in the editor and the preview following, and a request
// simulated with a header. Screenshots: test-results/e2e/routing-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, consoleErrors, openBrowser, openFile, runCommand, screenshot, startCodeServer, tempDir, waitFor, webviewFrame } from './harness.mjs';

const VSIX = path.join(REPO_ROOT, 'out', 'meshlens.vsix');
const CANARY = 'k8s/istio/checkout-canary.yaml';

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

async function lensTexts(page) {
  return page.locator('.editor-group-container .monaco-editor .codelens-decoration').allTextContents();
}

/** Share shown for a subset in a rule of the preview, e.g. "90%". */
async function drawnShare(frame, ruleIndex, subset) {
  const share = frame.locator(`.rule[data-index="${ruleIndex}"] .dest[data-subset="${subset}"] .share`);
  return (await share.count()) > 0 ? (await share.first().textContent()) : undefined;
}

describe('routing preview in VS Code (code-server + Chromium)', { timeout: 600_000 }, () => {
  let server;
  let browser;
  let page;
  let workspace;

  before(async () => {
    assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: run npm run package`);
    workspace = path.join(tempDir(), 'examples');
    fs.cpSync(path.join(REPO_ROOT, 'examples'), workspace, { recursive: true });
    server = await startCodeServer({ vsixPath: VSIX, workspace, settings: { 'files.autoSave': 'off', 'editor.codeLens': true, 'editor.inlayHints.enabled': 'on' } });
    ({ browser, page } = await openBrowser(server.url, workspace));
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  it('shows the effective split as a code lens above each route', async () => {
    await openFile(page, CANARY);
    const lenses = await waitFor(async () => {
      const texts = await lensTexts(page);
      return texts.some((t) => t.includes('checkout v1 90% · v2 10%')) ? texts : false;
    }, 90_000, { message: 'the canary code lens' });
    assert.ok(lenses.some((t) => t.includes('checkout v2 100%')), `testers lens in ${JSON.stringify(lenses)}`);
    assert.ok(lenses.some((t) => t.includes('Preview routing')), `preview link in ${JSON.stringify(lenses)}`);
    await screenshot(page, 'routing-01-lenses');
  });

  let frame;
  it('opens the preview and draws the shares', async () => {
    await goToLine(page, 12, 1);
    await runCommand(page, 'meshlens: Preview Routing');
    frame = webviewFrame(page);
    await waitFor(async () => (await drawnShare(frame, 1, 'v1')) === '90%', 60_000, { message: 'v1 drawn at 90%' });
    assert.equal(await drawnShare(frame, 1, 'v2'), '10%');
    assert.equal(await drawnShare(frame, 0, 'v2'), '100%');
    const barFraction = (subset) => frame.locator(`.rule[data-index="1"] .dest[data-subset="${subset}"]`).evaluate((dest) =>
      Number(dest.querySelector('rect.bar').getAttribute('width')) / Number(dest.querySelector('rect.bar-track').getAttribute('width')));
    assert.equal(await barFraction('v1'), 0.9, 'the v1 bar is sized by its share');
    assert.equal(await barFraction('v2'), 0.1, 'the v2 bar is sized by its share');
    const strokeWidth = (subset) => frame.locator(`.rule[data-index="1"] path.to-dest[data-subset="${subset}"]`).getAttribute('stroke-width');
    assert.equal(await strokeWidth('v1'), '10.9', 'the rule → v1 edge is drawn 1 + 11 × 0.9 wide');
    assert.equal(await strokeWidth('v2'), '2.1', 'the rule → v2 edge is drawn 1 + 11 × 0.1 wide');
    const workload = frame.locator('.rule[data-index="1"] .workload[data-subset="v1"]');
    assert.deepEqual(await workload.locator('.workload-label').allTextContents(), ['checkout-v1 ×3']);
    assert.equal(await workload.getAttribute('aria-label'), 'Deployment shop/checkout-v1 ×3 · 90%');
    assert.deepEqual(await frame.locator('.rule[data-index="1"] .edge-label .edge-label-text').allTextContents(), ['timeout 5s'], 'the timeout labels the rule → destination edge');
    assert.deepEqual(await frame.locator('.rule[data-index="0"] .edge-label').allTextContents(), [], 'the testers rule has no timeout, retries, fault or mirror');
    assert.equal((await frame.locator('.rule[data-index="0"] .cond').allTextContents()).join(' '), 'headers end-user {exact jason}', 'the match condition, wrapped to the node');
    assert.deepEqual(await frame.locator('.host').evaluateAll((hosts) => hosts.map((h) => h.dataset.host)), ['checkout.shop.svc.cluster.local']);
    await screenshot(page, 'routing-02-preview');
  });

  it('follows a weight edited in the editor, with an inlay hint for the new share', async () => {
    await openFile(page, CANARY);
    await goToLine(page, 24, 19); // "          weight: 90" — before the 9
    await page.keyboard.press('Shift+End');
    await page.keyboard.type('30');
    await waitFor(async () => (await drawnShare(frame, 1, 'v1')) === '75%', 30_000, { message: 'v1 redrawn at 75%' });
    assert.equal(await drawnShare(frame, 1, 'v2'), '25%');
    const latency = await waitFor(async () => {
      const text = (await frame.locator('#latency').textContent()) ?? '';
      return /updated \d+ ms after the edit/.test(text) ? text : false;
    }, 10_000, { message: 'the update latency shown' });
    console.log(`preview: ${latency}`);
    const hints = await waitFor(async () => {
      // Monaco renders spaces in view lines as no-break spaces.
      const texts = (await page.locator('.editor-group-container .monaco-editor .view-line').allTextContents()).map((t) => t.replace(/\u00a0/g, ' '));
      return texts.some((t) => /weight: 30\s*→ 75%/.test(t)) ? texts : false;
    }, 30_000, { message: 'an inlay hint → 75%' }).catch(() => undefined);
    await screenshot(page, 'routing-03-weight-edited');
    const lines = await page.locator('.editor-group-container .monaco-editor .view-line').allTextContents();
    assert.ok(hints, `inlay hint "→ 75%" after the edited weight; lines: ${JSON.stringify(lines.map((t) => t.replace(/\u00a0/g, ' ')))}`);
  });

  it('simulates a request with a header and shows the chosen rule', async () => {
    await frame.locator('#sim-request').fill('GET /api/v1/books');
    await frame.locator('#sim-headers').fill('end-user=jason');
    await frame.locator('#sim-run').click();
    await waitFor(async () => ((await frame.locator('#sim-summary').textContent()) ?? '').includes('checkout-testers'), 30_000, { message: 'the testers rule chosen' });
    assert.equal(await frame.locator('.rule.matched').getAttribute('data-name'), 'checkout-testers');
    await screenshot(page, 'routing-04-simulated');
    await frame.locator('#sim-headers').fill('');
    await frame.locator('#sim-count').fill('1000');
    await frame.locator('#sim-sample').click();
    const sampled = await waitFor(async () => {
      const texts = await frame.locator('.rule[data-index="1"] .sampled').allTextContents();
      return texts.length === 2 ? texts : false;
    }, 30_000, { message: 'the sampled distribution' });
    const counts = sampled.map((t) => Number(/sampled (\d+) of 1000/.exec(t)?.[1]));
    assert.equal(counts[0] + counts[1], 1000);
    assert.ok(counts[0] > 700 && counts[0] < 800, `v1 sampled ${counts[0]} of 1000 at 75%`);
    await screenshot(page, 'routing-05-sampled');
  });

  it('is keyboard accessible: rule nodes take focus with Tab and arrows, Enter shows the details', async () => {
    const first = frame.locator('.rule[data-index="0"] .rule-title');
    const second = frame.locator('.rule[data-index="1"] .rule-title');
    const isFocused = (locator) => locator.evaluate((node) => node === document.activeElement);
    await first.focus();
    assert.equal(await isFocused(first), true);
    await page.keyboard.press('Tab');
    assert.equal(await isFocused(second), true);
    await page.keyboard.press('ArrowUp');
    assert.equal(await isFocused(first), true);
    await page.keyboard.press('ArrowDown');
    assert.equal(await isFocused(second), true);
    await page.keyboard.press('Enter');
    const details = await waitFor(async () => {
      const text = (await frame.locator('#rule-details').textContent().catch(() => null)) ?? '';
      return text.includes('checkout-canary') ? text : false;
    }, 10_000, { message: 'the details of the canary rule' });
    assert.match(details, /Timeout5s/);
    assert.match(details, /subset v1 75% \(weight 30\)/);
    assert.equal(await isFocused(second), true, 'focus stays on the rule node after the details open');
    await screenshot(page, 'routing-06-details');
    // A wider window gives the preview room to draw the diagram at full size.
    const viewport = page.viewportSize();
    await page.setViewportSize({ width: 2400, height: viewport.height });
    await waitFor(() => frame.locator('svg.diagram').evaluate((svg) => svg.getBoundingClientRect().width >= Number(svg.getAttribute('width'))), 10_000, { message: 'the diagram at full size' });
    await screenshot(page, 'routing-07-wide');
    await page.setViewportSize(viewport);
    const errors = consoleErrors(page).filter((e) => /meshlens|Content Security Policy|routing/i.test(e));
    assert.deepEqual(errors, []);
  });
});
