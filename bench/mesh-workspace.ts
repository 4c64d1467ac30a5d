/**
 * The mesh-manifests benchmark: a generated workspace of about 2,000 manifests (334 apps, each a
 * file with ServiceAccount, Service, a Deployment per version (v1, v2), DestinationRule and
 * VirtualService; 10% of the apps carry a mistake), analysed cold by the CLI, then edited one DestinationRule at a time in-process.
 *
 *   npx tsc -p . && node scripts/build.mjs --production && node out/bench/mesh-workspace.js
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Analyzer } from '../server/src/core/analyzer';
import { ALL_RULES } from '../server/src/rules/registry';
import { REPO } from '../test/support/fixtures';

const APPS = 334;
const MANIFESTS_PER_APP = 6;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function appFile(i: number, subsets: string[]): string {
  const name = `svc${i}`;
  const namespace = `team${i % 20}`;
  const broken = i % 10 === 0;
  const probePort = broken && i % 30 === 0 ? 15021 : 8080;
  const routedSubset = broken && i % 20 === 0 ? 'v9' : 'v2';
  const weights = broken && i % 20 === 10 ? [70, 20] : [90, 10];
  return `apiVersion: v1
kind: ServiceAccount
metadata: {name: ${name}, namespace: ${namespace}}
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  selector: {app: ${name}}
  ports:
  - name: http
    port: 80
    targetPort: http
---
${['v1', 'v2'].map((version) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}-${version}
  namespace: ${namespace}
spec:
  selector:
    matchLabels: {app: ${name}, version: ${version}}
  template:
    metadata:
      labels: {app: ${name}, version: ${version}}
    spec:
      serviceAccountName: ${name}
      containers:
      - name: app
        image: registry.example.com/${name}:1.0.0
        ports:
        - name: http
          containerPort: 8080
        readinessProbe:
          httpGet: {path: /healthz, port: ${probePort}}
`).join('---\n')}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  host: ${name}
  trafficPolicy:
    outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s}
  subsets:
${subsets.map((s) => `  - name: ${s}\n    labels: {version: ${s}}`).join('\n')}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  hosts: [${name}]
  http:
  - match:
    - headers: {end-user: {exact: tester}}
    route:
    - destination: {host: ${name}, subset: ${routedSubset}}
  - route:
    - destination: {host: ${name}, subset: v1}
      weight: ${weights[0]}
    - destination: {host: ${name}, subset: v2}
      weight: ${weights[1]}
    timeout: 3s
    retries: {attempts: 2, perTryTimeout: 1s, retryOn: "5xx,connect-failure"}
`;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-mesh-bench-'));
  for (let i = 0; i < APPS; i++) fs.writeFileSync(path.join(dir, `svc${i}.yaml`), appFile(i, ['v1', 'v2']));
  const cli = path.join(REPO, 'dist', 'cli.js');
  const cold: number[] = [];
  let findings = 0;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, [cli, 'check', dir, '--format', 'json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    cold.push(performance.now() - started);
    findings = (JSON.parse(result.stdout) as { findings: unknown[] }).findings.length;
  }
  console.log(`CLI cold, ${APPS * MANIFESTS_PER_APP} manifests in ${APPS} files: ${cold.map((t) => `${t.toFixed(0)} ms`).join(', ')} (${findings} findings)`);

  const analyzer = await Analyzer.create({ rules: ALL_RULES });
  const uris: string[] = [];
  for (let i = 0; i < APPS; i++) {
    const uri = pathToFileURL(path.join(dir, `svc${i}.yaml`)).href;
    uris.push(uri);
    analyzer.setFile(uri, appFile(i, ['v1', 'v2']));
  }
  for (const uri of uris) analyzer.analyze(uri);
  const edits: number[] = [];
  let affected = 0;
  for (let n = 0; n < 60; n++) {
    const i = (n * 37) % APPS;
    const subsets = n % 2 === 0 ? ['v1'] : ['v1', 'v2'];
    const started = performance.now();
    const dependents = analyzer.setFile(uris[i], appFile(i, subsets));
    for (const uri of [uris[i], ...dependents]) analyzer.analyze(uri);
    edits.push(performance.now() - started);
    affected = dependents.length + 1;
  }
  const rss = process.memoryUsage().rss / 1048576;
  console.log(
    `Edit one DestinationRule -> every affected file re-analysed (${affected} files): p50 ${percentile(edits, 50).toFixed(1)} ms · p95 ${percentile(edits, 95).toFixed(1)} ms (n=${edits.length})`,
  );
  console.log(`Analyzer memory with the workspace loaded: rss ${rss.toFixed(0)} MB, heap ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB`);
  if (!process.env.KEEP) fs.rmSync(dir, { recursive: true, force: true });
}

void main();
