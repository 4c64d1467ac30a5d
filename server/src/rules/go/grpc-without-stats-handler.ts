import { appendArgument, hasSpreadArgument } from '../../core/go/calls';
import { addImport } from '../../core/go/edit';
import { packageCalls } from '../../core/go/syntax';
import type { GoRule } from '../../core/rule';

export const GRPC = 'google.golang.org/grpc';
export const OTELGRPC = 'go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc';

const SIDES = [
  { names: ['NewClient', 'Dial', 'DialContext'], option: 'WithStatsHandler', handler: 'NewClientHandler', what: 'client' },
  { names: ['NewServer'], option: 'StatsHandler', handler: 'NewServerHandler', what: 'server' },
];

export const goGrpcWithoutStatsHandler: GoRule = {
  id: 'go-grpc-without-stats-handler',
  title: 'gRPC client or server without the otelgrpc stats handler',
  category: 'go-propagation',
  input: 'go',
  defaultSeverity: 'warning',
  equivalents: {},
  docs: `## What it does
In a module that sets up OpenTelemetry (some file calls \`otel.SetTracerProvider\`), finds
\`grpc.NewClient\`, \`grpc.Dial\` and \`grpc.DialContext\` without
\`grpc.WithStatsHandler(...)\`, and \`grpc.NewServer\` without \`grpc.StatsHandler(...)\`. Calls whose
options come from a slice (\`opts...\`) are not reported: their options cannot be seen.

## Why is this bad
Without \`otelgrpc\`'s stats handler no span is made for the RPC and no trace context crosses it:
the client does not inject \`traceparent\` into the metadata, the server does not extract it, and
every RPC starts a new trace on the server.

## Example
\`\`\`go
conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
\`\`\`

## Fix
Adds \`grpc.WithStatsHandler(otelgrpc.NewClientHandler())\` to clients and
\`grpc.StatsHandler(otelgrpc.NewServerHandler())\` to servers, importing
\`go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc\`.

Suppress with \`//meshlens:ignore go-grpc-without-stats-handler reason\` on the line above.`,
  check(context) {
    const { file } = context;
    const { root, imports, source } = file;
    if (!imports.has(GRPC)) return;
    if (!context.workspace.goModule(context.uri).setsUpTracing) return;
    for (const side of SIDES) {
      for (const name of side.names) {
        for (const call of packageCalls(root, source.text, imports, GRPC, name)) {
          if (hasSpreadArgument(call)) continue;
          const argsText = call.childForFieldName('arguments')?.text ?? '';
          // A stats handler of any kind is someone's deliberate choice; removed interceptors have their own rule.
          if (/StatsHandler\s*\(/.test(argsText) || imports.localNames(OTELGRPC).some((local) => argsText.includes(`${local}.`))) continue;
          const grpcLocal = call.childForFieldName('function')?.childForFieldName('operand')?.text ?? 'grpc';
          const otelgrpc = addImport(file, OTELGRPC);
          const option = `${grpcLocal}.${side.option}(${otelgrpc.local}.${side.handler}())`;
          const append = appendArgument(file, call, option);
          if (!append) continue;
          const fn = call.childForFieldName('function')!;
          context.report({
            range: source.lines.rangeOf(fn.startIndex, fn.endIndex),
            message: `grpc.${name} without an otelgrpc stats handler: the ${side.what} neither traces RPCs nor propagates the trace context. Add ${option}`,
            fixes: [{ title: `Add ${option}`, changes: [{ uri: context.uri, edits: [append, ...otelgrpc.edits] }], safe: true }],
          });
        }
      }
    }
  },
};
