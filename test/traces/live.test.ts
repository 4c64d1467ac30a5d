/**
 * The trace features end to end on real data: a real Jaeger v2 and the embedded receiver, each fed
 * by the real Go services of examples/ (one call path deliberately broken), then by the same
 * services after the analyzer's quick fix. Jaeger's responses are recorded here and the parsers
 * are checked on them.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  connectJaeger,
  JaegerLegacySource,
  JaegerV3Source,
  openTraceSource,
  LOCAL_SOURCE_URL,
  tracesFromLegacy,
  tracesFromV3,
  TraceSourceError,
  type Span,
} from '../../server/src/core/traces';
import { checkedJson, httpGet } from '../../server/src/core/traces/http';
import { CLI, cli, copyExamples, freePort, JAEGER_BIN, Managed, record, REPO, runExampleServices, startJaeger, TRACEGEN_BIN, waitFor } from './support';

const ROUNDS = 6;
const BROKEN_LINE = 76;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-live-'));
const brokenBin = path.join(REPO, '.cache', 'example-bin');

interface SearchRow {
  traceId: string;
  rootService: string;
  rootOperation: string;
  spanCount: number;
  errorCount: number;
  orphanCount: number;
  durationMs: number;
  start: string;
}

interface CheckJson {
  traceCount: number;
  findings: {
    kind: string;
    shape?: string;
    services: string[];
    traceIds: string[];
    spanIds: string[];
    occurrences: number;
    outOf: number;
    evidence: string;
    codeLocation: { file: string; line: number; column: number } | null;
  }[];
}

function json<T>(result: { code: number; stdout: string; stderr: string }, expectedCode = 0): T {
  assert.equal(result.code, expectedCode, `exit ${result.code}, stderr: ${result.stderr}\nstdout: ${result.stdout.slice(0, 2000)}`);
  return JSON.parse(result.stdout) as T;
}

function search(source: string, service: string, extra: string[] = []): SearchRow[] {
  return json<SearchRow[]>(cli(['traces', 'search', '--source', source, '--service', service, '--since', '1h', '--limit', '200', '--format', 'json', ...extra]));
}

/** Waits until every round's traces have arrived whole: the broken call's trace has all its spans. */
async function waitForTraffic(source: string, expectWhole: boolean): Promise<void> {
  await waitFor(
    'the example traffic to arrive',
    async () => {
      const rows = search(source, 'frontend', ['--operation', 'GET /recommendations']);
      if (rows.length < ROUNDS) return undefined;
      if (expectWhole) return rows.every((row) => row.spanCount === 14) ? true : undefined;
      const calls = search(source, 'recommendations').filter((row) => row.rootOperation === 'HTTP GET');
      return calls.length >= ROUNDS && calls.every((row) => row.spanCount === 13) ? true : undefined;
    },
    60_000,
    500,
  );
}

/** What a search shows, minus ids and timings: comparable between Jaeger and the receiver. */
function shape(rows: SearchRow[]): string[] {
  return rows
    .filter((row) => row.rootOperation !== 'GET /healthz')
    .map((row) => `${row.rootService}|${row.rootOperation}|${row.spanCount}|${row.errorCount}|${row.orphanCount}`)
    .sort();
}

function findingShape(check: CheckJson): string[] {
  return check.findings.map((f) => `${f.kind}|${f.shape}|${f.services.join(',')}|${f.codeLocation?.file}:${f.codeLocation?.line}|${f.occurrences}/${f.outOf}`).sort();
}

