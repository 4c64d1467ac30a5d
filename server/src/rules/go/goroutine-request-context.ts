import { addImport } from '../../core/go/edit';
import { identifierUses, within } from '../../core/go/flow';
import type { GoNode } from '../../core/go/parser';
import { requestContextVariables, requestSources } from '../../core/go/requests';
import { packageCallee, packageCalls } from '../../core/go/syntax';
import type { GoFile, GoRule } from '../../core/rule';
import type { TextEdit } from '../../core/text';

/** One use of a context in a goroutine that the fix re-routes. */
interface ContextUse {
  node: GoNode;
  kind: 'request' | 'variable' | 'fresh';
}

const GO_KEYWORD = /\bgo\s+[A-Za-z_(]/g;

function isFreshContext(node: GoNode, file: GoFile): boolean {
  if (node.type !== 'call_expression') return false;
  const callee = packageCallee(node, file.imports);
  return callee?.path === 'context' && (callee.name === 'Background' || callee.name === 'TODO');
}

/** Whether the handler waits for its goroutines after starting this one (WaitGroup, channel receive, select). */
function handlerWaits(file: GoFile, body: GoNode, after: number): boolean {
  const rest = file.source.text.slice(after, body.endIndex);
  if (/\.\s*Wait\s*\(|\bselect\s*\{/.test(rest)) return true;
  return body.descendantsOfType('unary_expression').some((node) => !!node && node.startIndex >= after && node.childForFieldName('operator')?.text === '<-');
}

function parameterNames(literal: GoNode): Set<string> {
  const names = new Set<string>();
  for (const declaration of literal.childForFieldName('parameters')?.namedChildren ?? []) {
    for (const name of declaration?.childrenForFieldName('name') ?? []) if (name) names.add(name.text);
  }
  return names;
}

/** Whether an identifier is being declared (`x :=`, `var x`), not read. */
function isDeclaration(identifier: GoNode): boolean {
  const list = identifier.parent;
  const statement = list?.parent;
  if (list?.type === 'expression_list' && (statement?.type === 'short_var_declaration' || statement?.type === 'range_clause')) return statement.childForFieldName('left')?.startIndex === list.startIndex;
  return list?.type === 'var_spec' || list?.type === 'parameter_declaration';
}

export const goGoroutineRequestContext: GoRule = {
  id: 'go-goroutine-request-context',
  title: "Goroutine started by a handler uses the request's context",
  category: 'go-propagation',
  input: 'go',
  defaultSeverity: 'warning',
  equivalents: {},
  docs: `## What it does
Finds goroutines started in an HTTP or gin handler (a function receiving an \`*http.Request\` or a
\`*gin.Context\`) that use the request's context: \`r.Context()\`, \`c.Request.Context()\`, or a
local context derived from it (\`ctx := r.Context()\`, \`context.WithTimeout(ctx, ...)\`,
\`tracer.Start(ctx, ...)\`), captured or passed as an argument. It also finds goroutines there that
start from \`context.Background()\` or \`context.TODO()\`.

It stays quiet when the handler waits for its goroutines (\`wg.Wait()\`, a channel receive, a
\`select\`), when the goroutine already detaches on purpose (\`context.WithoutCancel\`,
\`trace.WithNewRoot\`), and for contexts that come from struct fields or helpers.

## Why is this bad
The request's context is cancelled as soon as the handler returns: the goroutine's database calls,
outgoing requests and spans fail with \`context canceled\` part-way, depending on timing. A goroutine
that starts from \`context.Background()\` instead runs to the end but its spans begin a new trace, so
the work it does is no longer part of the request's trace.

## Example
\`\`\`go
func (s *server) order(w http.ResponseWriter, r *http.Request) {
    ctx := r.Context()
    go func() {
        s.audit(ctx, "order") // cancelled when order returns
    }()
    w.WriteHeader(http.StatusAccepted)
}
\`\`\`

## Fix
Passes the context to the goroutine explicitly as \`context.WithoutCancel(ctx)\` (Go 1.21+): it keeps
the span and the request's values, and drops the cancellation.

\`\`\`go
go func(ctx context.Context) {
    s.audit(ctx, "order")
}(context.WithoutCancel(ctx))
\`\`\`

When the goroutine must stop with the request, keep the request context and wait for it before
returning. Suppress with \`//meshlens:ignore go-goroutine-request-context reason\` on the line above.`,
  check(context) {
    const { file } = context;
    const { root, imports, source } = file;
    if (!imports.has('net/http') && !imports.has('github.com/gin-gonic/gin')) return;
    const text = source.text;
    let freshCalls: GoNode[] | undefined;
    for (const match of text.matchAll(GO_KEYWORD)) {
      const keyword = root.descendantForIndex(match.index ?? 0, (match.index ?? 0) + 2);
      const statement = keyword?.parent;
      if (keyword?.type !== 'go' || statement?.type !== 'go_statement') continue;
      const call = statement.namedChildren[0];
      if (call?.type !== 'call_expression') continue;
      const handler = file.functions.enclosing(statement)[0];
      if (!handler?.body) continue;
      const requests = requestSources(handler.fn, file);
      if (requests.length === 0) continue;
      if (/\bWithoutCancel\b|\bWithNewRoot\b/.test(statement.text)) continue;
      const variables = requestContextVariables(file, handler.body, requests, statement.startIndex);
      const expressions = new Set(requests.map((r) => r.expression));
      const classify = (node: GoNode): ContextUse['kind'] | undefined => {
        if (node.type === 'identifier' && variables.has(node.text)) return 'variable';
        if (node.type === 'call_expression' && expressions.has(node.text)) return 'request';
        return isFreshContext(node, file) ? 'fresh' : undefined;
      };
      const argumentsNode = call.childForFieldName('arguments');
      const argumentUses: ContextUse[] = [];
      for (const argument of argumentsNode?.namedChildren ?? []) {
        const kind = argument && classify(argument);
        if (argument && kind) argumentUses.push({ node: argument, kind });
      }
      const literal = call.childForFieldName('function');
      const bodyUses: ContextUse[] = [];
      let shadowed = false;
      if (literal?.type === 'func_literal') {
        const body = literal.childForFieldName('body');
        const parameters = parameterNames(literal);
        if (body) {
          for (const name of variables.keys()) {
            if (parameters.has(name)) continue;
            for (const use of identifierUses(file, body, name)) {
              if (isDeclaration(use)) shadowed = true;
              else bodyUses.push({ node: use, kind: 'variable' });
            }
          }
          for (const expression of expressions) {
            for (let at = text.indexOf(expression, body.startIndex); at >= 0 && at < body.endIndex; at = text.indexOf(expression, at + 1)) {
              const node = root.descendantForIndex(at, at + expression.length);
              if (node?.type === 'call_expression' && node.text === expression) bodyUses.push({ node, kind: 'request' });
            }
          }
          freshCalls ??= ['Background', 'TODO'].flatMap((name) => packageCalls(root, text, imports, 'context', name));
          for (const fresh of freshCalls) if (within(body, fresh)) bodyUses.push({ node: fresh, kind: 'fresh' });
        }
      }
      const uses = [...argumentUses, ...bodyUses];
      if (shadowed || uses.length === 0) continue;
      // A goroutine watching the request's cancellation (`<-ctx.Done()`, `ctx.Err()`) wants it.
      const watched = [...variables.keys(), ...expressions].map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
      if (new RegExp(`(?<![A-Za-z0-9_.])(?:${watched})\\s*\\.\\s*(?:Done|Err)\\s*\\(`).test(statement.text)) continue;
      if (handlerWaits(file, handler.body, statement.endIndex)) continue;

      // The context to hand over: the newest request-derived variable, else the request's own.
      const newest = [...variables.keys()].pop();
      const requestContext = uses.find((u) => u.kind !== 'fresh')?.node.text ?? newest ?? requests[0].expression;
      const onlyFresh = uses.every((u) => u.kind === 'fresh');
      const contextImport = addImport(file, 'context');
      const detached = `${contextImport.local}.WithoutCancel(${requestContext})`;
      const edits: TextEdit[] = [...contextImport.edits];
      const lines = source.lines;
      let fixable = true;
      const replaced = new Map<GoNode, string>();
      for (const use of argumentUses) replaced.set(use.node, use.kind === 'fresh' ? detached : `${contextImport.local}.WithoutCancel(${use.node.text})`);
      if (bodyUses.length > 0 && literal?.type === 'func_literal' && argumentsNode) {
        const captured = new Set(bodyUses.filter((u) => u.kind === 'variable').map((u) => u.node.text));
        const variable = [...captured][0];
        const name = variable ?? 'ctx';
        const parameters = parameterNames(literal);
        const nameTaken = !variable && (parameters.has(name) || identifierUses(file, literal, name).length > 0);
        const parameterList = literal.childForFieldName('parameters');
        if (nameTaken || captured.size > 1 || !parameterList || argumentsNode.startPosition.row !== argumentsNode.endPosition.row) {
          fixable = false;
        } else {
          const inner = text.slice(parameterList.startIndex + 1, parameterList.endIndex - 1).trim();
          edits.push({ range: lines.rangeOf(parameterList.startIndex, parameterList.endIndex), newText: `(${name} ${contextImport.local}.Context${inner ? `, ${inner}` : ''})` });
          const handedOver = variable ? `${contextImport.local}.WithoutCancel(${variable})` : detached;
          const argumentTexts = argumentsNode.namedChildren.filter((n): n is GoNode => !!n).map((n) => replaced.get(n) ?? n.text);
          edits.push({ range: lines.rangeOf(argumentsNode.startIndex, argumentsNode.endIndex), newText: `(${[handedOver, ...argumentTexts].join(', ')})` });
          for (const use of bodyUses) {
            if (use.kind !== 'variable') edits.push({ range: lines.rangeOf(use.node.startIndex, use.node.endIndex), newText: name });
          }
        }
      } else {
        for (const [node, newText] of replaced) edits.push({ range: lines.rangeOf(node.startIndex, node.endIndex), newText });
      }
      // Nested uses (a fresh context inside an argument being rewritten) would make edits overlap.
      if (uses.some((a) => uses.some((b) => a !== b && within(a.node, b.node)))) fixable = false;

      const end = literal?.type === 'func_literal' ? (literal.childForFieldName('body')?.startIndex ?? call.endIndex) : call.endIndex;
      const range = lines.rangeOf(statement.startIndex, end);
      const what = onlyFresh ? `starts from context.${/TODO/.test(uses[0].node.text) ? 'TODO' : 'Background'}(): its spans begin a new trace` : `uses ${requestContext}, which is cancelled when the handler returns`;
      context.report({
        range,
        message: `Goroutine ${what}. Pass ${detached} explicitly`,
        fixes: fixable ? [{ title: `Pass ${detached} to the goroutine`, changes: [{ uri: context.uri, edits }], safe: true }] : [],
      });
    }
  },
};
