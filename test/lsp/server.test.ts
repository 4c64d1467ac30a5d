import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { applyEdits } from '../../server/src/core/text';
import { FIXTURES } from '../support/fixtures';
import { LspClient, editsFor } from '../support/lsp-client';

function messageOf(diagnostic: Diagnostic): string {
  return typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < 100; i++) {
    last = await probe();
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

describe('language server over stdio', () => {
  let workspace: string;
  let client: LspClient;
  const uri = (name: string) => pathToFileURL(path.join(workspace, name)).href;
  const read = (name: string) => fs.readFileSync(path.join(workspace, name), 'utf8');

  before(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-lsp-'));
    fs.cpSync(path.join(FIXTURES, 'mesh-subset-cross-file'), workspace, { recursive: true, filter: (source) => path.basename(source) !== 'golden' });
    fs.cpSync(path.join(FIXTURES, 'go-request-without-context', 'main.go'), path.join(workspace, 'main.go'));
    client = await LspClient.start(workspace);
    await client.waitForIndex();
  });

  after(async () => {
    await client.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('pulls diagnostics that use a DestinationRule from another, unopened file', async () => {
    client.open(uri('virtualservice.yaml'), 'yaml', read('virtualservice.yaml'));
    const diagnostics = await client.diagnostics(uri('virtualservice.yaml'));
    const subsets = diagnostics.filter((d) => d.code === 'vs-subset-not-found');
    assert.deepEqual(
      subsets.map((d) => d.range.start.line),
      [17, 29],
    );
    assert.equal(subsets[0].source, 'meshlens');
    assert.match(messageOf(subsets[0]), /"inventory\+v3".*\[VirtualService shop\/inventory\]/);
    assert.equal(subsets[0].relatedInformation?.[0].location.uri, uri('destinationrule.yaml'));
  });

  it('offers the fix carried by the diagnostic, editing the DestinationRule file', async () => {
    const diagnostics = await client.diagnostics(uri('virtualservice.yaml'));
    const target = diagnostics.find((d) => d.code === 'vs-subset-not-found' && d.range.start.line === 17)!;
    const actions = await client.codeActions(uri('virtualservice.yaml'), target.range, [target]);
    const add = actions.find((a) => a.title.startsWith('Add subset "v3"'));
    assert.ok(add, `actions: ${actions.map((a) => a.title).join(', ')}`);
    assert.equal(add.isPreferred, true);
    const fixed = applyEdits(read('destinationrule.yaml'), editsFor(add.edit, uri('destinationrule.yaml')));
    assert.match(fixed, /- name: v3\n {4}labels:\n {6}version: v3\n$/);
    assert.ok(actions.some((a) => a.title === 'Ignore vs-subset-not-found on this line'));
  });

  it('re-checks the VirtualService when the DestinationRule is edited in another document', async () => {
    client.open(uri('destinationrule.yaml'), 'yaml', read('destinationrule.yaml'));
    const refreshesBefore = client.refreshes.length;
    const text = read('destinationrule.yaml');
    const end = text.split('\n').length - 1;
    const addition = '  - name: v3\n    labels:\n      version: v3\n  - name: shadow\n    labels:\n      version: shadow\n';
    client.change(uri('destinationrule.yaml'), [{ range: { start: { line: end, character: 0 }, end: { line: end, character: 0 } }, text: addition }]);
    await eventually(async () => client.refreshes.length, (n) => n > refreshesBefore, 'a diagnostics refresh request');
    const diagnostics = await client.diagnostics(uri('virtualservice.yaml'));
    assert.deepEqual(diagnostics.filter((d) => d.code === 'vs-subset-not-found'), []);
  });

  it('applies a Go quick fix and re-checks after incremental edits', async () => {
    const goUri = uri('main.go');
    let text = read('main.go');
    client.open(goUri, 'go', text);
    const diagnostics = (await client.diagnostics(goUri)).filter((d) => d.code === 'go-request-without-context');
    assert.equal(diagnostics.length, 3);
    const actions = await client.codeActions(goUri, diagnostics[0].range, [diagnostics[0]]);
    const fix = actions.find((a) => a.title === 'Use http.NewRequestWithContext(r.Context(), ...)');
    assert.ok(fix, `actions: ${actions.map((a) => a.title).join(', ')}`);
    const edits = editsFor(fix.edit, goUri);
    // Send the fix as the editor would: one incremental change per edit, last first.
    const ordered = [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
    for (const edit of ordered) {
      text = applyEdits(text, [edit]);
      client.change(goUri, [{ range: edit.range, text: edit.newText }]);
    }
    const after = (await client.diagnostics(goUri)).filter((d) => d.code === 'go-request-without-context');
    assert.deepEqual(after.map((d) => d.range.start.line), diagnostics.slice(1).map((d) => d.range.start.line));
  });

  it('drops fixes computed for an older version of the document', async () => {
    const goUri = uri('main.go');
    const diagnostics = (await client.diagnostics(goUri)).filter((d) => d.code === 'go-request-without-context');
    client.change(goUri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '' }]);
    const actions = await client.codeActions(goUri, diagnostics[0].range, [diagnostics[0]]);
    assert.deepEqual(actions.map((a) => a.title), ['Ignore go-request-without-context on this line']);
  });

  it('reads rule severities from the settings of the resource', async () => {
    client.settings = { rules: { 'go-request-without-context': 'off', 'vs-subset-not-found': 'warning' } };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    const go = await client.diagnostics(uri('main.go'));
    assert.equal(go.filter((d) => d.code === 'go-request-without-context').length, 0);
    client.settings = {};
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    assert.equal((await client.diagnostics(uri('main.go'))).filter((d) => d.code === 'go-request-without-context').length, 2);
  });

  it('answers the custom requests of the protocol module', async () => {
    const catalog = await client.connection.sendRequest<{ id: string; equivalents: Record<string, string> }[]>('meshlens/ruleCatalog');
    assert.deepEqual(catalog.find((r) => r.id === 'vs-subset-not-found')?.equivalents, { istio: 'IST0101', kiali: 'KIA1107' });
    const findings = await client.connection.sendRequest<{ findings: { uri: string; ruleId: string }[]; fileCount: number }>('meshlens/workspaceFindings');
    assert.equal(findings.fileCount, 4);
    assert.ok(findings.findings.some((f) => f.ruleId === 'go-request-without-context' && f.uri === uri('main.go')));
  });

  it('survives hostile documents and keeps serving', async () => {
    const bomb = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: bomb}', 'data:', '  a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 20; i++) bomb.push(`  ${String.fromCharCode(98 + (i % 24))}${i}: &n${i} [${Array(9).fill(i === 0 ? '*a' : `*n${i - 1}`).join(',')}]`);
    client.open(uri('bomb.yaml'), 'yaml', bomb.join('\n'));
    assert.deepEqual(await client.diagnostics(uri('bomb.yaml')), []);
    client.open(uri('huge.yaml'), 'yaml', `apiVersion: v1\nkind: ConfigMap\ndata:\n  big: "${'x'.repeat(11 * 1024 * 1024)}"\n`);
    const huge = await client.diagnostics(uri('huge.yaml'));
    assert.equal(huge.length, 1);
    assert.match(messageOf(huge[0]), /skipped this file.*meshlens\.maxFileSize/);
    client.open(uri('binary.go'), 'go', 'package x\u0000\u0001\u0002');
    assert.match(messageOf((await client.diagnostics(uri('binary.go')))[0]), /looks binary/);
    client.open(uri('half.go'), 'go', 'package x\nimport "net/http"\nfunc h(r *http.Request) {\n\treq, _ := http.NewRequest("GET", "u", nil)\n\tif {{{ (');
    assert.deepEqual((await client.diagnostics(uri('half.go'))).map((d) => d.code), ['go-request-without-context']);
    client.open(uri('half.ts'), 'typescript', "import { trace } from '@opentelemetry/api';\nfunction f( {\n  const span = trace.getTracer('x').startSpan(");
    await client.diagnostics(uri('half.ts'));
    assert.equal(client.exitCode, null, 'the server is still running');
    const status = await client.connection.sendRequest<{ state: string }>('meshlens/status');
    assert.equal(status.state, 'ready');
  });
});
