import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, REPO, fixedFiles, fixtureCases, loadCase, materialize } from '../support/fixtures';

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' } });
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${failure.stdout ?? ''}${failure.stderr ?? ''}`);
  }
}

/** Fixed fixture projects must still build: the quick fixes produce real, compiling code. */
describe('fixed code compiles', () => {
  for (const name of fixtureCases()) {
    const dir = path.join(FIXTURES, name);
    if (!fs.existsSync(path.join(dir, 'golden'))) continue;
    if (fs.existsSync(path.join(dir, 'go.mod'))) {
      it(`${name}: go build, go vet and gofmt pass after the fixes`, async () => {
        const target = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-go-'));
        materialize(dir, fixedFiles(await loadCase(name)), target);
        run('go', ['build', './...'], target);
        run('go', ['vet', './...'], target);
        assert.equal(run('gofmt', ['-l', '.'], target), '', 'gofmt -l lists no file');
        fs.rmSync(target, { recursive: true, force: true });
      });
    }
    if (fs.existsSync(path.join(dir, 'tsconfig.json'))) {
      it(`${name}: tsc --noEmit passes against the real @opentelemetry/api after the fixes`, async () => {
        const target = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlens-ts-'));
        materialize(dir, fixedFiles(await loadCase(name)), target);
        fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(target, 'node_modules'));
        run(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], target);
        fs.rmSync(target, { recursive: true, force: true });
      });
    }
  }
});
