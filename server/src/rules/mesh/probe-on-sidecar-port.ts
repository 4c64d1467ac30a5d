import { isMap } from 'yaml';
import { containerPorts, containers, POD_KINDS, type ContainerPort } from '../../core/mesh/k8s';
import type { ManifestRule } from '../../core/rule';
import { replaceNode } from '../../core/yaml/edit';
import { nodeAt, nodeRange, scalarNumber, scalarText } from '../../core/yaml/manifest';

const SIDECAR_PORTS: Record<number, string> = { 15020: 'merged Prometheus/health port', 15021: 'health port', 15000: 'admin port', 15090: 'Prometheus port' };

/** The port a probe should check: the only one, else the only one named for HTTP (or gRPC). */
function appPortOf(ports: ContainerPort[], handler: string): ContainerPort | undefined {
  if (ports.length === 1) return ports[0];
  const named = ports.filter((p) => (handler === 'grpc' ? /^grpc/ : /^http/).test(p.name ?? ''));
  return named.length === 1 ? named[0] : undefined;
}

export const probeOnSidecarPort: ManifestRule = {
  id: 'probe-on-sidecar-port',
  title: "Probe aimed at the Istio sidecar's port instead of the app",
  category: 'mesh',
  input: 'yaml',
  kinds: POD_KINDS,
  defaultSeverity: 'warning',
  equivalents: {},
  docs: `## What it does
Flags readiness, liveness and startup probes (httpGet, tcpSocket, grpc) of an application
container whose port is one of the sidecar's own ports (15020, 15021, 15000, 15090).

## Why is this bad
Those ports answer for Envoy, not for the app: the probe stays green while the app is dead or
not ready, so Kubernetes keeps sending traffic to a broken pod. (Istio rewrites app probes to go
through 15020 on its own; you never need to write that port.)

## Example
\`\`\`yaml
readinessProbe:
  httpGet: {path: /healthz/ready, port: 15021}
\`\`\`

## Fix
Points the probe at the container's port when it declares exactly one, or exactly one named
for HTTP (gRPC for grpc probes); by name when it has one.

Suppress with \`# meshlens-disable-next-line probe-on-sidecar-port reason\`.`,
  check(context) {
    const { manifest } = context;
    for (const container of containers(manifest)) {
      if (scalarText(container.get('name', true)) === 'istio-proxy') continue;
      const ports = containerPorts(container).filter((p) => p.containerPort !== undefined && !(p.containerPort in SIDECAR_PORTS));
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        const probeNode = container.get(probe, true);
        if (!isMap(probeNode)) continue;
        for (const handler of ['httpGet', 'tcpSocket', 'grpc']) {
          const portNode = nodeAt(probeNode, handler, 'port');
          const port = scalarNumber(portNode);
          const range = nodeRange(manifest.file, portNode);
          if (port === undefined || !(port in SIDECAR_PORTS) || !range) continue;
          const appPort = appPortOf(ports, handler);
          const target = appPort ? (handler !== 'grpc' && appPort.name ? appPort.name : String(appPort.containerPort)) : undefined;
          const edit = target ? replaceNode(manifest.file, portNode, target) : undefined;
          context.report({
            range,
            message: `${probe} of container ${scalarText(container.get('name', true)) ?? '?'} checks port ${port}, the sidecar's ${SIDECAR_PORTS[port]}, not the app`,
            fixes: edit ? [{ title: `Probe the app port ${target}`, changes: [{ uri: manifest.file.uri, edits: [edit] }], safe: false }] : [],
          });
        }
      }
    }
  },
};
