/**
 * What the Go code says about where spans come from: handler registrations (server side),
 * outgoing HTTP call sites (client side, with the analyzer's findings about missing context), and
 * which folder is which service. Used to put a runtime finding, or a span, on a line of code.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { Analyzer } from '../analyzer';
import { collectFiles, readText } from '../files';
import { GoParser, GoSource, type GoNode } from '../go/parser';
import { GoImports, packageCalls } from '../go/syntax';
import type { Rule } from '../rule';
import type { Finding } from '../types';
import { stringAttribute, type Span } from './model';
import { serverRoute } from './detect';

export interface CodeLocation {
  /** Absolute path. */
  file: string;
  uri: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Enclosing (or named) function, e.g. `recommendations` or `(*server).recommendations`. */
  function?: string;
}

export interface HandlerRegistration {
  /** Folder of the package, for matching it to a service. */
  dir: string;
  /** The pattern as registered, without a method: `/recommendations`. */
  route: string;
  method?: string;
  /** Name of the handler function or method, when it is one. */
  handler?: string;
  registeredAt: CodeLocation;
  handlerAt?: CodeLocation;
}

export interface ClientCallSite {
  dir: string;
  /** `http.NewRequest`, `http.NewRequestWithContext`, `http.Get`, ... */
  call: string;
  /** True when the analyzer reports that the call drops the context in scope. */
  withoutContext: boolean;
  /** The analyzer's message for it, when it reported one. */
  message?: string;
  at: CodeLocation;
  /** Text of the call's line, trimmed. */
  lineText: string;
}

const CLIENT_CALLS = ['NewRequest', 'NewRequestWithContext', 'Get', 'Post', 'Head', 'PostForm'];

interface FunctionDecl {
  name: string;
  receiver?: string;
  node: GoNode;
  at: CodeLocation;
}

function locationOf(file: string, source: GoSource, node: GoNode, fn?: string): CodeLocation {
  const position = source.lines.positionAt(node.startIndex);
  return { file, uri: pathToFileURL(file).href, line: position.line + 1, column: position.character + 1, ...(fn ? { function: fn } : {}) };
}

function stringLiteral(node: GoNode | null | undefined): string | undefined {
  if (!node || (node.type !== 'interpreted_string_literal' && node.type !== 'raw_string_literal')) return undefined;
  return node.text.slice(1, -1);
}

/** Route segments equal, with `{name}` wildcards and a trailing-slash subtree, as net/http matches. */
export function routeMatches(pattern: string, route: string): boolean {
  if (pattern === route) return true;
  if (pattern.endsWith('/') && pattern !== '/' && route.startsWith(pattern)) return true;
  const a = pattern.split('/');
  const b = route.split('/');
  if (a.length !== b.length) return false;
  return a.every((segment, i) => segment === b[i] || /^\{[^}]*\}$/.test(segment));
}

export class GoCodeIndex {
  readonly handlers: HandlerRegistration[] = [];
  readonly callSites: ClientCallSite[] = [];
  /** Service names each package folder is known by: the folder name, `serviceName` constants, otelhttp operation names. */
  private readonly namesByDir = new Map<string, Set<string>>();
  private readonly functionsByDir = new Map<string, FunctionDecl[]>();

  private constructor(readonly roots: readonly string[]) {}

  /**
   * Reads every Go file under the roots. `rules` are the Go rules to run (the
   * go-request-without-context finding marks a call site that drops the context).
   */
  static async build(roots: readonly string[], rules: readonly Rule[]): Promise<GoCodeIndex> {
    const index = new GoCodeIndex(roots.map((root) => path.resolve(root)));
    const files = collectFiles(index.roots).filter((file) => file.endsWith('.go') && !file.endsWith('_test.go'));
    const goRules = rules.filter((rule) => rule.input === 'go');
    const analyzer = await Analyzer.create({ rules: goRules });
    const parser = await GoParser.create();
    for (const file of files) {
      const text = readText(file);
      const uri = pathToFileURL(file).href;
      analyzer.setFile(uri, text);
      const findings = analyzer.analyze(uri).findings;
      const source = new GoSource(parser, text);
      try {
        index.addFile(file, source, findings);
      } finally {
        source.dispose();
      }
    }
    return index;
  }