/** The broken scenario's assertions, the same for Jaeger and the receiver. */
function assertBroken(source: string): { search: SearchRow[]; check: CheckJson; showEdges: string[] } {
  const recommendations = search(source, 'frontend', ['--operation', 'GET /recommendations']);
  assert.equal(recommendations.length, ROUNDS, 'one trace per /recommendations request');
  for (const row of recommendations) {
    assert.equal(row.rootService, 'frontend');
    assert.equal(row.spanCount, 1, 'the broken handler span has no children: its call went to a new trace');
  }
  const split = search(source, 'recommendations').filter((row) => row.rootOperation === 'HTTP GET');
  assert.equal(split.length, ROUNDS, 'each call to recommendations starts its own trace');
  for (const row of split) assert.equal(row.rootService, 'frontend', "the new trace's root is frontend's client span");

  const shown = json<{ traceId: string; spanId: string; parentSpanId: string | null; service: string; name: string; kind: string; start: string; end: string; attributes: Record<string, unknown> }[]>(
    cli(['traces', 'show', split[0].traceId, '--source', source, '--format', 'json']),
  );
  assert.equal(shown.length, 13);
  const client = shown.find((s) => s.kind === 'client' && s.service === 'frontend');
  assert.ok(client, 'the frontend client span');
  assert.equal(client.parentSpanId, null, 'the client span is a root: it had no parent context');
  assert.ok(String(client.attributes['url.full']).includes('/recommendations?user_id='));
  const server = shown.find((s) => s.kind === 'server' && s.service === 'recommendations');
  assert.equal(server?.parentSpanId, client.spanId);
  assert.equal(shown.filter((s) => s.service === 'inventory' && s.kind === 'server').length, 5);
  for (const s of shown) assert.equal(s.traceId, split[0].traceId);
  const byId = new Map(shown.map((s) => [s.spanId, s]));
  const showEdges = shown.map((s) => `${s.parentSpanId ? `${byId.get(s.parentSpanId)?.service}:${byId.get(s.parentSpanId)?.name}` : 'ROOT'} -> ${s.service}:${s.name}:${s.kind}`).sort();

  const check = json<CheckJson>(cli(['traces', 'check', '--source', source, '--since', '1h', '--workspace', path.join(REPO, 'examples'), '--format', 'json']), 1);
  const lost = check.findings.filter((f) => f.kind === 'lost-propagation');
  assert.equal(lost.length, 1, JSON.stringify(check.findings, null, 2));
  const [finding] = lost;
  assert.equal(finding.shape, 'client-root');
  assert.deepEqual(finding.codeLocation && { file: finding.codeLocation.file, line: finding.codeLocation.line }, { file: 'services/frontend/main.go', line: BROKEN_LINE });
  assert.deepEqual(finding.services, ['frontend', 'inventory', 'recommendations'].filter((s) => finding.services.includes(s)));
  assert.ok(finding.services.includes('frontend') && finding.services.includes('recommendations'));
  assert.equal(finding.occurrences, ROUNDS);
  assert.equal(finding.outOf, ROUNDS);
  assert.equal(finding.evidence, `seen in ${ROUNDS} of ${ROUNDS} traces in the last 1 h`);
  for (const row of recommendations) assert.ok(finding.traceIds.includes(row.traceId), 'the handler traces are named');
  for (const row of split) assert.ok(finding.traceIds.includes(row.traceId), 'the split-off traces are named');
  assert.ok(finding.spanIds.includes(client.spanId));
  assert.equal(check.findings.filter((f) => f.kind === 'orphan').length, 0);

  const text = cli(['traces', 'check', '--source', source, '--workspace', path.join(REPO, 'examples')]);
  assert.equal(text.code, 1);
  assert.match(text.stdout, new RegExp(`^services/frontend/main\\.go:${BROKEN_LINE}:\\d+: lost-propagation: frontend calls recommendations`, 'm'));
  return { search: search(source, 'frontend'), check, showEdges };
}

/** The fixed scenario: every /recommendations request is one whole trace, and check passes. */
function assertFixed(source: string, workspace: string): void {
  const rows = search(source, 'frontend', ['--operation', 'GET /recommendations']);
  assert.equal(rows.length, ROUNDS);
  for (const row of rows) assert.equal(row.spanCount, 14, 'handler + client + recommendations + rank + 5 gRPC calls each side');
  assert.equal(search(source, 'recommendations').filter((row) => row.rootService === 'frontend' && row.rootOperation === 'HTTP GET').length, 0);
  const check = json<CheckJson>(cli(['traces', 'check', '--source', source, '--workspace', workspace, '--format', 'json']), 0);
  assert.deepEqual(check.findings.filter((f) => f.kind !== 'clock-skew'), []);
  assert.ok(check.traceCount >= ROUNDS * 2);
}

