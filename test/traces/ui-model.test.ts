/** The pure helpers behind the trace UI: timeline layout, critical path, stats, search form, ids. */
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Span, Trace } from '../../server/src/core/traces';
import { criticalPath, findSpans, findTraceId, latencyStats, packTimeline, parseDuration, parseSearch, percentile, ROW_CRITICAL, spansForRoute, ROW_ERROR, ROW_ORPHAN, searchWindow, summaryDescription, timelineModel } from '../../client/src/traces/model';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const MS = 1_000_000n;

function span(spanId: string, parentSpanId: string | undefined, startMs: number, endMs: number, extra: Partial<Span> = {}): Span {
  return {
    traceId: TRACE_ID,
    spanId: spanId.padStart(16, '0'),
    ...(parentSpanId ? { parentSpanId: parentSpanId.padStart(16, '0') } : {}),
    service: 'frontend',
    name: `op-${spanId}`,
    kind: 'internal',
    startNs: 1_700_000_000_000n * MS + BigInt(startMs) * MS,
    endNs: 1_700_000_000_000n * MS + BigInt(endMs) * MS,
    attributes: {},
    resource: {},
    events: [],
    links: [],
    status: { code: 'unset' },
    warnings: [],
    ...extra,
  };
}

describe('timelineModel', () => {
  // root 0..100 with a (10..40, child a1 15..35) and b (30..90), plus an orphan of a lost parent.
  const trace: Trace = {
    traceId: TRACE_ID,
    spans: [
      span('b', '1', 30, 90, { service: 'checkout', status: { code: 'error' } }),
      span('1', undefined, 0, 100),
      span('a1', 'a', 15, 35),
      span('a', '1', 10, 40),
      span('f', 'dead', 50, 60, { service: 'inventory' }),
    ],
  };

  test('orders rows depth first, children by start, orphans as their own subtree', () => {
    const model = timelineModel(trace);
    assert.deepEqual(model.rows.map((r) => [r.name, r.depth]), [['op-1', 0], ['op-a', 1], ['op-a1', 2], ['op-b', 1], ['op-f', 0]]);
    assert.deepEqual(model.rows.map((r) => r.subtreeEnd), [4, 3, 3, 4, 5]);
    assert.equal(model.totalMs, 100);
    assert.deepEqual(model.services, ['frontend', 'checkout', 'inventory']);
    assert.equal(model.rows[3].error, true);
    assert.equal(model.rows[4].orphan, true);
    assert.equal(model.rows[1].startMs, 10);
    assert.equal(model.rows[1].durationMs, 30);
  });

  test('packs rows into columns for the page', () => {
    const packed = packTimeline(timelineModel(trace));
    assert.deepEqual(packed.names, ['op-1', 'op-a', 'op-a1', 'op-b', 'op-f']);
    assert.deepEqual(packed.depth, [0, 1, 2, 1, 0]);
    assert.deepEqual(packed.flags, [ROW_CRITICAL, ROW_CRITICAL, ROW_CRITICAL, ROW_CRITICAL | ROW_ERROR, ROW_ORPHAN]);
    assert.deepEqual(packed.service, [0, 0, 0, 1, 2]);
    assert.deepEqual(packed.startMs, [0, 10, 15, 30, 50]);
  });

  test('the critical path follows the last-finishing children back from the root', () => {
    // b ends last (90); before b starts (30), a (10..40) overlaps, then a1 inside a.
    assert.deepEqual([...criticalPath(trace)].sort(), ['0000000000000001', '00000000000000a1', '000000000000000a', '000000000000000b'].sort());
    const idle: Trace = { traceId: TRACE_ID, spans: [span('1', undefined, 0, 100), span('c', '1', 0, 10), span('d', '1', 50, 60), span('e', '1', 55, 58)] };
    // e ends before d and lies inside it: not on the path; c is, before d starts.
    assert.deepEqual([...criticalPath(idle)].sort(), ['0000000000000001', '000000000000000c', '000000000000000d'].sort());
  });

  test('lays out a 10,000-span trace quickly and without recursion limits', () => {
    const spans: Span[] = [span('1', undefined, 0, 20_000)];
    // A chain 5,000 deep plus 4,999 siblings under the root.
    for (let i = 2; i <= 5001; i++) spans.push(span(i.toString(16), (i - 1).toString(16), i, 20_000 - i));
    for (let i = 5002; i <= 10_000; i++) spans.push(span(i.toString(16), '1', i, i + 1));
    const started = performance.now();
    const model = timelineModel({ traceId: TRACE_ID, spans });
    const elapsed = performance.now() - started;
    assert.equal(model.rows.length, 10_000);
    assert.equal(model.rows[5000].depth, 5000);
    assert.ok(elapsed < 500, `layout took ${elapsed} ms`);
  });

  test('finds spans by id, name and attribute value', () => {
    const hostile = { ...trace, spans: [...trace.spans, span('x', '1', 1, 2, { attributes: { 'user.note': '<img src=x onerror="window.__xss=1">' } })] };
    const order = timelineModel(hostile).rows.map((r) => r.spanId);
    assert.deepEqual(findSpans(hostile, order, 'onerror').map((i) => order[i]), ['000000000000000x']);
    assert.deepEqual(findSpans(hostile, order, 'OP-A1').map((i) => order[i]), ['00000000000000a1']);
    assert.deepEqual(findSpans(hostile, order, '000000000000000b').map((i) => order[i]), ['000000000000000b']);
    assert.deepEqual(findSpans(hostile, order, '  '), []);
  });
});

