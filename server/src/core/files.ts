import * as fs from 'fs';
import * as path from 'path';
import { inputKindOf } from './analyzer';

/** Folders never worth reading: dependencies, build output, VCS data. */
export const DEFAULT_EXCLUDED_DIRS = new Set(['node_modules', '.git', 'vendor', 'dist', 'out', '.cache', 'testdata', 'test-results']);

/** Every file under the given paths that meshlens can analyze, sorted, as absolute paths. */
export function collectFiles(roots: readonly string[], excludedDirs: ReadonlySet<string> = DEFAULT_EXCLUDED_DIRS): string[] {
  const found = new Set<string>();
  const visit = (target: string, explicit: boolean) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(target);
    } catch {
      if (explicit) throw new Error(`no such file or directory: ${target}`);
      return;
    }
    if (stat.isDirectory()) {
      if (!explicit && excludedDirs.has(path.basename(target))) return;
      for (const entry of fs.readdirSync(target).sort()) visit(path.join(target, entry), false);
    } else if (stat.isFile() && (explicit || inputKindOf(target))) {
      if (inputKindOf(target)) found.add(path.resolve(target));
    }
  };
  for (const root of roots) visit(path.resolve(root), true);
  return [...found].sort();
}

/** Reads a file as UTF-8; undecodable bytes become U+FFFD rather than an error. */
export function readText(file: string): string {
  return fs.readFileSync(file).toString('utf8');
}
