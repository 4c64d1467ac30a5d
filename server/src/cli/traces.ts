import * as fs from 'fs';
import * as path from 'path';
import {
  checkTraces,
  DEFAULT_MAX_SPANS,
  DEFAULT_RECEIVER_HOST,
  DEFAULT_RECEIVER_PORT,
  GoCodeIndex,
  LocalReceiver,
  openTraceSource,
  PROPAGATION_KINDS,
  spanToJson,
  summaryToJson,
  TraceSourceError,
  type CodeLocation,
  type HttpSourceOptions,
  type JaegerApi,
  type Span,
  type TraceSource,
} from '../core/traces';
import { ALL_RULES } from '../rules/registry';
import type { CliIo } from './main';

export const TRACES_USAGE = `Usage:
  meshlens traces search --service S [--operation O] [--since 1h] [--limit N] [SOURCE] [--format text|json]
  meshlens traces show TRACE_ID [SOURCE] [--format text|json]
  meshlens traces check [--service S,...] [--since 1h] [--limit N] [--workspace DIR] [SOURCE] [--format text|json]
  meshlens traces receive [--port 4318] [--host 127.0.0.1] [--max-spans N]

SOURCE: --source URL|local (default local: the embedded receiver's read API on 127.0.0.1:4318,
started by the editor or by \`meshlens traces receive\`), a Jaeger query URL such as
http://127.0.0.1:16686 (api_v3, else the legacy /api); --api auto|v3|legacy, --header 'Name: value'
(repeatable), --ca FILE (extra CA, PEM), --insecure (skip TLS verification), --timeout MS.
A bearer token is read from the MESHLENS_TRACES_TOKEN environment variable, never from a flag.

check exits 1 when it finds broken propagation (lost propagation or orphan spans), 0 when not,
2 on usage or source errors.`;

class TracesUsageError extends Error {}

const VALUE_FLAGS = new Set(['source', 'service', 'operation', 'since', 'limit', 'format', 'workspace', 'api', 'header', 'ca', 'timeout', 'port', 'host', 'max-spans']);
const BOOLEAN_FLAGS = new Set(['insecure', 'help']);

interface Parsed {
  positional: string[];
  flags: Map<string, string[]>;
  booleans: Set<string>;
}

