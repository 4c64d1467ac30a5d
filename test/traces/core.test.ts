/** The trace core without a backend: OTLP decoding, the bounded store, the receiver's routes, detection, the Go code index. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, test } from 'node:test';
import {
  detectBrokenTraces,
  GoCodeIndex,
  JaegerV3Source,
  LocalReceiver,
  routeMatches,
  SpanStore,
  spansFromOtlpJson,
  spansFromOtlpProtobuf,
  spansToResourceSpans,
  summarise,
  traceFindingsAsFindings,
  summariseFindings,
  type Span,
  type SpanKind,
} from '../../server/src/core/traces';
import { ALL_RULES } from '../../server/src/rules/registry';
import { REPO } from './support';

let clock = 1_700_000_000_000_000_000n;
function span(traceId: string, spanId: string, service: string, name: string, kind: SpanKind, startMs: number, endMs: number, parentSpanId?: string, attributes: Span['attributes'] = {}): Span {
  return {
    traceId: traceId.padStart(32, '0'),
    spanId: spanId.padStart(16, '0'),
    ...(parentSpanId ? { parentSpanId: parentSpanId.padStart(16, '0') } : {}),
    service,
    name,
    kind,
    startNs: clock + BigInt(startMs * 1e6),
    endNs: clock + BigInt(endMs * 1e6),
    attributes,
    resource: { 'service.name': service },
    events: [],
    links: [],
    status: { code: 'unset' },
    warnings: [],
  };
}

interface ProtoRoot {
  opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: { fromObject(o: unknown): unknown; encode(m: unknown): { finish(): Uint8Array } } } } } } };
}

describe('OTLP decoding', () => {
  const spans = [
    span('a1', '1', 'web', 'GET /x', 'server', 0, 10, undefined, { 'http.route': '/x', 'http.response.status_code': 200, ok: true, ratio: 0.5, tags: ['a', 'b'] }),
    span('a1', '2', 'web', 'HTTP GET', 'client', 1, 9, '1'),
  ];

  test('JSON round trip keeps ids, parents, kinds, nanosecond times and typed attributes', () => {
    const body = JSON.stringify({ resourceSpans: spansToResourceSpans(spans) });
    assert.deepEqual(spansFromOtlpJson(body), spans);
  });

  test('protobuf, as the OpenTelemetry encoder writes it, decodes to the same spans', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const root = require('@opentelemetry/otlp-transformer/build/src/generated/root') as ProtoRoot;
    const codec = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
    const wire = spansToResourceSpans(spans) as { scopeSpans: { spans: Record<string, unknown>[] }[] }[];
    for (const rs of wire)
      for (const ss of rs.scopeSpans)
        for (const s of ss.spans) {
          for (const key of ['traceId', 'spanId', 'parentSpanId']) if (typeof s[key] === 'string') s[key] = Buffer.from(s[key] as string, 'hex');
        }
    const bytes = codec.encode(codec.fromObject({ resourceSpans: wire })).finish();
    assert.deepEqual(spansFromOtlpProtobuf(bytes), spans);
  });
});

describe('span store', () => {
  test('is bounded by span count and drops whole traces, oldest first', async () => {
    const store = new SpanStore(5);
    store.add([span('1', '1', 's', 'a', 'server', 0, 1), span('1', '2', 's', 'b', 'internal', 0, 1, '1')]);
    store.add([span('2', '1', 's', 'a', 'server', 1, 2), span('2', '2', 's', 'b', 'internal', 1, 2, '1')]);
    store.add([span('3', '1', 's', 'a', 'server', 2, 3), span('3', '2', 's', 'b', 'internal', 2, 3, '1')]);
    assert.equal(store.spanCount, 4);
    assert.equal(await store.getTrace('1'.padStart(32, '0')), undefined);
    assert.equal((await store.getTrace('3'.padStart(32, '0')))?.spans.length, 2);
    const from = Number(clock / 1_000_000n) - 1000;
    const rows = await store.search({ service: 's', startMs: from, endMs: from + 10_000, limit: 10 });
    assert.deepEqual(rows.map((r) => r.traceId.replace(/^0+/, '')), ['3', '2']);
    assert.deepEqual(await store.search({ service: 's', operation: 'nope', startMs: from, endMs: from + 10_000, limit: 10 }), []);
  });
});

describe('local receiver', () => {
  test('accepts OTLP JSON (gzip too), rejects garbage with 400 and other types with 415, and serves the api_v3 read routes', async () => {
    const receiver = new LocalReceiver({ port: 0 });
    const url = await receiver.listen();
    try {
      const spans = [span('b2', '1', 'web', 'GET /x', 'server', 0, 10), span('b2', '2', 'db', 'query', 'client', 1, 2, '1')];
      const body = JSON.stringify({ resourceSpans: spansToResourceSpans(spans) });
      let response = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, body: zlib.gzipSync(body) });
      assert.equal(response.status, 200);
      assert.equal(await response.text(), '{}');
      response = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{not json' });
      assert.equal(response.status, 400);
      response = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
      assert.equal(response.status, 415);
      assert.equal(receiver.stats.spans, 2);
      assert.equal(receiver.stats.rejected, 2);

      const client = new JaegerV3Source({ baseUrl: url });
      assert.deepEqual(await client.services(), ['db', 'web']);
      const from = Number(clock / 1_000_000n) - 1000;
      const rows = await client.search({ service: 'web', startMs: from, endMs: from + 60_000, limit: 5 });
      assert.equal(rows.length, 1);
      assert.deepEqual({ ...rows[0] }, { ...summarise({ traceId: spans[0].traceId, spans }) });
      assert.deepEqual(client.detected, { paramStyle: 'camel', summaries: true });
      assert.deepEqual((await client.getTrace(spans[0].traceId))?.spans, spans);
      assert.deepEqual(await client.searchTraces({ service: 'nobody', startMs: from, endMs: from + 60_000, limit: 5 }), []);
    } finally {
      await receiver.close();
    }
  });
});

describe('detection', () => {
  test('client-root: a root client span inside a server span of the same service, paired with it', () => {
    const traces = [
      { traceId: 'a'.repeat(32), spans: [span('a'.repeat(32), '1', 'front', 'GET /r', 'server', 0, 20, undefined, { 'url.path': '/r' })] },
      {
        traceId: 'b'.repeat(32),
        spans: [span('b'.repeat(32), '2', 'front', 'HTTP GET', 'client', 2, 18, undefined, { 'url.full': 'http://reco/r?u=1' }), span('b'.repeat(32), '3', 'reco', 'GET /r', 'server', 3, 17, '2', { 'url.path': '/r' })],
      },
    ];
    const [found, ...rest] = detectBrokenTraces(traces);
    assert.deepEqual(rest, []);
    assert.equal(found.kind, 'lost-propagation');
    assert.equal(found.shape, 'client-root');
    assert.equal(found.parent?.traceId, 'a'.repeat(32));
    assert.equal(found.peer?.service, 'reco');
    assert.equal(found.callerRoute, '/r');
  });

  test('server-root: a client without a server child and a root server span of the peer inside its window', () => {
    const traces = [
      { traceId: 'c'.repeat(32), spans: [span('c'.repeat(32), '1', 'front', 'GET /p', 'server', 0, 20), span('c'.repeat(32), '2', 'front', 'HTTP POST', 'client', 2, 18, '1', { 'url.full': 'http://pay/pay' })] },
      { traceId: 'd'.repeat(32), spans: [span('d'.repeat(32), '3', 'pay', 'POST /pay', 'server', 3, 17, undefined, { 'http.route': '/pay' })] },
      // A client call to something uninstrumented (no peer root in its window) is not a finding.
      { traceId: 'e'.repeat(32), spans: [span('e'.repeat(32), '4', 'front', 'GET /q', 'server', 100, 120), span('e'.repeat(32), '5', 'front', 'db', 'client', 101, 119, '4')] },
    ];
    const found = detectBrokenTraces(traces);
    assert.equal(found.length, 1);
    assert.equal(found[0].shape, 'server-root');
    assert.equal(found[0].peer?.name, 'POST /pay');
    assert.equal(found[0].calleeRoute, '/pay');
  });

  test('orphans and clock skew', () => {
    const t = 'f'.repeat(32);
    const found = detectBrokenTraces([{ traceId: t, spans: [span(t, '1', 'a', 'root', 'server', 10, 20), span(t, '2', 'b', 'early', 'server', 5, 15, '1'), span(t, '3', 'c', 'lost', 'internal', 11, 12, '9')] }]);
    assert.deepEqual(found.map((f) => `${f.kind}:${f.span.name}`).sort(), ['clock-skew:early', 'orphan:lost']);
    const findings = summariseFindings([], found, { sinceMs: 900_000 });
    assert.equal(findings.find((f) => f.kind === 'orphan')?.evidence, 'seen in 1 of 1 trace in the last 15 min');
  });
});

describe('Go code index on examples/', () => {
  test('finds handler registrations, the call site without context, and places spans', async () => {
    const examples = path.join(REPO, 'examples');
    const index = await GoCodeIndex.build([examples], ALL_RULES);
    const reg = index.handlersFor('frontend', '/recommendations')[0];
    assert.equal(reg.handler, 'recommendations');
    const site = index.clientCallSite('frontend', { callerRoute: '/recommendations', calleeService: 'recommendations', lostContext: true });
    assert.equal(path.relative(examples, site!.at.file), path.join('services', 'frontend', 'main.go'));
    assert.equal(site!.at.line, 76);
    assert.equal(site!.withoutContext, true);
    assert.equal(index.callSites.filter((s) => s.withoutContext).length, 1);
    const server = span('1', '1', 'recommendations', 'GET /recommendations', 'server', 0, 1, undefined, { 'url.path': '/recommendations' });
    const at = index.locateSpan(server);
    assert.equal(at?.function, '(*server).recommendations');
    assert.match(at!.file, /services\/recommendations\/main\.go$/);
    const grpc = span('1', '2', 'inventory', 'shop.inventory.v1.Inventory/Reserve', 'server', 0, 1, undefined, { 'rpc.service': 'shop.inventory.v1.Inventory', 'rpc.method': 'Reserve' });
    assert.equal(index.locateSpan(grpc)?.function?.endsWith('Reserve'), true);
    const withCode = span('1', '3', 'x', 'y', 'internal', 0, 1, undefined, { 'code.filepath': '/build/src/services/frontend/main.go', 'code.lineno': 42, 'code.function': 'main.run' });
    assert.deepEqual({ file: path.relative(examples, index.locateSpan(withCode)!.file), line: index.locateSpan(withCode)!.line }, { file: path.join('services', 'frontend', 'main.go'), line: 42 });
    assert.ok(routeMatches('/items/{id}', '/items/7') && routeMatches('/static/', '/static/a.css') && !routeMatches('/a', '/b'));
  });

  test('findings with a location become analyzer findings carrying the evidence', () => {
    const [finding] = traceFindingsAsFindings([
      {
        kind: 'lost-propagation',
        key: 'k',
        message: 'm',
        evidence: 'seen in 3 of 4 traces in the last 15 min',
        occurrences: 3,
        outOf: 4,
        services: [],
        traceIds: [],
        spanIds: [],
        related: [],
        examples: [],
        codeLocation: { file: '/w/main.go', uri: 'file:///w/main.go', line: 76, column: 14 },
      },
    ]);
    assert.equal(finding.ruleId, 'trace-lost-propagation');
    assert.equal(finding.message, 'm — seen in 3 of 4 traces in the last 15 min');
    assert.deepEqual(finding.range.start, { line: 75, character: 13 });
  });
});
