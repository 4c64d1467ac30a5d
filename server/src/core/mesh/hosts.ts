/**
 * Istio resolves short host names against the namespace of the resource that names them:
 * `reviews` in namespace `shop` means `reviews.shop.svc.cluster.local`, and `reviews.shop`
 * the same. Anything else with a dot is taken as written.
 */
export const CLUSTER_DOMAIN = 'svc.cluster.local';

export function fqdn(host: string, namespace: string): string {
  const h = host.trim().toLowerCase();
  if (h === '' || h.startsWith('*')) return h;
  if (!h.includes('.')) return `${h}.${namespace}.${CLUSTER_DOMAIN}`;
  const parts = h.split('.');
  if (parts.length === 2) return `${h}.${CLUSTER_DOMAIN}`;
  if (parts.length === 3 && parts[2] === 'svc') return `${h}.cluster.local`;
  return h;
}

/** The Service a cluster-local FQDN names, or undefined for external hosts. */
export function serviceOfHost(host: string): { name: string; namespace: string } | undefined {
  const suffix = `.${CLUSTER_DOMAIN}`;
  if (!host.endsWith(suffix)) return undefined;
  const parts = host.slice(0, -suffix.length).split('.');
  if (parts.length !== 2) return undefined;
  return { name: parts[0], namespace: parts[1] };
}

/** True when the wildcard host pattern (`*.example.com`, `*`) covers the host. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return host.endsWith(pattern.slice(1));
  return pattern === host;
}
