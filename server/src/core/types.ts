import type { Range, TextEdit } from './text';

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'hint'];
export type SeveritySetting = Severity | 'off' | 'default';

export type InputKind = 'yaml' | 'go' | 'ts';
export type RuleCategory = 'mesh' | 'go-propagation' | 'ts-propagation';

/** Which other tools report the same problem, so results can be compared one for one. */
export interface Equivalents {
  istio?: string;
  kiali?: string;
  golangci?: string;
}

export interface FileEdits {
  uri: string;
  edits: TextEdit[];
}

export interface Fix {
  title: string;
  /** Edits per file; a fix may touch another file than the one with the finding. */
  changes: FileEdits[];
  /** Safe to apply without review (used by `meshlens check --fix`). */
  safe: boolean;
}

export interface RelatedLocation {
  uri: string;
  range: Range;
  message: string;
}

/** A Kubernetes or Istio object, named the way istioctl names it. */
export interface ResourceRef {
  kind: string;
  name: string;
  namespace?: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  uri: string;
  range: Range;
  fixes: Fix[];
  related: RelatedLocation[];
  resource?: ResourceRef;
}

export interface RuleMeta {
  id: string;
  title: string;
  category: RuleCategory;
  input: InputKind;
  defaultSeverity: Severity;
  /** Markdown: what it does, why it matters, example, fix. */
  docs: string;
  equivalents: Equivalents;
}

export function resourceName(ref: ResourceRef): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}
