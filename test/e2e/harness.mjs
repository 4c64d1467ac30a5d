// End-to-end harness: a real VS Code (code-server, VS Code 1.100) driven in Debian's
// Chromium by playwright-core. Plain ESM, no build step.
//
// Prerequisites: `bash scripts/install-e2e-deps.sh` (code-server into .cache/code-server,
// Chromium at /usr/bin/chromium). Nothing here downloads anything.
//
// Typical use:
//   const cs = await startCodeServer({ vsixPath, workspace });
//   const { browser, page } = await openBrowser(cs.url, workspace);
//   await openFile(page, 'a.txt');
//   const rows = await problemsPanelItems(page);
//   ...
//   await browser.close(); await cs.stop();

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results', 'e2e');
export const CODE_SERVER_ENTRY = process.env.CODE_SERVER_ENTRY
  ?? path.join(process.env.CODE_SERVER_DIR ?? path.join(REPO_ROOT, '.cache', 'code-server'),
    'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// Settings that keep the workbench quiet and predictable; `settings` passed by a test win.
const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
  'window.commandCenter': false,
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` (sync or async) until it returns a truthy value; returns that value. */
export async function waitFor(fn, timeoutMs = 30_000, { interval = 200, message } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const what = message ?? fn.toString().slice(0, 200);
      const err = new Error(`waitFor timed out after ${timeoutMs} ms: ${what}` +
        (lastError ? `\n  last error: ${lastError.message ?? lastError}` : ''));
      if (lastError) err.cause = lastError;
      throw err;
    }
    await sleep(interval);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Process groups still alive and temp folders still in use: killed/removed if the test
// process exits (or is interrupted) without calling stop() / browser.close().
const liveGroups = new Set();
const liveTempDirs = new Set();
function cleanUpOnExit() {
  for (const pid of liveGroups) {
    try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  if (process.env.E2E_KEEP_FILES) return;
  for (const dir of liveTempDirs) {
    try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* best effort */ }
  }
}
process.on('exit', cleanUpOnExit);
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.once(sig, () => process.exit(code)); // runs the 'exit' clean-up
}

/**
 * Makes a temp folder that is removed when the test process exits, even when interrupted
 * (remove it earlier yourself if you like). Kept when E2E_KEEP_FILES is set.
 */
export function tempDir(prefix = 'meshlens-e2e-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  liveTempDirs.add(dir);
  return dir;
}

async function listFiles(dir) {
  const out = [];
  async function walk(d) {
    let entries;
    try { entries = await fsp.readdir(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p); else out.push(p);
    }
  }
  await walk(dir);
  return out;
}

function tail(text, lines) {
  const all = text.split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n');
}

/**
 * Starts code-server with the extension from `vsixPath` installed.
 * @param {object} o
 * @param {string} [o.vsixPath] packaged extension; omitted = no extension
 * @param {string} o.workspace absolute folder to open
 * @param {boolean} [o.trust=false] keep workspace trust on (restricted mode until trusted)
 * @param {object} [o.settings] user settings (merged over quiet defaults)
 * @param {string[]} [o.extraArgs] more code-server arguments
 * @returns {Promise<{url:string, port:number, pid:number, stop:Function, userDataDir:string,
 *   extensionsDir:string, logsDir:string, serverLog:string, dumpLogs:Function}>}
 */
export async function startCodeServer({ vsixPath, workspace, trust = false, settings = {}, extraArgs = [] } = {}) {
  if (!fs.existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(`code-server not found at ${CODE_SERVER_ENTRY}: run scripts/install-e2e-deps.sh`);
  }
  if (!workspace || !path.isAbsolute(workspace)) throw new Error('workspace must be an absolute path');
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'meshlens-e2e-'));
  liveTempDirs.add(root);
  const extensionsDir = path.join(root, 'extensions');
  const userDataDir = path.join(root, 'user-data');
  const logsDir = path.join(userDataDir, 'logs');
  const serverLog = path.join(root, 'code-server.log');
  await fsp.mkdir(path.join(userDataDir, 'User'), { recursive: true });
  await fsp.mkdir(extensionsDir, { recursive: true });
  await fsp.writeFile(path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2));

  // code-server reads/writes ~/.config/code-server/config.yaml and ~/.local/share/code-server
  // unless told otherwise: keep everything inside this run's temp folder.
  const configFile = path.join(root, 'config.yaml');
  await fsp.writeFile(configFile, 'auth: none\ncert: false\n');
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(root, 'xdg-config'),
    XDG_DATA_HOME: path.join(root, 'xdg-data'),
  };
  for (const k of ['VSCODE_IPC_HOOK_CLI', 'PASSWORD', 'HASHED_PASSWORD', 'PORT', 'GITHUB_TOKEN',
    'VSCODE_PROXY_URI', 'CS_DISABLE_FILE_DOWNLOADS']) {
    delete env[k];
  }

  if (vsixPath) {
    const r = spawnSync(process.execPath, [CODE_SERVER_ENTRY, '--config', configFile,
      '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir,
      '--install-extension', path.resolve(vsixPath)], { env, encoding: 'utf8', timeout: 180_000 });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    if (r.status !== 0 || !/successfully installed/i.test(out)) {
      throw new Error(`installing ${vsixPath} failed (exit ${r.status}, ${r.error ?? ''}):\n${out}`);
    }
  }

  const port = await freePort();
  const args = [CODE_SERVER_ENTRY,
    '--config', configFile,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--extensions-dir', extensionsDir,
    '--user-data-dir', userDataDir,
    '--disable-telemetry', '--disable-update-check',
    '--disable-getting-started-override',
    ...(trust ? [] : ['--disable-workspace-trust']),
    ...extraArgs,
    workspace];
  const logFd = fs.openSync(serverLog, 'a');
  const child = spawn(process.execPath, args, {
    env, detached: true, stdio: ['ignore', logFd, logFd],
  });
  fs.closeSync(logFd);
  const pid = child.pid;
  liveGroups.add(pid);
  let exited = null;
  const exitPromise = new Promise((resolve) => child.once('exit', (code, signal) => {
    exited = { code, signal };
    resolve(exited);
  }));

  const url = `http://127.0.0.1:${port}`;

  async function dumpLogs(lines = 60) {
    let text = `---- code-server output (${serverLog}) ----\n`;
    try { text += tail(await fsp.readFile(serverLog, 'utf8'), lines); } catch (e) { text += String(e); }
    for (const f of (await listFiles(logsDir)).filter((f) => f.endsWith('.log')).sort()) {
      let body = '';
      try { body = await fsp.readFile(f, 'utf8'); } catch { continue; }
      if (!body.trim()) continue;
      text += `\n---- ${path.relative(logsDir, f)} ----\n${tail(body.trimEnd(), lines)}`;
    }
    return text;
  }

  let stopped = false;
  async function stop({ keepFiles = false } = {}) {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      try { process.kill(-pid, 'SIGTERM'); } catch { /* gone */ }
      const done = await Promise.race([exitPromise, sleep(10_000).then(() => null)]);
      if (!done) {
        try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
        await Promise.race([exitPromise, sleep(5_000)]);
      }
    }
    // Children (extension host, language servers, pty host) are in the same group.
    try { process.kill(-pid, 'SIGKILL'); } catch { /* group empty */ }
    liveGroups.delete(pid);
    liveTempDirs.delete(root);
    if (keepFiles || process.env.E2E_KEEP_FILES) {
      console.error(`code-server files kept in ${root}`);
    } else {
      await fsp.rm(root, { recursive: true, force: true }).catch(() => {});
    }
  }

  try {
    await waitFor(async () => {
      if (exited) throw new Error(`code-server exited early: ${JSON.stringify(exited)}`);
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      return res.ok;
    }, 120_000, { interval: 300, message: `code-server answering on ${url}` });
  } catch (e) {
    console.error(await dumpLogs());
    await stop({ keepFiles: true });
    throw e;
  }
  return { url, port, pid, stop, dumpLogs, root, userDataDir, extensionsDir, logsDir, serverLog };
}

