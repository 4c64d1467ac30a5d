import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';

/** What one Go file contributes to its module's OpenTelemetry setup. */
interface GoFileFacts {
  module: string;
  setsTracerProvider: boolean;
  setsPropagator: boolean;
}

/** What a module as a whole does, for rules that depend on other files of it. */
export interface GoModuleFacts {
  /** The folder holding go.mod (or '' when no go.mod is known). */
  module: string;
  /** Some file of the module calls `SetTracerProvider`: the module sets up OpenTelemetry. */
  setsUpTracing: boolean;
  /** Some file of the module calls `SetTextMapPropagator`. */
  setsPropagator: boolean;
}

/** The dependency key a rule records when it reads a module's facts. */
export function goModuleKey(module: string): string {
  return `go-module:${module}`;
}

const TRACER_PROVIDER = /\bSetTracerProvider\s*\(/;
const PROPAGATOR = /\bSetTextMapPropagator\s*\(/;
const LINE_COMMENT = /\/\/.*$/gm;

/**
 * Module-level facts of the Go workspace, by the folder of the nearest go.mod. Each file's facts
 * come from a text search when the file is set (no tree needed); the module's answer is kept as
 * counts, so a keystroke costs one search of one file, never a pass over the module.
 */
export class GoModuleIndex {
  private readonly files = new Map<string, GoFileFacts>();
  private readonly counts = new Map<string, { tracerProvider: number; propagator: number }>();
  private readonly moduleByDir = new Map<string, string>();

  /** Records a file's facts; returns the dependency keys whose answer may have changed. */
  setFile(uri: string, text: string): string[] {
    const code = text.replace(LINE_COMMENT, '');
    const next: GoFileFacts = { module: this.moduleOf(uri), setsTracerProvider: TRACER_PROVIDER.test(code), setsPropagator: PROPAGATOR.test(code) };
    const previous = this.files.get(uri);
    if (previous && previous.module === next.module && previous.setsTracerProvider === next.setsTracerProvider && previous.setsPropagator === next.setsPropagator) return [];
    if (previous) this.count(previous, -1);
    this.count(next, 1);
    this.files.set(uri, next);
    const keys = new Set([goModuleKey(next.module)]);
    if (previous) keys.add(goModuleKey(previous.module));
    return [...keys];
  }

  removeFile(uri: string): string[] {
    const previous = this.files.get(uri);
    if (!previous) return [];
    this.count(previous, -1);
    this.files.delete(uri);
    return [goModuleKey(previous.module)];
  }

  factsFor(uri: string): GoModuleFacts {
    const module = this.files.get(uri)?.module ?? this.moduleOf(uri);
    const counts = this.counts.get(module);
    return { module, setsUpTracing: (counts?.tracerProvider ?? 0) > 0, setsPropagator: (counts?.propagator ?? 0) > 0 };
  }

  private count(facts: GoFileFacts, delta: number): void {
    const counts = this.counts.get(facts.module) ?? { tracerProvider: 0, propagator: 0 };
    if (facts.setsTracerProvider) counts.tracerProvider += delta;
    if (facts.setsPropagator) counts.propagator += delta;
    this.counts.set(facts.module, counts);
  }

  /**
   * The folder of the nearest go.mod above a file: URI, looked up on disk once per folder. Files
   * with no go.mod above them (or not on disk) share one module '', which can only make a
   * module-level rule find more of the setup and so report less.
   */
  private moduleOf(uri: string): string {
    if (!uri.startsWith('file:')) return '';
    let dir: string;
    try {
      dir = path.dirname(fileURLToPath(uri));
    } catch {
      return '';
    }
    const visited: string[] = [];
    let module = '';
    for (let current = dir; ; current = path.dirname(current)) {
      const known = this.moduleByDir.get(current);
      if (known !== undefined) {
        module = known;
        break;
      }
      visited.push(current);
      if (fs.existsSync(path.join(current, 'go.mod'))) {
        module = current;
        break;
      }
      if (path.dirname(current) === current) break;
    }
    for (const folder of visited) this.moduleByDir.set(folder, module);
    return module;
  }
}