/** examples/ with the analyzer's quick fix for go-request-without-context applied, built separately. */
let fixedExamples: string | undefined;
function fixedCopy(): string {
  if (fixedExamples) return fixedExamples;
  const copy = copyExamples();
  const fix = cli(['check', copy, '--rules', 'go-request-without-context', '--fix']);
  assert.equal(fix.code, 0, `the fix leaves no finding: ${fix.stdout}${fix.stderr}`);
  const line = fs.readFileSync(path.join(copy, 'services/frontend/main.go'), 'utf8').split('\n')[BROKEN_LINE - 1];
  assert.match(line, /http\.NewRequestWithContext\(r\.Context\(\), "GET", target, nil\)/);
  fixedExamples = copy;
  return copy;
}

let jaegerBroken: ReturnType<typeof assertBroken> | undefined;

function jaegerVersion(): string {
  const out = spawnSync(JAEGER_BIN, ['version'], { encoding: 'utf8' });
  return `${out.stdout}${out.stderr}`;
}

describe('real Jaeger v2 fed by the example services', () => {
  let jaeger: Awaited<ReturnType<typeof startJaeger>> | undefined;
  before(async () => {
    jaeger = await startJaeger(scratch);
    await runExampleServices({ examples: path.join(REPO, 'examples'), bin: brokenBin, otlpUrl: jaeger.otlpUrl, rounds: ROUNDS });
    await waitForTraffic(jaeger.queryUrl, false);
  });
  after(async () => {
    await jaeger?.process.stop();
  });

  test('search, show and check find the broken call path and point at its line', () => {
    jaegerBroken = assertBroken(jaeger!.queryUrl);
  });

  test('api_v3 and legacy responses, recorded here, parse to the same spans', async () => {
    const base = jaeger!.queryUrl;
    const split = search(base, 'recommendations').find((row) => row.rootOperation === 'HTTP GET')!;
    const get = async (route: string) => {
      const response = await fetch(`${base}${route}`);
      const body = await response.text();
      assert.equal(response.status, 200, `${route}: ${body.slice(0, 300)}`);
      return body;
    };
    const v3Trace = await get(`/api/v3/traces/${split.traceId}`);
    const legacyTrace = await get(`/api/traces/${split.traceId}`);
    const end = new Date().toISOString();
    const startMin = new Date(Date.now() - 3_600_000).toISOString();
    const v3Search = await get(`/api/v3/traces?query.service_name=frontend&query.start_time_min=${startMin}&query.start_time_max=${end}&query.search_depth=100&query.num_traces=100`);
    const legacySearch = await get(`/api/traces?service=frontend&start=${(Date.now() - 3_600_000) * 1000}&end=${Date.now() * 1000}&limit=100`);
    record('v3-trace.json', v3Trace);
    record('legacy-trace.json', legacyTrace);
    record('v3-search.json', v3Search);
    record('legacy-search.json', legacySearch);
    record('v3-services.json', await get('/api/v3/services'));
    record('legacy-services.json', await get('/api/services'));

    // The legacy API has microseconds: start and duration, each truncated.
    const essentials = (s: Span) => `${s.traceId} ${s.spanId} ${s.parentSpanId ?? '-'} ${s.service} ${s.name} ${s.kind} ${s.startNs / 1000n} ${(s.endNs - s.startNs) / 1000n} ${s.status.code}`;
    const [fromV3] = tracesFromV3(JSON.parse(v3Trace));
    const [fromLegacy] = tracesFromLegacy(JSON.parse(legacyTrace));
    assert.equal(fromV3.traceId, split.traceId);
    assert.equal(fromV3.spans.length, 13);
    assert.deepEqual(fromLegacy.spans.map(essentials).sort(), fromV3.spans.map(essentials).sort());
    const client = fromV3.spans.find((s) => s.kind === 'client' && s.service === 'frontend')!;
    const legacyClient = fromLegacy.spans.find((s) => s.spanId === client.spanId)!;
    assert.equal(legacyClient.attributes['url.full'], client.attributes['url.full']);
    assert.equal(client.resource['service.name'], 'frontend');

    const v3Traces = tracesFromV3(JSON.parse(v3Search));
    const legacyTraces = tracesFromLegacy(JSON.parse(legacySearch));
    assert.deepEqual(v3Traces.map((t) => t.traceId).sort(), legacyTraces.map((t) => t.traceId).sort());
    assert.ok(v3Traces.some((t) => t.traceId === split.traceId && t.spans.length === 13), 'the merged search result is grouped back into traces');
    assert.deepEqual((JSON.parse(await get('/api/v3/services')) as { services: string[] }).services.sort(), ['checkout', 'frontend', 'inventory', 'recommendations']);
  });

  test('the api_v3 client detects parameter names and summaries; auto-detection and the legacy client agree', async () => {
    const v3 = await connectJaeger({ baseUrl: jaeger!.queryUrl });
    assert.ok(v3 instanceof JaegerV3Source);
    const query = { service: 'frontend', startMs: Date.now() - 3_600_000, endMs: Date.now(), limit: 200 };
    const v3Rows = await v3.search(query);
    const newApi = /v2\.(19|[2-9]\d)|v1\.(8[2-9]|9\d)/.test(jaegerVersion());
    assert.deepEqual(v3.detected, newApi ? { paramStyle: 'camel', summaries: true } : { paramStyle: 'snake', summaries: false }, jaegerVersion());
    const legacy = new JaegerLegacySource({ baseUrl: jaeger!.queryUrl });
    const legacyRows = await legacy.search(query);
    assert.deepEqual(legacyRows.map((r) => `${r.traceId}|${r.rootOperation}|${r.spanCount}`).sort(), v3Rows.map((r) => `${r.traceId}|${r.rootOperation}|${r.spanCount}`).sort());
    assert.deepEqual(await legacy.services(), await v3.services());
    const ops = (await v3.operations('frontend')).map((o) => o.name);
    assert.ok(ops.includes('GET /recommendations') && ops.includes('HTTP GET'), ops.join(', '));
    assert.deepEqual((await legacy.operations('frontend')).map((o) => o.name).sort(), [...ops].sort());
  });

  test('clear errors from the real server: 400, 404, wrong base path, no trace', async () => {
    const base = jaeger!.queryUrl;
    await assert.rejects(
      async () => checkedJson(await httpGet({ baseUrl: base }, '/api/v3/traces?query.service_name=frontend'), 'search'),
      (error: unknown) => error instanceof TraceSourceError && error.kind === 'bad-request' && /400/.test(error.message),
    );
    const v3 = new JaegerV3Source({ baseUrl: base });
    assert.equal(await v3.getTrace('0123456789abcdef0123456789abcdef'), undefined);
    assert.equal(await new JaegerLegacySource({ baseUrl: base }).getTrace('0123456789abcdef0123456789abcdef'), undefined);
    await assert.rejects(connectJaeger({ baseUrl: `${base}/not-jaeger` }), (error: unknown) => error instanceof TraceSourceError && /serves neither/.test(error.message));
    const missing = cli(['traces', 'show', '0123456789abcdef0123456789abcdef', '--source', base]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /not found/);
  });

  test("tracegen's traces: found by search, and no false lost propagation", async () => {
    assert.ok(fs.existsSync(TRACEGEN_BIN), `${TRACEGEN_BIN} is missing: run bash scripts/install-jaeger.sh`);
    const tracegen = Managed.start('tracegen', TRACEGEN_BIN, ['-trace-exporter', 'otlp-http', '-traces', '4', '-spans', '3', '-workers', '1', '-service', 'tracegen', '-pause', '1ms'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger!.otlpUrl,
      OTEL_EXPORTER_OTLP_INSECURE: 'true',
    });
    const code = await tracegen.exited;
    assert.equal(code, 0, tracegen.log());
    const rows = await waitFor('tracegen traces', async () => {
      const found = search(jaeger!.queryUrl, 'tracegen');
      return found.length >= 4 && found.every((row) => row.spanCount === 4) ? found : undefined;
    });
    assert.equal(rows.length, 4);
    const check = json<CheckJson>(cli(['traces', 'check', '--source', jaeger!.queryUrl, '--service', 'tracegen', '--workspace', path.join(REPO, 'examples'), '--format', 'json']), 0);
    assert.deepEqual(check.findings.filter((f) => f.kind !== 'clock-skew'), []);
    assert.equal(check.traceCount, 4);
  });
});

