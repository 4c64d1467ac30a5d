import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { collectFiles } from '../../server/src/core/files';
import { ALL_RULES } from '../../server/src/rules/registry';
import { FIXTURES, REPO, wantsIn } from '../support/fixtures';

describe('rule registry', () => {
  it('has unique ids in kebab-case, one file per rule', () => {
    const ids = ALL_RULES.map((rule) => rule.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    const ruleFiles = collectFiles([path.join(REPO, 'server', 'src', 'rules')]).filter((file) => !file.endsWith('registry.ts') && !file.endsWith('index.ts'));
    assert.equal(ruleFiles.length, ALL_RULES.length, 'every rule file is registered');
  });

  it('documents every rule: what it does, why, and how to silence it', () => {
    for (const rule of ALL_RULES) {
      assert.match(rule.docs, /## What it does/, rule.id);
      assert.match(rule.docs, /## Why is this bad/, rule.id);
      assert.match(rule.docs, /## Fix/, rule.id);
      if (rule.id !== 'yaml-syntax') assert.ok(rule.docs.includes(rule.id), `${rule.id} docs name its escape hatch`);
    }
  });

  it('has an annotated fixture with at least one finding for every rule', () => {
    const wanted = new Set(collectFiles([FIXTURES], new Set(['golden'])).flatMap((file) => wantsIn(file, fs.readFileSync(file, 'utf8')).map((want) => want.ruleId)));
    for (const rule of ALL_RULES) assert.ok(wanted.has(rule.id), `no fixture wants ${rule.id}`);
  });

  it('keeps the generated settings and README catalog in step with the registry', () => {
    execFileSync(process.execPath, [path.join(REPO, 'out', 'scripts', 'generate.js'), '--check'], { stdio: 'pipe' });
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    for (const rule of ALL_RULES) assert.ok(manifest.contributes.configuration.properties[`meshlens.rules.${rule.id}`], rule.id);
  });
});
