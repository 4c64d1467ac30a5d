// Live traces in real VS Code (code-server 4.100.3) driven in Chromium: the embedded receiver
// (the default source) receives spans over OTLP/HTTP from the real Go services of examples/, the
// Traces view lists them, a trace opens in the timeline, "Go to source" lands on the call site,
// a hostile span attribute renders as text, the broken-trace diagnostic shows at the call site,
// and a 10,000-span trace paints fast. Screenshots: test-results/e2e/traces-*.png.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  REPO_ROOT,
  clickActivityBarItem,
  consoleErrors,
  openBrowser,
  problemsPanelItems,
  runCommand,
  screenshot,
  startCodeServer,
  tempDir,
  waitFor,
  webviewFrame,
} from './harness.mjs';

const VSIX = path.join(REPO_ROOT, 'out', 'meshlens.vsix');
const XSS = '<img src=x onerror="window.__xss=1">';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const hex = (bytes) => randomBytes(bytes).toString('hex');
const str = (key, value) => ({ key, value: { stringValue: value } });

/** OTLP/JSON ExportTraceServiceRequest for spans grouped by service. */
function otlp(spansByService) {
  return {
    resourceSpans: Object.entries(spansByService).map(([service, spans]) => ({
      resource: { attributes: [str('service.name', service)] },
      scopeSpans: [{ scope: { name: 'meshlens-e2e' }, spans }],
    })),
  };
}

