import type { Manifest } from '../yaml/manifest';
import { nodeAt, scalarNumber, scalarText, seqItems } from '../yaml/manifest';

export interface EnvoyFilterPatch {
  /** The `configPatches` item. */
  node: unknown;
  applyTo?: string;
  operation?: string;
  /** The `patch.operation` value node. */
  operationNode: unknown;
  /** The filter a relative operation is placed against (`subFilter.name`, else `filter.name`). */
  relativeTo?: string;
  /** Name of the filter the patch adds (`patch.value.name`). */
  adds?: string;
}

export function envoyFilterPatches(envoyFilter: Manifest): EnvoyFilterPatch[] {
  return seqItems(nodeAt(envoyFilter.root, 'spec', 'configPatches')).map((node) => {
    const filter = nodeAt(node, 'match', 'listener', 'filterChain', 'filter');
    const operationNode = nodeAt(node, 'patch', 'operation');
    return {
      node,
      applyTo: scalarText(nodeAt(node, 'applyTo')),
      operation: scalarText(operationNode),
      operationNode,
      relativeTo: scalarText(nodeAt(filter, 'subFilter', 'name')) ?? scalarText(nodeAt(filter, 'name')),
      adds: scalarText(nodeAt(node, 'patch', 'value', 'name')),
    };
  });
}

export function envoyFilterPriority(envoyFilter: Manifest): number {
  return scalarNumber(nodeAt(envoyFilter.root, 'spec', 'priority')) ?? 0;
}
