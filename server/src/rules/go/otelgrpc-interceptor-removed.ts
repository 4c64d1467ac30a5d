import { deleteArgument } from '../../core/go/calls';
import { packageCallee, packageCalls } from '../../core/go/syntax';
import type { GoRule } from '../../core/rule';
import type { TextEdit } from '../../core/text';
import { GRPC, OTELGRPC } from './grpc-without-stats-handler';

const INTERCEPTORS: Record<string, { client: boolean; unary: boolean }> = {
  UnaryClientInterceptor: { client: true, unary: true },
  StreamClientInterceptor: { client: true, unary: false },
  UnaryServerInterceptor: { client: false, unary: true },
  StreamServerInterceptor: { client: false, unary: false },
};
const WRAPPERS = new Set(['WithUnaryInterceptor', 'WithStreamInterceptor', 'UnaryInterceptor', 'StreamInterceptor']);

export const goOtelgrpcInterceptorRemoved: GoRule = {
  id: 'go-otelgrpc-interceptor-removed',
  title: 'Removed otelgrpc interceptor',
  category: 'go-propagation',
  input: 'go',
  defaultSeverity: 'error',
  equivalents: {},
  docs: `## What it does
Finds \`otelgrpc.UnaryClientInterceptor\`, \`StreamClientInterceptor\`, \`UnaryServerInterceptor\` and
\`StreamServerInterceptor\`.

## Why is this bad
They were deprecated in favour of stats handlers and removed from
\`go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc\` (v0.61.0–v0.63.0):
the code no longer compiles against current releases, and pinning an old release keeps the
interceptors' known gaps (no spans for stream messages, context lost in some stream paths).

## Example
\`\`\`go
srv := grpc.NewServer(grpc.UnaryInterceptor(otelgrpc.UnaryServerInterceptor()))
\`\`\`

## Fix
Rewrites \`grpc.WithUnaryInterceptor(otelgrpc.UnaryClientInterceptor(opts...))\` to
\`grpc.WithStatsHandler(otelgrpc.NewClientHandler(opts...))\` and
\`grpc.UnaryInterceptor(otelgrpc.UnaryServerInterceptor(opts...))\` to
\`grpc.StatsHandler(otelgrpc.NewServerHandler(opts...))\`; a stream interceptor next to a unary one is
dropped, since one stats handler covers both. Interceptors inside a chain are reported without a fix.

Suppress with \`//meshlens:ignore go-otelgrpc-interceptor-removed reason\` on the line above.`,
  check(context) {
    const { file } = context;
    const { root, imports, source } = file;
    if (!imports.has(OTELGRPC)) return;
    for (const [name, kind] of Object.entries(INTERCEPTORS)) {
      for (const call of packageCalls(root, source.text, imports, OTELGRPC, name)) {
        const otelgrpcLocal = call.childForFieldName('function')?.childForFieldName('operand')?.text ?? 'otelgrpc';
        const handler = `${otelgrpcLocal}.${kind.client ? 'NewClientHandler' : 'NewServerHandler'}(${(call.childForFieldName('arguments')?.text ?? '()').slice(1, -1)})`;
        const wrapper = call.parent?.parent;
        const wrapperCallee = wrapper?.type === 'call_expression' ? packageCallee(wrapper, imports) : undefined;
        const edits: TextEdit[] = [];
        if (wrapper && wrapperCallee?.path === GRPC && WRAPPERS.has(wrapperCallee.name) && wrapper.childForFieldName('arguments')?.namedChildCount === 1) {
          const grpcLocal = wrapper.childForFieldName('function')?.childForFieldName('operand')?.text ?? 'grpc';
          const siblings = wrapper.parent?.namedChildren.map((n) => n?.text ?? '') ?? [];
          const unaryNext = !kind.unary && siblings.some((text) => text.includes(`${otelgrpcLocal}.Unary${kind.client ? 'Client' : 'Server'}Interceptor(`));
          if (unaryNext) edits.push(deleteArgument(file, wrapper));
          else edits.push({ range: source.lines.rangeOf(wrapper.startIndex, wrapper.endIndex), newText: `${grpcLocal}.${kind.client ? 'WithStatsHandler' : 'StatsHandler'}(${handler})` });
        }
        const fn = call.childForFieldName('function')!;
        context.report({
          range: source.lines.rangeOf(fn.startIndex, fn.endIndex),
          message: `otelgrpc.${name} was removed from otelgrpc: use the ${kind.client ? 'client' : 'server'} stats handler ${handler}`,
          fixes: edits.length > 0 ? [{ title: `Use the stats handler ${handler}`, changes: [{ uri: context.uri, edits }], safe: true }] : [],
        });
      }
    }
  },
};
