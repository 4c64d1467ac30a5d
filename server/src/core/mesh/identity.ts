import { namespaceOf } from '../workspace';
import type { Manifest } from '../yaml/manifest';

/**
 * True when two objects are the same resource: same kind, namespace and name. Repositories with
 * several variants of one app (kustomize overlays, per-environment folders) define a resource
 * more than once; such copies never meet in one cluster, so they do not conflict with each other.
 */
export function sameResource(a: Manifest, b: Manifest): boolean {
  return a === b || (a.kind === b.kind && a.name === b.name && namespaceOf(a) === namespaceOf(b));
}
