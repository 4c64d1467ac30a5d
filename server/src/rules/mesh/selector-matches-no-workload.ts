import { podSourcesIn } from '../../core/mesh/pods';
import { selects } from '../../core/mesh/workloads';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { namespaceOf } from '../../core/workspace';
import { keyRange, mapAt, nodeAt, stringMap } from '../../core/yaml/manifest';

/** Selectors in the root namespace apply to workloads of every namespace. */
const ROOT_NAMESPACE = 'istio-system';

export const selectorMatchesNoWorkload: ManifestRule = {
  id: 'selector-matches-no-workload',
  title: 'Workload selector of a Sidecar or policy that matches no workload',
  category: 'mesh',
  input: 'yaml',
  kinds: ['Sidecar', 'PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication'],
  defaultSeverity: 'warning',
  equivalents: { kiali: 'KIA0004' },
  docs: `## What it does
Reads the \`workloadSelector.labels\` of a Sidecar, or the \`selector.matchLabels\` of a
PeerAuthentication, AuthorizationPolicy or RequestAuthentication, and looks in every file for a
Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Argo Rollout or Pod of the same
namespace whose pod labels match. It only
reports when the workspace holds workloads of that namespace at all, and never for the root
namespace (\`istio-system\`), whose selectors apply to every namespace.

## Why is this bad
The resource applies to nothing: the sidecar scoping, mTLS mode, access rule or JWT check it was
written for is not in force, and nothing says so.

## Example
\`\`\`yaml
kind: AuthorizationPolicy
spec:
  selector:
    matchLabels: {app: ratings}   # the pods are labelled app: rating
\`\`\`

## Fix
None automatic: correct the labels, or remove the resource.

Suppress with \`# meshlens-disable-next-line selector-matches-no-workload reason\` above the line.`,
  check(context) {
    const { manifest, workspace } = context;
    const namespace = namespaceOf(manifest);
    if (namespace === ROOT_NAMESPACE) return;
    const [parent, key] = manifest.kind === 'Sidecar' ? [nodeAt(manifest.root, 'spec', 'workloadSelector'), 'labels'] : [nodeAt(manifest.root, 'spec', 'selector'), 'matchLabels'];
    const selector = stringMap(mapAt(parent, key));
    if (Object.keys(selector).length === 0) return;
    const sources = podSourcesIn(workspace, namespace);
    if (sources.length === 0 || sources.some((source) => selects(selector, source.labels))) return;
    const range = keyRange(manifest.file, parent, key);
    if (!range) return;
    const wanted = Object.entries(selector).map(([key, value]) => `${key}=${value}`).join(', ');
    context.report({
      range,
      message: `No matching workload found for the selector in this namespace: no workload of namespace ${namespace} has the labels ${wanted} (${resourceName(manifest.ref)})`,
    });
  },
};
