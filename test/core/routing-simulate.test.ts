import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routingForHost } from '../../server/src/core/mesh/routing';
import { parseRequestLine, re2FullMatch, sampleRequests, simulateRequest, type SimulatedRequest } from '../../server/src/core/mesh/simulate';
import { examplesWorkspace, workspaceOf } from '../support/routing';

function vsWith(http: string, spec = ''): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: a, namespace: shop}
spec:
  hosts: [a]
${spec}  http:
${http}`;
}

/** Index of the rule a request takes through one VirtualService, or null. */
function ruleFor(http: string, request: SimulatedRequest, spec = ''): number | null {
  const { view } = workspaceOf({ 'vs.yaml': vsWith(http, spec) });
  return simulateRequest(view, 'a.shop.svc.cluster.local', request).matchedRoute?.index ?? null;
}

const to = (host: string) => `    route: [{destination: {host: ${host}}}]\n`;
const fallback = `  - route: [{destination: {host: fallback}}]\n`;

describe('request simulation on the example canary', () => {
  const view = examplesWorkspace();
  const host = 'checkout.shop.svc.cluster.local';

  it('sends end-user: jason to the testers rule and v2 only', () => {
    const result = simulateRequest(view, host, { method: 'GET', path: '/api/v1/books', headers: { 'end-user': 'jason' } });
    assert.equal(result.virtualService, 'shop/checkout');
    assert.deepEqual(result.matchedRoute, { index: 0, name: 'checkout-testers', protocol: 'http', virtualService: 'shop/checkout' });
    assert.deepEqual(result.destinations, [{ host, subset: 'v2', port: null, share: 1 }]);
    assert.deepEqual(result.workloads.map((w) => [w.name, w.share]), [['checkout-v2', 1]]);
  });

  it('sends everyone else through the 90/10 canary, with the rules it passed over and why', () => {
    const result = simulateRequest(view, host, { method: 'GET', path: '/', headers: { 'end-user': 'alice' } });
    assert.deepEqual(result.matchedRoute?.index, 1);
    assert.deepEqual(result.destinations.map((d) => [d.subset, d.share]), [['v1', 0.9], ['v2', 0.1]]);
    assert.equal(result.timeout, '5s');
    assert.deepEqual(result.evaluated.map((v) => [v.index, v.matched]), [[0, false], [1, true]]);
    assert.match(result.evaluated[0].reason, /header end-user exact "jason" does not match "alice"/);
  });

  it('samples N requests through the split deterministically, close to the shares', () => {
    const result = simulateRequest(view, host, { path: '/' });
    const sample = sampleRequests(result, 10000, 7);
    assert.equal(sample.destinations.reduce((a, b) => a + b, 0), 10000);
    assert.ok(Math.abs(sample.destinations[0] / 10000 - 0.9) < 0.02, `v1 got ${sample.destinations[0]}`);
    assert.ok(Math.abs(sample.destinations[1] / 10000 - 0.1) < 0.02, `v2 got ${sample.destinations[1]}`);
    assert.deepEqual(sample.workloads, sample.destinations, 'one workload per subset here');
    assert.deepEqual(sampleRequests(result, 10000, 7), sample, 'same seed, same draw');
  });

  it('answers for a gateway entry only through VirtualServices bound to that gateway', () => {
    const viaGateway = simulateRequest(view, 'shop.example.com', { path: '/api/cart', gateway: 'shop/shop-gateway' });
    assert.deepEqual([viaGateway.virtualService, viaGateway.matchedRoute?.name], ['shop/frontend', 'web-bff']);
    const fromMesh = simulateRequest(view, 'shop.example.com', { path: '/api/cart' });
    assert.equal(fromMesh.virtualService, null);
    assert.match(fromMesh.note ?? '', /no VirtualService binds shop.example.com to mesh/);
  });
});

describe('match semantics', () => {
  it('first match wins, even when a later rule matches more precisely', () => {
    const http = `  - match: [{uri: {prefix: /api}}]\n${to('a')}  - match: [{uri: {exact: /api/v1}}]\n${to('b')}`;
    assert.equal(ruleFor(http, { path: '/api/v1' }), 0);
  });

  it('uri exact, prefix and regex; exact and regex ignore the query string', () => {
    const http = `  - match: [{uri: {exact: /a}}]\n${to('a')}  - match: [{uri: {regex: "/v1/ratings/[0-9]+"}}]\n${to('b')}  - match: [{uri: {prefix: /p}}]\n${to('c')}${fallback}`;
    assert.equal(ruleFor(http, { path: '/a?x=1' }), 0);
    assert.equal(ruleFor(http, { path: '/ab' }), 3);
    assert.equal(ruleFor(http, { path: '/v1/ratings/42?full=1' }), 1);
    assert.equal(ruleFor(http, { path: '/p/anything' }), 2);
  });

  it('ignoreUriCase folds case for exact and prefix', () => {
    const http = `  - match: [{uri: {prefix: /API}, ignoreUriCase: true}]\n${to('a')}${fallback}`;
    assert.equal(ruleFor(http, { path: '/api/x' }), 0);
    assert.equal(ruleFor(`  - match: [{uri: {prefix: /API}}]\n${to('a')}${fallback}`, { path: '/api/x' }), 1);
  });

  it('headers: exact, prefix, regex and presence; names are case-insensitive', () => {
    const http = `  - match: [{headers: {x-user: {exact: jason}}}]\n${to('a')}  - match: [{headers: {x-tier: {prefix: gold}}}]\n${to('b')}  - match: [{headers: {x-id: {regex: "[0-9]{3}"}}}]\n${to('c')}  - match: [{headers: {x-debug: {}}}]\n${to('d')}${fallback}`;
    assert.equal(ruleFor(http, { headers: { 'X-User': 'jason' } }), 0);
    assert.equal(ruleFor(http, { headers: { 'x-tier': 'gold-plus' } }), 1);
    assert.equal(ruleFor(http, { headers: { 'x-id': '123' } }), 2);
    assert.equal(ruleFor(http, { headers: { 'x-id': '1234' } }), 4, 'regex is a full match');
    assert.equal(ruleFor(http, { headers: { 'x-debug': '' } }), 3);
    assert.equal(ruleFor(http, {}), 4);
  });

  it('withoutHeaders rejects requests carrying a matching header', () => {
    const http = `  - match: [{withoutHeaders: {end-user: {exact: jason}}}]\n${to('a')}${fallback}`;
    assert.equal(ruleFor(http, { headers: { 'end-user': 'jason' } }), 1);
    assert.equal(ruleFor(http, { headers: { 'end-user': 'alice' } }), 0);
    assert.equal(ruleFor(http, {}), 0);
  });

  it('queryParams: exact and regex', () => {
    const http = `  - match: [{queryParams: {page: {exact: "2"}}}]\n${to('a')}  - match: [{queryParams: {id: {regex: "[a-z]+"}}}]\n${to('b')}${fallback}`;
    assert.equal(ruleFor(http, { path: '/list?page=2' }), 0);
    assert.equal(ruleFor(http, { path: '/list?page=3&id=abc' }), 1);
    assert.equal(ruleFor(http, { path: '/list?id=ab1' }), 2);
  });

  it('method, authority, port, source labels and source namespace', () => {
    const http = `  - match: [{method: {exact: POST}}]\n${to('a')}  - match: [{authority: {prefix: api.}}]\n${to('b')}  - match: [{port: 8080}]\n${to('c')}  - match: [{sourceLabels: {app: productpage}}]\n${to('d')}  - match: [{sourceNamespace: batch}]\n${to('e')}${fallback}`;
    assert.equal(ruleFor(http, { method: 'POST' }), 0);
    assert.equal(ruleFor(http, { method: 'GET', authority: 'api.example.com' }), 1);
    assert.equal(ruleFor(http, { port: 8080 }), 2);
    assert.equal(ruleFor(http, { sourceLabels: { app: 'productpage', version: 'v1' } }), 3);
    assert.equal(ruleFor(http, { sourceNamespace: 'batch' }), 4);
    assert.equal(ruleFor(http, { method: 'GET', port: 9090, sourceLabels: { app: 'other' }, sourceNamespace: 'shop' }), 5);
  });

  it('match entries are alternatives; conditions inside one entry must all hold', () => {
    const http = `  - match:\n    - {uri: {prefix: /a}, method: {exact: POST}}\n    - {uri: {prefix: /b}}\n${to('a')}${fallback}`;
    assert.equal(ruleFor(http, { method: 'GET', path: '/a' }), 1);
    assert.equal(ruleFor(http, { method: 'POST', path: '/a' }), 0);
    assert.equal(ruleFor(http, { method: 'GET', path: '/b' }), 0);
  });

  it('gateways: a match-level list overrides the VirtualService\'s', () => {
    const spec = `  gateways: [mesh, shop/edge]\n`;
    const http = `  - match: [{gateways: [shop/edge]}]\n${to('a')}${fallback}`;
    assert.equal(ruleFor(http, { gateway: 'shop/edge' }, spec), 0);
    assert.equal(ruleFor(http, {}, spec), 1);
  });

  it('reports 404 when no rule matches', () => {
    const { view } = workspaceOf({ 'vs.yaml': vsWith(`  - match: [{uri: {exact: /only}}]\n${to('a')}`) });
    const result = simulateRequest(view, 'a', { path: '/other' });
    assert.equal(result.matchedRoute, null);
    assert.match(result.note ?? '', /404/);
  });

  it('returns redirect, direct response and rewrite of the matched rule', () => {
    const http = `  - match: [{uri: {prefix: /old}}]\n    redirect: {uri: /new}\n  - match: [{uri: {prefix: /down}}]\n    directResponse: {status: 503}\n  - rewrite: {uri: /v2}\n    route: [{destination: {host: a}}]\n`;
    const { view } = workspaceOf({ 'vs.yaml': vsWith(http) });
    assert.deepEqual(simulateRequest(view, 'a', { path: '/old/x' }).redirect, { uri: '/new' });
    assert.deepEqual(simulateRequest(view, 'a', { path: '/down' }).directResponse, { status: 503 });
    const rewritten = simulateRequest(view, 'a', { path: '/x' });
    assert.deepEqual([rewritten.rewrite, rewritten.destinations.map((d) => d.host)], [{ uri: '/v2' }, ['a.shop.svc.cluster.local']]);
  });
});

describe('regex: RE2 semantics, not JavaScript RegExp', () => {
  it('is a full match where a JS RegExp test finds a substring', () => {
    assert.equal(new RegExp('/v1/ratings/[0-9]+').test('/v1/ratings/42/extra'), true);
    assert.equal(re2FullMatch('/v1/ratings/[0-9]+', '/v1/ratings/42/extra'), false);
    assert.equal(re2FullMatch('/v1/ratings/[0-9]+', '/v1/ratings/42'), true);
  });

  it('accepts RE2 named groups (?P<name>...) that JS rejects', () => {
    assert.throws(() => new RegExp('(?P<id>[0-9]+)'));
    assert.equal(re2FullMatch('/items/(?P<id>[0-9]+)', '/items/17'), true);
  });

  it('matches nothing for lookaheads and backreferences, which JS accepts and RE2 rejects', () => {
    assert.equal(new RegExp('^/a(?=b)b$').test('/ab'), true);
    assert.equal(re2FullMatch('/a(?=b)b', '/ab'), false);
    assert.equal(new RegExp('^(a)\\1$').test('aa'), true);
    assert.equal(re2FullMatch('(a)\\1', 'aa'), false);
    const http = `  - match: [{uri: {regex: "/a(?=b)b"}}]\n${to('a')}${fallback}`;
    assert.equal(ruleFor(http, { path: '/ab' }), 1);
  });
});

describe('delegates in simulation', () => {
  const files = {
    'root.yaml': `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: root, namespace: shop}
