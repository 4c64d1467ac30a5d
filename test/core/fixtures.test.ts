import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedFiles, fixtureCases, goldenFiles, loadCase } from '../support/fixtures';

/** Every fixture case: each `want` is reported, nothing unwanted is, and fixes match the golden files. */
describe('annotated fixtures', () => {
  for (const name of fixtureCases()) {
    it(name, async () => {
      const loaded = await loadCase(name);
      const reported = loaded.findings.map((f) => ({ file: loaded.relative(f.uri), line: f.range.start.line, ruleId: f.ruleId, message: f.message }));
      const unmatched = [...reported];
      const missing: string[] = [];
      for (const want of loaded.wants) {
        const index = unmatched.findIndex((r) => r.file === want.file && r.line === want.line && r.ruleId === want.ruleId && (!want.message || want.message.test(r.message)));
        if (index < 0) missing.push(`${want.file}:${want.line + 1} ${want.ruleId}${want.message ? ` /${want.message.source}/` : ''}`);
        else unmatched.splice(index, 1);
      }
      assert.deepEqual(missing, [], `wanted but not reported:\n${missing.join('\n')}\nreported:\n${reported.map((r) => `${r.file}:${r.line + 1} ${r.ruleId}: ${r.message}`).join('\n')}`);
      assert.deepEqual(
        unmatched.map((r) => `${r.file}:${r.line + 1} ${r.ruleId}: ${r.message}`),
        [],
        'reported but not wanted',
      );
      const golden = goldenFiles(loaded.dir);
      if (golden.size === 0) return;
      const fixed = fixedFiles(loaded);
      assert.deepEqual([...fixed.keys()].sort(), [...golden.keys()].sort(), 'the fixes change exactly the files in golden/');
      for (const [file, text] of golden) assert.equal(fixed.get(file), text, `fixed ${file} differs from golden/${file}`);
    });
  }
});
