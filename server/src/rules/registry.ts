import type { Rule } from '../core/rule';
import { GO_RULES } from './go';
import { MESH_RULES } from './mesh';
import { TS_RULES } from './ts';

/** Every rule meshlens knows. The catalog, settings and SARIF descriptors are generated from this list. */
export const ALL_RULES: readonly Rule[] = [...MESH_RULES, ...GO_RULES, ...TS_RULES];