spec:
  hosts: [bookinfo.example.com]
  http:
  - match: [{uri: {prefix: /reviews}}]
    delegate: {name: reviews, namespace: team}
  - route: [{destination: {host: productpage}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: team}
spec:
  http:
  - match: [{uri: {prefix: /reviews/v2}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: reviews, subset: v3}}]
`,
  };

  it('follows a delegate and picks its first matching rule', () => {
    const { view } = workspaceOf(files);
    const result = simulateRequest(view, 'bookinfo.example.com', { path: '/reviews/v2/1' });
    assert.deepEqual(result.matchedRoute, { index: 0, name: null, protocol: 'http', virtualService: 'team/reviews' });
    assert.deepEqual(result.destinations.map((d) => d.subset), ['v2']);
  });

  it('falls through to the root\'s next rule when no delegate rule matches', () => {
    const { view } = workspaceOf(files);
    const result = simulateRequest(view, 'bookinfo.example.com', { path: '/reviews/1' });
    assert.deepEqual([result.matchedRoute?.virtualService, result.matchedRoute?.index], ['shop/root', 1]);
    assert.deepEqual(result.evaluated.map((v) => `${v.virtualService}#${v.index}:${v.matched}`), [
      'shop/root#0:true',
      'team/reviews#0:false',
      'team/reviews#1:false',
      'shop/root#1:true',
    ]);
  });

  it('uses the host model it is given (no second lookup)', () => {
    const { view } = workspaceOf(files);
    const model = routingForHost(view, 'bookinfo.example.com');
    assert.equal(simulateRequest(view, 'bookinfo.example.com', { path: '/x' }, { model }).matchedRoute?.index, 1);
  });
});

describe('request line', () => {
  it('reads "METHOD /path" and a bare path', () => {
    assert.deepEqual(parseRequestLine('get /api/v1/books'), { method: 'GET', path: '/api/v1/books' });
    assert.deepEqual(parseRequestLine('/x?y=1'), { path: '/x?y=1' });
  });
});