/**
 * Opens the workbench for `workspace` in headless Chromium.
 * @param {string} url code-server base URL
 * @param {string} workspace absolute folder
 * @param {object} [o]
 * @param {'decline'|'accept'|'leave'} [o.trustDialog='decline'] answer to the workspace-trust
 *   dialog (only shown when code-server runs with trust=true)
 * @returns {Promise<{browser: import('playwright-core').Browser, page: import('playwright-core').Page}>}
 */
export async function openBrowser(url, workspace, { trustDialog = 'decline', headless = true } = {}) {
  // Chromium keeps its crash database under $XDG_CONFIG_HOME/chromium: point that at a temp folder.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-e2e-chromium-'));
  liveTempDirs.add(home);
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless,
      env: { ...process.env, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_CACHE_HOME: path.join(home, 'cache') },
    });
  } catch (e) {
    liveTempDirs.delete(home);
    fs.rmSync(home, { recursive: true, force: true });
    throw e;
  }
  browser.on('disconnected', () => {
    liveTempDirs.delete(home);
    fs.rmSync(home, { recursive: true, force: true });
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    // Browser-side errors, for failure reports (see consoleErrors()).
    const errors = [];
    consoleErrorsByPage.set(page, errors);
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`[console] ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`[pageerror] ${e.message}`));
    const target = new URL(url);
    if (workspace) target.searchParams.set('folder', workspace);
    await page.goto(target.toString(), { waitUntil: 'domcontentloaded', timeout: 120_000 });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 120_000 });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: 60_000 });
    if (workspace) {
      // The explorer/title shows the folder once the workspace is resolved.
      const name = path.basename(workspace);
      await waitFor(async () => (await page.title()).includes(name), 60_000,
        { message: `window title to mention ${name}` });
    }
    await handleTrustDialog(page, trustDialog);
    await dismissPopups(page);
    return { browser, page };
  } catch (e) {
    await browser.close().catch(() => {});
    throw e;
  }
}

/** Whether the served workbench has workspace trust on (code-server started with trust). */
async function workspaceTrustEnabled(page) {
  return page.evaluate(() => {
    const meta = document.getElementById('vscode-workbench-web-configuration');
    try { return JSON.parse(meta.getAttribute('data-settings')).enableWorkspaceTrust === true; } catch { return false; }
  });
}

const consoleErrorsByPage = new WeakMap();

/** Console errors and uncaught exceptions the page has logged so far. */
export function consoleErrors(page) {
  return [...(consoleErrorsByPage.get(page) ?? [])];
}

async function handleTrustDialog(page, answer) {
  if (answer === 'leave' || !(await workspaceTrustEnabled(page))) return;
  // With trust on, a fresh user-data-dir always gets the modal "Do you trust the authors" dialog.
  const dialog = page.locator('.monaco-dialog-box', { hasText: /trust the authors/i });
  await dialog.waitFor({ state: 'visible', timeout: 60_000 });
  const label = answer === 'accept' ? /Yes, I trust/i : /No, I don.t trust/i;
  await dialog.getByRole('button', { name: label }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/** Closes welcome/walkthrough editors and notification toasts (the trust dialog is handled by openBrowser). */
export async function dismissPopups(page) {
  // Welcome / walkthrough editors.
  const welcomeTabs = page.locator('.tabs-container .tab', { hasText: /Welcome|Walkthrough|Release Notes/i });
  for (let i = await welcomeTabs.count(); i > 0; i--) {
    const tab = welcomeTabs.first();
    await tab.hover().catch(() => {});
    await tab.locator('.action-label.codicon-close, .codicon-close').first().click().catch(() => {});
  }
  await clearNotifications(page);
}

/** Clears all notification toasts (and the notification centre). */
export async function clearNotifications(page) {
  const toasts = page.locator('.notifications-toasts .notification-toast');
  if (await toasts.count() === 0) return;
  await runCommand(page, 'Notifications: Clear All Notifications').catch(() => {});
  await waitFor(async () => (await toasts.count()) === 0, 5_000).catch(() => {});
}

/** Texts of the notification toasts on screen. */
export async function notificationTexts(page) {
  return page.locator('.notifications-toasts .notification-toast .notification-list-item-message')
    .allInnerTexts();
}

const quickInput = (page) => page.locator('.quick-input-widget');

async function closeQuickInput(page) {
  if (await quickInput(page).isVisible()) {
    await page.keyboard.press('Escape');
    await quickInput(page).waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
  }
}

/** Focuses the workbench so keyboard shortcuts reach it (not a webview or the browser). */
async function focusWorkbench(page) {
  const active = await page.evaluate(() => document.activeElement?.tagName ?? '');
  if (active === 'IFRAME' || active === 'BODY' || active === '') {
    await page.locator('.part.statusbar').click({ position: { x: 2, y: 2 } }).catch(() => {});
  }
}

/**
 * Runs a command by its palette title (e.g. "View: Focus Problems"). The row whose label
 * equals `title` is chosen; otherwise the first row containing it.
 */
export async function runCommand(page, title) {
  await closeQuickInput(page);
  await focusWorkbench(page);
  await page.keyboard.press('F1');
  const widget = quickInput(page);
  await widget.waitFor({ state: 'visible' });
  const input = widget.locator('input.input');
  await input.fill(`>${title}`);
  const rows = widget.locator('.quick-input-list .monaco-list-row');
  const wanted = title.toLowerCase();
  const index = await waitFor(async () => {
    const labels = await rows.evaluateAll((els) => els.map((el) =>
      (el.querySelector('.label-name')?.textContent ?? el.getAttribute('aria-label') ?? '').trim()));
    if (labels.length === 0) return false;
    const exact = labels.findIndex((l) => l.toLowerCase() === wanted);
    if (exact >= 0) return exact + 1;
    const partial = labels.findIndex((l) => l.toLowerCase().includes(wanted));
    return partial >= 0 ? partial + 1 : false;
  }, 30_000, { message: `command "${title}" in the palette` });
  await rows.nth(index - 1).click();
  await widget.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
}

/** Opens a workspace file by its path relative to the workspace folder (Quick Open). */
export async function openFile(page, relPath) {
  await closeQuickInput(page);
  await focusWorkbench(page);
  await page.keyboard.press('Control+P');
  const widget = quickInput(page);
  await widget.waitFor({ state: 'visible' });
  await widget.locator('input.input').fill(relPath);
  const base = path.posix.basename(relPath.replace(/\\/g, '/'));
  const dir = path.posix.dirname(relPath.replace(/\\/g, '/'));
  const rows = widget.locator('.quick-input-list .monaco-list-row');
  // Results arrive in several batches and re-render the list: find the row and click it in one
  // step, and try again when the list changed in between.
  await waitFor(async () => {
    const items = await rows.evaluateAll((els) => els.map((el) => ({
      name: (el.querySelector('.label-name')?.textContent ?? '').trim(),
      desc: (el.querySelector('.label-description')?.textContent ?? '').trim(),
    })));
    const i = items.findIndex((it) => it.name === base && (dir === '.' || it.desc.replace(/\\/g, '/').endsWith(dir)));
    if (i < 0) return false;
    await rows.nth(i).click({ timeout: 2_000 });
    return true;
  }, 30_000, { message: `"${relPath}" in Quick Open` });
  await widget.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
  await page.locator('.tabs-container .tab.active', { hasText: base })
    .waitFor({ state: 'visible', timeout: 30_000 });
  await page.locator('.editor-group-container.active .monaco-editor .view-lines')
    .first().waitFor({ state: 'visible', timeout: 30_000 });
}

/**
 * Opens the Problems panel (unless it is showing) and returns the texts of its visible
 * rows: file rows ("1 problems in file a.txt of folder .") and marker rows
 * ("Warning: <message> at line 1 and character 1."), in order, as the rows' aria-labels.
 * The list is virtualised: only rows in view are returned. `filter` types into the
 * panel's filter box first to narrow the list.
 */
export async function problemsPanelItems(page, { filter } = {}) {
  const panel = page.locator('.markers-panel');
  if (!(await panel.isVisible())) {
    await runCommand(page, 'View: Focus Problems');
    await panel.waitFor({ state: 'visible' });
  }
  if (filter !== undefined) {
    const filterBox = page.locator('input[aria-label="Filter Problems"]').first();
    await filterBox.fill(filter);
    await sleep(300); // the filter applies after a short debounce: callers should poll (waitFor)
  }
  const rows = panel.locator('.monaco-list-row');
  return rows.evaluateAll((els) => els
    .sort((a, b) => (Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index'))))
    .map((el) => (el.getAttribute('aria-label') || el.textContent || '').trim()));
}

/**
 * Labels of the visible rows of a side-bar view, found by the view's name (its section
 * header, e.g. "Smoke Items"). Virtualised like every tree: only rows in view.
 */
export async function viewItems(page, viewName) {
  const pane = page.locator('.part.sidebar .pane', {
    has: page.locator(`.pane-header[aria-label="${viewName.replace(/"/g, '\\"')} Section"]`),
  }).first();
  await pane.waitFor({ state: 'visible' });
  return pane.locator('.pane-body .monaco-list-row').evaluateAll((els) => els
    .sort((a, b) => (Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index'))))
    .map((el) => (el.querySelector('.label-name')?.textContent ?? el.getAttribute('aria-label') ?? '').trim()));
}

/** Title of the side bar (e.g. "EXPLORER", "Meshlens Smoke: Smoke Items"). */
export async function sideBarTitle(page) {
  // textContent: the header is upper-cased by CSS, innerText would return it upper-cased.
  return ((await page.locator('.part.sidebar .composite.title .title-label h2').textContent()) ?? '').trim();
}

/** Clicks the activity-bar entry whose label starts with `title`. */
export async function clickActivityBarItem(page, title) {
  const item = page.locator(`.part.activitybar .action-item a.action-label[aria-label^="${title.replace(/"/g, '\\"')}"]`).first();
  await item.waitFor({ state: 'visible' });
  await item.click();
}

/** Saves a full-page PNG to test-results/e2e/<name>.png and returns its path. */
export async function screenshot(page, name) {
  await fsp.mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** The webview content frame of the (first, or nth) ready webview. */
export function webviewFrame(page, nth = 0) {
  return page.frameLocator('iframe.webview.ready').nth(nth).frameLocator('#active-frame');
}
