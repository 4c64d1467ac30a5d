import { applyEdits, comparePositions, type TextEdit } from './text';
import type { Finding, Fix } from './types';

/**
 * Picks one fix per finding (the first, or the first safe one when `safeOnly`) and merges their
 * edits per file, skipping a fix whose edits overlap edits already taken. Returns the new texts.
 */
export function applyFixes(findings: readonly Finding[], readText: (uri: string) => string | undefined, safeOnly: boolean): { texts: Map<string, string>; applied: Fix[] } {
  const editsByUri = new Map<string, TextEdit[]>();
  const applied: Fix[] = [];
  for (const finding of findings) {
    const fix = finding.fixes.find((candidate) => !safeOnly || candidate.safe);
    if (!fix) continue;
    const overlaps = fix.changes.some((change) => (editsByUri.get(change.uri) ?? []).some((taken) => change.edits.some((edit) => rangesTouch(taken, edit))));
    if (overlaps) continue;
    for (const change of fix.changes) editsByUri.set(change.uri, [...(editsByUri.get(change.uri) ?? []), ...change.edits]);
    applied.push(fix);
  }
  const texts = new Map<string, string>();
  for (const [uri, edits] of editsByUri) {
    const text = readText(uri);
    if (text !== undefined) texts.set(uri, applyEdits(text, edits));
  }
  return { texts, applied };
}

function rangesTouch(a: TextEdit, b: TextEdit): boolean {
  // Two insertions at one point would depend on order: treat them as overlapping too.
  return comparePositions(a.range.start, b.range.end) <= 0 && comparePositions(b.range.start, a.range.end) <= 0;
}
