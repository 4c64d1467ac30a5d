import { namespaceOf } from '../workspace';
import type { Manifest } from '../yaml/manifest';
import { nodeAt, scalarText, seqItems } from '../yaml/manifest';

/** Namespaces that see a resource: every one (`undefined`), or the listed ones. */
export type Visibility = ReadonlySet<string> | undefined;

/**
 * Where an Istio resource is visible per its `exportTo`: absent or `*` means everywhere, `.`
 * its own namespace, anything else a namespace name. A mesh-wide default set in MeshConfig is
 * not visible from files, so an absent exportTo counts as everywhere.
 */
export function visibilityOf(manifest: Manifest): Visibility {
  const entries = seqItems(nodeAt(manifest.root, 'spec', 'exportTo')).map((node) => scalarText(node));
  if (entries.length === 0 || entries.includes('*')) return undefined;
  const namespaces = new Set<string>();
  for (const entry of entries) {
    if (entry === '.') namespaces.add(namespaceOf(manifest));
    else if (entry && entry !== '~') namespaces.add(entry);
  }
  return namespaces;
}

/**
 * True when two resources are exported alike, as istioctl scopes them: both public, or both
 * private to a common namespace. A private resource in a namespace takes precedence there over a
 * public one for the same host, which is the usual way to override routes per namespace.
 */
export function exportedAlike(a: Visibility, b: Visibility): boolean {
  if (!a || !b) return !a && !b;
  return [...a].some((namespace) => b.has(namespace));
}
