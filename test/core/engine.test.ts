import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Analyzer, type Logger } from '../../server/src/core/analyzer';
import { effectiveShares, rescaleWeights } from '../../server/src/core/mesh/shares';
import { fqdn } from '../../server/src/core/mesh/hosts';
import type { GoRule } from '../../server/src/core/rule';
import { applyEdits, LineIndex } from '../../server/src/core/text';
import { ALL_RULES } from '../../server/src/rules/registry';

const HANDLER = `package main

import "net/http"

func handler(w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequest("GET", "http://x", nil)
	_, _ = req, w
}
`;

describe('effective shares (Istio semantics)', () => {
  it('gives a lone destination everything, whatever its weight', () => assert.deepEqual(effectiveShares([30]), [1]));
  it('splits by weight over the sum', () => assert.deepEqual(effectiveShares([70, 20])?.map((s) => Math.round(s * 1000)), [778, 222]));
  it('gives zero and missing weights nothing', () => assert.deepEqual(effectiveShares([50, 0, undefined]), [1, 0, 0]));
  it('rejects all-zero and negative weights', () => {
    assert.equal(effectiveShares([0, 0]), undefined);
    assert.equal(effectiveShares([-1, 101]), undefined);
  });
  it('rescales to 100 keeping proportions', () => {
    assert.deepEqual(rescaleWeights([70, 20]), [78, 22]);
    assert.deepEqual(rescaleWeights([1, 1, 1]), [34, 33, 33]);
    assert.equal(rescaleWeights([3, 7, 11, 13]).reduce((a, b) => a + b, 0), 100);
  });
});

describe('hosts', () => {
  it('resolves short names against the namespace', () => {
    assert.equal(fqdn('reviews', 'shop'), 'reviews.shop.svc.cluster.local');
    assert.equal(fqdn('reviews.other', 'shop'), 'reviews.other.svc.cluster.local');
    assert.equal(fqdn('reviews.other.svc', 'shop'), 'reviews.other.svc.cluster.local');
    assert.equal(fqdn('api.example.com', 'shop'), 'api.example.com');
  });
});

describe('text', () => {
  it('maps offsets and positions over CRLF and astral characters', () => {
    const index = new LineIndex('a\r\n😀b\nc');
    assert.deepEqual(index.positionAt(5), { line: 1, character: 2 });
    assert.equal(index.offsetAt({ line: 2, character: 0 }), 7);
    assert.equal(index.lineText(1), '😀b');
  });
  it('applies edits in any order and refuses overlaps', () => {
    const edits = [
      { range: { start: { line: 0, character: 4 }, end: { line: 0, character: 5 } }, newText: 'X' },
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, newText: 'Y' },
    ];
    assert.equal(applyEdits('abcdef', edits), 'YbcdXf');
    assert.throws(() => applyEdits('abcdef', [edits[0], { ...edits[0], newText: 'Z' }]), /overlapping/);
  });
});

describe('analyzer', () => {
  it('re-parses Go incrementally with the same result as a fresh parse, keystroke by keystroke', async () => {
    const analyzer = await Analyzer.create({ rules: ALL_RULES });
    const uri = 'file:///incremental/main.go';
    const target = HANDLER.replace('http.NewRequest("GET"', 'http.NewRequestWithContext(r.Context(), "GET"');
    analyzer.setFile(uri, HANDLER);
    assert.equal(analyzer.analyze(uri).findings.length, 1);
    // Type the fix one character at a time, as an editor sends it.
    let text = HANDLER;
    const at = new LineIndex(HANDLER).positionAt(HANDLER.indexOf('("GET"'));
    const typed = 'WithContext';
    for (let i = 0; i < typed.length; i++) {
      const position = { line: at.line, character: at.character + i };
      const change = { range: { start: position, end: position }, text: typed[i] };
      text = applyEdits(text, [{ range: change.range, newText: change.text }]);
      analyzer.setFile(uri, text, { changes: [change] });
      analyzer.analyze(uri);
    }
    const argAt = new LineIndex(text).positionAt(text.indexOf('"GET"'));
    const insertion = 'r.Context(), ';
    text = applyEdits(text, [{ range: { start: argAt, end: argAt }, newText: insertion }]);
    analyzer.setFile(uri, text, { changes: [{ range: { start: argAt, end: argAt }, text: insertion }] });
    assert.equal(text, target);
    assert.equal(analyzer.text(uri), target);
    assert.deepEqual(analyzer.analyze(uri).findings, []);
    assert.deepEqual(analyzer.goParseCounts(uri), { full: 1, incremental: typed.length + 1 }, 'one full parse, then only incremental ones');
  });

  it('survives a rule that throws: the others still report, and the error is logged', async () => {
    const errors: string[] = [];
    const logger: Logger = { info: () => undefined, warn: () => undefined, error: (message) => errors.push(message) };
    const broken: GoRule = { ...(ALL_RULES.find((r) => r.input === 'go') as GoRule), id: 'broken-rule', check: () => { throw new Error('boom'); } };
    const analyzer = await Analyzer.create({ rules: [broken, ...ALL_RULES], logger });
    analyzer.setFile('file:///x/main.go', HANDLER);
    const { findings } = analyzer.analyze('file:///x/main.go');
    assert.deepEqual(findings.map((f) => f.ruleId), ['go-request-without-context']);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /rule broken-rule failed on file:\/\/\/x\/main\.go.*\n.*boom/);
  });

  it('stops when cancelled and says so', async () => {
    const analyzer = await Analyzer.create({ rules: ALL_RULES });
    analyzer.setFile('file:///x/main.go', HANDLER);
    const result = analyzer.analyze('file:///x/main.go', {}, () => true);
    assert.equal(result.cancelled, true);
    assert.deepEqual(result.findings, []);
  });

  it('reports which other files read what a change touched', async () => {
    const analyzer = await Analyzer.create({ rules: ALL_RULES });
    const vs = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: a, namespace: n}\nspec:\n  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a, subset: v1}\n';
    const dr = 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: a, namespace: n}\nspec:\n  host: a\n  subsets: [{name: v1, labels: {version: v1}}]\n';
    analyzer.setFile('file:///w/vs.yaml', vs);
    assert.equal(analyzer.analyze('file:///w/vs.yaml').findings.length, 1);
    assert.deepEqual(analyzer.setFile('file:///w/dr.yaml', dr), ['file:///w/vs.yaml']);
    assert.deepEqual(analyzer.analyze('file:///w/vs.yaml').findings, []);
    assert.deepEqual(analyzer.setFile('file:///w/unrelated.go', HANDLER), []);
    assert.deepEqual(analyzer.removeFile('file:///w/dr.yaml'), ['file:///w/vs.yaml']);
    assert.equal(analyzer.analyze('file:///w/vs.yaml').findings.length, 1);
  });

  it('skips binary and oversized files with a reason instead of failing', async () => {
    const analyzer = await Analyzer.create({ rules: ALL_RULES, maxFileBytes: 1000 });
    analyzer.setFile('file:///x/big.yaml', `kind: x\n${'#'.repeat(2000)}`);
    assert.match(analyzer.analyze('file:///x/big.yaml').skipped ?? '', /over the 0\.0 MB limit|limit/);
    analyzer.setFile('file:///x/bin.go', 'package x\u0000');
    assert.equal(analyzer.analyze('file:///x/bin.go').skipped, 'skipped: the file looks binary');
  });
});
