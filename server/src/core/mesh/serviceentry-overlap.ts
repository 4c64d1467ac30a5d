import type { WorkspaceView } from '../workspace';
import type { Manifest } from '../yaml/manifest';
import { nodeAt } from '../yaml/manifest';
import { exportedAlike, visibilityOf } from './exportto';
import { sameResource } from './identity';
import { serviceEntryHostPorts, type ServiceEntryHostPort } from './registry';

export interface ServiceEntryOverlap {
  mine: ServiceEntryHostPort;
  other: Manifest;
  theirs: ServiceEntryHostPort;
}

/**
 * Host x port pairs that this ServiceEntry and another one (any file) both declare, exported
 * alike (both public, or both private to a common namespace). Entries with a workloadSelector
 * describe the mesh's own workloads and are left out.
 */
export function serviceEntryOverlaps(workspace: WorkspaceView, entry: Manifest): ServiceEntryOverlap[] {
  if (nodeAt(entry.root, 'spec', 'workloadSelector')) return [];
  const visibility = visibilityOf(entry);
  const mine = serviceEntryHostPorts(entry);
  const overlaps: ServiceEntryOverlap[] = [];
  for (const other of workspace.ofKind('ServiceEntry')) {
    if (sameResource(other, entry) || nodeAt(other.root, 'spec', 'workloadSelector') || !exportedAlike(visibility, visibilityOf(other))) continue;
    const theirs = serviceEntryHostPorts(other);
    for (const m of mine) {
      const match = theirs.find((t) => t.host === m.host && t.port === m.port);
      if (match) overlaps.push({ mine: m, other, theirs: match });
    }
  }
  return overlaps;
}