  private addFile(file: string, source: GoSource, findings: readonly Finding[]): void {
    const dir = path.dirname(file);
    const root = source.syntaxTree().rootNode;
    const imports = new GoImports(root);
    const names = this.namesByDir.get(dir) ?? new Set([path.basename(dir)]);
    this.namesByDir.set(dir, names);
    const functions = this.functionsByDir.get(dir) ?? [];
    this.functionsByDir.set(dir, functions);

    for (const decl of root.descendantsOfType(['function_declaration', 'method_declaration'])) {
      const nameNode = decl?.childForFieldName('name');
      if (!decl || !nameNode) continue;
      const receiverType = decl.type === 'method_declaration' ? decl.childForFieldName('receiver')?.descendantsOfType('type_identifier')[0]?.text : undefined;
      const label = receiverType ? `(*${receiverType}).${nameNode.text}` : nameNode.text;
      functions.push({ name: nameNode.text, receiver: receiverType, node: decl, at: locationOf(file, source, nameNode, label) });
    }
    const enclosing = (node: GoNode): FunctionDecl | undefined =>
      functions.filter((fn) => fn.at.file === file && fn.node.startIndex <= node.startIndex && node.endIndex <= fn.node.endIndex).sort((a, b) => b.node.startIndex - a.node.startIndex)[0];

    // Service names: `serviceName = "x"` constants and semconv.ServiceName("x").
    for (const match of source.text.matchAll(/\b[sS]ervice_?[nN]ame\s*(?:=|\()\s*"([^"]+)"/g)) names.add(match[1]);

    for (const call of root.descendantsOfType('call_expression')) {
      const fn = call?.childForFieldName('function');
      if (!call || fn?.type !== 'selector_expression') continue;
      const field = fn.childForFieldName('field')?.text;
      const args = call.childForFieldName('arguments')?.namedChildren ?? [];
      if (field === 'HandleFunc' || field === 'Handle') {
        const pattern = stringLiteral(args[0]);
        if (pattern === undefined) continue;
        const [method, route] = /^[A-Z]+\s+\//.test(pattern) ? [pattern.split(/\s+/)[0], pattern.split(/\s+/)[1]] : [undefined, pattern];
        const handlerNode = args[1];
        const handler = handlerNode?.type === 'selector_expression' ? handlerNode.childForFieldName('field')?.text : handlerNode?.type === 'identifier' ? handlerNode.text : undefined;
        this.handlers.push({ dir, route: route.replace(/^[^/]*(?=\/)/, ''), ...(method ? { method } : {}), ...(handler ? { handler } : {}), registeredAt: locationOf(file, source, call, enclosing(call)?.at.function) });
      } else if (field === 'NewHandler' || field === 'NewMiddleware') {
        const operation = stringLiteral(args[field === 'NewHandler' ? 1 : 0]);
        const pkg = fn.childForFieldName('operand')?.text;
        if (operation && pkg && imports.pathOf(pkg)?.endsWith('/otelhttp')) names.add(operation);
      }
    }

    for (const name of CLIENT_CALLS) {
      for (const call of packageCalls(root, source.text, imports, 'net/http', name)) {
        const at = locationOf(file, source, call, enclosing(call)?.at.function);
        const finding = findings.find((f) => f.range.start.line + 1 === at.line && f.range.start.character + 1 === at.column);
        this.callSites.push({
          dir,
          call: `http.${name}`,
          withoutContext: finding !== undefined,
          ...(finding ? { message: finding.message } : {}),
          at,
          lineText: source.lines.lineText(at.line - 1).trim(),
        });
      }
    }
  }

  /** Package folders that are this service (by folder name, serviceName constant or otelhttp operation name). */
  dirsOf(service: string): string[] {
    return [...this.namesByDir].filter(([, names]) => names.has(service)).map(([dir]) => dir);
  }

  handlersFor(service: string, route: string | undefined): HandlerRegistration[] {
    if (!route) return [];
    const dirs = new Set(this.dirsOf(service));
    return this.handlers.filter((h) => dirs.has(h.dir) && routeMatches(h.route, route)).sort((a, b) => b.route.length - a.route.length);
  }

  functionNamed(service: string, name: string): CodeLocation | undefined {
    for (const dir of this.dirsOf(service)) {
      const fn = (this.functionsByDir.get(dir) ?? []).find((f) => f.name === name);
      if (fn) return fn.at;
    }
    return undefined;
  }

  private handlerLocation(registration: HandlerRegistration): CodeLocation {
    const fn = registration.handler ? (this.functionsByDir.get(registration.dir) ?? []).find((f) => f.name === registration.handler) : undefined;
    return fn?.at ?? registration.registeredAt;
  }

  /** The code of a server span: its handler's function, else the registration. */
  serverLocation(service: string, route: string | undefined): CodeLocation | undefined {
    const registration = this.handlersFor(service, route)[0];
    if (registration) return this.handlerLocation(registration);
    // gRPC: /pkg.Service/Method -> a function or method named Method.
    const method = route && /^\/[\w.]+\/(\w+)$/.exec(route)?.[1];
    return method ? this.functionNamed(service, method) : undefined;
  }

  /**
   * The outgoing call most likely behind a client span of `service`: inside the handler of the
   * route the caller served, dropping the context (when `lostContext`), mentioning the callee.
   */
  clientCallSite(service: string, options: { callerRoute?: string; calleeRoute?: string; calleeService?: string; lostContext?: boolean }): ClientCallSite | undefined {
    const dirs = new Set(this.dirsOf(service));
    const handlerNames = new Set(this.handlersFor(service, options.callerRoute).map((h) => h.handler).filter(Boolean));
    const hints = [options.calleeService, options.calleeRoute?.split('/').filter(Boolean).pop()].filter((hint): hint is string => !!hint);
    let best: { site: ClientCallSite; score: number } | undefined;
    for (const site of this.callSites) {
      if (!dirs.has(site.dir)) continue;
      const fnName = site.at.function?.replace(/^\(\*\w+\)\./, '');
      let score = 0;
      if (fnName && handlerNames.has(fnName)) score += 4;
      if (options.lostContext && site.withoutContext) score += 3;
      if (hints.some((hint) => site.lineText.includes(hint) || fnName === hint)) score += 1;
      if (!best || score > best.score) best = { site, score };
    }
    return best?.site;
  }

  /**
   * "Go to source" for a span: code.filepath/code.lineno when the span carries them, else the
   * handler of a server span's route, else the likeliest call site of a client span.
   */
  locateSpan(span: Span, context: { parent?: Span } = {}): CodeLocation | undefined {
    const filepath = stringAttribute(span.attributes, 'code.filepath', 'code.file.path');
    const lineno = Number(stringAttribute(span.attributes, 'code.lineno', 'code.line.number') ?? NaN);
    const fnName = stringAttribute(span.attributes, 'code.function', 'code.function.name');
    if (filepath) {
      const file = this.resolveFile(filepath);
      if (file) return { file, uri: pathToFileURL(file).href, line: Number.isFinite(lineno) ? lineno : 1, column: 1, ...(fnName ? { function: fnName } : {}) };
    }
    if (fnName) {
      const located = this.functionNamed(span.service, fnName.split('.').pop()!);
      if (located) return located;
    }
    if (span.kind === 'server' || span.kind === 'consumer') return this.serverLocation(span.service, serverRoute(span));
    if (span.kind === 'client' || span.kind === 'producer') {
      const url = stringAttribute(span.attributes, 'url.full', 'http.url');
      let calleeRoute: string | undefined;
      try {
        calleeRoute = url ? new URL(url).pathname : undefined;
      } catch {
        calleeRoute = undefined;
      }
      return this.clientCallSite(span.service, { callerRoute: context.parent ? serverRoute(context.parent) : undefined, calleeRoute })?.at;
    }
    return undefined;
  }

  /** An absolute path as recorded, or one relative to a root, or the root-relative tail of a build path. */
  private resolveFile(recorded: string): string | undefined {
    if (path.isAbsolute(recorded) && fs.existsSync(recorded)) return recorded;
    const parts = recorded.split(/[\\/]/);
    for (const root of this.roots) {
      for (let i = 0; i < parts.length; i++) {
        const candidate = path.join(root, ...parts.slice(i));
        if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
      }
    }
    return undefined;
  }
}
