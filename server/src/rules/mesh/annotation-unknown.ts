import { annotationMaps, editDistance, KNOWN_ANNOTATIONS, WORKLOAD_CONTROLLER_KINDS } from '../../core/mesh/annotations';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { replaceNode } from '../../core/yaml/edit';
import { nodeRange, scalarText } from '../../core/yaml/manifest';

/** The known annotation a key is a near miss of, when exactly one is. */
function nearMiss(key: string): string | undefined {
  if (!key.includes('istio.io/') || KNOWN_ANNOTATIONS.includes(key)) return undefined;
  const close = KNOWN_ANNOTATIONS.filter((known) => editDistance(key.toLowerCase(), known.toLowerCase()) <= 2);
  return close.length === 1 ? close[0] : undefined;
}

export const annotationUnknown: ManifestRule = {
  id: 'annotation-unknown',
  title: 'Misspelt Istio annotation',
  category: 'mesh',
  input: 'yaml',
  kinds: ['Pod', ...WORKLOAD_CONTROLLER_KINDS, 'Service', 'Namespace'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0108' },
  docs: `## What it does
Flags an annotation in an Istio domain (\`*istio.io/\`) that Istio does not know but that is one
or two letters away from exactly one annotation it does know, such as \`sidecar.istio.io/injet\`.
Pods, workloads (own metadata and pod template), Services and Namespaces are checked. Only near
misses are reported: Istio has many more annotations than meshlens lists, and an unfamiliar one
is not necessarily wrong.

## Why is this bad
Istio ignores annotations it does not know, silently: the sidecar is injected anyway, the port is
still intercepted, the proxy keeps its defaults.

## Example
\`\`\`yaml
annotations:
  sidecar.istio.io/injet: "false"
\`\`\`

## Fix
Renames the key to the annotation it is closest to. Not applied by \`--fix\` without review.

Suppress with \`# meshlens-disable-next-line annotation-unknown reason\` above the line, or the
annotation \`galley.istio.io/analyze-suppress: IST0108\`.`,
  check(context) {
    const { manifest } = context;
    for (const { map } of annotationMaps(manifest)) {
      for (const item of map.items) {
        const key = scalarText(item.key);
        const meant = key ? nearMiss(key) : undefined;
        const range = nodeRange(manifest.file, item.key);
        if (!key || !meant || !range) continue;
        const edit = replaceNode(manifest.file, item.key, meant);
        context.report({
          range,
          message: `Unknown annotation: ${key} on ${resourceName(manifest.ref)} (did you mean ${meant}?)`,
          fixes: edit ? [{ title: `Rename to ${meant}`, changes: [{ uri: manifest.file.uri, edits: [edit] }], safe: false }] : [],
        });
      }
    }
  },
};
