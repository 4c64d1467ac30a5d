import { fileURLToPath } from 'url';
import { GoModuleIndex } from './go/modules';
import { GoParser, GoSource } from './go/parser';
import { FunctionIndex, GoImports } from './go/syntax';
import { isYamlFileRule, type GoFile, type Report, type Rule } from './rule';
import { isSuppressedByAnnotation, isSuppressedByComment } from './suppress';
import type { Position, Range } from './text';
import { isTsPath, TsProject, type TsFile } from './ts/source';
import type { Finding, InputKind, ResourceRef, Severity, SeveritySetting } from './types';
import { changedDependencyKeys, dependencyKeysOf, ManifestIndex, WorkspaceView } from './workspace';
import { parseManifestFile, type Manifest, type ManifestFile } from './yaml/manifest';
import { loadSchemaValidators } from './yaml/schema';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;

export function inputKindOf(uri: string, languageId?: string): InputKind | undefined {
  if (languageId === 'go') return 'go';
  if (languageId && ['typescript', 'javascript', 'typescriptreact', 'javascriptreact'].includes(languageId)) return 'ts';
  const path = uri.toLowerCase().split(/[?#]/)[0];
  if (path.endsWith('.yaml') || path.endsWith('.yml') || languageId === 'yaml') return 'yaml';
  if (path.endsWith('.go')) return 'go';
  if (isTsPath(path)) return 'ts';
  return undefined;
}

export interface RuleSettings {
  /** Per-rule override; `default` or missing keeps the rule's own severity. */
  severity?: (ruleId: string) => SeveritySetting | undefined;
  /** When set, only these rules run. */
  only?: ReadonlySet<string>;
}

export interface ContentChange {
  range: Range;
  text: string;
}

export interface AnalysisResult {
  findings: Finding[];
  /** Why the file was not analyzed (too large, binary), for the front to show. */
  skipped?: string;
  /** True when cancelled part-way: the findings are incomplete and must not be shown. */
  cancelled: boolean;
}

interface FileState {
  uri: string;
  input: InputKind;
  version: number;
  skipped?: string;
  yaml?: ManifestFile;
  go?: GoSource;
  tsText?: string;
  ts?: TsFile;
}

function looksBinary(text: string): boolean {
  return text.slice(0, 8192).includes('\u0000');
}

function pathForTs(uri: string): string {
  if (uri.startsWith('file:')) return fileURLToPath(uri);
  return `/${uri.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

/**
 * The analysis engine: documents in, findings (with their fixes) out. Knows nothing of LSP or
 * of the terminal; the language server, the CLI and the tests are thin fronts on it.
 */
export class Analyzer {
  private readonly files = new Map<string, FileState>();
  private readonly manifests = new ManifestIndex();
  private readonly goModules = new GoModuleIndex();
  private readonly dependencies = new Map<string, Set<string>>();
  private readonly tsProject = new TsProject();
  private readonly changeListeners: ((uri: string, changedKeys: ReadonlySet<string>) => void)[] = [];

  private constructor(
    private readonly goParser: GoParser,
    readonly rules: readonly Rule[],
    private readonly logger: Logger,
    private readonly maxFileBytes: number,
  ) {}

  static async create(options: { rules: readonly Rule[]; logger?: Logger; maxFileBytes?: number }): Promise<Analyzer> {
    const [goParser] = await Promise.all([GoParser.create(), loadSchemaValidators()]);
    return new Analyzer(goParser, options.rules, options.logger ?? silentLogger, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  }

  has(uri: string): boolean {
    return this.files.has(uri);
  }

  uris(): string[] {
    return [...this.files.keys()];
  }

  /** The current text the analyzer holds for a file. */
  text(uri: string): string | undefined {
    const state = this.files.get(uri);
    if (!state) return undefined;
    return state.go?.text ?? state.tsText ?? (state.yaml ? state.yaml.lines.text : undefined);
  }

  /**
   * Adds or updates a file. With `changes` (in order, each in positions of the text after the
   * previous one), Go trees are re-parsed incrementally. Returns the other files whose last
   * analysis read something this change touched.
   */
  setFile(uri: string, text: string, options: { version?: number; languageId?: string; changes?: readonly ContentChange[] } = {}): string[] {
    const input = inputKindOf(uri, options.languageId);
    if (!input) return [];
    const previous = this.files.get(uri);
    const changedKeys = new Set<string>();
    const state: FileState = { uri, input, version: options.version ?? (previous?.version ?? 0) + 1 };
    if (text.length > this.maxFileBytes) {
      state.skipped = `skipped: ${(text.length / 1048576).toFixed(1)} MB is over the ${(this.maxFileBytes / 1048576).toFixed(1)} MB limit (setting meshlens.maxFileSize)`;
    } else if (looksBinary(text)) {
      state.skipped = 'skipped: the file looks binary';
    }
    if (state.skipped) this.logger.info(`${uri}: ${state.skipped}`);
    if (!state.skipped) {
      if (input === 'yaml') {
        state.yaml = parseManifestFile(uri, text);
      } else if (input === 'go') {
        state.go = this.goSourceFor(previous, text, options.changes);
      } else {
        state.tsText = text;
      }
    }
    for (const key of changedDependencyKeys(previous?.yaml, state.yaml)) changedKeys.add(key);
    // goSourceFor took over the previous Go source when it could; anything left is released.
    previous?.go?.dispose();
    if (input === 'ts' && previous?.ts && !state.tsText) this.tsProject.remove(pathForTs(uri));
    this.files.set(uri, state);
    if (state.yaml) this.manifests.setFile(state.yaml);
    else this.manifests.removeFile(uri);
    const goKeys = state.go ? this.goModules.setFile(uri, text) : this.goModules.removeFile(uri);
    for (const key of goKeys) changedKeys.add(key);
    return this.dependents(uri, changedKeys);
  }

  private goSourceFor(previous: FileState | undefined, text: string, changes: readonly ContentChange[] | undefined): GoSource {
    const old = previous?.go;
    if (old && changes && changes.length > 0) {
      // Keep the old tree so the parse after these edits is incremental.
      previous.go = undefined;
      for (const change of changes) old.applyEdit(change.range.start, change.range.end, change.text);
      if (old.text === text) return old;
      this.logger.warn(`incremental edits diverged from the document text; re-parsing in full`);
      old.replaceText(text);
      return old;
    }
    if (old) {
      previous.go = undefined;
      old.replaceText(text);
      return old;
    }
    return new GoSource(this.goParser, text);
  }

  removeFile(uri: string): string[] {
    const state = this.files.get(uri);
    if (!state) return [];
    state.go?.dispose();
    if (state.input === 'ts') this.tsProject.remove(pathForTs(uri));
    this.files.delete(uri);
    this.manifests.removeFile(uri);
    this.dependencies.delete(uri);
    return this.dependents(uri, new Set([...dependencyKeysOf(state.yaml), ...this.goModules.removeFile(uri)]));
  }

  private dependents(uri: string, changedKeys: ReadonlySet<string>): string[] {
    for (const listener of this.changeListeners) listener(uri, changedKeys);
    if (changedKeys.size === 0) return [];
    const result: string[] = [];
    for (const [other, keys] of this.dependencies) {
      if (other === uri) continue;
      for (const key of keys) {
        if (changedKeys.has(key)) {
          result.push(other);
          break;
        }
      }
    }
    return result;
  }

  analyze(uri: string, settings: RuleSettings = {}, isCancelled: () => boolean = () => false): AnalysisResult {
    const state = this.files.get(uri);
    if (!state) return { findings: [], cancelled: false };
    if (state.skipped) return { findings: [], skipped: state.skipped, cancelled: false };
    const findings: Finding[] = [];
    const view = new WorkspaceView(this.manifests, this.goModules);
    const rules = this.rules.filter((rule) => rule.input === state.input && (!settings.only || settings.only.has(rule.id)));
    let cancelled = false;
    let goFile: GoFile | undefined;
    const prepared = {
      go: (source: GoSource): GoFile => {
        if (!goFile) {
          const root = source.syntaxTree().rootNode;
          let functions: FunctionIndex | undefined;
          goFile = {
            source,
            root,
            imports: new GoImports(root),
            get functions() {
              functions ??= new FunctionIndex(root);
              return functions;
            },
          };
        }
        return goFile;
      },
    };
    for (const rule of rules) {
      if (isCancelled()) {
        cancelled = true;
        break;
      }
      const severity = this.severityFor(rule, settings);
      if (!severity) continue;
      try {
        this.runRule(rule, state, view, severity, findings, prepared);
      } catch (error) {
        const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
        this.logger.error(`rule ${rule.id} failed on ${uri}; other rules still ran.\n${detail}`);
      }
    }
    this.dependencies.set(uri, view.dependencies);
    findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    return { findings, cancelled };
  }

  private severityFor(rule: Rule, settings: RuleSettings): Severity | undefined {
    const setting = settings.severity?.(rule.id);
    if (setting === 'off') return undefined;
    if (!setting || setting === 'default') return rule.defaultSeverity;
    return setting;
  }

  private runRule(
    rule: Rule,
    state: FileState,
    view: WorkspaceView,
    severity: Severity,
    findings: Finding[],
    prepared: { go(source: GoSource): GoFile },
  ): void {
    const uri = state.uri;
    const makeReporter = (resource: ResourceRef | undefined, suppressed: (start: Position) => boolean) => (report: Report) => {
      if (suppressed(report.range.start)) return;
      findings.push({
        ruleId: rule.id,
        severity,
        message: report.message,
        uri,
        range: report.range,
        fixes: report.fixes ?? [],
        related: report.related ?? [],
        resource,
      });
    };
    if (state.yaml) {
      const file = state.yaml;
      const byComment = (start: Position) => isSuppressedByComment(file.lines, start.line, rule.id);
      if (isYamlFileRule(rule)) {
        rule.check({ uri, workspace: view, file, report: makeReporter(undefined, byComment) });
        return;
      }
      if (rule.input !== 'yaml') return;
      const codes = [rule.id, ...Object.values(rule.equivalents)];
      for (const manifest of file.manifests) {
        if (!rule.kinds.includes(manifest.kind)) continue;
        if (isSuppressedByAnnotation(manifest.annotations, codes)) continue;
        rule.check({ uri, workspace: view, manifest, report: makeReporter(manifest.ref, byComment) });
      }
      return;
    }
    if (state.go && rule.input === 'go') {
      const source = state.go;
      const file = prepared.go(source);
      rule.check({ uri, workspace: view, file, report: makeReporter(undefined, (start) => isSuppressedByComment(source.lines, start.line, rule.id)) });
      return;
    }
    if (state.tsText !== undefined && rule.input === 'ts') {
      state.ts ??= this.tsProject.parse(pathForTs(uri), state.tsText);
      const file = state.ts;
      rule.check({ uri, workspace: view, file, report: makeReporter(undefined, (start) => isSuppressedByComment(file.lines, start.line, rule.id)) });
    }
  }

  /** A read side of the workspace index for features other than rules (routing preview, lenses). */
  workspaceView(): WorkspaceView {
    return new WorkspaceView(this.manifests, this.goModules);
  }

  /** The parsed manifests of a YAML file. */
  manifestFile(uri: string): ManifestFile | undefined {
    return this.files.get(uri)?.yaml;
  }

  /** Called after every file change with the dependency keys it touched (before and after). */
  onDidChangeFile(listener: (uri: string, changedKeys: ReadonlySet<string>) => void): void {
    this.changeListeners.push(listener);
  }

  /** Parse counts of a Go file, for tests and benchmarks. */
  goParseCounts(uri: string): { full: number; incremental: number } | undefined {
    return this.files.get(uri)?.go?.parses;
  }

  /** The objects a YAML file holds, for fronts that show resources (SARIF logical locations). */
  manifestsOf(uri: string): readonly Manifest[] {
    return this.files.get(uri)?.yaml?.manifests ?? [];
  }
}
