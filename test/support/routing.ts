import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManifestIndex, WorkspaceView } from '../../server/src/core/workspace';
import { parseManifestFile } from '../../server/src/core/yaml/manifest';
import { REPO } from './fixtures';

/** A workspace index over in-memory files (`name` → YAML text). */
export function workspaceOf(files: Record<string, string>): { view: WorkspaceView; index: ManifestIndex; uri: (name: string) => string } {
  const index = new ManifestIndex();
  const uri = (name: string) => `file:///ws/${name}`;
  for (const [name, text] of Object.entries(files)) index.setFile(parseManifestFile(uri(name), text));
  return { view: new WorkspaceView(index), index, uri };
}

/** The YAML of examples/k8s (the example shop) as a workspace index. */
export function examplesWorkspace(): WorkspaceView {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry.name)) files[path.relative(path.join(REPO, 'examples'), full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(path.join(REPO, 'examples', 'k8s'));
  return workspaceOf(files).view;
}

