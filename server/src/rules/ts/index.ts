import type { Rule } from '../../core/rule';
import { tsSpanNotEnded } from './span-not-ended';

/** TypeScript/JavaScript context-propagation rules. */
export const TS_RULES: readonly Rule[] = [tsSpanNotEnded];
