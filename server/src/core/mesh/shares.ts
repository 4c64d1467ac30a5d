/**
 * How Envoy really splits a route's traffic (Istio >= 1.15): a lone destination gets everything
 * whatever its weight; otherwise zero or missing weights get nothing and the rest get weight/sum.
 * Returns undefined when the split is invalid (negative weight, or several destinations all at 0).
 */
export function effectiveShares(weights: readonly (number | undefined)[]): number[] | undefined {
  if (weights.length === 0) return [];
  if (weights.some((w) => w !== undefined && w < 0)) return undefined;
  if (weights.length === 1) return [1];
  const values = weights.map((w) => w ?? 0);
  const total = values.reduce((sum, w) => sum + w, 0);
  if (total === 0) return undefined;
  return values.map((w) => w / total);
}

/**
 * Integer weights summing to `target` that keep the proportions of the input
 * (largest remainder, ties to the earlier destination).
 */
export function rescaleWeights(weights: readonly number[], target = 100): number[] {
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (total <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (w * target) / total);
  const result = exact.map(Math.floor);
  let remaining = target - result.reduce((sum, w) => sum + w, 0);
  const order = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of order) {
    if (remaining <= 0) break;
    result[index]++;
    remaining--;
  }
  return result;
}

export function formatShare(share: number): string {
  const percent = share * 100;
  return `${Number.isInteger(percent) ? percent : percent.toFixed(1)}%`;
}