describe('real Jaeger v2 after the quick fix', () => {
  let jaeger: Awaited<ReturnType<typeof startJaeger>> | undefined;
  before(async () => {
    const copy = fixedCopy();
    jaeger = await startJaeger(scratch);
    await runExampleServices({ examples: copy, bin: path.join(path.dirname(copy), 'bin'), otlpUrl: jaeger.otlpUrl, rounds: ROUNDS });
    await waitForTraffic(jaeger.queryUrl, true);
  });
  after(async () => {
    await jaeger?.process.stop();
  });

  test('each request is one whole trace and check passes', () => {
    assertFixed(jaeger!.queryUrl, fixedCopy());
  });
});

describe('embedded receiver fed by the same services', () => {
  let receiver: Managed | undefined;
  let url = '';
  /** `meshlens traces receive` as its own process, as a developer runs it. */
  async function startReceiver(): Promise<void> {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    receiver = Managed.start('receiver', process.execPath, [CLI, 'traces', 'receive', '--port', String(port)]);
    await waitFor('the receiver to listen', async () => ((await fetch(`${url}/`)).ok ? true : undefined));
  }
  before(async () => {
    await startReceiver();
    await runExampleServices({ examples: path.join(REPO, 'examples'), bin: brokenBin, otlpUrl: url, rounds: ROUNDS });
    await waitForTraffic(url, false);
  });
  after(async () => {
    await receiver?.stop();
  });

  test('search, show and check give the same answers as Jaeger', async () => {
    const local = assertBroken(url);
    assert.ok(jaegerBroken, 'the Jaeger scenario ran first');
    assert.deepEqual(shape(local.search), shape(jaegerBroken.search));
    assert.deepEqual(findingShape(local.check), findingShape(jaegerBroken.check));
    assert.deepEqual(local.showEdges, jaegerBroken.showEdges);
    const status = (await (await fetch(`${url}/`)).json()) as { spans: number };
    assert.ok(status.spans > ROUNDS * 20, `spans held: ${status.spans}`);
  });

  test('after the quick fix each request is one whole trace and check passes', async () => {
    await receiver?.stop();
    await startReceiver();
    const copy = fixedCopy();
    await runExampleServices({ examples: copy, bin: path.join(path.dirname(copy), 'bin'), otlpUrl: url, rounds: ROUNDS });
    await waitForTraffic(url, true);
    assertFixed(url, copy);
    await receiver?.stop();
    assert.match(receiver!.log(), /received \d+ spans in \d+ requests/);
  });
});