describe('latency stats', () => {
  test('nearest-rank percentiles and the error rate', () => {
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), 5);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
    assert.ok(Number.isNaN(percentile([], 50)));
    const spans = Array.from({ length: 20 }, (_, i) => span((i + 1).toString(16), undefined, 0, i + 1, { status: { code: i < 2 ? 'error' : 'ok' } }));
    assert.deepEqual(latencyStats(spans), { count: 20, p50Ms: 10, p95Ms: 19, errorRate: 0.1 });
    assert.equal(latencyStats([]), undefined);
  });

  test('a handler\'s spans: server spans of its service whose route it serves', () => {
    const spans = [
      span('1', undefined, 0, 5, { kind: 'server', attributes: { 'http.route': '/recommendations' } }),
      span('2', undefined, 0, 7, { kind: 'server', attributes: { 'url.path': '/recommendations' } }),
      span('3', undefined, 0, 9, { kind: 'client', attributes: { 'url.full': 'http://r/recommendations' } }),
      span('4', undefined, 0, 9, { kind: 'server', service: 'checkout', attributes: { 'http.route': '/recommendations' } }),
      span('5', undefined, 0, 9, { kind: 'server', attributes: { 'url.path': '/items/42' } }),
      span('6', undefined, 0, 9, { kind: 'server' }),
    ];
    assert.deepEqual(spansForRoute(spans, 'frontend', '/recommendations').map((s) => s.spanId.slice(-1)), ['1', '2']);
    assert.deepEqual(spansForRoute(spans, 'frontend', '/items/').map((s) => s.spanId.slice(-1)), ['5']);
    assert.deepEqual(spansForRoute(spans, 'frontend', '/items/{id}').map((s) => s.spanId.slice(-1)), ['5']);
  });
});

describe('search form', () => {
  test('reads service, operation, attributes, lookback, durations and limit', () => {
    assert.deepEqual(parseSearch('service=frontend operation="GET /pay" http.status_code=500 lookback=2h min=100ms max=1.5s limit=50'), {
      service: 'frontend',
      operation: 'GET /pay',
      attributes: { 'http.status_code': '500' },
      lookbackMs: 7_200_000,
      minDurationMs: 100,
      maxDurationMs: 1500,
      limit: 50,
    });
    assert.deepEqual(parseSearch('checkout'), { service: 'checkout', lookbackMs: 3_600_000, limit: 20 });
    assert.throws(() => parseSearch('operation=x'), /needs a service/);
    assert.throws(() => parseSearch('service=a limit=0'), /positive/);
    assert.throws(() => parseSearch('service=a lookback=soon'), /not a duration/);
    const range = parseSearch('service=a from=2026-01-31T14:00:00Z to=2026-01-31T15:00:00Z');
    assert.deepEqual(searchWindow(range, 0), { startMs: Date.parse('2026-01-31T14:00:00Z'), endMs: Date.parse('2026-01-31T15:00:00Z') });
    assert.deepEqual(searchWindow(parseSearch('service=a lookback=15m'), 1_000_000), { startMs: 100_000, endMs: 1_000_000 });
    assert.throws(() => parseSearch('service=a from=yesterday'), /date and time/);
    assert.throws(() => parseSearch('service=a from=2026-02-01T00:00:00Z to=2026-01-01T00:00:00Z'), /before/);
    assert.equal(parseDuration('15m'), 900_000);
    assert.equal(parseDuration('250'), 250);
  });
});

describe('trace ids in text', () => {
  test('from a traceparent, a bare 32-hex id or a 16-hex legacy id', () => {
    assert.equal(findTraceId(`level=info msg="paid" traceparent=00-${TRACE_ID}-00f067aa0ba902b7-01`), TRACE_ID);
    assert.equal(findTraceId(`trace_id=${TRACE_ID.toUpperCase()} span_id=00f067aa0ba902b7`), TRACE_ID);
    assert.equal(findTraceId('jaeger id a3ce929d0e0e4736 here'), '0000000000000000a3ce929d0e0e4736');
    assert.equal(findTraceId('no id here, just deadbeef'), undefined);
  });

  test('the tree line of a trace summary', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    const line = summaryDescription({ traceId: TRACE_ID, rootService: 'frontend', rootOperation: 'GET', start: '2026-01-01T00:07:00.000Z', startNs: 0n, durationMs: 12.345, spanCount: 7, errorCount: 1, orphanCount: 2, services: ['frontend'] }, now);
    assert.equal(line, '12 ms · 7 spans · 1 errors · 2 orphans · 3 min ago');
  });
});
