import { isMap, type YAMLMap } from 'yaml';
import { nodeAt, seqItems } from '../yaml/manifest';

/** Every trafficPolicy of a DestinationRule: top level, per subset, and their port-level settings. */
export function trafficPolicies(root: unknown): YAMLMap[] {
  const policies: unknown[] = [nodeAt(root, 'spec', 'trafficPolicy')];
  for (const subset of seqItems(nodeAt(root, 'spec', 'subsets'))) policies.push(nodeAt(subset, 'trafficPolicy'));
  for (const policy of [...policies]) for (const port of seqItems(nodeAt(policy, 'portLevelSettings'))) policies.push(port);
  return policies.filter((p): p is YAMLMap => isMap(p));
}
