import { RE2JS } from 're2js';
import { isMap, isScalar, type YAMLMap } from 'yaml';
import { parseDuration } from '../../core/mesh/k8s';
import { virtualServiceRoutes } from '../../core/mesh/virtualservice';
import type { ManifestRule } from '../../core/rule';
import { keyRange, mapAt, nodeAt, nodeRange, scalarNumber, scalarText, seqItems } from '../../core/yaml/manifest';

const RETRY_ON = new Set([
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream', 'retriable-status-codes',
  'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure', 'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
]);
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HEADER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PSEUDO_HEADERS = new Set([':authority', ':method', ':path', ':scheme']);
const MATCH_STRING_FIELDS = ['uri', 'scheme', 'method', 'authority'];
const MAX_REGEX = 1024;
const MAX_BODY = 1024 * 1024;

export const vsInvalid: ManifestRule = {
  id: 'vs-invalid',
  title: "VirtualService breaks Istio's validation",
  category: 'mesh',
  input: 'yaml',
  kinds: ['VirtualService'],
  defaultSeverity: 'error',
  equivalents: { istio: 'IST0106' },
  docs: `## What it does
Runs the checks of Istio's own VirtualService validator that the CRD schema cannot express:
destinations (host \`*\`, subset names, ports, negative or all-zero weights), hosts (duplicates,
\`*\` bound to the mesh), what an HTTP route must and must not combine (route, redirect,
directResponse, fault, rewrite, mirror/mirrors), match regexes with **RE2** semantics (what Envoy
uses; JavaScript's RegExp accepts look-arounds and back-references RE2 rejects), empty prefixes,
header names, durations (\`timeout\`, \`perTryTimeout\`, fault delays: at least 1ms, millisecond
precision), retries (\`attempts\`, \`retryOn\` values), fault percentages and status codes,
redirect codes and direct response status and body size.

## Why is this bad
Istio's admission webhook rejects the object, so \`kubectl apply\` fails; with the webhook off,
istiod drops the route and logs it.

## Example
\`\`\`yaml
match:
- uri:
    regex: "/v1/(?=orders)"   # look-ahead: not RE2
timeout: 0.5ms                # below 1ms
\`\`\`

## Fix
None automatic: the message says what Istio expects.

Suppress with \`# meshlens-disable-next-line vs-invalid reason\` or the annotation
\`galley.istio.io/analyze-suppress: IST0106\`.`,
  check(context) {
    const spec = mapAt(context.manifest.root, 'spec');
    if (!spec || !context.manifest.apiVersion.startsWith('networking.istio.io/')) return;
    const fail = (node: unknown, message: string) => {
      const range = nodeRange(context.manifest.file, node);
      if (range) context.report({ range, message: `Schema validation error: ${message}` });
    };
    if (!['http', 'tcp', 'tls'].some((key) => seqItems(spec.get(key, true)).length > 0)) {
      const range = keyRange(context.manifest.file, context.manifest.root, 'spec');
      if (range) context.report({ range, message: 'Schema validation error: http, tcp or tls must be provided in virtual service' });
    }
    checkHosts(spec, fail);
    for (const route of virtualServiceRoutes(context.manifest)) {
      for (const destination of [...route.destinations, ...route.mirrors]) checkDestination(destination.node, fail);
      checkWeights(route.destinations.map((d) => d.item).filter((item): item is YAMLMap => item !== undefined), fail);
      if (route.protocol === 'http') checkHttpRoute(route.node, gatewayBound(spec), fail);
    }
  },
};

type Fail = (node: unknown, message: string) => void;

function gatewayBound(spec: YAMLMap): boolean {
  const gateways = seqItems(spec.get('gateways', true)).map(scalarText);
  return gateways.length > 0 && !gateways.includes('mesh');
}

function checkHosts(spec: YAMLMap, fail: Fail): void {
  const seen = new Set<string>();
  const hosts = seqItems(spec.get('hosts', true));
  const meshBound = !gatewayBound(spec);
  for (const node of hosts) {
    const host = scalarText(node);
    if (host === undefined) continue;
    if (seen.has(host)) fail(node, `duplicate hosts in virtual service: ${host}`);
    seen.add(host);
    if (host === '*' && meshBound) fail(node, 'wildcard host * is not allowed for virtual services bound to the mesh gateway');
    else if (host !== '*' && !/^(\*\.)?[A-Za-z0-9]([-A-Za-z0-9_]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9_]*[A-Za-z0-9])?)*\.?$/.test(host) && !/^\d+(\.\d+){3}(\/\d+)?$/.test(host)) {
      fail(node, `invalid host ${host}: not a valid (wildcard) domain name`);
    }
  }
}