async function post(receiverUrl, body) {
  const response = await fetch(`${receiverUrl}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(response.status, 200, await response.text());
}

/** A trace of `count` spans over five services, four children per span, nested in time. */
function bigTrace(count) {
  const traceId = hex(16);
  const startNs = BigInt(Date.now() - 5_000) * 1_000_000n;
  const spans = [];
  const window = [];
  for (let i = 0; i < count; i++) {
    const parent = i === 0 ? undefined : Math.floor((i - 1) / 4);
    const [pStart, pEnd] = parent === undefined ? [0n, 4_000_000_000n] : window[parent];
    const slot = BigInt(Math.max(0, (i - 1) % 4));
    const width = (pEnd - pStart) / 4n;
    const start = parent === undefined ? pStart : pStart + slot * width + width / 10n;
    const end = parent === undefined ? pEnd : start + (width * 8n) / 10n;
    window.push([start, end]);
    spans.push({
      service: `bulk-${i % 5}`,
      span: {
        traceId,
        spanId: (i + 1).toString(16).padStart(16, '0'),
        ...(parent === undefined ? {} : { parentSpanId: (parent + 1).toString(16).padStart(16, '0') }),
        name: `step-${i}`,
        kind: 1,
        startTimeUnixNano: (startNs + start).toString(),
        endTimeUnixNano: (startNs + end).toString(),
        attributes: [str('step', String(i))],
        ...(i % 97 === 0 ? { status: { code: 2, message: 'failed' } } : {}),
      },
    });
  }
  const byService = {};
  for (const { service, span } of spans) (byService[service] ??= []).push(span);
  return { traceId, body: otlp(byService) };
}

/** The Traces pane; its header's label also carries the view's description (the receiver's address). */
const tracesPane = (page) => page.locator('.part.sidebar .pane', { has: page.locator('.pane-header[aria-label^="Traces"]') }).first();

async function traceRows(page) {
  return tracesPane(page).locator('.pane-body .monaco-list-row').evaluateAll((els) => els
    .sort((a, b) => Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index')))
    .map((el) => (el.querySelector('.label-name')?.textContent ?? '').trim()));
}

/** The Traces view's row labelled `label` (or starting with it); clicked (expands or runs its command). */
async function clickTreeRow(page, label, { prefix = false } = {}) {
  await waitFor(async () => {
    const rows = tracesPane(page).locator('.pane-body .monaco-list-row');
    const labels = await rows.evaluateAll((els) => els.map((el) => (el.querySelector('.label-name')?.textContent ?? '').trim()));
    const index = labels.findIndex((text) => (prefix ? text.startsWith(label) : text === label));
    if (index < 0) return false;
    await rows.nth(index).click({ timeout: 2_000 });
    return true;
  }, 30_000, { message: `"${label}" in the Traces view` });
}

/** The frame of the timeline page, to evaluate in it (frameLocator cannot). */
async function timelineFrame(page) {
  return waitFor(async () => {
    for (const frame of page.frames()) {
      const found = await frame.evaluate(() => !!document.querySelector('#app .viewport')).catch(() => false);
      if (found) return frame;
    }
    return false;
  }, 30_000, { message: 'the timeline webview frame' });
}

async function openTraceById(page, traceId) {
  await runCommand(page, 'meshlens: Open Trace by ID');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`request failed trace_id=${traceId} status=500`);
  await page.keyboard.press('Enter');
  await webviewFrame(page).locator('.trace-id', { hasText: traceId }).waitFor({ timeout: 30_000 });
}

async function editorPosition(page) {
  return (await page.locator('.statusbar-item[id="status.editor.selection"]').first().textContent())?.trim() ?? '';
}

describe('live traces in VS Code (code-server + Chromium)', { timeout: 900_000 }, () => {
  let server;
  let browser;
  let page;
  let workspace;
  let receiverUrl;
  let services;

  before(async () => {
    assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: run npm run package`);
    const root = tempDir();
    workspace = path.join(root, 'examples');
    fs.cpSync(path.join(REPO_ROOT, 'examples'), workspace, { recursive: true });
    const receiverPort = await freePort();
    receiverUrl = `http://127.0.0.1:${receiverPort}`;
    server = await startCodeServer({ vsixPath: VSIX, workspace, settings: { 'files.autoSave': 'off', 'meshlens.traces.receiverPort': receiverPort } });
    ({ browser, page } = await openBrowser(server.url, workspace));
    // The extension starts the receiver on activation.
    await waitFor(async () => (await fetch(receiverUrl, { signal: AbortSignal.timeout(1_000) })).ok, 90_000, { message: `the embedded receiver on ${receiverUrl}` });

    const [frontend, checkout, recommendations, inventory] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const output = [];
    services = spawn('bash', [path.join(REPO_ROOT, 'scripts', 'run-example-services.sh'), '--examples', workspace, '--bin', path.join(root, 'bin'), '--rounds', '8'], {
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl, FRONTEND_PORT: String(frontend), CHECKOUT_PORT: String(checkout), RECOMMENDATIONS_PORT: String(recommendations), INVENTORY_PORT: String(inventory), TRAFFIC_PAUSE: '0.2' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    services.stdout.on('data', (chunk) => output.push(String(chunk)));
    services.stderr.on('data', (chunk) => output.push(String(chunk)));
    const code = await new Promise((resolve) => services.once('exit', resolve));
    services = undefined;
    assert.equal(code, 0, `run-example-services.sh failed:\n${output.join('')}`);
  });

  after(async () => {
    if (services) {
      try { process.kill(-services.pid, 'SIGTERM'); } catch { /* gone */ }
    }
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  it('lists the services that sent spans to the embedded receiver', async () => {
    await clickActivityBarItem(page, 'meshlens');
    const items = await waitFor(async () => {
      const rows = await traceRows(page);
      return ['checkout', 'frontend', 'inventory', 'recommendations'].every((name) => rows.includes(name)) ? rows : false;
    }, 60_000, { message: 'the example services in the Traces view' });
    assert.ok(items.includes('frontend'));
    await screenshot(page, 'traces-01-sidebar');
  });

  it('lists search results from the search form', async () => {
    await runCommand(page, 'meshlens: Search Traces');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill('service=frontend operation="GET /recommendations" lookback=15m limit=5');
    // Timed in the page, from the key press to the DOM holding the five result rows.
    await page.evaluate(() => {
      window.__searchListed = new Promise((resolve) => {
        let started;
        document.addEventListener('keydown', (event) => { if (event.key === 'Enter') started = performance.now(); }, { capture: true, once: true });
        const observer = new MutationObserver(() => {
          const results = [...document.querySelectorAll('.part.sidebar .monaco-list-row .label-name')].filter((el) => el.textContent.startsWith('frontend: GET /recommendations'));
          if (started !== undefined && results.length >= 5) {
            observer.disconnect();
            resolve(performance.now() - started);
          }
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      });
    });
    await page.keyboard.press('Enter');
    const listedMs = await page.evaluate(() => window.__searchListed);
    const rows = await traceRows(page);
    const description = await tracesPane(page).locator('.monaco-list-row', { hasText: 'Search: frontend' }).locator('.label-description').first().textContent();
    const [, count, searchMs] = /^(\d+) traces · (\d+) ms$/.exec(description.trim()) ?? [];
    assert.equal(Number(count), 5, description);
    assert.equal(rows.filter((row) => row.startsWith('frontend: GET /recommendations')).length, 5);
    console.log(`search: the source answered in ${searchMs} ms; results listed ${listedMs.toFixed(0)} ms after Enter`);
    await screenshot(page, 'traces-02-search');
    // Folded away again, so the services stay in view for the next steps.
    await clickTreeRow(page, 'Search: frontend', { prefix: true });
  });

  it('opens a trace from the tree in the timeline and goes to the call site of a span', async () => {
    await clickTreeRow(page, 'frontend');
    await clickTreeRow(page, 'HTTP GET');
    await clickTreeRow(page, 'frontend: HTTP GET', { prefix: true });
    const frame = webviewFrame(page);
    await frame.locator('.row').first().waitFor({ timeout: 30_000 });
    const names = await frame.locator('.row:not([hidden]) .name').allTextContents();
    assert.ok(names.includes('HTTP GET') && names.includes('GET /recommendations'), `timeline rows: ${names.join(', ')}`);
    await frame.locator('.row', { hasText: 'HTTP GET' }).first().click();
    await frame.locator('.details h2', { hasText: 'HTTP GET' }).waitFor();
    await screenshot(page, 'traces-03-timeline');
    await frame.locator('.details .go-to-source').click();
    await page.locator('.tabs-container .tab.active', { hasText: 'main.go' }).waitFor({ timeout: 30_000 });
    await waitFor(async () => (await editorPosition(page)).startsWith('Ln 76,'), 15_000, { message: 'the cursor on line 76 (http.NewRequest)' });
    const breadcrumbs = await page.locator('.editor-group-container.active .breadcrumbs-control').first().textContent().catch(() => '');
    assert.ok(breadcrumbs === '' || breadcrumbs.includes('frontend'), `the frontend's main.go, got breadcrumbs ${breadcrumbs}`);
    // The handler above the call site carries a code lens with the live latency of its operation.
    const lens = await waitFor(async () => {
      const texts = await page.locator('.editor-group-container.active .codelens-decoration').allTextContents();
      return texts.find((text) => text.startsWith('frontend /recommendations: p50')) ?? false;
    }, 30_000, { message: 'the latency code lens over the recommendations handler' });
    assert.match(lens, /p95 .* · \d+% errors · \d+ requests in 15 min/);
    await screenshot(page, 'traces-04-go-to-source');
  });

  it('shows a hostile span attribute as text, running no script', async () => {
    const traceId = hex(16);
    const now = BigInt(Date.now()) * 1_000_000n;
    await post(receiverUrl, otlp({
      'xss-probe': [{
        traceId,
        spanId: hex(8),
        name: '<b>render</b>',
        kind: 2,
        startTimeUnixNano: (now - 5_000_000n).toString(),
        endTimeUnixNano: now.toString(),
        attributes: [str('user.comment', XSS), str('http.route', '/"><script>window.__xss=2</script>')],
        status: { code: 2, message: XSS },
      }],
    }));
    await openTraceById(page, traceId);
    const frame = webviewFrame(page);
    await frame.locator('.row', { hasText: '<b>render</b>' }).click();
    await frame.locator('.details .attributes dd').getByText(XSS, { exact: true }).waitFor();
    const probe = await timelineFrame(page);
    const result = await probe.evaluate(() => ({
      xss: window.__xss,
      images: document.querySelectorAll('#app img').length,
      scripts: document.querySelectorAll('#app script').length,
      bold: document.querySelectorAll('#app b').length,
    }));
    assert.deepEqual(result, { xss: undefined, images: 0, scripts: 0, bold: 0 });
    await screenshot(page, 'traces-05-xss-as-text');
  });

  it('puts the broken-trace finding on the call site, with the runtime evidence', async () => {
    const rows = await waitFor(async () => {
      const found = await problemsPanelItems(page, { filter: 'starts a new trace' });
      return found.some((row) => /seen in \d+ of \d+ traces/.test(row)) ? found : false;
    }, 60_000, { message: 'the broken-trace diagnostic in Problems' });
    const finding = rows.find((row) => /seen in \d+ of \d+ traces/.test(row));
    assert.match(finding, /frontend calls recommendations/);
    assert.match(finding, /line 76\b/);
    await screenshot(page, 'traces-06-diagnostic');
  });

  it('paints a 10,000-span trace in under 500 ms', async () => {
    const { traceId, body } = bigTrace(10_000);
    await post(receiverUrl, body);
    await openTraceById(page, traceId);
    const probe = await timelineFrame(page);
    const timing = await waitFor(() => probe.evaluate(() => {
      const el = document.querySelector('.timing');
      return el?.dataset.fromOpenMs ? { paintMs: Number(el.dataset.paintMs), fromOpenMs: Number(el.dataset.fromOpenMs), rows: document.querySelectorAll('.row:not([hidden])').length, stats: document.querySelector('.stats')?.textContent } : false;
    }), 30_000, { message: 'the first-paint report' });
    console.log(`10,000-span timeline: first paint ${timing.paintMs.toFixed(1)} ms in the page, ${timing.fromOpenMs} ms from the request in the extension host`);
    assert.match(timing.stats, /^10000 spans · 5 services/);
    // Virtualised: only the rows in view are in the DOM.
    assert.ok(timing.rows > 10 && timing.rows < 200, `${timing.rows} rows in the DOM`);
    assert.ok(timing.paintMs < 500, `first paint ${timing.paintMs} ms`);
    assert.ok(timing.fromOpenMs < 500, `first paint ${timing.fromOpenMs} ms after the request, layout and transfer included`);
    await screenshot(page, 'traces-07-10k-spans');
    assert.deepEqual(consoleErrors(page).filter((e) => /meshlens|timeline/i.test(e)), []);
  });
});

describe('live traces in a workspace that is not trusted', { timeout: 300_000 }, () => {
  let server;
  let browser;
  let page;
  let receiverUrl;

  before(async () => {
    assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: run npm run package`);
    const workspace = path.join(tempDir(), 'examples');
    fs.cpSync(path.join(REPO_ROOT, 'examples'), workspace, { recursive: true });
    const receiverPort = await freePort();
    receiverUrl = `http://127.0.0.1:${receiverPort}`;
    server = await startCodeServer({ vsixPath: VSIX, workspace, trust: true, settings: { 'meshlens.traces.receiverPort': receiverPort } });
    ({ browser, page } = await openBrowser(server.url, workspace, { trustDialog: 'decline' }));
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  it('says why in the view, and starts no receiver', async () => {
    await clickActivityBarItem(page, 'meshlens');
    const rows = await waitFor(async () => {
      const found = await traceRows(page);
      return found.some((row) => row.startsWith('Restricted mode')) ? found : false;
    }, 60_000, { message: 'the restricted-mode note in the Traces view' });
    assert.match(rows[0], /no trace back end is contacted and no receiver started until you trust this workspace/);
    const reached = await fetch(receiverUrl, { signal: AbortSignal.timeout(2_000) }).then(() => true, () => false);
    assert.equal(reached, false, `nothing may listen on ${receiverUrl} in an untrusted workspace`);
    await screenshot(page, 'traces-08-restricted-mode');
  });
});
