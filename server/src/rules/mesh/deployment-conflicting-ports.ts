import { containerPorts, containers } from '../../core/mesh/k8s';
import { associatedServicePorts, groupBy } from '../../core/mesh/service-association';
import type { ManifestRule } from '../../core/rule';
import { resourceName } from '../../core/types';
import { manifestRange, nodeAt, nodeRange } from '../../core/yaml/manifest';

export const deploymentConflictingPorts: ManifestRule = {
  id: 'deployment-conflicting-ports',
  title: 'Deployment behind several Services mapping one port to different target ports',
  category: 'mesh',
  input: 'yaml',
  kinds: ['Deployment'],
  defaultSeverity: 'warning',
  equivalents: { istio: 'IST0137' },
  docs: `## What it does
Finds the Services, in any file of the Deployment's namespace, whose selector matches the
Deployment's pod labels, and reports a service port number that they send to different target
ports (a missing \`targetPort\` means the port itself; a named one is resolved through the
container ports).

Copies of one resource (same kind, namespace and name, as in per-environment overlays) are not
compared with each other.

## Why is this bad
Istio keys inbound configuration of a workload by service port: two Services that map the same
port to different container ports give the sidecar conflicting listeners, and traffic for one of
them reaches the wrong container port.

## Example
\`\`\`yaml
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
kind: Service
metadata: {name: web-admin}
spec: {selector: {app: web}, ports: [{name: http-admin, port: 80, targetPort: 9090}]}
\`\`\`

## Fix
None automatic: give the Services different ports, or the same target port.

Suppress with \`# meshlens-disable-next-line deployment-conflicting-ports reason\` above the
Deployment's name, or the annotation \`galley.istio.io/analyze-suppress: IST0137\`.`,
  check(context) {
    const { manifest, workspace } = context;
    const range = nodeRange(manifest.file, nodeAt(manifest.root, 'metadata', 'name')) ?? manifestRange(manifest);
    // A named targetPort is the container port of that name: `http` and 8080 may be the same port.
    const named = new Map(containers(manifest).flatMap(containerPorts).flatMap((p) => (p.name && p.containerPort !== undefined ? [[p.name, p.containerPort] as const] : [])));
    const target = (value: string | number | undefined, port: number) => String(value === undefined ? port : typeof value === 'string' ? (named.get(value) ?? value) : value);
    for (const [port, associated] of associatedServicePorts(workspace, manifest)) {
      const byTarget = groupBy(associated, (a) => target(a.port.targetPort, port));
      if (byTarget.size < 2) continue;
      const services = [...new Set(associated.map((a) => resourceName(a.service.ref)))];
      context.report({
        range,
        message: `This deployment ${manifest.name} is associated with multiple services ${services.join(', ')} using port ${port} but different target ports: ${[...byTarget.keys()].join(', ')}`,
        related: associated.map((a) => ({ uri: a.service.file.uri, range: nodeRange(a.service.file, a.port.node) ?? range, message: `${resourceName(a.service.ref)} port ${port} -> ${a.port.targetPort ?? port}` })),
      });
    }
  },
};
