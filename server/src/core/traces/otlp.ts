/**
 * OTLP trace data in both encodings (JSON as Jaeger api_v3 and OTLP/HTTP exporters send it, and
 * protobuf as most SDKs send it by default) to and from the normalised span model.
 */
import { OTLP_SPAN_KINDS, type AttributeValue, type Attributes, type Span, type SpanKind, type SpanStatus } from './model';

/** A 64-bit integer as protobufjs decodes it when the `long` package is present. */
interface LongLike {
  low: number;
  high: number;
}

type Wire = Record<string, unknown>;

function isLong(value: unknown): value is LongLike {
  return typeof value === 'object' && value !== null && typeof (value as LongLike).low === 'number' && typeof (value as LongLike).high === 'number';
}

function toBigInt(value: unknown): bigint {
  if (value === undefined || value === null || value === '') return 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string') return BigInt(value);
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  if (isLong(value)) return (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  throw new Error(`not an integer: ${JSON.stringify(value)}`);
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  if (isLong(value)) return Number(toBigInt(value));
  return 0;
}

/** Ids are hex strings in OTLP JSON and raw bytes in protobuf. */
function toHexId(value: unknown, length: 32 | 16): string | undefined {
  if (value === undefined || value === null) return undefined;
  let hex: string;
  if (typeof value === 'string') hex = value.toLowerCase();
  else if (value instanceof Uint8Array) hex = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  else throw new Error(`not an id: ${JSON.stringify(value)}`);
  if (hex === '' || /^0+$/.test(hex)) return undefined;
  if (!/^[0-9a-f]+$/.test(hex) || hex.length > length) throw new Error(`not a ${length}-hex-digit id: "${hex}"`);
  return hex.padStart(length, '0');
}

function anyValue(value: Wire | undefined | null): AttributeValue {
  if (!value) return null;
  if (value.stringValue !== undefined && value.stringValue !== null) return value.stringValue as string;
  if (value.boolValue !== undefined && value.boolValue !== null) return value.boolValue as boolean;
  if (value.intValue !== undefined && value.intValue !== null) {
    const big = toBigInt(value.intValue);
    // Beyond 2^53 a number would silently change the value; keep the exact digits instead.
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
  }
  if (value.doubleValue !== undefined && value.doubleValue !== null) return toNumber(value.doubleValue);
  if (value.arrayValue) return (((value.arrayValue as Wire).values as Wire[] | undefined) ?? []).map(anyValue);
  if (value.kvlistValue) return keyValues((value.kvlistValue as Wire).values as Wire[] | undefined);
  if (value.bytesValue !== undefined && value.bytesValue !== null) {
    const bytes = value.bytesValue;
    return typeof bytes === 'string' ? bytes : Buffer.from(bytes as Uint8Array).toString('base64');
  }
  return null;
}

function keyValues(list: Wire[] | undefined | null): Attributes {
  const attributes: Attributes = {};
  for (const kv of list ?? []) attributes[kv.key as string] = anyValue(kv.value as Wire | undefined);
  return attributes;
}

function spanKind(value: unknown): SpanKind {
  if (typeof value === 'string') {
    const name = value.replace(/^SPAN_KIND_/, '').toLowerCase();
    return (OTLP_SPAN_KINDS as readonly string[]).includes(name) ? (name as SpanKind) : 'unspecified';
  }
  return OTLP_SPAN_KINDS[toNumber(value)] ?? 'unspecified';
}

function spanStatus(value: Wire | undefined | null): SpanStatus {
  const raw = value?.code;
  const code = typeof raw === 'string' ? raw.replace(/^STATUS_CODE_/, '').toLowerCase() : ['unset', 'ok', 'error'][toNumber(raw)];
  const status: SpanStatus = { code: code === 'ok' || code === 'error' ? code : 'unset' };
  if (value?.message) status.message = value.message as string;
  return status;
}

const JAEGER_WARNINGS = '@jaeger@warnings';

/**
 * Spans of an OTLP `resourceSpans` list (a decoded ExportTraceServiceRequest, or the `result` of
 * a Jaeger api_v3 response). Jaeger's own bookkeeping attributes become `warnings`.
 */
export function spansFromResourceSpans(resourceSpans: readonly unknown[] | undefined | null): Span[] {
  const spans: Span[] = [];
  for (const rs of (resourceSpans ?? []) as Wire[]) {
    const resource = keyValues((rs.resource as Wire | undefined)?.attributes as Wire[] | undefined);
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown_service';
    const scopes = ((rs.scopeSpans ?? rs.instrumentationLibrarySpans) as Wire[] | undefined) ?? [];
    for (const scope of scopes) {
      for (const raw of (scope.spans as Wire[] | undefined) ?? []) {
        const traceId = toHexId(raw.traceId, 32);
        const spanId = toHexId(raw.spanId, 16);
        if (!traceId || !spanId) continue;
        const attributes = keyValues(raw.attributes as Wire[] | undefined);
        const warnings: string[] = [];
        for (const key of Object.keys(attributes)) {
          if (!key.startsWith('@jaeger@')) continue;
          const value = attributes[key];
          if (key === JAEGER_WARNINGS) warnings.push(...(Array.isArray(value) ? value.map(String) : [String(value)]));
          delete attributes[key];
        }
        const span: Span = {
          traceId,
          spanId,
          service,
          name: (raw.name as string | undefined) ?? '',
          kind: spanKind(raw.kind),
          startNs: toBigInt(raw.startTimeUnixNano),
          endNs: toBigInt(raw.endTimeUnixNano),
          attributes,
          resource,
          events: ((raw.events as Wire[] | undefined) ?? []).map((event) => ({
            name: (event.name as string | undefined) ?? '',
            timeNs: toBigInt(event.timeUnixNano),
            attributes: keyValues(event.attributes as Wire[] | undefined),
          })),
          links: ((raw.links as Wire[] | undefined) ?? []).flatMap((link) => {
            const linkTrace = toHexId(link.traceId, 32);
            const linkSpan = toHexId(link.spanId, 16);
            return linkTrace && linkSpan ? [{ traceId: linkTrace, spanId: linkSpan, attributes: keyValues(link.attributes as Wire[] | undefined) }] : [];
          }),
          status: spanStatus(raw.status as Wire | undefined),
          warnings,
        };
        const parent = toHexId(raw.parentSpanId, 16);
        if (parent) span.parentSpanId = parent;
        spans.push(span);
      }
    }
  }
  return spans;
}

/** Spans of an OTLP/HTTP JSON export request body. */
export function spansFromOtlpJson(body: string): Span[] {
  const parsed = JSON.parse(body) as Wire;
  return spansFromResourceSpans(parsed.resourceSpans as unknown[] | undefined);
}

interface ExportTraceServiceRequestCodec {
  decode(bytes: Uint8Array): { resourceSpans: unknown[] };
}

let codec: ExportTraceServiceRequestCodec | undefined;

/** Spans of an OTLP/HTTP protobuf export request body. */
export function spansFromOtlpProtobuf(body: Uint8Array): Span[] {
  if (!codec) {
    // Generated protobufjs code for the OTLP protos, shipped by the OpenTelemetry JS project.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const root = require('@opentelemetry/otlp-transformer/build/src/generated/root') as {
      opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: ExportTraceServiceRequestCodec } } } } };
    };
    codec = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
  }
  return spansFromResourceSpans(codec.decode(body).resourceSpans);
}

