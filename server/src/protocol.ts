/**
 * Every custom message between the extension and the language server. Both sides import this
 * file, so a method name or payload cannot drift between them.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { Range } from './core/text';
import type { InputKind, RuleCategory, Severity } from './core/types';

export interface RuleInfo {
  id: string;
  title: string;
  category: RuleCategory;
  input: InputKind;
  defaultSeverity: Severity;
  /** The severity in force for the workspace (after settings), or `off`. */
  effectiveSeverity: Severity | 'off';
  equivalents: Record<string, string>;
  docs: string;
}

export namespace RuleCatalogRequest {
  export const method = 'meshlens/ruleCatalog' as const;
  export const type = new RequestType0<RuleInfo[], void>(method);
}

export interface WorkspaceFinding {
  uri: string;
  ruleId: string;
  severity: Severity;
  message: string;
  range: Range;
  resource?: string;
}

export interface WorkspaceFindingsResult {
  findings: WorkspaceFinding[];
  fileCount: number;
  /** Files left out, with the reason (too large, binary). */
  skipped: { uri: string; reason: string }[];
}

/** Findings across every indexed file, open or not: feeds the sidebar's findings view. */
export namespace WorkspaceFindingsRequest {
  export const method = 'meshlens/workspaceFindings' as const;
  export const type = new RequestType0<WorkspaceFindingsResult, void>(method);
}

export interface ServerStatus {
  state: 'indexing' | 'ready';
  files: { yaml: number; go: number; ts: number };
  /** Median time of the last analyses, in milliseconds. */
  analysisMedianMs: number;
}

export namespace StatusRequest {
  export const method = 'meshlens/status' as const;
  export const type = new RequestType0<ServerStatus, void>(method);
}

/** Sent whenever the status changes (indexing finished, files added): the client updates its status item. */
export namespace StatusNotification {
  export const method = 'meshlens/statusChanged' as const;
  export const type = new NotificationType<ServerStatus>(method);
}

export namespace ReindexRequest {
  export const method = 'meshlens/reindex' as const;
  export const type = new RequestType0<ServerStatus, void>(method);
}

export interface FixPayload {
  /** Document version the fixes were computed for: stale fixes are never applied. */
  version: number;
  fixes: { title: string; safe: boolean; changes: { uri: string; edits: { range: Range; newText: string }[] }[] }[];
}

/** Names the diagnostics' `data` field; kept here so the client can read fixes too. */
export const DIAGNOSTIC_SOURCE = 'meshlens';

export namespace RuleDocRequest {
  export const method = 'meshlens/ruleDoc' as const;
  export const type = new RequestType<{ ruleId: string }, RuleInfo | null, void>(method);
}
