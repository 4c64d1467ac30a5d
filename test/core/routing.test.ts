import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeRoute, routingForHost, virtualServiceAt, virtualServiceRouting, type RouteModel } from '../../server/src/core/mesh/routing';
import { formatShare } from '../../server/src/core/mesh/shares';
import { examplesWorkspace, workspaceOf } from '../support/routing';

function vs(name: string, http: string, extra = ''): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: shop}
spec:
  hosts: [${name}]
${extra}  http:
${http}`;
}

function routesOf(yaml: string, more: Record<string, string> = {}): RouteModel[] {
  const { view, index, uri } = workspaceOf({ 'vs.yaml': yaml, ...more });
  const manifest = index.file(uri('vs.yaml'))!.manifests.find((m) => m.kind === 'VirtualService')!;
  return virtualServiceRouting(view, manifest).routes;
}

const shares = (route: RouteModel) => route.destinations.map((d) => Math.round(d.share * 1000) / 1000);

describe('effective shares in the routing model (Istio >= 1.15 semantics)', () => {
  it('gives a lone destination 100% whatever its weight', () => {
    const [route] = routesOf(vs('a', `  - route:\n    - destination: {host: a}\n      weight: 30\n`));
    assert.deepEqual(shares(route), [1]);
    assert.equal(route.destinations[0].weight, 30);
  });

  it('gives a lone destination without weight 100%', () => {
    assert.deepEqual(shares(routesOf(vs('a', `  - route:\n    - destination: {host: a}\n`))[0]), [1]);
  });

  it('splits weight/sum when the weights do not sum to 100', () => {
    const [route] = routesOf(vs('a', `  - route:\n    - destination: {host: a, subset: v1}\n      weight: 70\n    - destination: {host: a, subset: v2}\n      weight: 20\n`));
    assert.deepEqual(shares(route), [0.778, 0.222]);
    // No DestinationRule defines the subsets here: the lens says so.
    assert.equal(describeRoute(route, formatShare), 'a v1 (unresolved) 77.8% · v2 (unresolved) 22.2%');
  });

  it('gives zero-weight destinations nothing and splits the rest', () => {
    const [route] = routesOf(vs('a', `  - route:\n    - destination: {host: a, subset: v1}\n      weight: 0\n    - destination: {host: a, subset: v2}\n      weight: 50\n    - destination: {host: a, subset: v3}\n      weight: 150\n`));
    assert.deepEqual(shares(route), [0, 0.25, 0.75]);
    assert.equal(route.invalidSplit, null);
  });

  it('treats a missing weight beside weighted destinations as 0', () => {
    const [route] = routesOf(vs('a', `  - route:\n    - destination: {host: a, subset: v1}\n    - destination: {host: a, subset: v2}\n      weight: 40\n`));
    assert.deepEqual(shares(route), [0, 1]);
    assert.equal(route.destinations[0].weight, null);
  });

  it('reports several destinations all at weight 0 as an invalid split', () => {
    const [route] = routesOf(vs('a', `  - route:\n    - destination: {host: a, subset: v1}\n      weight: 0\n    - destination: {host: a, subset: v2}\n      weight: 0\n`));
    assert.deepEqual(shares(route), [0, 0]);
    assert.match(route.invalidSplit ?? '', /total destination weight = 0/);
    assert.match(describeRoute(route, formatShare), /^invalid split/);
  });

  it('reports a negative weight as an invalid split', () => {
    const [route] = routesOf(vs('a', `  - route:\n    - destination: {host: a, subset: v1}\n      weight: -10\n    - destination: {host: a, subset: v2}\n      weight: 110\n`));
    assert.match(route.invalidSplit ?? '', /negative/);
  });
});

describe('routing model of the example canary', () => {
  const view = examplesWorkspace();
  const model = routingForHost(view, 'checkout.shop.svc.cluster.local');

  it('lists the routes in order with their matches', () => {
    assert.deepEqual(model.virtualServices.map((v) => v.ref), ['shop/checkout']);
    const [testers, canary] = model.virtualServices[0].routes;
    assert.equal(testers.name, 'checkout-testers');
    assert.deepEqual(testers.matches, [{ headers: { 'end-user': { exact: 'jason' } } }]);
    assert.equal(canary.name, 'checkout-canary');
    assert.deepEqual(canary.matches, []);
    assert.equal(canary.timeout, '5s');
    assert.equal(describeRoute(canary, formatShare), 'checkout v1 90% · v2 10%');
  });

  it('resolves subsets through the DestinationRule down to the workloads and their replicas', () => {
    const canary = model.virtualServices[0].routes[1];
    const [v1, v2] = canary.destinations;
    assert.equal(v1.subsetStatus, 'resolved');
    assert.deepEqual(v1.subsetLabels, { version: 'v1' });
    assert.equal(v1.destinationRule?.ref, 'shop/checkout');
    assert.deepEqual(v1.workloads.map((w) => [w.kind, w.name, w.replicas, w.share]), [['Deployment', 'checkout-v1', 3, 0.9]]);
    assert.deepEqual(v2.workloads.map((w) => [w.name, w.replicas, w.share]), [['checkout-v2', 1, 0.1]]);
    assert.deepEqual(v1.trafficPolicy.map((p) => [p.field, p.from]), [
      ['connectionPool', 'DestinationRule shop/checkout'],
      ['outlierDetection', 'DestinationRule shop/checkout'],
    ]);
  });

  it('marks a subset no DestinationRule defines as unresolved, with no workloads', () => {
    const inventory = routingForHost(view, 'inventory.shop.svc.cluster.local').virtualServices[0];
    const v3 = inventory.routes.flatMap((r) => r.destinations).find((d) => d.subset === 'v3')!;
    assert.equal(v3.subsetStatus, 'unresolved');
    assert.deepEqual(v3.workloads, []);
    assert.match(describeRoute(inventory.routes.find((r) => r.destinations.includes(v3))!, formatShare), /v3 \(unresolved\)/);
  });

  it('shows the Gateway entry of a gateway-bound VirtualService', () => {
    const frontend = routingForHost(view, 'shop.example.com').virtualServices[0];
    assert.deepEqual(frontend.gateways.map((g) => [g.name, g.found, g.servers.map((s) => s.port)]), [['shop/shop-gateway', true, [80, 443]]]);
    assert.deepEqual(model.virtualServices[0].gateways.map((g) => g.name), ['mesh']);
  });
});

describe('traffic policy, workloads and route extras', () => {
  const service = `apiVersion: v1