function checkDestination(destination: YAMLMap, fail: Fail): void {
  const host = destination.get('host', true);
  if (scalarText(host) === '*') fail(host, 'destination host "*" is not allowed: name a service');
  const subset = destination.get('subset', true);
  const subsetName = scalarText(subset);
  if (subsetName !== undefined && (!DNS1123_LABEL.test(subsetName) || subsetName.length > 63)) fail(subset, `subset "${subsetName}" is not a valid DNS-1123 label`);
  const port = nodeAt(destination, 'port', 'number');
  const number = scalarNumber(port);
  if (number !== undefined && (number < 1 || number > 65535 || !Number.isInteger(number))) fail(port, `port number ${number} must be in the range 1..65535`);
}

function checkWeights(items: YAMLMap[], fail: Fail): void {
  const weights = items.map((item) => ({ node: item.get('weight', true), value: scalarNumber(item.get('weight', true)) }));
  for (const weight of weights) if (weight.value !== undefined && weight.value < 0) fail(weight.node, `weight ${weight.value} < 0`);
  if (items.length > 1 && weights.every((w) => w.value === 0)) fail(weights[0].node, 'total destination weight = 0');
}

function checkHttpRoute(route: YAMLMap, gatewayOnly: boolean, fail: Fail): void {
  const has = (key: string) => route.has(key);
  const keyNode = (key: string) => route.items.find((pair) => scalarText(pair.key) === key)?.key;
  if (has('redirect')) {
    if (has('route')) fail(keyNode('redirect'), 'HTTP route cannot contain both route and redirect');
    if (has('fault')) fail(keyNode('redirect'), 'HTTP route cannot contain both fault and redirect');
    if (has('rewrite')) fail(keyNode('redirect'), 'HTTP route rule cannot contain both rewrite and redirect');
  }
  if (has('directResponse')) {
    for (const other of ['route', 'fault', 'rewrite', 'redirect']) if (has(other)) fail(keyNode('directResponse'), `HTTP route cannot contain both ${other} and direct response`);
  } else if (!has('route') && !has('redirect') && !has('delegate')) {
    fail(route.items[0]?.key ?? route, 'HTTP route, redirect or direct_response is required');
  }
  if (has('mirror') && has('mirrors')) fail(keyNode('mirrors'), 'HTTP route cannot contain both mirror and mirrors');

  for (const match of seqItems(route.get('match', true))) checkMatch(match, gatewayOnly, fail);
  checkDurationField(route, 'timeout', fail);
  checkRetries(mapAt(route, 'retries'), fail);
  checkFault(mapAt(route, 'fault'), keyNode('fault'), fail);
  const redirect = mapAt(route, 'redirect');
  const code = redirect?.get('redirectCode', true);
  const codeValue = scalarNumber(code);
  if (codeValue !== undefined && (codeValue < 300 || codeValue > 399)) fail(code, `redirect code ${codeValue} is not a 3xx status`);
  const rewrite = mapAt(route, 'rewrite');
  if (rewrite?.has('uri') && rewrite.has('uriRegexRewrite')) fail(rewrite.get('uriRegexRewrite', true), 'rewrite may only contain one of uri and uriRegexRewrite');
  const direct = mapAt(route, 'directResponse');
  if (direct) {
    const status = direct.get('status', true);
    const statusValue = scalarNumber(status);
    if (statusValue !== undefined && (statusValue < 200 || statusValue > 600)) fail(status, `directResponse status ${statusValue} must be in the range 200..600`);
    const body = scalarText(nodeAt(direct, 'body', 'string')) ?? scalarText(nodeAt(direct, 'body', 'bytes'));
    if (body !== undefined && Buffer.byteLength(body) > MAX_BODY) fail(nodeAt(direct, 'body'), 'directResponse body is larger than 1 MB');
  }
}

