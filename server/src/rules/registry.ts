import type { Rule } from '../core/rule';
import { goRequestWithoutContext } from './go/request-without-context';
import { vsSubsetNotFound } from './mesh/vs-subset-not-found';
import { vsWeightsNot100 } from './mesh/vs-weights-not-100';
import { yamlSyntax } from './mesh/yaml-syntax';
import { tsSpanNotEnded } from './ts/span-not-ended';

/** Every rule meshlens knows. The catalog, settings and SARIF descriptors are generated from this list. */
export const ALL_RULES: readonly Rule[] = [yamlSyntax, vsSubsetNotFound, vsWeightsNot100, goRequestWithoutContext, tsSpanNotEnded];

export function ruleById(id: string): Rule | undefined {
  return ALL_RULES.find((rule) => rule.id === id);
}