function parse(args: readonly string[]): Parsed {
  const parsed: Parsed = { positional: [], flags: new Map(), booleans: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      parsed.positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (BOOLEAN_FLAGS.has(name)) parsed.booleans.add(name);
    else if (VALUE_FLAGS.has(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new TracesUsageError(`--${name} needs a value`);
      parsed.flags.set(name, [...(parsed.flags.get(name) ?? []), value]);
    } else throw new TracesUsageError(`unknown option --${name}`);
  }
  return parsed;
}

function one(parsed: Parsed, name: string): string | undefined {
  const values = parsed.flags.get(name);
  return values?.[values.length - 1];
}

/** "15m", "1h", "30s", "2d", "500ms" to milliseconds. */
export function parseSince(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new TracesUsageError(`--since must look like 30s, 15m, 1h or 2d (got "${text}")`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new TracesUsageError(`--${name} must be a positive integer (got "${value}")`);
  return n;
}

function format(parsed: Parsed): 'text' | 'json' {
  const value = one(parsed, 'format') ?? 'text';
  if (value !== 'text' && value !== 'json') throw new TracesUsageError(`--format must be text or json (got "${value}")`);
  return value;
}

async function source(parsed: Parsed, io: CliIo): Promise<TraceSource> {
  const headers: Record<string, string> = {};
  for (const header of parsed.flags.get('header') ?? []) {
    const at = header.indexOf(':');
    if (at <= 0) throw new TracesUsageError(`--header must be "Name: value" (got "${header}")`);
    headers[header.slice(0, at).trim()] = header.slice(at + 1).trim();
  }
  const ca = one(parsed, 'ca');
  const api = (one(parsed, 'api') ?? 'auto') as JaegerApi;
  if (!['auto', 'v3', 'legacy'].includes(api)) throw new TracesUsageError(`--api must be auto, v3 or legacy (got "${api}")`);
  const options: Omit<HttpSourceOptions, 'baseUrl'> = {
    headers,
    bearerToken: process.env.MESHLENS_TRACES_TOKEN || undefined,
    ca: ca ? fs.readFileSync(path.resolve(io.cwd, ca)) : undefined,
    rejectUnauthorized: !parsed.booleans.has('insecure'),
    timeoutMs: positiveInt(one(parsed, 'timeout'), 'timeout', 10_000),
  };
  const spec = one(parsed, 'source') ?? 'local';
  try {
    return await openTraceSource(spec, options, api);
  } catch (error) {
    if (error instanceof TraceSourceError && error.kind === 'bad-request' && !/^https?:/.test(spec)) throw new TracesUsageError(error.message);
    throw error;
  }
}

function localHint(parsed: Parsed, error: TraceSourceError): string {
  const local = (one(parsed, 'source') ?? 'local') === 'local';
  return local && error.kind === 'unreachable' ? ' (no local receiver is running: start one with `meshlens traces receive` or open the folder in VS Code with meshlens)' : '';
}

export async function runTraces(args: readonly string[], io: CliIo): Promise<number> {
  let parsed: Parsed | undefined;
  try {
    parsed = parse(args);
    const [command, ...rest] = parsed.positional;
    if (parsed.booleans.has('help')) {
      io.stdout(`${TRACES_USAGE}\n`);
      return 0;
    }
    if (command === 'search') return await search(parsed, io);
    if (command === 'show') return await show(rest, parsed, io);
    if (command === 'check') return await check(parsed, io);
    if (command === 'receive') return await receive(parsed, io);
    throw new TracesUsageError(command ? `unknown traces command "${command}"` : 'traces needs a command');
  } catch (error) {
    if (error instanceof TracesUsageError) {
      io.stderr(`meshlens: ${error.message}\n\n${TRACES_USAGE}\n`);
      return 2;
    }
    if (error instanceof TraceSourceError) {
      io.stderr(`meshlens: ${error.message}${parsed ? localHint(parsed, error) : ''}\n`);
      return 2;
    }
    throw error;
  }
}

async function search(parsed: Parsed, io: CliIo): Promise<number> {
  const service = one(parsed, 'service');
  if (!service) throw new TracesUsageError('traces search needs --service');
  const sinceMs = parseSince(one(parsed, 'since') ?? '1h');
  const limit = positiveInt(one(parsed, 'limit'), 'limit', 20);
  const fmt = format(parsed);
  const src = await source(parsed, io);
  const now = Date.now();
  const summaries = await src.search({ service, operation: one(parsed, 'operation'), startMs: now - sinceMs, endMs: now, limit });
  if (fmt === 'json') {
    io.stdout(`${JSON.stringify(summaries.map(summaryToJson), null, 2)}\n`);
    return 0;
  }
  const lines = summaries.map(
    (s) => `${s.traceId}  ${s.start}  ${s.durationMs.toFixed(1).padStart(9)} ms  ${String(s.spanCount).padStart(4)} spans  ${s.errorCount} err  ${s.orphanCount} orphan  ${s.rootService}: ${s.rootOperation}`,
  );
  io.stdout(`${[...lines, `${summaries.length} trace${summaries.length === 1 ? '' : 's'} of ${service} in the last ${one(parsed, 'since') ?? '1h'} (${src.description})`].join('\n')}\n`);
  return 0;
}

async function show(rest: string[], parsed: Parsed, io: CliIo): Promise<number> {
  const [traceId] = rest;
  if (!traceId || !/^[0-9a-fA-F]{1,32}$/.test(traceId)) throw new TracesUsageError('traces show needs a trace id (up to 32 hex digits)');
  const fmt = format(parsed);
  const src = await source(parsed, io);
  const trace = await src.getTrace(traceId);
  if (!trace) {
    io.stderr(`meshlens: trace ${traceId} not found in ${src.description}\n`);
    return 2;
  }
  const spans = [...trace.spans].sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  if (fmt === 'json') {
    io.stdout(`${JSON.stringify(spans.map(spanToJson), null, 2)}\n`);
    return 0;
  }
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const span of spans) {
    if (span.parentSpanId && ids.has(span.parentSpanId)) children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span]);
    else roots.push(span);
  }
  const start = spans[0]?.startNs ?? 0n;
  const lines: string[] = [`trace ${trace.traceId}: ${spans.length} spans`];
  const visit = (span: Span, depth: number) => {
    const offset = Number(span.startNs - start) / 1e6;
    const duration = Number(span.endNs - span.startNs) / 1e6;
    const notes = [span.status.code === 'error' ? 'ERROR' : '', span.parentSpanId && !ids.has(span.parentSpanId) ? `orphan: parent ${span.parentSpanId} missing` : ''].filter(Boolean);
    lines.push(`${'  '.repeat(depth)}${span.service}: ${span.name} [${span.kind}] +${offset.toFixed(1)} ms ${duration.toFixed(1)} ms  ${span.spanId}${notes.length ? `  (${notes.join(', ')})` : ''}`);
    for (const child of children.get(span.spanId) ?? []) visit(child, depth + 1);
  };
  roots.forEach((root) => visit(root, 0));
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

