import type { GoNode } from './parser';

export const FUNCTION_TYPES = new Set(['function_declaration', 'method_declaration', 'func_literal']);

/** Import path -> the names it is visible under in this file (an alias, or the package name). */
export class GoImports {
  private readonly byLocalName = new Map<string, string>();
  private readonly byPath = new Map<string, string[]>();

  constructor(root: GoNode) {
    // Imports only appear at the top of a file: look there rather than through the whole tree.
    const specs = root.namedChildren
      .filter((child) => child?.type === 'import_declaration')
      .flatMap((declaration) => declaration!.descendantsOfType('import_spec'));
    for (const spec of specs) {
      if (!spec) continue;
      const pathNode = spec.childForFieldName('path');
      if (!pathNode) continue;
      const importPath = pathNode.text.replace(/^["`]|["`]$/g, '');
      const alias = spec.childForFieldName('name')?.text;
      if (alias === '_' || alias === '.') continue;
      const local = alias ?? defaultPackageName(importPath);
      this.byLocalName.set(local, importPath);
      const names = this.byPath.get(importPath) ?? [];
      names.push(local);
      this.byPath.set(importPath, names);
    }
  }

  pathOf(localName: string): string | undefined {
    return this.byLocalName.get(localName);
  }

  has(importPath: string): boolean {
    return this.byPath.has(importPath);
  }

  localNames(importPath: string): string[] {
    return this.byPath.get(importPath) ?? [];
  }
}

/** Best guess of a package's name from its path, as Go tooling guesses it without the source. */
export function defaultPackageName(importPath: string): string {
  const parts = importPath.split('/');
  let last = parts[parts.length - 1];
  if (/^v\d+$/.test(last) && parts.length > 1) last = parts[parts.length - 2];
  last = last.replace(/\.v\d+$/, '').replace(/^go-/, '').replace(/-go$/, '');
  return last.replace(/[^A-Za-z0-9_]/g, '_');
}

/** For `pkg.Name(...)`, the import path of pkg and Name; undefined for any other call. */
export function packageCallee(call: GoNode, imports: GoImports): { path: string; name: string } | undefined {
  const fn = call.childForFieldName('function');
  if (!fn || fn.type !== 'selector_expression') return undefined;
  const operand = fn.childForFieldName('operand');
  const field = fn.childForFieldName('field');
  if (!operand || operand.type !== 'identifier' || !field) return undefined;
  const path = imports.pathOf(operand.text);
  return path ? { path, name: field.text } : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Calls of `pkg.name(...)` for an imported package, under any local name. Found by a text search
 * first, so a rule over a large file costs time per match rather than per node of the tree.
 */
export function packageCalls(root: GoNode, text: string, imports: GoImports, importPath: string, name: string): GoNode[] {
  const calls: GoNode[] = [];
  for (const local of imports.localNames(importPath)) {
    const pattern = new RegExp(`\\b${escapeRegExp(local)}\\s*\\.\\s*${escapeRegExp(name)}\\s*\\(`, 'g');
    for (const match of text.matchAll(pattern)) {
      const offset = (match.index ?? 0) + match[0].lastIndexOf(name);
      const field = root.descendantForIndex(offset, offset + name.length);
      const call = field?.parent?.parent;
      if (field?.type !== 'field_identifier' || call?.type !== 'call_expression') continue;
      const callee = packageCallee(call, imports);
      if (callee?.path === importPath && callee.name === name) calls.push(call);
    }
  }
  return calls;
}

export interface FunctionScope {
  fn: GoNode;
  /** The body; while a function is being typed, tree-sitter may leave its statements in an ERROR node instead. */
  body: GoNode | null;
}

/**
 * Finds the functions enclosing a node. Asking tree-sitter for a node's parent walks down from
 * the root, and listing every function of a large file costs milliseconds, so scopes are found
 * by position: the top-level declaration holding the node (binary search), then only the
 * function literals inside that one declaration, cached per declaration for the analysis.
 */
export class FunctionIndex {
  private readonly topLevel: { node: GoNode; start: number; end: number }[];
  private readonly literals = new Map<number, GoNode[]>();

  constructor(root: GoNode) {
    this.topLevel = root.namedChildren.flatMap((child) => (child ? [{ node: child, start: child.startIndex, end: child.endIndex }] : []));
  }

  private topLevelIndexOf(offset: number): number {
    let low = 0;
    let high = this.topLevel.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const entry = this.topLevel[mid];
      if (offset < entry.start) high = mid - 1;
      else if (offset >= entry.end) low = mid + 1;
      else return mid;
    }
    return -1;
  }

  private literalsIn(declaration: GoNode): GoNode[] {
    let found = this.literals.get(declaration.id);
    if (!found) {
      found = declaration.descendantsOfType('func_literal').filter((literal): literal is GoNode => literal !== null);
      this.literals.set(declaration.id, found);
    }
    return found;
  }

  /** Functions whose body contains the node, innermost first. */
  enclosing(node: GoNode): FunctionScope[] {
    const index = this.topLevelIndexOf(node.startIndex);
    if (index < 0) return [];
    const declaration = this.topLevel[index].node;
    const scopes: FunctionScope[] = [];
    if (FUNCTION_TYPES.has(declaration.type)) {
      const body = declaration.childForFieldName('body');
      if (body && contains(body, node)) scopes.push({ fn: declaration, body });
    } else if (declaration.type === 'ERROR' && index > 0) {
      // A function still being typed: tree-sitter leaves its statements in an ERROR node after it.
      const previous = this.topLevel[index - 1].node;
      if (FUNCTION_TYPES.has(previous.type) && !previous.childForFieldName('body')) scopes.push({ fn: previous, body: declaration });
    }
    for (const literal of this.literalsIn(declaration)) {
      const body = literal.childForFieldName('body');
      if (body && contains(body, node)) scopes.push({ fn: literal, body });
    }
    return scopes.sort((a, b) => (b.body?.startIndex ?? 0) - (a.body?.startIndex ?? 0));
  }
}

/** Where a request-scoped context can be taken from at some point in the code. */
export interface ContextSource {
  /** Go expression yielding the context, e.g. `ctx`, `r.Context()`, `c.Request.Context()`. */
  expression: string;
  kind: 'context' | 'http-request' | 'gin-context';
  /** Name of the variable or parameter it comes from. */
  variable: string;
}

function typeIs(typeNode: GoNode | null, imports: GoImports, path: string, name: string, pointer: boolean): boolean {
  if (!typeNode) return false;
  let node: GoNode | null = typeNode;
  if (pointer) {
    if (node.type !== 'pointer_type') return false;
    node = node.namedChildren[0] ?? null;
  }
  if (!node || node.type !== 'qualified_type') return false;
  const pkg = node.childForFieldName('package')?.text;
  const typeName = node.childForFieldName('name')?.text;
  return typeName === name && pkg !== undefined && imports.pathOf(pkg) === path;
}

function sourceFromParameter(name: string, typeNode: GoNode | null, imports: GoImports): ContextSource | undefined {
  if (name === '_') return undefined;
  if (typeIs(typeNode, imports, 'context', 'Context', false)) return { expression: name, kind: 'context', variable: name };
  if (typeIs(typeNode, imports, 'net/http', 'Request', true)) {
    return { expression: `${name}.Context()`, kind: 'http-request', variable: name };
  }
  if (typeIs(typeNode, imports, 'github.com/gin-gonic/gin', 'Context', true)) {
    return { expression: `${name}.Request.Context()`, kind: 'gin-context', variable: name };
  }
  return undefined;
}

/** Contexts a function receives: `context.Context`, `*http.Request` and `*gin.Context` parameters. */
export function parameterSources(fn: GoNode, imports: GoImports): ContextSource[] {
  const parameters = fn.childForFieldName('parameters');
  const sources: ContextSource[] = [];
  for (const declaration of parameters?.namedChildren ?? []) {
    if (!declaration || declaration.type !== 'parameter_declaration') continue;
    const typeNode = declaration.childForFieldName('type');
    for (const nameNode of declaration.childrenForFieldName('name')) {
      const source = nameNode && sourceFromParameter(nameNode.text, typeNode, imports);
      if (source) sources.push(source);
    }
  }
  return sources;
}

/** Calls whose first result is a context derived from the request's: `context.WithTimeout(ctx, ...)`, `tracer.Start(ctx, ...)`. */
function derivesContext(call: GoNode, imports: GoImports): boolean {
  const callee = packageCallee(call, imports);
  if (callee?.path === 'context') return callee.name.startsWith('With');
  const fn = call.childForFieldName('function');
  const field = fn?.type === 'selector_expression' ? fn.childForFieldName('field')?.text : undefined;
  if (field === 'Start') return true;
  if (field === 'Context' && (call.childForFieldName('arguments')?.namedChildCount ?? 0) === 0) return true;
  return false;
}

function contains(outer: GoNode, inner: GoNode): boolean {
  return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

/** Local variables holding a request-derived context, declared before `at` in a scope enclosing it. */
function localSources(body: GoNode | null, at: GoNode, imports: GoImports): ContextSource[] {
  if (!body) return [];
  const sources: ContextSource[] = [];
  for (const declaration of body.descendantsOfType(['short_var_declaration', 'assignment_statement'])) {
    if (!declaration || declaration.startIndex >= at.startIndex) continue;
    const scope = declaration.parent;
    if (!scope || !contains(scope, at)) continue;
    const left = declaration.childForFieldName('left')?.namedChildren[0];
    const right = declaration.childForFieldName('right')?.namedChildren[0];
    if (!left || left.type !== 'identifier' || left.text === '_' || right?.type !== 'call_expression') continue;
    if (derivesContext(right, imports)) sources.push({ expression: left.text, kind: 'context', variable: left.text });
  }
  for (const declaration of body.descendantsOfType('var_spec')) {
    if (!declaration || declaration.startIndex >= at.startIndex) continue;
    const scope = declaration.parent?.parent;
    if (!scope || !contains(scope, at)) continue;
    const source = sourceFromParameter(declaration.childForFieldName('name')?.text ?? '_', declaration.childForFieldName('type'), imports);
    if (source?.kind === 'context') sources.push(source);
  }
  return sources.reverse();
}

/**
 * The best context to use at `at`, innermost first: a context variable derived in this function,
 * a context parameter, then a request or gin context (of this or an enclosing function literal).
 */
export function contextInScope(at: GoNode, imports: GoImports, functions: FunctionIndex): ContextSource | undefined {
  const candidates: ContextSource[] = [];
  for (const { fn, body } of functions.enclosing(at)) {
    candidates.push(...localSources(body, at, imports), ...parameterSources(fn, imports));
  }
  return candidates.find((c) => c.kind === 'context') ?? candidates[0];
}
