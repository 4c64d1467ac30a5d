/**
 * Per-edit diagnostic latency through the real language server over stdio, and CLI cold start.
 *
 *   npm run compile && node scripts/build.mjs --production && node out/bench/editor-latency.js
 *
 * A warm server gets one edit at a time (a character typed inside a function, as an editor sends
 * it) and the time from the edit to the pulled diagnostics is recorded.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../test/support/lsp-client';
import { REPO } from '../test/support/fixtures';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(values: number[]): string {
  return `p50 ${percentile(values, 50).toFixed(1)} ms · p95 ${percentile(values, 95).toFixed(1)} ms · p99 ${percentile(values, 99).toFixed(1)} ms (n=${values.length})`;
}

export function goFile(lines: number): string {
  const out = ['package shop', '', 'import (', '\t"context"', '\t"net/http"', ')', ''];
  let i = 0;
  while (out.length < lines - 8) {
    out.push(
      `func handler${i}(w http.ResponseWriter, r *http.Request) {`,
      `\tctx, cancel := context.WithCancel(r.Context())`,
      `\tdefer cancel()`,
      `\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://svc${i}/items", nil)`,
      `\tif err != nil {`,
      `\t\thttp.Error(w, err.Error(), http.StatusInternalServerError)`,
      `\t\treturn`,
      `\t}`,
      `\t_ = req`,
      i % 10 === 0 ? `\treq2, _ := http.NewRequest(http.MethodGet, "http://legacy${i}", nil)\n\t_ = req2` : `\tw.WriteHeader(http.StatusOK)`,
      `}`,
      '',
    );
    i++;
  }
  return out.join('\n');
}

export function yamlFile(lines: number): string {
  const docs: string[] = [];
  let i = 0;
  while (docs.join('\n').split('\n').length < lines) {
    docs.push(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: svc${i}
  namespace: shop
spec:
  hosts: [svc${i}]
  http:
  - match:
    - uri: {prefix: /v2}
    route:
    - destination: {host: svc${i}, subset: v2}
  - route:
    - destination: {host: svc${i}, subset: v1}
      weight: 90
    - destination: {host: svc${i}, subset: v2}
      weight: 10
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: svc${i}, namespace: shop}
spec:
  host: svc${i}
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}`);
    i++;
  }
  return docs.join('\n---\n');
}

async function editLatency(client: LspClient, uri: string, languageId: string, text: string, line: number, edits: number): Promise<number[]> {
  client.open(uri, languageId, text);
  await client.diagnostics(uri);
  const timings: number[] = [];
  for (let i = 0; i < edits; i++) {
    const character = 0;
    const started = performance.now();
    // Type a space at the start of a line, then delete it: the text stays valid.
    client.change(uri, [
      i % 2 === 0
        ? { range: { start: { line, character }, end: { line, character } }, text: ' ' }
        : { range: { start: { line, character }, end: { line, character: character + 1 } }, text: '' },
    ]);
    await client.diagnostics(uri);
    timings.push(performance.now() - started);
  }
  return timings;
}

async function main(): Promise<void> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-bench-'));
  const go = goFile(1000);
  const yaml = yamlFile(300);
  fs.writeFileSync(path.join(workspace, 'handlers.go'), go);
  fs.writeFileSync(path.join(workspace, 'routes.yaml'), yaml);
  const client = await LspClient.start(workspace);
  await client.waitForIndex();
  const edits = Number(process.env.EDITS ?? 300);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0].model}, node ${process.version}`);
  const goTimings = await editLatency(client, pathToFileURL(path.join(workspace, 'handlers.go')).href, 'go', go, 500, edits);
  console.log(`Go, ${go.split('\n').length} lines, edit → diagnostics: ${summary(goTimings)}`);
  const yamlTimings = await editLatency(client, pathToFileURL(path.join(workspace, 'routes.yaml')).href, 'yaml', yaml, 150, edits);
  console.log(`YAML, ${yaml.split('\n').length} lines, edit → diagnostics: ${summary(yamlTimings)}`);
  await client.stop();

  const cold: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    spawnSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'check', path.join(REPO, 'examples')]);
    cold.push(performance.now() - started);
  }
  console.log(`CLI cold start, meshlens check examples/: ${summary(cold)}`);
  fs.rmSync(workspace, { recursive: true, force: true });
}

if (require.main === module) void main();
