import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type * as Sarif from 'sarif';
import { REPO } from '../support/fixtures';

const CLI = path.join(REPO, 'dist', 'cli.js');
const EXAMPLES = path.join(REPO, 'examples');

function meshlens(args: string[], cwd = REPO): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The deliberate mistakes of the example shop (examples/README.md lists them). */
const EXPECTED = [
  { file: 'k8s/istio/inventory-vs.yaml', line: 18, ruleId: 'vs-subset-not-found', level: 'error', resource: 'VirtualService shop/inventory' },
  { file: 'k8s/istio/recommendations-vs.yaml', line: 11, ruleId: 'vs-weights-not-100', level: 'note', resource: 'VirtualService shop/recommendations' },
  { file: 'services/frontend/main.go', line: 76, ruleId: 'go-request-without-context', level: 'warning', resource: undefined },
  { file: 'services/web-bff/src/server.ts', line: 70, ruleId: 'ts-span-not-ended', level: 'warning', resource: undefined },
];

describe('meshlens check on examples/', () => {
  it('prints the expected findings as text, one per line, and exits 1', () => {
    const { code, stdout } = meshlens(['check', EXAMPLES]);
    assert.equal(code, 1);
    const lines = stdout.trim().split('\n');
    for (const expected of EXPECTED) {
      assert.ok(
        lines.some((line) => line.startsWith(`${expected.file}:${expected.line}:`) && line.includes(expected.ruleId)),
        `missing ${expected.file}:${expected.line} ${expected.ruleId} in:\n${stdout}`,
      );
    }
    assert.equal(lines.length, EXPECTED.length + 1, 'one line per finding plus the summary');
    assert.match(lines[lines.length - 1], /^4 findings \(1 error, 2 warnings, 1 hint\) in \d+ files/);
  });

  it('writes JSON with paths relative to the scanned root', () => {
    const { code, stdout } = meshlens(['check', 'examples', '--format', 'json'], REPO);
    assert.equal(code, 1);
    const report = JSON.parse(stdout) as { findings: { file: string; ruleId: string; range: { start: { line: number } }; resource?: string; fixes: unknown[] }[] };
    assert.deepEqual(
      report.findings.map((f) => [f.file, f.range.start.line + 1, f.ruleId, f.resource]),
      EXPECTED.map((e) => [e.file, e.line, e.ruleId, e.resource]),
    );
    assert.ok(report.findings.every((f) => f.fixes.length > 0), 'every example finding has a fix');
  });

  it('writes SARIF 2.1.0 that validates against the schema, with equivalents, resources and fixes', () => {
    const output = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-sarif-')), 'out.sarif');
    const { code, stdout } = meshlens(['check', EXAMPLES, '--format', 'sarif', '--output', output]);
    assert.equal(code, 1);
    assert.equal(stdout, '', 'with --output nothing goes to stdout');
    const log = JSON.parse(fs.readFileSync(output, 'utf8')) as Sarif.Log;
    const schema = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));

    const run = log.runs[0];
    const rules = run.tool.driver.rules ?? [];
    assert.deepEqual(rules.find((r) => r.id === 'vs-subset-not-found')?.properties?.equivalents, { istio: 'IST0101', kiali: 'KIA1107' });
    assert.deepEqual(rules.find((r) => r.id === 'go-request-without-context')?.properties?.equivalents, { golangci: 'noctx' });
    const results = run.results ?? [];
    assert.deepEqual(
      results.map((r) => [r.ruleId, r.level, r.locations?.[0].physicalLocation?.artifactLocation?.uri, r.locations?.[0].physicalLocation?.region?.startLine]),
      EXPECTED.map((e) => [e.ruleId, e.level, e.file, e.line]),
    );
    const subset = results[0];
    assert.deepEqual(subset.locations?.[0].logicalLocations, [{ kind: 'resource', fullyQualifiedName: 'VirtualService shop/inventory' }]);
    assert.deepEqual(subset.properties?.equivalents, { istio: 'IST0101', kiali: 'KIA1107' });
    assert.deepEqual(subset.locations?.[0].physicalLocation?.region, { startLine: 18, startColumn: 21, endLine: 18, endColumn: 23 });
    assert.equal(results[2].locations?.[0].logicalLocations, undefined, 'Go findings name no resource');
    assert.ok((results[2].fixes?.[0].artifactChanges[0].replacements.length ?? 0) > 0);
    assert.equal(run.originalUriBaseIds?.ROOT.uri, `${new URL(`file://${EXAMPLES}`).href}/`);
  });

  it('names a resource without a namespace as "Kind name"', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-ns-'));
    fs.copyFileSync(path.join(REPO, 'test', 'fixtures', 'mesh-subset-no-destinationrule', 'vs.yaml'), path.join(dir, 'vs.yaml'));
    const log = JSON.parse(meshlens(['check', dir, '--format', 'sarif']).stdout) as Sarif.Log;
    assert.deepEqual(log.runs[0].results?.[0].locations?.[0].logicalLocations, [{ kind: 'resource', fullyQualifiedName: 'VirtualService reviews' }]);
  });

  it('honours --fail-on and --rules', () => {
    assert.equal(meshlens(['check', EXAMPLES, '--fail-on', 'error', '--rules', 'go-request-without-context,ts-span-not-ended']).code, 0);
    assert.equal(meshlens(['check', EXAMPLES, '--fail-on', 'error']).code, 1);
    const hintsOnly = meshlens(['check', EXAMPLES, '--rules', 'vs-weights-not-100']);
    assert.equal(hintsOnly.code, 0, 'a hint is below the default --fail-on warning');
    assert.match(hintsOnly.stdout, /^1 finding/m);
  });

  it('applies safe fixes with --fix and leaves the rest', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-fix-'));
    fs.cpSync(EXAMPLES, dir, { recursive: true });
    const { code, stdout, stderr } = meshlens(['check', dir, '--fix', '--fail-on', 'hint']);
    assert.match(stderr, /applied \d+ fix/);
    assert.match(fs.readFileSync(path.join(dir, 'services/frontend/main.go'), 'utf8'), /http\.NewRequestWithContext\(r\.Context\(\), "GET"/);
    assert.match(fs.readFileSync(path.join(dir, 'k8s/istio/recommendations-vs.yaml'), 'utf8'), /weight: 78/);
    assert.equal(code, 1, 'the unsafe subset fix is not applied');
    assert.match(stdout, /vs-subset-not-found/);
    assert.doesNotMatch(stdout, /go-request-without-context|vs-weights-not-100/);
  });

  it('exits 2 with a clear message on bad usage', () => {
    const unknownRule = meshlens(['check', EXAMPLES, '--rules', 'no-such-rule']);
    assert.equal(unknownRule.code, 2);
    assert.match(unknownRule.stderr, /unknown rule no-such-rule/);
    const badFormat = meshlens(['check', '--format', 'xml']);
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /--format must be one of text, json, sarif/);
    const missing = meshlens(['check', '/no/such/path']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such file or directory: \/no\/such\/path/);
    assert.equal(meshlens(['frobnicate']).code, 2);
  });

  it('lists the rules from the registry as JSON and Markdown', () => {
    const json = JSON.parse(meshlens(['rules', '--format', 'json']).stdout) as { id: string; docs: string }[];
    assert.ok(json.length >= 5);
    assert.ok(json.every((rule) => rule.docs.includes('## What it does')));
    const markdown = meshlens(['rules']).stdout;
    assert.match(markdown, /^\| Rule \| Input \|/);
    for (const rule of json) assert.ok(markdown.includes(`\`${rule.id}\``));
  });
});
