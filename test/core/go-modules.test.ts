import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Analyzer } from '../../server/src/core/analyzer';
import { ALL_RULES } from '../../server/src/rules/registry';

const SETUP = `package main

import (
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func setup() {
	otel.SetTracerProvider(sdktrace.NewTracerProvider())
}
`;
const PROPAGATOR = `package main

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

func init() {
	otel.SetTextMapPropagator(propagation.TraceContext{})
}
`;

function moduleFolder(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `meshlens-${name}-`));
  fs.writeFileSync(path.join(dir, 'go.mod'), `module example.com/${name}\n\ngo 1.26.0\n`);
  return dir;
}

describe('Go module index', () => {
  it('re-checks the file that sets the TracerProvider when another file of its module gains or loses the propagator', async () => {
    const analyzer = await Analyzer.create({ rules: ALL_RULES });
    const dir = moduleFolder('shop');
    const setup = pathToFileURL(path.join(dir, 'telemetry.go')).href;
    const other = pathToFileURL(path.join(dir, 'propagation.go')).href;
    analyzer.setFile(setup, SETUP);
    assert.deepEqual(analyzer.analyze(setup).findings.map((f) => f.ruleId), ['go-no-global-propagator']);
    assert.deepEqual(analyzer.setFile(other, PROPAGATOR), [setup], 'adding the propagator re-checks the setup file');
    assert.deepEqual(analyzer.analyze(setup).findings, []);
    assert.deepEqual(analyzer.setFile(other, `${PROPAGATOR}// edited\n`), [], 'an edit that changes no module fact re-checks nothing');
    assert.deepEqual(analyzer.removeFile(other), [setup]);
    assert.equal(analyzer.analyze(setup).findings.length, 1);
  });

  it('keeps modules apart by their go.mod', async () => {
    const analyzer = await Analyzer.create({ rules: ALL_RULES });
    const first = moduleFolder('first');
    const second = moduleFolder('second');
    const setup = pathToFileURL(path.join(first, 'telemetry.go')).href;
    const elsewhere = pathToFileURL(path.join(second, 'internal', 'propagation.go')).href;
    analyzer.setFile(setup, SETUP);
    assert.deepEqual(analyzer.setFile(elsewhere, PROPAGATOR), []);
    assert.equal(analyzer.analyze(setup).findings.length, 1, 'a propagator in another module does not count');
  });
});
