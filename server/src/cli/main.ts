import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL, fileURLToPath } from 'url';
import { Analyzer, DEFAULT_MAX_FILE_BYTES, type Logger } from '../core/analyzer';
import { catalogJson, catalogMarkdown } from '../core/catalog';
import { collectFiles, readText } from '../core/files';
import { applyFixes } from '../core/fixes';
import { resourceName, SEVERITIES, type Finding } from '../core/types';
import { ALL_RULES } from '../rules/registry';
import { ROUTE_USAGE, runRoute } from './route';
import { toSarif } from './sarif';
import { runTraces } from './traces';
import { VERSION } from '../version';

const USAGE = `meshlens ${VERSION} — context propagation and mesh routing checks

Usage:
  meshlens check [PATH...] [--format text|json|sarif] [--output FILE]
                 [--fail-on error|warning|info|hint] [--rules id,id] [--fix]
                 [--max-file-size BYTES]
  meshlens rules [--format json|markdown]
${ROUTE_USAGE}
  meshlens traces search|show|check|receive ...   (meshlens traces --help)
  meshlens --version | --help

check reads Kubernetes/Istio YAML, Go and TypeScript/JavaScript files under each PATH
(default: the current directory) and reports findings.
Exit status: 0 nothing at or above --fail-on (default: warning), 1 findings, 2 usage or internal error.
route shows where traffic for a host goes (meshlens route --help).`;

class UsageError extends Error {}

interface Options {
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['format', 'output', 'fail-on', 'rules', 'max-file-size']);
const BOOLEAN_FLAGS = new Set(['fix', 'help', 'version']);

function parseArgs(args: readonly string[]): Options {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (BOOLEAN_FLAGS.has(name)) flags.set(name, true);
    else if (VALUE_FLAGS.has(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else throw new UsageError(`unknown option --${name}`);
  }
  return { positional, flags };
}

function flag(options: Options, name: string): string | undefined {
  const value = options.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, name: string): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
}

const stderrLogger = (io: CliIo): Logger => ({
  info: () => undefined,
  warn: (message) => io.stderr(`meshlens: warning: ${message}\n`),
  error: (message) => io.stderr(`meshlens: internal error: ${message}\n`),
});

export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  try {
    // route takes repeatable flags (--header, --source-label): it parses its own arguments.
    if (args[0] === 'route') return await runRoute(args.slice(1), io);
    if (args[0] === 'traces') return await runTraces(args.slice(1), io);
    const options = parseArgs(args);
    if (options.flags.has('version')) {
      io.stdout(`${VERSION}\n`);
      return 0;
    }
    const [command, ...rest] = options.positional;
    if (options.flags.has('help') || command === undefined || command === 'help') {
      io.stdout(`${USAGE}\n`);
      return command === undefined && !options.flags.has('help') ? 2 : 0;
    }
    if (command === 'rules') return rules(options, io);
    if (command === 'check') return await check(rest, options, io);
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`meshlens: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    io.stderr(`meshlens: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  }
}

function rules(options: Options, io: CliIo): number {
  const format = oneOf(flag(options, 'format'), ['markdown', 'json'] as const, 'markdown', 'format');
  io.stdout(format === 'json' ? `${JSON.stringify(catalogJson(ALL_RULES), null, 2)}\n` : `${catalogMarkdown(ALL_RULES)}\n`);
  return 0;
}