kind: Service
metadata: {name: a, namespace: shop}
spec: {selector: {app: a}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: a-v1, namespace: shop}
spec:
  replicas: 2
  template: {metadata: {labels: {app: a, version: v1}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: a-v1-db, namespace: shop}
spec:
  template: {metadata: {labels: {app: a, version: v1}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: a, namespace: shop}
spec:
  host: a
  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBIN}
    tls: {mode: ISTIO_MUTUAL}
    portLevelSettings:
    - port: {number: 8080}
      connectionPool: {tcp: {maxConnections: 10}}
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy:
      loadBalancer: {simple: LEAST_REQUEST}
`;

  it('splits a destination across its workloads by replicas (a missing count is 1)', () => {
    const [route] = routesOf(vs('a', `  - route:\n    - destination: {host: a, subset: v1}\n`), { 'svc.yaml': service });
    assert.deepEqual(route.destinations[0].workloads.map((w) => [w.kind, w.name, w.replicas, Math.round(w.share * 1000) / 1000]), [
      ['Deployment', 'a-v1', 2, 0.667],
      ['StatefulSet', 'a-v1-db', 1, 0.333],
    ]);
  });

  it('overlays subset and port-level policy over the DestinationRule policy, field by field', () => {
    const [route] = routesOf(vs('a', `  - route:\n    - destination: {host: a, subset: v1, port: {number: 8080}}\n`), { 'svc.yaml': service });
    const policy = Object.fromEntries(route.destinations[0].trafficPolicy.map((p) => [p.field, [p.value, p.from]]));
    assert.deepEqual(policy.loadBalancer, [{ simple: 'LEAST_REQUEST' }, 'DestinationRule shop/a subset v1']);
    assert.deepEqual(policy.tls, [{ mode: 'ISTIO_MUTUAL' }, 'DestinationRule shop/a']);
    assert.deepEqual(policy.connectionPool, [{ tcp: { maxConnections: 10 } }, 'DestinationRule shop/a port 8080']);
  });

  it('keeps mirrors with their percentage, fault, retries, timeout, rewrite, redirect and direct response', () => {
    const routes = routesOf(
      vs(
        'a',
        `  - match: [{uri: {prefix: /old}}]
    redirect: {uri: /new, redirectCode: 301}
  - match: [{uri: {prefix: /down}}]
    directResponse: {status: 503, body: {string: maintenance}}
  - route:
    - destination: {host: a}
    mirror: {host: a-shadow}
    mirrorPercentage: {value: 25}
    fault: {delay: {fixedDelay: 2s, percentage: {value: 10}}}
    retries: {attempts: 3, perTryTimeout: 2s}
    rewrite: {uri: /v2}
    timeout: 7s
`,
      ),
    );
    assert.deepEqual(routes[0].redirect, { uri: '/new', redirectCode: 301 });
    assert.equal(describeRoute(routes[0], formatShare), 'redirect uri /new, redirectCode 301');
    assert.deepEqual(routes[1].directResponse, { status: 503, body: { string: 'maintenance' } });
    const last = routes[2];
    assert.deepEqual(last.mirrors.map((m) => [m.host, m.percentage]), [['a-shadow', 0.25]]);
    assert.deepEqual(last.fault, { delay: { fixedDelay: '2s', percentage: { value: 10 } } });
    assert.deepEqual(last.retries, { attempts: 3, perTryTimeout: '2s' });
    assert.deepEqual(last.rewrite, { uri: '/v2' });
    assert.equal(last.timeout, '7s');
  });

  it('takes mirrors from the mirrors list with each one\'s percentage (100% when unset)', () => {
    const [route] = routesOf(vs('a', `  - route:\n    - destination: {host: a}\n    mirrors:\n    - destination: {host: b}\n      percentage: {value: 5}\n    - destination: {host: c}\n`));
    assert.deepEqual(route.mirrors.map((m) => [m.host, m.percentage]), [['b', 0.05], ['c', 1]]);
  });
});

describe('unreachable rules', () => {
  const unreachable = (http: string) => routesOf(vs('a', http)).map((r) => r.unreachable);

  it('greys every rule after a catch-all', () => {
    const result = unreachable(`  - name: all\n    route: [{destination: {host: a}}]\n  - match: [{uri: {prefix: /x}}]\n    route: [{destination: {host: b}}]\n`);
    assert.deepEqual(result, [null, 'http[0] "all" matches every request first']);
  });

  it('greys a rule whose matches repeat an earlier rule\'s', () => {
    const result = unreachable(
      `  - match: [{headers: {end-user: {exact: jason}}}]\n    route: [{destination: {host: a}}]\n  - match: [{headers: {end-user: {exact: jason}}}]\n    route: [{destination: {host: b}}]\n  - route: [{destination: {host: c}}]\n`,
    );
    assert.deepEqual(result, [null, 'http[0] matches every request this rule matches', null]);
  });

  it('greys a rule an earlier prefix covers when the other conditions are equal', () => {
    const result = unreachable(
      `  - match: [{uri: {prefix: /api}}]\n    route: [{destination: {host: a}}]\n  - match: [{uri: {prefix: /api/v1}, method: {exact: GET}}]\n    route: [{destination: {host: b}}]\n  - match: [{uri: {exact: /ap}}]\n    route: [{destination: {host: c}}]\n`,
    );
    assert.deepEqual(result, [null, 'http[0] matches every request this rule matches', null]);
  });

  it('keeps a rule reachable when one of its match entries is not covered', () => {
    const result = unreachable(
      `  - match: [{uri: {prefix: /api}}]\n    route: [{destination: {host: a}}]\n  - match: [{uri: {prefix: /api/v1}}, {uri: {prefix: /web}}]\n    route: [{destination: {host: b}}]\n`,
    );
    assert.deepEqual(result, [null, null]);
  });

  it('does not treat an earlier regex as covering a different one', () => {
    const result = unreachable(
      `  - match: [{uri: {regex: "/api/.*"}}]\n    route: [{destination: {host: a}}]\n  - match: [{uri: {regex: "/api/v1/.*"}}]\n    route: [{destination: {host: b}}]\n`,
    );
    assert.deepEqual(result, [null, null]);
  });
});

describe('delegates and lookups', () => {
  const root = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: root, namespace: shop}
spec:
  hosts: [bookinfo.example.com]
  gateways: [shop-gateway]
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
  - route: [{destination: {host: reviews, subset: v1}}]
`;

  it('includes the delegates of a host\'s VirtualService, after it, and knows who delegates', () => {
    const { view } = workspaceOf({ 'root.yaml': root });
    const model = routingForHost(view, 'bookinfo.example.com');
    assert.deepEqual(model.virtualServices.map((v) => [v.ref, v.isDelegate, v.delegatedFrom]), [
      ['shop/root', false, []],
      ['team/reviews', true, ['shop/root']],
    ]);
    assert.equal(model.virtualServices[0].routes[0].delegate, 'team/reviews');
    assert.equal(describeRoute(model.virtualServices[0].routes[0], formatShare), 'delegate to team/reviews');
    assert.deepEqual(model.virtualServices[0].gateways.map((g) => [g.name, g.found]), [['shop/shop-gateway', false]]);
  });

  it('finds the VirtualService around a line of a multi-document file', () => {
    const { index, uri } = workspaceOf({ 'root.yaml': root });
    const manifests = index.file(uri('root.yaml'))!.manifests;
    assert.equal(virtualServiceAt(manifests, 2)?.name, 'root');
    assert.equal(virtualServiceAt(manifests, 15)?.name, 'reviews');
  });
});