function checkStringMatch(node: unknown, what: string, fail: Fail): void {
  if (!isMap(node)) return;
  const prefix = node.get('prefix', true);
  if (isScalar(prefix) && (prefix.value === '' || prefix.value === null)) fail(prefix, `${what}: prefix match must not be empty`);
  const regex = node.get('regex', true);
  if (!isScalar(regex)) return;
  const pattern = scalarText(regex) ?? '';
  if (pattern === '') return fail(regex, `${what}: regex match must not be empty`);
  if (pattern.length > MAX_REGEX) return fail(regex, `${what}: regex is longer than ${MAX_REGEX} characters`);
  try {
    RE2JS.compile(pattern);
  } catch (error) {
    fail(regex, `${what}: "${pattern}" is not a valid RE2 regular expression (${error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error)})`);
  }
}

function checkMatch(match: unknown, gatewayOnly: boolean, fail: Fail): void {
  if (!isMap(match)) return;
  for (const field of MATCH_STRING_FIELDS) checkStringMatch(match.get(field, true), field, fail);
  for (const field of ['headers', 'withoutHeaders', 'queryParams']) {
    const map = match.get(field, true);
    if (!isMap(map)) continue;
    for (const pair of map.items) {
      const name = scalarText(pair.key);
      if (name === undefined) continue;
      checkStringMatch(pair.value, `${field}.${name}`, fail);
      if (field === 'queryParams') continue;
      if (name.startsWith('@request.auth.claims.')) {
        if (!gatewayOnly) fail(pair.key, `header match on "${name}" is only supported on gateway-bound virtual services`);
      } else if (!HEADER_TOKEN.test(name) && !PSEUDO_HEADERS.has(name)) {
        fail(pair.key, `invalid header name "${name}"`);
      }
    }
  }
}

function checkDurationField(map: YAMLMap | undefined, key: string, fail: Fail): void {
  const node = map?.get(key, true);
  const text = scalarText(node);
  if (text === undefined || !isScalar(node) || typeof node.value !== 'string') return;
  const ms = parseDuration(text);
  if (ms === undefined) return fail(node, `${key}: "${text}" is not a duration (use e.g. 250ms, 1.5s, 1m)`);
  if (ms < 1) return fail(node, `${key}: duration must be at least 1ms`);
  if (Math.abs(ms - Math.round(ms)) > 1e-9) fail(node, `${key}: only durations to ms precision are supported`);
}

function checkRetries(retries: YAMLMap | undefined, fail: Fail): void {
  if (!retries) return;
  const attemptsNode = retries.get('attempts', true);
  const attempts = scalarNumber(attemptsNode);
  if (attempts !== undefined && attempts < 0) fail(attemptsNode, 'attempts cannot be negative');
  if (attempts === 0) {
    for (const key of ['perTryTimeout', 'retryOn']) {
      if (retries.has(key)) fail(retries.items.find((pair) => scalarText(pair.key) === key)?.key, `http retry policy configured when attempts are set to 0 (disabled): remove ${key}`);
    }
  }
  checkDurationField(retries, 'perTryTimeout', fail);
  const retryOnNode = retries.get('retryOn', true);
  const retryOn = scalarText(retryOnNode);
  if (retryOn === undefined) return;
  for (const value of retryOn.split(',').map((v) => v.trim())) {
    if (value === '' || RETRY_ON.has(value) || /^\d{3}$/.test(value)) continue;
    fail(retryOnNode, `${value} is not a valid retryOn value`);
  }
}

function checkFault(fault: YAMLMap | undefined, key: unknown, fail: Fail): void {
  if (!fault) return;
  const abort = mapAt(fault, 'abort');
  const delay = mapAt(fault, 'delay');
  if (!abort && !delay) fail(key, 'fault must have an abort and/or a delay');
  for (const part of [abort, delay]) {
    const percentage = nodeAt(part, 'percentage', 'value');
    const value = scalarNumber(percentage);
    if (value !== undefined && (value < 0 || value > 100 || (value > 0 && value < 0.0001))) fail(percentage, `percentage ${value} must be 0 or in the range [0.0001, 100]`);
  }
  const status = abort?.get('httpStatus', true);
  const statusValue = scalarNumber(status);
  if (statusValue !== undefined && (statusValue < 200 || statusValue > 600)) fail(status, `abort httpStatus ${statusValue} must be in the range 200..600`);
  checkDurationField(delay, 'fixedDelay', fail);
}
