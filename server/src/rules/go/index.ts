import type { Rule } from '../../core/rule';
import { goRequestWithoutContext } from './request-without-context';

/** Go context-propagation rules. */
export const GO_RULES: readonly Rule[] = [goRequestWithoutContext];
