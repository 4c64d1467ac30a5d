/**
 * `meshlens route`: where traffic for a host goes, from the YAML on disk. Without --request it
 * lists every rule with its destinations and effective shares; with one it says which rule takes
 * the request and how the traffic then splits.
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import { collectFiles, readText } from '../core/files';
import { describeMatches, describeRoute, describeValue, routingForHost, routingMarkdown, type RoutingModel } from '../core/mesh/routing';
import { formatShare } from '../core/mesh/shares';
import { parseRequestLine, sampleRequests, simulateOnModel, type SimulatedRequest, type SimulationResult } from '../core/mesh/simulate';
import { ManifestIndex, WorkspaceView } from '../core/workspace';
import { parseManifestFile } from '../core/yaml/manifest';
import type { CliIo } from './main';

export const ROUTE_USAGE = `  meshlens route FILE|DIR... --host HOST [--request "METHOD /path?query"]
                 [--header name=value]... [--source-label key=value]...
                 [--source-namespace NS] [--port N] [--gateway ns/name]
                 [--samples N] [--format text|json|markdown]`;

const ROUTE_HELP = `Usage:
${ROUTE_USAGE}

route shows where traffic for HOST goes, as Envoy splits it. With --request it names the rule
that takes the request (first match wins, RE2 regexes) and the resulting distribution.
Exit status: 0 routed, 1 no VirtualService or no rule takes the request, 2 usage error.`;

class RouteUsageError extends Error {}

interface RouteOptions {
  paths: string[];
  host?: string;
  request?: string;
  headers: Record<string, string>;
  sourceLabels: Record<string, string>;
  sourceNamespace?: string;
  port?: number;
  gateway?: string;
  samples?: number;
  format: 'text' | 'json' | 'markdown';
}

function keyValue(flag: string, value: string): [string, string] {
  const at = value.search(/[=:]/);
  if (at <= 0) throw new RouteUsageError(`--${flag} wants name=value (got "${value}")`);
  return [value.slice(0, at).trim(), value.slice(at + 1).trim()];
}

function parseRouteArgs(args: readonly string[]): RouteOptions {
  const options: RouteOptions = { paths: [], headers: {}, sourceLabels: {}, format: 'text' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      options.paths.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new RouteUsageError(`--${name} needs a value`);
      return v;
    };
    switch (name) {
      case 'host':
        options.host = value();
        break;
      case 'request':
        options.request = value();
        break;
      case 'header': {
        const [key, v] = keyValue(name, value());
        options.headers[key.toLowerCase()] = v;
        break;
      }
      case 'source-label': {
        const [key, v] = keyValue(name, value());
        options.sourceLabels[key] = v;
        break;
      }
      case 'source-namespace':
        options.sourceNamespace = value();
        break;
      case 'gateway':
        options.gateway = value();
        break;
      case 'port':
      case 'samples': {
        const n = Number(value());
        if (!Number.isInteger(n) || n <= 0) throw new RouteUsageError(`--${name} must be a positive integer`);
        if (name === 'port') options.port = n;
        else options.samples = n;
        break;
      }
      case 'format': {
        const format = value();
        if (format !== 'text' && format !== 'json' && format !== 'markdown') throw new RouteUsageError(`--format must be one of text, json, markdown (got "${format}")`);
        options.format = format;
        break;
      }
      default:
        throw new RouteUsageError(`unknown option --${name}`);
    }
  }
  return options;
}

function percent(share: number): string {
  return formatShare(share);
}

function listJson(host: string, model: RoutingModel): unknown {
  return {
    host,
    virtualServices: model.virtualServices.map((vs) => ({
      virtualService: vs.ref,
      hosts: vs.hosts,
      gateways: vs.gateways.map((g) => g.name),
      delegate: vs.isDelegate,
      routes: vs.routes.map((route) => ({
        protocol: route.protocol,
        index: route.index,
        name: route.name,
        match: route.matches,
        destinations: route.destinations.map((d) => ({ host: d.fqdn || d.host, subset: d.subset, port: d.port, weight: d.weight, share: d.share, subsetResolved: d.subsetStatus !== 'unresolved' })),
        mirror: route.mirrors.length > 0 ? route.mirrors.map((m) => ({ host: m.fqdn || m.host, subset: m.subset, port: m.port, percentage: m.percentage })) : null,
        redirect: route.redirect,
        directResponse: route.directResponse,
        delegate: route.delegate,
        unreachable: route.unreachable,
      })),
    })),
  };
}

function listText(host: string, model: RoutingModel): string {
  const lines = [`${host}`];
  for (const vs of model.virtualServices) {
    lines.push(`  VirtualService ${vs.ref}${vs.isDelegate ? ' (delegate)' : ` via ${vs.gateways.map((g) => g.name).join(', ')}`}`);
    for (const route of vs.routes) {
      const match = route.matches.length === 0 ? 'any request' : describeMatches(route.matches).join(' or ');
      lines.push(`    ${route.protocol}[${route.index}]${route.name ? ` ${route.name}` : ''}: ${match} → ${describeRoute(route, percent)}${route.unreachable ? `  (unreachable: ${route.unreachable})` : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function resultText(result: SimulationResult, samples: ReturnType<typeof sampleRequests> | undefined): string {
  const lines: string[] = [];
  for (const verdict of result.evaluated) {
    lines.push(`  ${verdict.matched ? '✓' : '✗'} ${verdict.virtualService} ${verdict.protocol}[${verdict.index}]${verdict.name ? ` ${verdict.name}` : ''}: ${verdict.reason}`);
  }
  if (result.matchedRoute) {
    const { virtualService, protocol, index, name } = result.matchedRoute;
    lines.push(`matched ${virtualService} ${protocol}[${index}]${name ? ` ${name}` : ''}`);
    result.destinations.forEach((d, i) => {
      lines.push(`  → ${d.host}${d.subset ? ` ${d.subset}` : ''}${d.port ? `:${d.port}` : ''} ${percent(d.share)}${samples ? ` (sampled ${samples.destinations[i]}/${samples.total})` : ''}`);
      for (const w of result.workloads.filter((w) => w.destination === i)) {
        lines.push(`      ${w.kind} ${w.namespace}/${w.name}${w.replicas === null ? '' : ` ×${w.replicas}`} ${percent(w.share)}`);
      }
    });
    for (const [label, value] of [['mirror', result.mirror], ['redirect', result.redirect], ['direct response', result.directResponse], ['rewrite', result.rewrite], ['fault', result.fault], ['retries', result.retries], ['timeout', result.timeout]] as const) {
      if (value !== null) lines.push(`  ${label}: ${describeValue(value as Parameters<typeof describeValue>[0])}`);
    }
  }
  if (result.note) lines.push(result.note);
  return `${lines.join('\n')}\n`;
}

export async function runRoute(args: readonly string[], io: CliIo): Promise<number> {
  let options: RouteOptions;
  try {
    options = parseRouteArgs(args);
    if (args.includes('--help')) {
      io.stdout(`${ROUTE_HELP}\n`);
      return 0;
    }
    if (!options.host) throw new RouteUsageError('--host is required');
  } catch (error) {
    if (!(error instanceof RouteUsageError)) throw error;
    io.stderr(`meshlens: ${error.message}\n\n${ROUTE_HELP}\n`);
    return 2;
  }
  const host = options.host!;
  const roots = (options.paths.length > 0 ? options.paths : ['.']).map((p) => path.resolve(io.cwd, p));
  let files: string[];
  try {
    files = collectFiles(roots).filter((file) => /\.ya?ml$/i.test(file));
  } catch (error) {
    io.stderr(`meshlens: ${(error as Error).message}\n\n${ROUTE_HELP}\n`);
    return 2;
  }
  const index = new ManifestIndex();
  for (const file of files) index.setFile(parseManifestFile(pathToFileURL(file).href, readText(file)));
  const model = routingForHost(new WorkspaceView(index), host);

  if (options.request === undefined && Object.keys(options.headers).length === 0 && options.samples === undefined) {
    if (options.format === 'json') io.stdout(`${JSON.stringify(listJson(host, model), null, 2)}\n`);
    else if (options.format === 'markdown') io.stdout(routingMarkdown(model, percent));
    else io.stdout(model.virtualServices.length > 0 ? listText(host, model) : `no VirtualService in ${files.length} YAML files claims ${host}\n`);
    return model.virtualServices.length > 0 ? 0 : 1;
  }

  const line = parseRequestLine(options.request ?? '/');
  const request: SimulatedRequest = {
    method: line.method,
    path: line.path,
    headers: options.headers,
    sourceLabels: options.sourceLabels,
    sourceNamespace: options.sourceNamespace,
    port: options.port,
    gateway: options.gateway,
    authority: options.headers.host ?? options.headers[':authority'],
  };
  const result = simulateOnModel(model, host, request);
  const samples = options.samples ? sampleRequests(result, options.samples) : undefined;
  if (options.format === 'json') io.stdout(`${JSON.stringify({ ...result, ...(samples ? { samples } : {}) }, null, 2)}\n`);
  else if (options.format === 'markdown') io.stdout(routingMarkdown({ virtualServices: model.virtualServices.filter((vs) => vs.ref === result.matchedRoute?.virtualService).map((vs) => ({ ...vs, routes: vs.routes.filter((r) => r.index === result.matchedRoute?.index && r.protocol === result.matchedRoute.protocol) })) }, percent));
  else io.stdout(resultText(result, samples));
  return result.matchedRoute ? 0 : 1;
}
