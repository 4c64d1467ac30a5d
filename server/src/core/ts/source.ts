import type * as TsMorph from 'ts-morph';
import { LineIndex } from '../text';

export type TsMorphModule = typeof TsMorph;

let tsMorph: TsMorphModule | undefined;

/** ts-morph carries the whole TypeScript compiler: load it only when a TS/JS file shows up. */
export function loadTsMorph(): TsMorphModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose, see above
  tsMorph ??= require('ts-morph') as TsMorphModule;
  return tsMorph;
}

export interface TsFile {
  readonly sourceFile: TsMorph.SourceFile;
  readonly lines: LineIndex;
  readonly morph: TsMorphModule;
}

const SCRIPT_KINDS: Record<string, 'TS' | 'TSX' | 'JS' | 'JSX'> = {
  '.ts': 'TS',
  '.mts': 'TS',
  '.cts': 'TS',
  '.tsx': 'TSX',
  '.js': 'JS',
  '.mjs': 'JS',
  '.cjs': 'JS',
  '.jsx': 'JSX',
};

export function isTsPath(path: string): boolean {
  const dot = path.lastIndexOf('.');
  return dot >= 0 && path.slice(dot).toLowerCase() in SCRIPT_KINDS;
}

/**
 * One in-memory ts-morph project per analyzer. Files are parsed on demand and only syntax
 * (plus symbols resolvable within the file) is used, so an edit costs one file's parse.
 */
export class TsProject {
  private project: TsMorph.Project | undefined;

  private ensureProject(): TsMorph.Project {
    if (!this.project) {
      const morph = loadTsMorph();
      this.project = new morph.Project({
        useInMemoryFileSystem: true,
        skipLoadingLibFiles: true,
        compilerOptions: { allowJs: true, checkJs: false, noResolve: true, jsx: morph.ts.JsxEmit.Preserve },
      });
    }
    return this.project;
  }

  parse(path: string, text: string): TsFile {
    const project = this.ensureProject();
    const morph = loadTsMorph();
    const dot = path.lastIndexOf('.');
    const kind = SCRIPT_KINDS[path.slice(dot).toLowerCase()] ?? 'TS';
    const sourceFile = project.createSourceFile(path, text, { overwrite: true, scriptKind: morph.ts.ScriptKind[kind] });
    return { sourceFile, lines: new LineIndex(text), morph };
  }

  remove(path: string): void {
    const sourceFile = this.project?.getSourceFile(path);
    if (sourceFile) this.project?.removeSourceFile(sourceFile);
  }
}
