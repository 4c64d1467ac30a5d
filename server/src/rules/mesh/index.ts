import type { Rule } from '../../core/rule';
import { vsSubsetNotFound } from './vs-subset-not-found';
import { vsWeightsNot100 } from './vs-weights-not-100';
import { yamlSyntax } from './yaml-syntax';

/** Kubernetes and Istio manifest rules. */
export const MESH_RULES: readonly Rule[] = [yamlSyntax, vsSubsetNotFound, vsWeightsNot100];
