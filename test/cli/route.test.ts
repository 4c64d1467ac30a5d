import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from '../support/fixtures';

const CLI = path.join(REPO, 'dist', 'cli.js');
const CANARY = path.join(REPO, 'examples', 'k8s');
const HOST = 'checkout.shop.svc.cluster.local';

function meshlens(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('meshlens route', () => {
  it('picks the header rule for end-user: jason and prints the JSON the docs promise', () => {
    const { code, stdout } = meshlens(['route', CANARY, '--host', HOST, '--request', 'GET /api/v1/books', '--header', 'end-user=jason', '--source-label', 'app=productpage', '--format', 'json']);
    assert.equal(code, 0);
    const result = JSON.parse(stdout);
    assert.equal(result.virtualService, 'shop/checkout');
    assert.deepEqual({ index: result.matchedRoute.index, name: result.matchedRoute.name }, { index: 0, name: 'checkout-testers' });
    assert.deepEqual(result.destinations, [{ host: HOST, subset: 'v2', port: null, share: 1 }]);
    for (const key of ['mirror', 'redirect', 'directResponse']) assert.ok(key in result, `JSON has ${key}`);
  });

  it('sends other users through the canary split', () => {
    const { code, stdout } = meshlens(['route', 'examples', '--host', 'checkout', '--request', '/', '--header', 'end-user: alice', '--format', 'json']);
    assert.equal(code, 0);
    const result = JSON.parse(stdout);
    assert.equal(result.matchedRoute.index, 1);
    assert.deepEqual(result.destinations.map((d: { subset: string; share: number }) => [d.subset, d.share]), [['v1', 0.9], ['v2', 0.1]]);
  });

  it('lists every rule with its destinations and shares when no request is given', () => {
    const text = meshlens(['route', 'examples', '--host', HOST]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /http\[0\] checkout-testers: headers end-user \{exact jason\} → checkout v2 100%/);
    assert.match(text.stdout, /http\[1\] checkout-canary: any request → checkout v1 90% · v2 10%/);
    const json = JSON.parse(meshlens(['route', 'examples', '--host', HOST, '--format', 'json']).stdout);
    assert.deepEqual(
      json.virtualServices[0].routes.map((r: { index: number; destinations: { subset: string; share: number }[] }) => [r.index, r.destinations.map((d) => `${d.subset}=${d.share}`)]),
      [[0, ['v2=1']], [1, ['v1=0.9', 'v2=0.1']]],
    );
  });

  it('writes a Markdown table', () => {
    const { code, stdout } = meshlens(['route', 'examples', '--host', HOST, '--format', 'markdown']);
    assert.equal(code, 0);
    const lines = stdout.trim().split('\n');
    assert.equal(lines[0], '| VirtualService | Rule | Match | Destination | Weight | Share | Workloads |');
    assert.equal(lines.length, 2 + 3, 'header, separator, one row per destination');
    assert.match(lines[3], /checkout-canary .*\| checkout\.shop\.svc\.cluster\.local v1 \| 90 \| 90% \| Deployment shop\/checkout-v1 ×3 \|/);
  });

  it('counts sampled requests', () => {
    const { stdout } = meshlens(['route', 'examples', '--host', HOST, '--request', '/', '--samples', '2000', '--format', 'json']);
    const { samples } = JSON.parse(stdout);
    assert.equal(samples.total, 2000);
    assert.equal(samples.destinations[0] + samples.destinations[1], 2000);
    assert.ok(samples.destinations[0] > 1700 && samples.destinations[0] < 1900, `v1 got ${samples.destinations[0]}`);
  });

  it('exits 1 when no rule takes the request, and when no VirtualService claims the host', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-route-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'vs.yaml'),
        'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: a, namespace: shop}\nspec:\n  hosts: [a]\n  http:\n  - match: [{uri: {regex: "/v1/ratings/[0-9]+"}}]\n    route: [{destination: {host: a}}]\n',
      );
      const miss = meshlens(['route', dir, '--host', 'a.shop', '--request', 'GET /v1/ratings/42/extra']);
      assert.equal(miss.code, 1, 'RE2 full match: the trailing /extra does not match');
      assert.match(miss.stdout, /no rule matches/);
      assert.equal(meshlens(['route', dir, '--host', 'a.shop', '--request', 'GET /v1/ratings/42']).code, 0);
      assert.equal(meshlens(['route', dir, '--host', 'nowhere']).code, 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 on usage errors', () => {
    for (const args of [['route', 'examples'], ['route', 'examples', '--host', HOST, '--format', 'xml'], ['route', 'examples', '--host', HOST, '--header', 'novalue'], ['route', 'examples', '--host', HOST, '--bogus']]) {
      const { code, stderr } = meshlens(args);
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, /Usage:/);
    }
  });

  it('is listed in the main usage text', () => {
    assert.match(meshlens(['--help']).stdout, /meshlens route FILE\|DIR\.\.\. --host HOST/);
  });
});
