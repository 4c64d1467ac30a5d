// Bundles the extension client, the language server and the CLI with esbuild, and copies the
// tree-sitter wasm files next to them. `--production` minifies and drops source maps.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const production = process.argv.includes('--production');
const dist = path.join(root, 'dist');
fs.mkdirSync(dist, { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  keepNames: true,
  logLevel: 'warning',
  absWorkingDir: root,
  external: ['vscode'],
  // web-tree-sitter's emscripten glue reads import.meta.url, which a CommonJS bundle lacks.
  define: { 'import.meta.url': '__meshlensModuleUrl' },
  banner: { js: "const __meshlensModuleUrl = require('url').pathToFileURL(__filename).href;" },
};

await Promise.all([
  // The client indexes Go files only (span to code): the TypeScript compiler that ts-morph carries
  // is never loaded there, so it stays out of the extension host's bundle.
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: [...common.external, 'ts-morph'] }),
  esbuild.build({ ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' }),
  esbuild.build({ ...common, entryPoints: ['server/src/cli/bin.ts'], outfile: 'dist/cli.js', banner: { js: `#!/usr/bin/env node\n${common.banner.js}` } }),
]);
fs.chmodSync(path.join(dist, 'cli.js'), 0o755);
for (const wasm of ['web-tree-sitter/web-tree-sitter.wasm', 'tree-sitter-go/tree-sitter-go.wasm']) {
  fs.copyFileSync(require.resolve(wasm), path.join(dist, path.basename(wasm)));
}
console.log(`built dist/ (${production ? 'production' : 'development'})`);
