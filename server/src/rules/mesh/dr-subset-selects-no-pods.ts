import { fqdn } from '../../core/mesh/hosts';
import { podLabels, serviceForHost, serviceSelector, workloadsSelectedBy } from '../../core/mesh/k8s';
import { podSourcesIn } from '../../core/mesh/pods';
import { selects } from '../../core/mesh/workloads';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { namespaceOf } from '../../core/workspace';
import { mapAt, nodeAt, nodeRange, scalarText, seqItems, stringMap } from '../../core/yaml/manifest';

export const drSubsetSelectsNoPods: ManifestRule = {
  id: 'dr-subset-selects-no-pods',
  title: 'DestinationRule subset whose labels select none of the Service\'s workloads',
  category: 'mesh',
  input: 'yaml',
  kinds: ['DestinationRule'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0173' },
  docs: `## What it does
For a DestinationRule of a cluster-local host whose Service is in the workspace, collects the
Deployments, StatefulSets, DaemonSets and Pods (any file) that the Service's selector matches, and
reports each subset whose labels match none of their pod labels. Files rarely hold every version
of a workload, so this only happens when at least one other subset of the same DestinationRule
does select a workload in the workspace; otherwise the workloads live elsewhere.

## Why is this bad
A subset without endpoints is an empty cluster: traffic a VirtualService sends to it fails with
503 \`UH\` (no healthy upstream), although every reference resolves.

## Example
\`\`\`yaml
subsets:
- name: v3
  labels: {version: v3}   # the reviews Deployments are labelled v1 and v2
\`\`\`

## Fix
None automatic: correct the labels, or deploy the workload the subset is meant for.

Suppress with \`# meshlens-disable-next-line dr-subset-selects-no-pods reason\` above the line, or
the annotation \`galley.istio.io/analyze-suppress: IST0173\`.`,
  check(context) {
    const { manifest, workspace } = context;
    const host = scalarText(nodeAt(manifest.root, 'spec', 'host'));
    const service = host ? serviceForHost(workspace, fqdn(host, namespaceOf(manifest))) : undefined;
    if (!service) return;
    const workloads = workloadsSelectedBy(workspace, namespaceOf(service), serviceSelector(service));
    if (workloads.length === 0) return;
    // Pods from Rollouts, Jobs and the like are not listed below: their labels count as selected.
    const otherLabels = podSourcesIn(workspace, namespaceOf(service))
      .filter((source) => !workloads.includes(source.manifest) && selects(serviceSelector(service), source.labels))
      .map((source) => source.labels);
    const subsets = seqItems(nodeAt(manifest.root, 'spec', 'subsets')).map((node) => ({ node, labels: stringMap(mapAt(node, 'labels')) }));
    const selectsSome = (labels: Record<string, string>) => workloads.some((workload) => selects(labels, podLabels(workload))) || otherLabels.some((pod) => selects(labels, pod));
    // Workloads of other versions only (say a new v3 and no v1, v2) mean the rest is deployed from elsewhere.
    if (!subsets.some((subset) => selectsSome(subset.labels))) return;
    for (const subset of subsets) {
      const labels = subset.labels;
      if (Object.keys(labels).length === 0 || selectsSome(labels)) continue;
      const nameNode = nodeAt(subset.node, 'name');
      const range = nodeRange(manifest.file, nameNode);
      if (!range) continue;
      const wanted = Object.entries(labels).map(([key, value]) => `${key}=${value}`).join(', ');
      context.report({
        range,
        message: `The Subset ${scalarText(nameNode)} defined in ${resourceName(manifest.ref)} does not select any pods: no workload behind ${resourceName(service.ref)} (${workloads.map((w) => `${w.kind} ${w.name}`).join(', ')}) has the labels ${wanted}`,
      });
    }
  },
};
