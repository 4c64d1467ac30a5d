/**
 * Routing preview latency through the real language server over stdio: after each edit of a
 * weight, the time to the code lenses, the inlay hints, a hover, and the preview's routing model.
 *
 *   npx tsc -p . && node scripts/build.mjs --production && node out/bench/routing-latency.js
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RoutingModelRequest } from '../server/src/protocol';
import { LspClient } from '../test/support/lsp-client';
import { yamlFile } from './editor-latency';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const summary = (values: number[]) => `p50 ${percentile(values, 50).toFixed(1)} ms · p95 ${percentile(values, 95).toFixed(1)} ms · p99 ${percentile(values, 99).toFixed(1)} ms (n=${values.length})`;

async function main(): Promise<void> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-bench-routing-'));
  const text = yamlFile(320);
  const file = path.join(workspace, 'routes.yaml');
  fs.writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  const client = await LspClient.start(workspace);
  try {
    await client.waitForIndex();
    client.open(uri, 'yaml', text);
    const lines = text.split('\n');
    const weightLines = lines.map((l, i) => (l.trim() === 'weight: 90' ? i : -1)).filter((i) => i >= 0);
    const timings = { lens: [] as number[], hints: [] as number[], hover: [] as number[], model: [] as number[] };
    const time = async (into: number[], run: () => Promise<unknown>) => {
      const started = performance.now();
      await run();
      into.push(performance.now() - started);
    };
    for (let i = 0; i < 200; i++) {
      const line = weightLines[i % weightLines.length];
      const column = lines[line].indexOf('90');
      const value = i % 2 === 0 ? '80' : '90';
      // Each measure follows its own edit, so none is served from the cache of the previous one.
      const edit = () => client.change(uri, [{ range: { start: { line, character: column }, end: { line, character: column + 2 } }, text: value }]);
      edit();
      await time(timings.lens, () => client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } }));
      edit();
      await time(timings.hints, () => client.connection.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } } }));
      edit();
      await time(timings.hover, () => client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: line - 1, character: 20 } }));
      edit();
      await time(timings.model, () => client.connection.sendRequest(RoutingModelRequest.type, { uri, line }));
    }
    console.log(`YAML, ${lines.length} lines (${weightLines.length} VirtualServices + DestinationRules), edit → code lenses: ${summary(timings.lens)}`);
    console.log(`edit → inlay hints: ${summary(timings.hints)}`);
    console.log(`edit → hover: ${summary(timings.hover)}`);
    console.log(`edit → routing model (preview request): ${summary(timings.model)}`);
  } finally {
    await client.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

void main();
