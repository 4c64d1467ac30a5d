import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { CodeLens, Hover, InlayHint, MarkupContent } from 'vscode-languageserver-protocol';
import { RoutingModelRequest, SimulateRequestRequest } from '../../server/src/protocol';
import { REPO } from '../support/fixtures';
import { LspClient } from '../support/lsp-client';

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < 100; i++) {
    last = await probe();
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

describe('routing lenses, hovers and inlay hints over stdio', () => {
  let workspace: string;
  let client: LspClient;
  const lensRefreshes: number[] = [];
  const hintRefreshes: number[] = [];
  const file = (name: string) => path.join(workspace, 'k8s', name);
  const uri = (name: string) => pathToFileURL(file(name)).href;
  const canary = 'istio/checkout-canary.yaml';

  const lenses = () => client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uri(canary) } });
  const hints = (name = canary) =>
    client.connection.sendRequest<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri: uri(name) }, range: { start: { line: 0, character: 0 }, end: { line: 200, character: 0 } } });
  const hover = (line: number, character: number) =>
    client.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: uri(canary) }, position: { line, character } });

  before(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-lsp-routing-'));
    fs.cpSync(path.join(REPO, 'examples', 'k8s'), path.join(workspace, 'k8s'), { recursive: true });
    client = await LspClient.start(workspace, {}, { codeLens: { refreshSupport: true }, inlayHint: { refreshSupport: true } });
    client.connection.onRequest('workspace/codeLens/refresh', () => {
      lensRefreshes.push(Date.now());
      return null;
    });
    client.connection.onRequest('workspace/inlayHint/refresh', () => {
      hintRefreshes.push(Date.now());
      return null;
    });
    await client.waitForIndex();
    client.open(uri(canary), 'yaml', fs.readFileSync(file(canary), 'utf8'));
  });

  after(async () => {
    await client.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('puts a lens above every route with its effective split, and a preview link on the VirtualService', async () => {
    const result = await lenses();
    assert.deepEqual(
      result.map((lens) => [lens.range.start.line, lens.command?.title, lens.command?.command]),
      [
        [1, '$(type-hierarchy) Preview routing', 'meshlens.previewRouting'],
        [9, 'checkout v2 100%', 'meshlens.previewRouting'],
        [18, 'checkout v1 90% · v2 10%', 'meshlens.previewRouting'],
      ],
    );
    assert.deepEqual(result[2].command?.arguments, [uri(canary), 18]);
  });

  it('hovers a destination with subset labels, workloads with replicas and the traffic policy', async () => {
    const result = await hover(20, 14); // `host:` of the v1 destination
    const value = (result?.contents as MarkupContent).value;
    assert.match(value, /\*\*`checkout\.shop\.svc\.cluster\.local`\*\* subset `v1` — receives \*\*90%\*\*/);
    assert.match(value, /Subset labels: `version=v1`/);
    assert.match(value, /- Deployment `shop\/checkout-v1` — 3 replicas, 90% of the route \(workspace\)/);
    assert.match(value, /Connection pool: `http \{http1MaxPendingRequests 100, maxRequestsPerConnection 50\}` — from `DestinationRule shop\/checkout`/);
    assert.match(value, /Outlier detection: `consecutive5xxErrors 5, interval 30s, baseEjectionTime 60s`/);
    assert.equal(await hover(0, 3), null, 'nothing on apiVersion');
  });

  it('shows no inlay hint when weights already are the shares, and one per weight once they are not', async () => {
    assert.deepEqual(await hints(), []);
    // weight: 90 → 30 (line 23, "          weight: 90"): 30/40 = 75%, 10/40 = 25%.
    client.change(uri(canary), [{ range: { start: { line: 23, character: 18 }, end: { line: 23, character: 20 } }, text: '30' }]);
    const result = await eventually(hints, (h) => h.length === 2, 'two inlay hints');
    assert.deepEqual(
      result.map((h) => [h.position, h.label]),
      [
        [{ line: 23, character: 20 }, '→ 75%'],
        [{ line: 27, character: 20 }, '→ 25%'],
      ],
    );
    const lens = (await lenses())[2];
    assert.equal(lens.command?.title, 'checkout v1 75% · v2 25%');
  });

  it('hints a lone destination\'s weight as 100%', async () => {
    const name = 'istio/lone.yaml';
    fs.writeFileSync(
      file(name),
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: lone, namespace: shop}\nspec:\n  hosts: [notifier]\n  http:\n  - route:\n    - destination: {host: notifier}\n      weight: 50\n',
    );
    client.open(uri(name), 'yaml', fs.readFileSync(file(name), 'utf8'));
    assert.deepEqual((await hints(name)).map((h) => [h.position.line, h.label]), [[8, '→ 100%']]);
  });

  it('asks the editor to refresh lenses and hints when a file they read changes, and serves the new split', async () => {
    const rules = 'istio/destination-rules.yaml';
    const text = fs.readFileSync(file(rules), 'utf8');
    client.open(uri(rules), 'yaml', text);
    const before = lensRefreshes.length;
    const line = text.split('\n').findIndex((l) => l.includes('version: v2'));
    // Rename the v2 subset of the checkout DestinationRule: the canary's v2 becomes unresolved.
    const subsetLine = line - 2;
    const at = text.split('\n')[subsetLine].indexOf('v2');
    client.change(uri(rules), [{ range: { start: { line: subsetLine, character: at }, end: { line: subsetLine, character: at + 2 } }, text: 'v9' }]);
    await eventually(async () => lensRefreshes.length, (n) => n > before, 'a codeLens refresh');
    assert.ok(hintRefreshes.length > 0, 'an inlayHint refresh too');
    const lens = (await lenses())[2];
    assert.equal(lens.command?.title, 'checkout v1 75% · v2 (unresolved) 25%');
  });

  it('answers the routing model and simulation requests of the preview', async () => {
    const model = await client.connection.sendRequest(RoutingModelRequest.type, { uri: uri(canary), line: 12 });
    assert.equal(model.focus, 'shop/checkout');
    assert.equal(model.host, 'checkout.shop.svc.cluster.local');
    assert.deepEqual(model.model.virtualServices[0].routes.map((r) => r.name), ['checkout-testers', 'checkout-canary']);
    assert.match(model.markdown, /^\| VirtualService \| Rule \|/);
    const simulated = await client.connection.sendRequest(SimulateRequestRequest.type, {
      host: 'checkout.shop.svc.cluster.local',
      request: { method: 'GET', path: '/api', headers: { 'end-user': 'jason' } },
      samples: 100,
    });
    assert.equal(simulated.matchedRoute?.name, 'checkout-testers');
    assert.deepEqual(simulated.samples?.destinations, [100]);
  });
});
