import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { namespaceOf } from '../../core/workspace';
import { manifestRange, nodeAt } from '../../core/yaml/manifest';

export const sidecarMultipleWithoutSelector: ManifestRule = {
  id: 'sidecar-multiple-without-selector',
  title: 'Several Sidecars without workloadSelector in one namespace',
  category: 'mesh',
  input: 'yaml',
  kinds: ['Sidecar'],
  defaultSeverity: 'error',
  equivalents: { istio: 'IST0111' },
  docs: `## What it does
Finds, across all files, other Sidecar resources of the same namespace that also have no
\`workloadSelector\`.

## Why is this bad
Only one namespace-wide Sidecar is allowed; with several, which one applies is undefined and may
change on the next istiod restart.

## Example
Two files each define a Sidecar without \`workloadSelector\` in namespace \`shop\`.

## Fix
None automatic: merge them, or give all but one a \`workloadSelector\`.

Suppress with \`# meshlens-disable-next-line sidecar-multiple-without-selector reason\` or the
annotation \`galley.istio.io/analyze-suppress: IST0111\`.`,
  check(context) {
    const { manifest, workspace } = context;
    if (nodeAt(manifest.root, 'spec', 'workloadSelector')) return;
    const namespace = namespaceOf(manifest);
    const others = workspace.ofKind('Sidecar').filter((s) => s !== manifest && namespaceOf(s) === namespace && !nodeAt(s.root, 'spec', 'workloadSelector'));
    if (others.length === 0) return;
    context.report({
      range: manifestRange(manifest),
      message: `The Sidecars ${[manifest, ...others].map((s) => resourceName(s.ref)).join(', ')} in namespace ${namespace} have no workload selector: only one is allowed`,
    });
  },
};
