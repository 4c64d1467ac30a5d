import { addImport, indentationOf } from '../../core/go/edit';
import { assignmentBefore, identifierUses, statementOf } from '../../core/go/flow';
import type { GoNode } from '../../core/go/parser';
import { contextInScope } from '../../core/go/syntax';
import type { GoFile, GoRule, GoRuleContext } from '../../core/rule';
import type { TextEdit } from '../../core/text';

const KAFKA_GO = 'github.com/segmentio/kafka-go';
const SARAMA = 'github.com/IBM/sarama';
const CONFLUENT = 'github.com/confluentinc/confluent-kafka-go/v2/kafka';
const CONFLUENT_V1 = 'github.com/confluentinc/confluent-kafka-go/kafka';
const FRANZ_GO = 'github.com/twmb/franz-go/pkg/kgo';
const OTEL = 'go.opentelemetry.io/otel';
const LINE_COMMENT = /\/\/.*$/gm;
/** Calls that take a consumed message whole only to acknowledge it. */
const COMMITS = new Set(['CommitMessages', 'CommitMessage', 'StoreMessage']);

/**
 * How a Kafka client stores record headers: kafka-go and confluent `[]kafka.Header` and franz-go
 * `[]kgo.RecordHeader` have string keys, sarama `[]sarama.RecordHeader` byte keys.
 */
interface HeaderFlavour {
  /** The header type, qualified by the package's local name. */
  type: string;
  keyIsBytes: boolean;
  /** Suffix of the carrier type's name. */
  suffix: string;
}

/**
 * The name of the carrier type the fixes add to a file: named after the file (`consumer.go` gives
 * `consumerKafkaCarrier`), so that fixes applied in several files of one package never declare it twice.
 */
function carrierName(uri: string, suffix: string): string {
  const base = decodeURIComponent(uri.slice(uri.lastIndexOf('/') + 1)).replace(/\.go$/, '');
  const words = base.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const camel = words.map((word, i) => (i === 0 ? word.toLowerCase() : word[0].toUpperCase() + word.slice(1).toLowerCase())).join('');
  return `${/^[a-z]/.test(camel) ? camel : `file${camel}`}${suffix}`;
}

/** A propagation.TextMapCarrier over a record's headers; added once per file by the fixes. */
function carrierDeclaration(carrier: string, headers: HeaderFlavour): string {
  const key = headers.keyIsBytes ? 'string(h.Key)' : 'h.Key';
  const newKey = headers.keyIsBytes ? '[]byte(key)' : 'key';
  return `
// ${carrier} adapts Kafka record headers to propagation.TextMapCarrier.
type ${carrier} struct{ headers *[]${headers.type} }

func (c ${carrier}) Get(key string) string {
	for _, h := range *c.headers {
		if ${key} == key {
			return string(h.Value)
		}
	}
	return ""
}

func (c ${carrier}) Set(key, value string) {
	for i, h := range *c.headers {
		if ${key} == key {
			(*c.headers)[i].Value = []byte(value)
			return
		}
	}
	*c.headers = append(*c.headers, ${headers.type}{Key: ${newKey}, Value: []byte(value)})
}

func (c ${carrier}) Keys() []string {
	keys := make([]string, 0, len(*c.headers))
	for _, h := range *c.headers {
		keys = append(keys, ${key})
	}
	return keys
}
`;
}

/** Method calls `x.name(...)` of the file, found by a text search. */
function methodCalls(file: GoFile, name: string): GoNode[] {
  const calls: GoNode[] = [];
  for (const match of file.source.text.matchAll(new RegExp(`\\.\\s*${name}\\s*\\(`, 'g'))) {
    const offset = (match.index ?? 0) + match[0].indexOf(name);
    const field = file.root.descendantForIndex(offset, offset + name.length);
    const call = field?.parent?.parent;
    if (field?.type === 'field_identifier' && field.parent?.type === 'selector_expression' && call?.type === 'call_expression') calls.push(call);
  }
  return calls;
}

function codeOf(file: GoFile, node: GoNode): string {
  return file.source.text.slice(node.startIndex, node.endIndex).replace(LINE_COMMENT, '');
}