async function check(paths: string[], options: Options, io: CliIo): Promise<number> {
  const format = oneOf(flag(options, 'format'), ['text', 'json', 'sarif'] as const, 'text', 'format');
  const failOn = oneOf(flag(options, 'fail-on'), SEVERITIES, 'warning', 'fail-on');
  const only = flag(options, 'rules')?.split(',').map((id) => id.trim()).filter(Boolean);
  const unknown = only?.filter((id) => !ALL_RULES.some((rule) => rule.id === id));
  if (unknown && unknown.length > 0) throw new UsageError(`unknown rule ${unknown.join(', ')} (see meshlens rules)`);
  const maxFileSize = flag(options, 'max-file-size');
  const maxFileBytes = maxFileSize === undefined ? DEFAULT_MAX_FILE_BYTES : Number(maxFileSize);
  if (!Number.isFinite(maxFileBytes) || maxFileBytes <= 0) throw new UsageError('--max-file-size must be a positive number of bytes');

  const roots = (paths.length > 0 ? paths : ['.']).map((p) => path.resolve(io.cwd, p));
  let files: string[];
  try {
    files = collectFiles(roots);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const root = roots.length === 1 && fs.statSync(roots[0]).isDirectory() ? roots[0] : io.cwd;
  const analyzer = await Analyzer.create({ rules: ALL_RULES, logger: stderrLogger(io), maxFileBytes });
  const uris = files.map((file) => pathToFileURL(file).href);
  files.forEach((file, i) => analyzer.setFile(uris[i], readText(file)));
  const settings = { only: only ? new Set(only) : undefined };
  const analyzeAll = () => {
    const findings: Finding[] = [];
    for (const uri of uris) {
      const result = analyzer.analyze(uri, settings);
      if (result.skipped) io.stderr(`meshlens: ${relative(root, uri)}: ${result.skipped}\n`);
      findings.push(...result.findings);
    }
    return findings;
  };
  let findings = analyzeAll();

  if (options.flags.has('fix')) {
    const { texts, applied } = applyFixes(findings, (uri) => analyzer.text(uri), true);
    for (const [uri, text] of texts) {
      fs.writeFileSync(fileURLToPath(uri), text);
      analyzer.setFile(uri, text);
    }
    io.stderr(`meshlens: applied ${applied.length} fix${applied.length === 1 ? '' : 'es'} in ${texts.size} file${texts.size === 1 ? '' : 's'}\n`);
    findings = analyzeAll();
  }

  const output = render(format, findings, root, files.length);
  const target = flag(options, 'output');
  if (target) fs.writeFileSync(path.resolve(io.cwd, target), output);
  else io.stdout(output);
  const threshold = SEVERITIES.indexOf(failOn);
  return findings.some((finding) => SEVERITIES.indexOf(finding.severity) <= threshold) ? 1 : 0;
}

function relative(root: string, uri: string): string {
  return path.relative(root, fileURLToPath(uri)).split(path.sep).join('/');
}

function render(format: 'text' | 'json' | 'sarif', findings: Finding[], root: string, fileCount: number): string {
  if (format === 'sarif') {
    const rootUri = pathToFileURL(root).href.replace(/\/?$/, '/');
    return `${JSON.stringify(toSarif({ rules: ALL_RULES, findings, rootUri, relativePath: (uri) => relative(root, uri), version: VERSION }), null, 2)}\n`;
  }
  if (format === 'json') {
    const json = findings.map((finding) => ({
      ruleId: finding.ruleId,
      severity: finding.severity,
      message: finding.message,
      file: relative(root, finding.uri),
      range: finding.range,
      resource: finding.resource ? resourceName(finding.resource) : undefined,
      related: finding.related.map((related) => ({ file: relative(root, related.uri), range: related.range, message: related.message })),
      fixes: finding.fixes.map((fix) => ({ title: fix.title, safe: fix.safe, changes: fix.changes.map((change) => ({ file: relative(root, change.uri), edits: change.edits })) })),
    }));
    return `${JSON.stringify({ version: VERSION, root, files: fileCount, findings: json }, null, 2)}\n`;
  }
  const lines = findings.map((finding) => {
    const where = `${relative(root, finding.uri)}:${finding.range.start.line + 1}:${finding.range.start.character + 1}`;
    const resource = finding.resource ? ` [${resourceName(finding.resource)}]` : '';
    return `${where}: ${finding.severity} ${finding.ruleId}: ${finding.message}${resource}`;
  });
  const counts = SEVERITIES.map((severity) => [severity, findings.filter((f) => f.severity === severity).length] as const).filter(([, n]) => n > 0);
  const fixable = findings.filter((finding) => finding.fixes.some((fix) => fix.safe)).length;
  const summary =
    findings.length === 0
      ? `No findings in ${fileCount} file${fileCount === 1 ? '' : 's'}.`
      : `${findings.length} finding${findings.length === 1 ? '' : 's'} (${counts.map(([s, n]) => `${n} ${s === 'error' || s === 'warning' ? `${s}${n === 1 ? '' : 's'}` : s}`).join(', ')}) in ${fileCount} file${fileCount === 1 ? '' : 's'}${fixable ? `; ${fixable} fixable with --fix` : ''}.`;
  return `${[...lines, summary].join('\n')}\n`;
}
