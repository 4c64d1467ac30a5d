/**
 * Every custom message between the extension and the language server. Both sides import this
 * file, so a method name or payload cannot drift between them.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { RoutingModel } from './core/mesh/routing';
import type { SampleResult, SimulatedRequest, SimulationResult } from './core/mesh/simulate';
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

export interface RoutingModelParams {
  uri: string;
  /** 0-based line of the cursor: picks the VirtualService of a multi-document file. */
  line?: number;
}

export interface RoutingModelResult {
  uri: string;
  /** `ns/name` of the VirtualService at the line, null when the file has none. */
  focus: string | null;
  /** The host whose VirtualServices (and delegates) the model holds; null for an unbound delegate. */
  host: string | null;
  model: RoutingModel;
  /** The same model as a Markdown table (for export). */
  markdown: string;
  /** Server-side time to build the model, in milliseconds. */
  computeMs: number;
}

/** Where the VirtualService under the cursor (and the others of its host) send traffic. */
export namespace RoutingModelRequest {
  export const method = 'meshlens/routingModel' as const;
  export const type = new RequestType<RoutingModelParams, RoutingModelResult, void>(method);
}

export interface SimulateRequestParams {
  host: string;
  request: SimulatedRequest;
  /** Also draw this many requests through the split. */
  samples?: number;
  seed?: number;
}

export interface SimulateRequestResult extends SimulationResult {
  samples: SampleResult | null;
}

/** Which rule takes a request for a host, and the resulting distribution over workloads. */
export namespace SimulateRequestRequest {
  export const method = 'meshlens/simulateRequest' as const;
  export const type = new RequestType<SimulateRequestParams, SimulateRequestResult, void>(method);
}