/** The edits shared by every fix of a file: the otel import and, unless the file has it, the carrier type. */
function carrierEdits(file: GoFile, uri: string, headers: HeaderFlavour): { otel: string; carrier: string; edits: TextEdit[] } {
  const otel = addImport(file, OTEL);
  const edits = [...otel.edits];
  const carrier = carrierName(uri, headers.suffix);
  if (!new RegExp(`\\btype\\s+${carrier}\\b`).test(file.source.text)) {
    const end = file.source.lines.positionAt(file.source.text.length);
    edits.push({ range: { start: end, end }, newText: carrierDeclaration(carrier, headers) });
  }
  return { otel: otel.local, carrier, edits };
}

/** kafka-go: `w.WriteMessages(ctx, msgs...)` of `kafka.Message`s built in the function. */
function checkProducers(context: GoRuleContext, kafka: string): void {
  const { file } = context;
  const lines = file.source.lines;
  for (const call of methodCalls(file, 'WriteMessages')) {
    const scope = file.functions.enclosing(call)[0];
    if (!scope?.body || /\bInject\s*\(/.test(codeOf(file, scope.body))) continue;
    const args = call.childForFieldName('arguments');
    if (!args || args.children.some((c) => c?.type === '...')) continue;
    const [ctx, ...messages] = args.namedChildren.filter((n): n is GoNode => !!n && n.type !== 'comment');
    if (!ctx || messages.length === 0) continue;
    const bodyText = file.source.text.slice(scope.body.startIndex, call.startIndex);
    const variables: string[] = [];
    let inline = false;
    for (const message of messages) {
      if (message.type === 'composite_literal' && message.childForFieldName('type')?.text === `${kafka}.Message`) inline = true;
      else if (message.type === 'identifier' && new RegExp(`\\b${message.text}\\s*:=\\s*${kafka}\\s*\\.\\s*Message\\s*\\{`).test(bodyText)) variables.push(message.text);
    }
    // Messages built elsewhere may carry the context already.
    if (!inline && variables.length === 0) continue;
    if (!context.workspace.goModule(context.uri).setsUpTracing) return;
    const statement = statementOf(call);
    const fixes = [];
    if (!inline && statement) {
      const shared = carrierEdits(file, context.uri, { type: `${kafka}.Header`, keyIsBytes: false, suffix: 'KafkaCarrier' });
      const indent = indentationOf(file, statement);
      const at = lines.positionAt(lines.lineStart(statement.startPosition.row));
      const injects = variables.map((name) => `${indent}${shared.otel}.GetTextMapPropagator().Inject(${ctx.text}, ${shared.carrier}{&${name}.Headers})\n`).join('');
      fixes.push({ title: 'Inject the trace context into the message headers', changes: [{ uri: context.uri, edits: [...shared.edits, { range: { start: at, end: at }, newText: injects }] }], safe: true });
    }
    const fn = call.childForFieldName('function');
    context.report({
      range: lines.rangeOf(call.startIndex, fn?.endIndex ?? call.endIndex),
      message: 'Kafka messages produced without the trace context: consumers start a new trace. Inject it into the headers with otel.GetTextMapPropagator().Inject(ctx, carrier)',
      fixes,
    });
  }
}

/**
 * kafka-go `msg, err := r.ReadMessage(ctx)` / `FetchMessage(ctx)` and confluent `msg, err :=
 * c.ReadMessage(timeout)` whose message is processed in a function that never extracts. `contextOf`
 * names the context variable the fix extracts into, if any.
 */
function checkConsumers(context: GoRuleContext, headers: HeaderFlavour, contextOf: (call: GoNode) => string | undefined): void {
  const { file } = context;
  const lines = file.source.lines;
  for (const call of [...methodCalls(file, 'ReadMessage'), ...methodCalls(file, 'FetchMessage')]) {
    const assigned = assignmentBefore(file, call);
    const message = assigned?.names[0];
    if (!assigned?.define || !message || message === '_') continue;
    const scope = file.functions.enclosing(call)[0];
    if (!scope?.body || /\bExtract\s*\(/.test(codeOf(file, scope.body))) continue;
    const statement = statementOf(call);
    const list = statement?.parent;
    if (!statement || !list) continue;
    // The message is processed here, not handed whole to a helper that may extract.
    let processed = false;
    let handedOver = false;
    for (const use of identifierUses(file, list, message)) {
      if (use.startIndex <= call.startIndex) continue;
      const parent = use.parent;
      if (parent?.type === 'selector_expression' && parent.childForFieldName('operand')?.startIndex === use.startIndex) processed = true;
      else if (parent?.type === 'argument_list' && COMMITS.has(parent.parent?.childForFieldName('function')?.childForFieldName('field')?.text ?? '')) continue;
      else handedOver = true;
    }
    if (handedOver || !processed) continue;
    if (!context.workspace.goModule(context.uri).setsUpTracing) return;
    const fixes = [];
    const ctx = contextOf(call);
    // `ctx := Extract(ctx, ...)` compiles only in a block nested below the one declaring ctx, and only when ctx is used after it.
    let next = statement.nextNamedSibling;
    while (next?.type === 'comment') next = next.nextNamedSibling;
    const after = next?.type === 'if_statement' && /\berr\s*!=\s*nil\b/.test(next.childForFieldName('condition')?.text ?? '') ? next : statement;
    const declaredHere = ctx && identifierUses(file, list, ctx).some((use) => use.startIndex < after.endIndex && use.parent?.parent?.type === 'short_var_declaration' && use.parent.parent.parent?.startIndex === list.startIndex);
    const usedAfter = ctx && identifierUses(file, list, ctx).some((use) => use.startIndex > after.endIndex);
    if (ctx && /^[A-Za-z_][A-Za-z0-9_]*$/.test(ctx) && list.parent?.startIndex !== scope.body.startIndex && !declaredHere && usedAfter) {
      const shared = carrierEdits(file, context.uri, headers);
      const at = lines.positionAt(lines.lineStart(after.endPosition.row + 1));
      const extract = `${indentationOf(file, statement)}${ctx} := ${shared.otel}.GetTextMapPropagator().Extract(${ctx}, ${shared.carrier}{&${message}.Headers})\n`;
      fixes.push({ title: 'Extract the trace context from the message headers', changes: [{ uri: context.uri, edits: [...shared.edits, { range: { start: at, end: at }, newText: extract }] }], safe: true });
    }
    context.report({
      range: lines.rangeOf(call.startIndex, call.endIndex),
      message: `Kafka message ${message} processed without extracting its trace context: the work starts a new trace. Use otel.GetTextMapPropagator().Extract(ctx, carrier)`,
      fixes,
    });
  }
}

/**
 * Producers taking one message pointer and no context: sarama `producer.SendMessage(msg)` of a
 * `*sarama.ProducerMessage`, confluent `producer.Produce(msg, events)` of a `*kafka.Message`, built
 * in the function, where a context is in scope.
 */
function checkPointerProducers(context: GoRuleContext, method: string, argumentCount: number, messageType: string, headers: HeaderFlavour): void {
  const { file } = context;
  const lines = file.source.lines;
  const [pkg, typeName] = messageType.split('.');
  for (const call of methodCalls(file, method)) {
    const scope = file.functions.enclosing(call)[0];
    if (!scope?.body || /\bInject\s*\(/.test(codeOf(file, scope.body))) continue;
    const args = call.childForFieldName('arguments')?.namedChildren.filter((n): n is GoNode => !!n && n.type !== 'comment') ?? [];
    if (args.length !== argumentCount) continue;
    const message = args[0];
    const literal = new RegExp(`^&\\s*${pkg}\\s*\\.\\s*${typeName}\\s*\\{`);
    const inline = message.type === 'unary_expression' && literal.test(message.text);
    const variable =
      message.type === 'identifier' && new RegExp(`\\b${message.text}\\s*:=\\s*&\\s*${pkg}\\s*\\.\\s*${typeName}\\s*\\{`).test(file.source.text.slice(scope.body.startIndex, call.startIndex));
    if (!inline && !variable) continue;
    // Without a context there is no trace to hand on.
    const ctx = contextInScope(call, file.imports, file.functions);
    if (!ctx) continue;
    if (!context.workspace.goModule(context.uri).setsUpTracing) return;
    const statement = statementOf(call);
    const fixes = [];
    if (variable && statement) {
      const shared = carrierEdits(file, context.uri, headers);
      const at = lines.positionAt(lines.lineStart(statement.startPosition.row));
      const inject = `${indentationOf(file, statement)}${shared.otel}.GetTextMapPropagator().Inject(${ctx.expression}, ${shared.carrier}{&${message.text}.Headers})\n`;
      fixes.push({ title: 'Inject the trace context into the message headers', changes: [{ uri: context.uri, edits: [...shared.edits, { range: { start: at, end: at }, newText: inject }] }], safe: true });
    }
    const fn = call.childForFieldName('function');
    context.report({
      range: lines.rangeOf(call.startIndex, fn?.endIndex ?? call.endIndex),
      message: `Kafka message produced without the trace context: consumers start a new trace. Inject it into the headers with otel.GetTextMapPropagator().Inject(${ctx.expression}, carrier)`,
      fixes,
    });
  }
}

/** sarama: `for msg := range claim.Messages()` whose messages are processed in the loop, in a function that never extracts. */
function checkSaramaConsumers(context: GoRuleContext): void {
  const { file } = context;
  const lines = file.source.lines;
  for (const call of methodCalls(file, 'Messages')) {
    const clause = call.parent;
    const loop = clause?.parent;
    if (clause?.type !== 'range_clause' || loop?.type !== 'for_statement' || (call.childForFieldName('arguments')?.namedChildCount ?? 0) > 0) continue;
    const message = clause.childForFieldName('left')?.namedChildren[0];
    const body = loop.childForFieldName('body');
    if (message?.type !== 'identifier' || message.text === '_' || !body) continue;
    const scope = file.functions.enclosing(call)[0];
    if (!scope?.body || /\bExtract\s*\(/.test(codeOf(file, scope.body))) continue;
    let processed = false;
    let handedOver = false;
    for (const use of identifierUses(file, body, message.text)) {
      const parent = use.parent;
      if (parent?.type === 'selector_expression' && parent.childForFieldName('operand')?.startIndex === use.startIndex) processed = true;
      else if (parent?.type === 'argument_list' && parent.parent?.childForFieldName('function')?.childForFieldName('field')?.text === 'MarkMessage') continue;
      else handedOver = true;
    }
    if (handedOver || !processed) continue;
    if (!context.workspace.goModule(context.uri).setsUpTracing) return;
    context.report({
      range: lines.rangeOf(loop.startIndex, call.endIndex),
      message: `Kafka message ${message.text} processed without extracting its trace context: the work starts a new trace. Use otel.GetTextMapPropagator().Extract(ctx, carrier) over ${message.text}.Headers`,
    });
  }
}

/** franz-go: `client.Produce(ctx, record, ...)` / `ProduceSync(ctx, records...)` of `*kgo.Record`s built in the function. */
function checkFranzProducers(context: GoRuleContext, kgo: string): void {
  const { file } = context;
  const lines = file.source.lines;
  for (const call of [...methodCalls(file, 'Produce'), ...methodCalls(file, 'ProduceSync')]) {
    const scope = file.functions.enclosing(call)[0];
    if (!scope?.body || /\bInject\s*\(/.test(codeOf(file, scope.body))) continue;
    const argumentList = call.childForFieldName('arguments');
    if (!argumentList || argumentList.children.some((c) => c?.type === '...')) continue;
    const [ctx, ...rest] = argumentList.namedChildren.filter((n): n is GoNode => !!n && n.type !== 'comment');
    const isSync = call.childForFieldName('function')?.childForFieldName('field')?.text === 'ProduceSync';
    const records = isSync ? rest : rest.slice(0, 1);
    if (!ctx || records.length === 0) continue;
    const before = file.source.text.slice(scope.body.startIndex, call.startIndex);
    const literal = new RegExp(`^&\\s*${kgo}\\s*\\.\\s*Record\\s*\\{`);
    const inline = records.some((record) => record.type === 'unary_expression' && literal.test(record.text));
    const variables = records
      .filter((record) => record.type === 'identifier' && new RegExp(`\\b${record.text}\\s*:=\\s*&\\s*${kgo}\\s*\\.\\s*Record\\s*\\{`).test(before))
      .map((record) => record.text);
    if (!inline && variables.length === 0) continue;
    if (!context.workspace.goModule(context.uri).setsUpTracing) return;
    const statement = statementOf(call);
    const fixes = [];
    if (!inline && statement) {
      const shared = carrierEdits(file, context.uri, { type: `${kgo}.RecordHeader`, keyIsBytes: false, suffix: 'RecordCarrier' });
      const indent = indentationOf(file, statement);
      const at = lines.positionAt(lines.lineStart(statement.startPosition.row));
      const injects = variables.map((name) => `${indent}${shared.otel}.GetTextMapPropagator().Inject(${ctx.text}, ${shared.carrier}{&${name}.Headers})\n`).join('');
      fixes.push({ title: 'Inject the trace context into the record headers', changes: [{ uri: context.uri, edits: [...shared.edits, { range: { start: at, end: at }, newText: injects }] }], safe: true });
    }
    const fn = call.childForFieldName('function');
    context.report({
      range: lines.rangeOf(call.startIndex, fn?.endIndex ?? call.endIndex),
      message: 'Kafka records produced without the trace context: consumers start a new trace. Inject it into the headers with otel.GetTextMapPropagator().Inject(ctx, carrier)',
      fixes,
    });
  }
}

/** franz-go: `fetches.EachRecord(func(record *kgo.Record) {...})` processing records in a function that never extracts. */
function checkFranzConsumers(context: GoRuleContext, kgo: string): void {
  const { file } = context;
  for (const call of methodCalls(file, 'EachRecord')) {
    const callback = call.childForFieldName('arguments')?.namedChildren[0];
    if (callback?.type !== 'func_literal') continue;
    const parameter = callback.childForFieldName('parameters')?.namedChildren[0];
    const record = parameter?.childrenForFieldName('name')[0];
    const body = callback.childForFieldName('body');
    if (!record || record.text === '_' || !body || parameter?.childForFieldName('type')?.text.replace(/\s/g, '') !== `*${kgo}.Record`) continue;
    const scope = file.functions.enclosing(call)[0];
    if (!scope?.body || /\bExtract\s*\(/.test(codeOf(file, scope.body))) continue;
    const uses = identifierUses(file, body, record.text);
    const processed = uses.some((use) => use.parent?.type === 'selector_expression' && use.parent.childForFieldName('operand')?.startIndex === use.startIndex);
    const handedOver = uses.some((use) => !(use.parent?.type === 'selector_expression' && use.parent.childForFieldName('operand')?.startIndex === use.startIndex));
    if (handedOver || !processed) continue;
    if (!context.workspace.goModule(context.uri).setsUpTracing) return;
    context.report({
      range: file.source.lines.rangeOf(call.startIndex, callback.startIndex),
      message: `Kafka record ${record.text} processed without extracting its trace context: the work starts a new trace. Use otel.GetTextMapPropagator().Extract(ctx, carrier) over ${record.text}.Headers`,
    });
  }
}

export const goKafkaWithoutPropagation: GoRule = {
  id: 'go-kafka-without-propagation',
  title: 'Kafka messages produced or consumed without trace propagation',
  category: 'go-propagation',
  input: 'go',
  defaultSeverity: 'warning',
  equivalents: {},
  docs: `## What it does
In a module that sets up OpenTelemetry (some file calls \`otel.SetTracerProvider\`), finds Kafka
producers and consumers that do not propagate the trace context.

[segmentio/kafka-go](https://github.com/segmentio/kafka-go):
- \`w.WriteMessages(ctx, msg)\` of a \`kafka.Message\` built in the same function, in a function that
  never calls \`Inject\`;
- \`msg, err := r.ReadMessage(ctx)\` (or \`FetchMessage\`) whose message is processed in the same
  function (\`msg.Value\`, \`msg.Key\`, ...) that never calls \`Extract\`.

[IBM/sarama](https://github.com/IBM/sarama):
- \`producer.SendMessage(msg)\` of a \`*sarama.ProducerMessage\` built in the same function, where a
  context is in scope, in a function that never calls \`Inject\`;
- \`for msg := range claim.Messages()\` processing \`msg\` in a function that never calls \`Extract\`.

[confluent-kafka-go](https://github.com/confluentinc/confluent-kafka-go):
- \`producer.Produce(msg, events)\` of a \`*kafka.Message\` built in the same function, where a
  context is in scope, in a function that never calls \`Inject\`;
- \`msg, err := c.ReadMessage(timeout)\` processed as for kafka-go.

[twmb/franz-go](https://github.com/twmb/franz-go):
- \`client.Produce(ctx, record, ...)\` / \`ProduceSync(ctx, records...)\` of \`*kgo.Record\`s built in
  the same function, in a function that never calls \`Inject\`;
- \`fetches.EachRecord(func(r *kgo.Record) {...})\` processing \`r\` in a function that never calls \`Extract\`.

Messages built by a helper, or handed whole to a helper (which may inject or extract), are not
reported, nor is anything in test files.

## Why is this bad
There is no maintained OpenTelemetry instrumentation for Kafka clients in Go: unless the producer
writes \`traceparent\` into the record headers and the consumer reads it back, every consumer starts
a new trace and the asynchronous half of the request is lost.

## Example
\`\`\`go
msg := kafka.Message{Key: []byte(id), Value: body}
return w.WriteMessages(ctx, msg) // no traceparent header
\`\`\`

## Fix
Adds a carrier type to the file, named after it (in \`orders.go\`: \`ordersKafkaCarrier\`, a
\`propagation.TextMapCarrier\` over the \`[]kafka.Header\` of kafka-go or confluent;
\`ordersSaramaCarrier\` over \`[]sarama.RecordHeader\`; \`ordersRecordCarrier\` over
\`[]kgo.RecordHeader\`), then \`otel.GetTextMapPropagator().Inject(ctx, ordersKafkaCarrier{&msg.Headers})\`
before the write, or \`ctx := otel.GetTextMapPropagator().Extract(ctx, ordersKafkaCarrier{&msg.Headers})\`
after a kafka-go or confluent read (offered when the read sits in a loop or block below the one
declaring \`ctx\`). Start the consumer span from that context with
\`trace.WithSpanKind(trace.SpanKindConsumer)\`. Messages written as literals inside the call, and
sarama and franz-go consumers, are reported without a fix. If another file of the package already
declares a carrier, use that one instead.

Suppress with \`//meshlens:ignore go-kafka-without-propagation reason\` on the line above.`,
  check(context) {
    const { imports } = context.file;
    // Tests produce and consume fixtures, not traced requests.
    if (context.uri.endsWith('_test.go')) return;
    const kafka = imports.localNames(KAFKA_GO)[0];
    if (kafka) {
      checkProducers(context, kafka);
      checkConsumers(context, { type: `${kafka}.Header`, keyIsBytes: false, suffix: 'KafkaCarrier' }, (call) => {
        const ctx = call.childForFieldName('arguments')?.namedChildren[0];
        return ctx?.type === 'identifier' ? ctx.text : undefined;
      });
    }
    const kgo = imports.localNames(FRANZ_GO)[0];
    if (kgo) {
      checkFranzProducers(context, kgo);
      checkFranzConsumers(context, kgo);
    }
    const confluent = [...imports.localNames(CONFLUENT), ...imports.localNames(CONFLUENT_V1)][0];
    if (confluent) {
      const headers = { type: `${confluent}.Header`, keyIsBytes: false, suffix: 'KafkaCarrier' };
      checkPointerProducers(context, 'Produce', 2, `${confluent}.Message`, headers);
      checkConsumers(context, headers, (call) => {
        const ctx = contextInScope(call, imports, context.file.functions);
        return ctx?.kind === 'context' ? ctx.expression : undefined;
      });
    }
    const sarama = imports.localNames(SARAMA)[0];
    if (sarama) {
      checkPointerProducers(context, 'SendMessage', 1, `${sarama}.ProducerMessage`, { type: `${sarama}.RecordHeader`, keyIsBytes: true, suffix: 'SaramaCarrier' });
      checkSaramaConsumers(context);
    }
  },
};
