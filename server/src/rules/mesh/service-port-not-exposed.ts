import { containerPorts, containers, serviceSelector, servicePorts, workloadsSelectedBy } from '../../core/mesh/k8s';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { namespaceOf } from '../../core/workspace';
import { keyRange, nodeRange } from '../../core/yaml/manifest';

export const servicePortNotExposed: ManifestRule = {
  id: 'service-port-not-exposed',
  title: 'Service targetPort that no selected container exposes',
  category: 'mesh',
  input: 'yaml',
  kinds: ['Service'],
  defaultSeverity: 'warning',
  equivalents: { kiali: 'KIA0701' },
  docs: `## What it does
For a Service whose selector matches workloads in the workspace (Deployments, StatefulSets,
DaemonSets, Pods in any file), checks each port's \`targetPort\` (or \`port\` when there is none)
against the containers' ports: a named targetPort must be a container port name; a numeric one must
be a declared containerPort when the containers declare ports at all.

## Why is this bad
A named targetPort that no container has gives the Service no endpoints for that port; a number no
container listens on is refused. Either way the route looks right and every request fails.

## Example
\`\`\`yaml
ports:
- name: http
  port: 80
  targetPort: 8000   # the container listens on 8080
\`\`\`

## Fix
None automatic: correct the targetPort or the container port.

Suppress with \`# meshlens-disable-next-line service-port-not-exposed reason\`.`,
  check(context) {
    const { manifest, workspace } = context;
    const workloads = workloadsSelectedBy(workspace, namespaceOf(manifest), serviceSelector(manifest));
    if (workloads.length === 0) return;
    const ports = workloads.flatMap((w) => containers(w).flatMap(containerPorts));
    for (const port of servicePorts(manifest)) {
      const target = port.targetPort ?? port.port;
      if (target === undefined) continue;
      const exposed =
        typeof target === 'string'
          ? ports.some((p) => p.name === target) || /^\d+$/.test(target)
          : ports.length === 0 || ports.some((p) => p.containerPort === target);
      if (exposed) continue;
      const range = port.targetPort !== undefined ? nodeRange(manifest.file, port.node.get('targetPort', true)) : keyRange(manifest.file, port.node, 'port');
      if (!range) continue;
      context.report({
        range,
        message: `There's no Deployment exposing the port ${target} of ${resourceName(manifest.ref)}: ${workloads.map((w) => `${w.kind} ${w.name}`).join(', ')} expose${workloads.length === 1 ? 's' : ''} ${ports.map((p) => p.name ?? p.containerPort).join(', ') || 'no ports'}`,
      });
    }
  },
};
