/**
 * The Go propagation rules at scale:
 * - per edit: a 1,000-line Go file full of what the rules look at (tracer.Start, clients, Do,
 *   context.Background, gRPC dials, response bodies), one character typed at a time, incremental
 *   parse plus every Go rule, through the analysis core;
 * - cold CLI: `meshlens check` on a generated 1,000-file Go module.
 *
 *   npx tsc -p . && node scripts/build.mjs --production && node out/bench/go-rules.js
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Analyzer } from '../server/src/core/analyzer';
import { LineIndex } from '../server/src/core/text';
import { ALL_RULES } from '../server/src/rules/registry';
import { REPO } from '../test/support/fixtures';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A Go file of about `lines` lines whose functions hit every Go rule's candidate search. */
export function tracedGoFile(lines: number, pkg = 'shop'): string {
  const out = [
    `package ${pkg}`,
    '',
    'import (',
    '\t"context"',
    '\t"net/http"',
    '',
    '\t"go.opentelemetry.io/otel"',
    '\t"go.opentelemetry.io/otel/trace"',
    '\t"google.golang.org/grpc"',
    ')',
    '',
    'var tracer = otel.Tracer("bench")',
    '',
  ];
  let i = 0;
  while (out.length < lines - 20) {
    out.push(
      `func handler${i}(w http.ResponseWriter, r *http.Request) {`,
      `\tctx, span := tracer.Start(r.Context(), "handler${i}")`,
      `\tdefer span.End()`,
      `\ttrace.SpanFromContext(ctx).AddEvent("start")`,
      `\tclient := &http.Client{Transport: http.DefaultTransport}`,
      `\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://svc${i}/items", nil)`,
      `\tif err != nil {`,
      `\t\treturn`,
      `\t}`,
      `\tresp, err := client.Do(req)`,
      `\tif err != nil {`,
      `\t\treturn`,
      `\t}`,
      `\tdefer resp.Body.Close()`,
      i % 10 === 0 ? `\t_ = context.Background()` : `\t_ = ctx`,
      i % 25 === 0 ? `\t_, _ = grpc.NewClient("svc${i}:9090")` : `\tw.WriteHeader(resp.StatusCode)`,
      `}`,
      '',
    );
    i++;
  }
  return out.join('\n');
}

async function perEdit(): Promise<number[]> {
  const analyzer = await Analyzer.create({ rules: ALL_RULES });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-bench-'));
  fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/bench\n\ngo 1.26.0\n');
  const setup = pathToFileURL(path.join(dir, 'telemetry.go')).href;
  analyzer.setFile(setup, 'package shop\n\nimport "go.opentelemetry.io/otel"\n\nfunc init() { otel.SetTracerProvider(nil) }\n');
  const uri = pathToFileURL(path.join(dir, 'handlers.go')).href;
  let text = tracedGoFile(1000);
  analyzer.setFile(uri, text);
  analyzer.analyze(uri);
  const times: number[] = [];
  for (let n = 0; n < 400; n++) {
    const line = 20 + ((Math.floor(n / 2) * 37) % 900);
    const at = { line, character: 0 };
    const insert = n % 2 === 0;
    const change = insert ? { range: { start: at, end: at }, text: ' ' } : { range: { start: at, end: { line, character: 1 } }, text: '' };
    const index = new LineIndex(text);
    const offset = index.offsetAt(at);
    const next = insert ? text.slice(0, offset) + ' ' + text.slice(offset) : text.slice(0, offset) + text.slice(offset + 1);
    const started = performance.now();
    analyzer.setFile(uri, next, { changes: [change] });
    analyzer.analyze(uri);
    times.push(performance.now() - started);
    text = next;
  }
  return times.slice(20);
}

function coldWorkspace(): number[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-ws-'));
  fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/bench\n\ngo 1.26.0\n');
  for (let i = 0; i < 1000; i++) {
    const pkg = `pkg${Math.floor(i / 20)}`;
    fs.mkdirSync(path.join(dir, pkg), { recursive: true });
    fs.writeFileSync(path.join(dir, pkg, `file${i}.go`), tracedGoFile(60, pkg));
  }
  fs.writeFileSync(path.join(dir, 'pkg0', 'telemetry.go'), 'package pkg0\n\nimport "go.opentelemetry.io/otel"\n\nfunc init() { otel.SetTracerProvider(nil) }\n');
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'check', dir, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    times.push(performance.now() - started);
    if (result.status !== 0 && result.status !== 1) throw new Error(result.stderr);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return times;
}

async function main(): Promise<void> {
  const edits = await perEdit();
  console.log(`Go, 1,000 lines with every Go rule, edit -> findings (core): p50 ${percentile(edits, 50).toFixed(1)} ms · p95 ${percentile(edits, 95).toFixed(1)} ms · p99 ${percentile(edits, 99).toFixed(1)} ms (n=${edits.length})`);
  const cold = coldWorkspace();
  console.log(`CLI cold, meshlens check on 1,000 Go files (~60 lines each): p50 ${percentile(cold, 50).toFixed(0)} ms · max ${Math.max(...cold).toFixed(0)} ms (n=${cold.length})`);
}

void main();