describe('transport errors', () => {
  test('a server that never answers times out; a 503 and a non-JSON body are named', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const failing = http.createServer((request, response) => {
      if (request.url?.startsWith('/api/v3/services')) response.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>not json</html>');
      else response.writeHead(503, { 'Content-Type': 'text/plain' }).end('{"error":{"httpCode":503,"message":"storage unavailable"}}');
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    try {
      const silentUrl = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
      await assert.rejects(new JaegerV3Source({ baseUrl: silentUrl, timeoutMs: 300 }).services(), (e: unknown) => e instanceof TraceSourceError && e.kind === 'timeout');
      const failingUrl = `http://127.0.0.1:${(failing.address() as net.AddressInfo).port}`;
      await assert.rejects(new JaegerV3Source({ baseUrl: failingUrl }).services(), (e: unknown) => e instanceof TraceSourceError && e.kind === 'bad-response' && /not JSON/.test(e.message));
      await assert.rejects(new JaegerV3Source({ baseUrl: failingUrl }).getTrace('ab'), (e: unknown) => e instanceof TraceSourceError && e.kind === 'server-error' && /503: storage unavailable/.test(e.message));
      const token = 'secret-token-value';
      try {
        await new JaegerV3Source({ baseUrl: failingUrl, bearerToken: token }).getTrace('ab');
      } catch (error) {
        assert.doesNotMatch(String((error as Error).message), new RegExp(token), 'the token never appears in errors');
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
      failing.close();
    }
  });

  test('--source local is the receiver on 127.0.0.1:4318; anything else must be a URL', async () => {
    assert.equal(LOCAL_SOURCE_URL, 'http://127.0.0.1:4318');
    assert.equal((await openTraceSource('local')).description, 'Jaeger api_v3 at http://127.0.0.1:4318');
    const usage = cli(['traces', 'search', '--service', 'x', '--source', 'jaeger.example']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--source must be "local" or an http\(s\) URL/);
  });
});

after(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
  if (fixedExamples) fs.rmSync(path.dirname(fixedExamples), { recursive: true, force: true });
});
