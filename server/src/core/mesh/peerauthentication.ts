import type { WorkspaceView } from '../workspace';
import { namespaceOf } from '../workspace';
import type { Manifest } from '../yaml/manifest';
import { nodeAt, scalarText } from '../yaml/manifest';

/** The root namespace, whose PeerAuthentication without selector applies mesh-wide. */
export const ROOT_NAMESPACE = 'istio-system';

export interface EffectiveMtls {
  mode: string;
  /** The PeerAuthentication that sets it. */
  policy: Manifest;
}

function modeOf(policy: Manifest): string | undefined {
  const mode = scalarText(nodeAt(policy.root, 'spec', 'mtls', 'mode'));
  return mode === 'UNSET' ? undefined : mode;
}

/**
 * The mTLS mode a namespace's workloads get from PeerAuthentications without selector: the
 * namespace's own, else the mesh-wide one (an `UNSET` mode inherits). Undefined when neither sets
 * one (Istio then defaults to PERMISSIVE).
 */
export function namespaceMtls(workspace: WorkspaceView, namespace: string): EffectiveMtls | undefined {
  const policies = workspace.ofKind('PeerAuthentication');
  for (const ns of [namespace, ROOT_NAMESPACE]) {
    const policy = policies.find((pa) => namespaceOf(pa) === ns && !nodeAt(pa.root, 'spec', 'selector'));
    const mode = policy ? modeOf(policy) : undefined;
    if (policy && mode) return { mode, policy };
  }
  return undefined;
}

/** PeerAuthentications of a namespace that target some workloads through a selector. */
export function workloadPeerAuthentications(workspace: WorkspaceView, namespace: string): Manifest[] {
  return workspace.ofKind('PeerAuthentication').filter((pa) => namespaceOf(pa) === namespace && nodeAt(pa.root, 'spec', 'selector'));
}
