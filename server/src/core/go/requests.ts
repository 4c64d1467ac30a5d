import type { GoFile } from '../rule';
import type { GoNode } from './parser';
import { packageCallee, parameterSources, type ContextSource, type FunctionScope } from './syntax';

/**
 * Facts about request handlers: functions receiving an `*http.Request` or a `*gin.Context`, whose
 * context is cancelled when the handler returns. Call these for candidate findings only.
 */

/** The request parameters (`r.Context()`, `c.Request.Context()`) of a function; empty when it is no handler. */
export function requestSources(fn: GoNode, file: GoFile): ContextSource[] {
  return parameterSources(fn, file.imports).filter((source) => source.kind !== 'context');
}

/** Whether any of the scopes receives a request or a context: code there runs on behalf of a caller. */
export function inRequestPath(scopes: readonly FunctionScope[], file: GoFile): boolean {
  return scopes.some(({ fn }) => parameterSources(fn, file.imports).length > 0);
}

/**
 * Local variables of a handler holding its request's context, declared before `before`: set from
 * `r.Context()`, or from `context.WithX(parent, ...)` / `tracer.Start(parent, ...)` of such a
 * context. `context.WithoutCancel` detaches on purpose, and a helper's result is unknown: neither counts.
 * Returns name -> the declaring statement, in declaration order.
 */
export function requestContextVariables(file: GoFile, body: GoNode, requests: readonly ContextSource[], before: number): Map<string, GoNode> {
  const expressions = new Set(requests.map((source) => source.expression));
  const derived = new Map<string, GoNode>();
  const fromRequest = (node: GoNode | null | undefined): boolean =>
    !!node && ((node.type === 'call_expression' && expressions.has(node.text)) || (node.type === 'identifier' && derived.has(node.text)));
  for (const statement of body.descendantsOfType(['short_var_declaration', 'assignment_statement'])) {
    if (!statement || statement.startIndex >= before) continue;
    const left = statement.childForFieldName('left')?.namedChildren[0];
    const value = statement.childForFieldName('right')?.namedChildren[0];
    if (left?.type !== 'identifier' || left.text === '_' || value?.type !== 'call_expression') continue;
    let isDerived = expressions.has(value.text);
    if (!isDerived) {
      const parent = value.childForFieldName('arguments')?.namedChildren[0];
      const callee = packageCallee(value, file.imports);
      const fn = value.childForFieldName('function');
      const method = fn?.type === 'selector_expression' ? fn.childForFieldName('field')?.text : undefined;
      if (callee?.path === 'context') isDerived = callee.name.startsWith('With') && callee.name !== 'WithoutCancel' && fromRequest(parent);
      else if (method === 'Start') isDerived = fromRequest(parent);
    }
    if (isDerived) derived.set(left.text, statement);
    else derived.delete(left.text);
  }
  return derived;
}
