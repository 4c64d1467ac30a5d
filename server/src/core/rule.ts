import type { GoNode, GoSource } from './go/parser';
import type { FunctionIndex, GoImports } from './go/syntax';
import type { Range } from './text';
import type { Fix, RelatedLocation, RuleMeta } from './types';
import type { TsFile } from './ts/source';
import type { WorkspaceView } from './workspace';
import type { Manifest, ManifestFile } from './yaml/manifest';

export interface Report {
  range: Range;
  message: string;
  fixes?: Fix[];
  related?: RelatedLocation[];
}

interface RuleContext {
  readonly uri: string;
  /** The workspace, as seen by this rule; reads are recorded so edits elsewhere re-run it. */
  readonly workspace: WorkspaceView;
  report(report: Report): void;
}

export interface ManifestRuleContext extends RuleContext {
  readonly manifest: Manifest;
}

export interface YamlFileRuleContext extends RuleContext {
  readonly file: ManifestFile;
}

export interface GoFile {
  readonly source: GoSource;
  readonly root: GoNode;
  readonly imports: GoImports;
  /** Built on first use, once per analysis. */
  readonly functions: FunctionIndex;
}

export interface GoRuleContext extends RuleContext {
  readonly file: GoFile;
}

export interface TsRuleContext extends RuleContext {
  readonly file: TsFile;
}

/** Runs once per Kubernetes/Istio object of the listed kinds. */
export interface ManifestRule extends RuleMeta {
  input: 'yaml';
  kinds: readonly string[];
  check(context: ManifestRuleContext): void;
}

/** Runs once per YAML file, for problems of the file rather than of one object. */
export interface YamlFileRule extends RuleMeta {
  input: 'yaml';
  scope: 'file';
  check(context: YamlFileRuleContext): void;
}

export interface GoRule extends RuleMeta {
  input: 'go';
  check(context: GoRuleContext): void;
}

export interface TsRule extends RuleMeta {
  input: 'ts';
  check(context: TsRuleContext): void;
}

export type Rule = ManifestRule | YamlFileRule | GoRule | TsRule;

export function isYamlFileRule(rule: Rule): rule is YamlFileRule {
  return rule.input === 'yaml' && 'scope' in rule;
}