function relativeLocation(root: string, location: CodeLocation | undefined): Record<string, unknown> | undefined {
  if (!location) return undefined;
  return { file: path.relative(root, location.file).split(path.sep).join('/'), line: location.line, column: location.column, ...(location.function ? { function: location.function } : {}) };
}

async function check(parsed: Parsed, io: CliIo): Promise<number> {
  const services = (parsed.flags.get('service') ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const since = one(parsed, 'since') ?? '1h';
  const sinceMs = parseSince(since);
  const limit = positiveInt(one(parsed, 'limit'), 'limit', 500);
  const fmt = format(parsed);
  const workspace = path.resolve(io.cwd, one(parsed, 'workspace') ?? '.');
  if (!fs.existsSync(workspace)) throw new TracesUsageError(`--workspace ${workspace} does not exist`);
  const src = await source(parsed, io);
  const codeIndex = await GoCodeIndex.build([workspace], ALL_RULES);
  const result = await checkTraces(src, { services, sinceMs, limit, codeIndex });
  const broken = result.findings.filter((f) => PROPAGATION_KINDS.has(f.kind));
  if (fmt === 'json') {
    const findings = result.findings.map((f) => ({
      kind: f.kind,
      shape: f.shape,
      message: f.message,
      evidence: f.evidence,
      occurrences: f.occurrences,
      outOf: f.outOf,
      services: f.services,
      traceIds: f.traceIds,
      spanIds: f.spanIds,
      codeLocation: relativeLocation(workspace, f.codeLocation) ?? null,
      related: f.related.map((r) => ({ ...relativeLocation(workspace, r.location), message: r.message })),
      examples: f.examples,
    }));
    io.stdout(`${JSON.stringify({ source: src.description, since, traceCount: result.traceCount, services: result.services, findings }, null, 2)}\n`);
  } else {
    const lines = result.findings.map((f) => {
      const where = f.codeLocation ? `${relativeLocation(workspace, f.codeLocation)!.file}:${f.codeLocation.line}:${f.codeLocation.column}: ` : '';
      const example = f.examples[0];
      const pair = example ? `\n    e.g. trace ${example.parent?.traceId ?? example.span.traceId}${example.peer && example.peer.traceId !== (example.parent?.traceId ?? example.span.traceId) ? ` and trace ${example.peer.traceId}` : example.span.traceId !== example.parent?.traceId && example.parent ? ` and trace ${example.span.traceId}` : ''}` : '';
      return `${where}${f.kind}: ${f.message} (${f.evidence})${pair}`;
    });
    const summary = broken.length === 0 ? `No broken propagation in ${result.traceCount} traces of the last ${since}.` : `${broken.length} broken-propagation finding${broken.length === 1 ? '' : 's'} in ${result.traceCount} traces of the last ${since}.`;
    io.stdout(`${[...lines, summary].join('\n')}\n`);
  }
  return broken.length > 0 ? 1 : 0;
}

async function receive(parsed: Parsed, io: CliIo): Promise<number> {
  const receiver = new LocalReceiver({
    host: one(parsed, 'host') ?? DEFAULT_RECEIVER_HOST,
    port: Number(one(parsed, 'port') ?? DEFAULT_RECEIVER_PORT),
    maxSpans: positiveInt(one(parsed, 'max-spans'), 'max-spans', DEFAULT_MAX_SPANS),
  });
  let url: string;
  try {
    url = await receiver.listen();
  } catch (error) {
    io.stderr(`meshlens: ${(error as Error).message}\n`);
    return 2;
  }
  io.stdout(`receiving OTLP/HTTP traces on ${url}/v1/traces; query with --source ${url === `http://${DEFAULT_RECEIVER_HOST}:${DEFAULT_RECEIVER_PORT}` ? 'local' : url} (Ctrl+C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await receiver.close();
  io.stdout(`received ${receiver.stats.spans} spans in ${receiver.stats.requests} requests\n`);
  return 0;
}
