import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { Analyzer } from '../../server/src/core/analyzer';
import { collectFiles, DEFAULT_EXCLUDED_DIRS, readText } from '../../server/src/core/files';
import { applyFixes } from '../../server/src/core/fixes';
import type { Finding } from '../../server/src/core/types';
import { ALL_RULES } from '../../server/src/rules/registry';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const FIXTURES = path.join(REPO, 'test', 'fixtures');

/** A fixture case is a folder: a small workspace, with an optional `golden/` folder of fixed files. */
export function fixtureCases(): string[] {
  return fs
    .readdirSync(FIXTURES)
    .filter((name) => fs.statSync(path.join(FIXTURES, name)).isDirectory())
    .sort();
}

export interface Want {
  file: string;
  line: number;
  ruleId: string;
  message?: RegExp;
}

/**
 * `want RULE` (optionally followed by `"regex"` for the message) in a comment at the end of a
 * line says that RULE reports a finding starting on that line.
 */
const WANT = /(?:\/\/|#|\/\*)\s*want\s+(.*)$/;
const WANT_ITEM = /([a-z0-9-]+)(?:\s+"((?:[^"\\]|\\.)*)")?/g;

export function wantsIn(relativePath: string, text: string): Want[] {
  const wants: Want[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const match = WANT.exec(line);
    if (!match) return;
    for (const item of match[1].matchAll(WANT_ITEM)) {
      wants.push({ file: relativePath, line: index, ruleId: item[1], message: item[2] ? new RegExp(item[2]) : undefined });
    }
  });
  return wants;
}

export interface LoadedCase {
  dir: string;
  analyzer: Analyzer;
  files: string[];
  uriOf(relativePath: string): string;
  relative(uri: string): string;
  findings: Finding[];
  wants: Want[];
}

export async function loadCase(name: string): Promise<LoadedCase> {
  const dir = path.join(FIXTURES, name);
  const excluded = new Set([...DEFAULT_EXCLUDED_DIRS, 'golden']);
  const files = collectFiles([dir], excluded);
  const analyzer = await Analyzer.create({ rules: ALL_RULES });
  const uris = files.map((file) => pathToFileURL(file).href);
  files.forEach((file, i) => analyzer.setFile(uris[i], readText(file)));
  const relative = (uri: string) => path.relative(dir, new URL(uri).pathname).split(path.sep).join('/');
  const findings = uris.flatMap((uri) => analyzer.analyze(uri).findings);
  const wants = files.flatMap((file) => wantsIn(path.relative(dir, file).split(path.sep).join('/'), readText(file)));
  return { dir, analyzer, files, uriOf: (rel) => pathToFileURL(path.join(dir, rel)).href, relative, findings, wants };
}

/** Applies the first fix of every finding; returns the changed files by relative path. */
export function fixedFiles(loaded: LoadedCase): Map<string, string> {
  const { texts } = applyFixes(loaded.findings, (uri) => loaded.analyzer.text(uri), false);
  return new Map([...texts].map(([uri, text]) => [loaded.relative(uri), text]));
}

export function goldenFiles(dir: string): Map<string, string> {
  const golden = path.join(dir, 'golden');
  const result = new Map<string, string>();
  if (!fs.existsSync(golden)) return result;
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current)) {
      const full = path.join(current, entry);
      if (fs.statSync(full).isDirectory()) walk(full);
      else result.set(path.relative(golden, full).split(path.sep).join('/'), readText(full));
    }
  };
  walk(golden);
  return result;
}

/** Copies a case (without golden/) to a temporary folder and overlays the given files. */
export function materialize(dir: string, overlay: Map<string, string>, target: string): void {
  fs.cpSync(dir, target, { recursive: true, filter: (source) => path.basename(source) !== 'golden' });
  for (const [relativePath, text] of overlay) fs.writeFileSync(path.join(target, relativePath), text);
}
