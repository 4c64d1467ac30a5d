import { annotationMaps, POD_ANNOTATIONS, WORKLOAD_CONTROLLER_KINDS } from '../../core/mesh/annotations';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { nodeRange, scalarText } from '../../core/yaml/manifest';

export const annotationMisplaced: ManifestRule = {
  id: 'annotation-misplaced',
  title: 'Pod-only Istio annotation on a workload or Service',
  category: 'mesh',
  input: 'yaml',
  kinds: [...WORKLOAD_CONTROLLER_KINDS, 'Service'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0107' },
  docs: `## What it does
Flags Istio annotations that only Pods carry to the injector or the sidecar
(\`sidecar.istio.io/inject\`, \`sidecar.istio.io/proxyCPU\`, \`proxy.istio.io/config\`,
\`traffic.sidecar.istio.io/*\`, ...) when they sit on the own metadata of a Deployment,
StatefulSet, DaemonSet, ReplicaSet or Job, or on a Service. The pod template is the right place.

## Why is this bad
Pods do not inherit their controller's annotations: the setting is silently ignored, so a workload
meant to stay out of the mesh gets a sidecar anyway, or keeps default proxy resources.

## Example
\`\`\`yaml
kind: Deployment
metadata:
  annotations:
    sidecar.istio.io/inject: "false"   # belongs under spec.template.metadata
\`\`\`

## Fix
None automatic: move the annotation to \`spec.template.metadata.annotations\` (for
\`sidecar.istio.io/inject\`, a label there is preferred).

Suppress with \`# meshlens-disable-next-line annotation-misplaced reason\` above the line, or the
annotation \`galley.istio.io/analyze-suppress: IST0107\`.`,
  check(context) {
    const { manifest } = context;
    for (const { map, onPodTemplate } of annotationMaps(manifest)) {
      if (onPodTemplate) continue;
      for (const item of map.items) {
        const key = scalarText(item.key);
        if (!key || !POD_ANNOTATIONS.includes(key)) continue;
        const range = nodeRange(manifest.file, item.key);
        const where = manifest.kind === 'Service' ? 'it is read from Pods only' : 'put it on spec.template.metadata';
        if (range) context.report({ range, message: `Misplaced annotation: ${key} can only be applied to Pod; on ${resourceName(manifest.ref)} it is ignored (${where})` });
      }
    }
  },
};
