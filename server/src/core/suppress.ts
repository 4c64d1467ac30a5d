import type { LineIndex } from './text';

/**
 * Escape hatches, in any comment syntax (`//`, `#`, `/*`):
 *   meshlens:ignore RULE[,RULE] reason            on the line before, or at the end of the line
 *   meshlens-disable-next-line RULE[,RULE] reason on the line before
 * A bare directive with no rule id suppresses nothing: the rule must be named.
 */
const DIRECTIVE = /(?:\/\/|#|\/\*)\s*meshlens(?::ignore|-disable-next-line)\s+([A-Za-z0-9_,-]+)/;

function rulesOn(line: string): string[] {
  const match = DIRECTIVE.exec(line);
  return match ? match[1].split(',').filter(Boolean) : [];
}

export function isSuppressedByComment(lines: LineIndex, line: number, ruleId: string): boolean {
  if (rulesOn(lines.lineText(line)).includes(ruleId)) return true;
  // A directive may sit in a block of comment lines just above the finding.
  for (let above = line - 1; above >= 0 && above >= line - 5; above--) {
    const text = lines.lineText(above).trim();
    if (!/^(\/\/|#|\/\*|\*)/.test(text)) return false;
    if (rulesOn(text).includes(ruleId)) return true;
  }
  return false;
}

/** Istio's per-resource suppression: `galley.istio.io/analyze-suppress: "IST0101,IST0102"` (or `*`). */
export const ISTIO_SUPPRESS_ANNOTATION = 'galley.istio.io/analyze-suppress';

export function isSuppressedByAnnotation(annotations: Record<string, string>, codes: readonly string[]): boolean {
  const value = annotations[ISTIO_SUPPRESS_ANNOTATION];
  if (!value) return false;
  const listed = value.split(',').map((code) => code.trim());
  return listed.includes('*') || codes.some((code) => listed.includes(code));
}
