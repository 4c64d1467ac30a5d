import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const CLI = path.join(REPO, 'dist', 'cli.js');
export const JAEGER_BIN = path.join(REPO, '.cache', 'bin', 'jaeger');
export const TRACEGEN_BIN = path.join(REPO, '.cache', 'bin', 'tracegen');
export const RECORDINGS = path.join(REPO, 'test-results', 'traces', 'recorded');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** A child in its own process group, so stopping it stops everything it started. */
export class Managed {
  readonly output: string[] = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess, readonly name: string) {
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Managed {
    const child = spawn(command, args, { cwd: REPO, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    return new Managed(child, name);
  }

  log(): string {
    return this.output.join('').slice(-4000);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      process.kill(-this.child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-this.child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

export interface JaegerPorts {
  query: number;
  queryGrpc: number;
  otlpHttp: number;
  otlpGrpc: number;
  health: number;
}

/** A real Jaeger v2 (built by scripts/install-jaeger.sh), memory storage, every port chosen free. */
export async function startJaeger(dir: string): Promise<{ process: Managed; ports: JaegerPorts; queryUrl: string; otlpUrl: string }> {
  if (!fs.existsSync(JAEGER_BIN)) throw new Error(`${JAEGER_BIN} is missing: run \`bash scripts/install-jaeger.sh\` (scripts/test.sh does)`);
  const ports: JaegerPorts = { query: await freePort(), queryGrpc: await freePort(), otlpHttp: await freePort(), otlpGrpc: await freePort(), health: await freePort() };
  const config = path.join(dir, `jaeger-${ports.query}.yaml`);
  fs.writeFileSync(
    config,
    `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${ports.query}
    grpc:
      endpoint: 127.0.0.1:${ports.queryGrpc}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:${ports.health}
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${ports.otlpGrpc}
      http:
        endpoint: 127.0.0.1:${ports.otlpHttp}
processors:
  batch:
    timeout: 100ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`,
  );
  const jaeger = Managed.start('jaeger', JAEGER_BIN, ['--config', config]);
  const queryUrl = `http://127.0.0.1:${ports.query}`;
  try {
    await waitFor(
      'Jaeger to answer /api/v3/services',
      async () => {
        if (jaeger.child.exitCode !== null) throw new Error(`jaeger exited: ${jaeger.log()}`);
        const response = await fetch(`${queryUrl}/api/v3/services`);
        return response.ok ? true : undefined;
      },
      60_000,
    );
  } catch (error) {
    await jaeger.stop();
    throw new Error(`${(error as Error).message}\n${jaeger.log()}`);
  }
  return { process: jaeger, ports, queryUrl, otlpUrl: `http://127.0.0.1:${ports.otlpHttp}` };
}

/** Runs scripts/run-example-services.sh for `rounds` rounds of traffic and waits until it has stopped the services. */
export async function runExampleServices(options: { examples: string; bin: string; otlpUrl: string; rounds: number }): Promise<void> {
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpUrl,
    FRONTEND_PORT: String(await freePort()),
    CHECKOUT_PORT: String(await freePort()),
    RECOMMENDATIONS_PORT: String(await freePort()),
    INVENTORY_PORT: String(await freePort()),
    TRAFFIC_PAUSE: '0.2',
  };
  const script = Managed.start('run-example-services', 'bash', [path.join(REPO, 'scripts', 'run-example-services.sh'), '--examples', options.examples, '--bin', options.bin, '--rounds', String(options.rounds)], env);
  const timer = setTimeout(() => void script.stop(), 240_000);
  const code = await script.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`run-example-services.sh exited ${code}:\n${script.log()}`);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], cwd = REPO, env: NodeJS.ProcessEnv = {}): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A scratch copy of examples/ (without node_modules), for applying fixes. */
export function copyExamples(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-traces-'));
  const target = path.join(dir, 'examples');
  fs.cpSync(path.join(REPO, 'examples'), target, { recursive: true, filter: (source) => !source.includes(`${path.sep}node_modules`) });
  return target;
}

export function record(name: string, body: string): void {
  fs.mkdirSync(RECORDINGS, { recursive: true });
  fs.writeFileSync(path.join(RECORDINGS, name), body);
}
