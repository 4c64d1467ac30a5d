import { isMap, isSeq } from 'yaml';
import type { ManifestRule } from '../../core/rule';
import { keyRange, manifestRange, nodeRange, type Manifest } from '../../core/yaml/manifest';
import { validateAgainstSchema, type SchemaError } from '../../core/yaml/schema';
import type { Range } from '../../core/text';

export const ISTIO_KINDS = [
  'VirtualService',
  'DestinationRule',
  'Gateway',
  'ServiceEntry',
  'Sidecar',
  'PeerAuthentication',
  'AuthorizationPolicy',
  'RequestAuthentication',
  'EnvoyFilter',
] as const;

export const istioSchema: ManifestRule = {
  id: 'istio-schema',
  title: 'Istio object does not match its CRD schema',
  category: 'mesh',
  input: 'yaml',
  kinds: ISTIO_KINDS,
  defaultSeverity: 'error',
  equivalents: { istio: 'IST0106' },
  docs: `## What it does
Validates every Istio object (networking.istio.io v1/v1beta1/v1alpha3, security.istio.io
v1/v1beta1) against the OpenAPI schema of its CRD, as published in @kubernetes-models/istio:
wrong types, values outside an enum, missing required fields. Each error is shown on the exact key
or value.

## Why is this bad
The API server rejects the object (\`kubectl apply\` fails), or, for fields the schema leaves open,
Istio's webhook does. Nothing of the change takes effect.

## Example
\`\`\`yaml
trafficPolicy:
  loadBalancer:
    simple: FASTEST   # must be one of UNSPECIFIED, LEAST_CONN, RANDOM, PASSTHROUGH, ROUND_ROBIN, LEAST_REQUEST
\`\`\`

## Fix
None automatic: the message names the expected type or values. Unknown fields are not reported
(the CRD schemas do not close their objects).

Suppress with \`# meshlens-disable-next-line istio-schema reason\` or the annotation
\`galley.istio.io/analyze-suppress: IST0106\`.`,
  check(context) {
    const { manifest } = context;
    const data = manifest.file.documents[manifest.documentIndex]?.toJS({ maxAliasCount: 100 });
    const errors = validateAgainstSchema(manifest.apiVersion, manifest.kind, data);
    for (const error of errors ?? []) {
      if (error.path[0] === 'metadata') continue;
      context.report({ range: rangeOfError(manifest, error), message: `Schema validation error: ${error.path.join('.') || manifest.kind} ${error.message}` });
    }
  },
};

/** The value at the error's path; for a missing field, the key of the object that lacks it. */
function rangeOfError(manifest: Manifest, error: SchemaError): Range {
  let parent: unknown;
  let current: unknown = manifest.root;
  let lastKey: string | undefined;
  for (const segment of error.path) {
    parent = current;
    if (isSeq(current)) current = current.items[Number(segment)];
    else if (isMap(current)) current = current.get(segment, true);
    else break;
    lastKey = segment;
    if (current === undefined) break;
  }
  if (error.keyword === 'required' || current === undefined) {
    if (isMap(parent) && lastKey !== undefined) return keyRange(manifest.file, parent, lastKey) ?? manifestRange(manifest);
    // An item of a sequence: point at its first key.
    if (isMap(current)) return nodeRange(manifest.file, current.items[0]?.key ?? current) ?? manifestRange(manifest);
    return manifestRange(manifest);
  }
  return nodeRange(manifest.file, current) ?? manifestRange(manifest);
}