function toAnyValue(value: AttributeValue): Wire {
  if (value === null) return {};
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(toAnyValue) } };
  return { kvlistValue: { values: toKeyValues(value) } };
}

function toKeyValues(attributes: Attributes): Wire[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: toAnyValue(value) }));
}

/**
 * Spans as an OTLP JSON `resourceSpans` list, one resource per service, in the shape Jaeger's
 * api_v3 returns: what the embedded receiver serves so one client reads both.
 */
export function spansToResourceSpans(spans: readonly Span[]): Wire[] {
  const byService = new Map<string, Span[]>();
  for (const span of spans) {
    let list = byService.get(span.service);
    if (!list) byService.set(span.service, (list = []));
    list.push(span);
  }
  return [...byService.values()].map((list) => ({
    resource: { attributes: toKeyValues(list[0].resource) },
    scopeSpans: [
      {
        scope: {},
        spans: list.map((span) => {
          const attributes = toKeyValues(span.attributes);
          if (span.warnings.length > 0) attributes.push({ key: JAEGER_WARNINGS, value: toAnyValue(span.warnings) });
          const wire: Wire = {
            traceId: span.traceId,
            spanId: span.spanId,
            name: span.name,
            kind: OTLP_SPAN_KINDS.indexOf(span.kind),
            startTimeUnixNano: span.startNs.toString(),
            endTimeUnixNano: span.endNs.toString(),
            attributes,
            events: span.events.map((event) => ({ timeUnixNano: event.timeNs.toString(), name: event.name, attributes: toKeyValues(event.attributes) })),
            links: span.links.map((link) => ({ traceId: link.traceId, spanId: link.spanId, attributes: toKeyValues(link.attributes) })),
            status: { code: ['unset', 'ok', 'error'].indexOf(span.status.code), ...(span.status.message ? { message: span.status.message } : {}) },
          };
          if (span.parentSpanId) wire.parentSpanId = span.parentSpanId;
          return wire;
        }),
      },
    ],
  }));
}
