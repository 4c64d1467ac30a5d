#!/usr/bin/env bash
# Runs every test: core (annotated fixtures, fixes that compile), the language server over stdio,
# the CLI on examples/, and the packaged extension in real VS Code (code-server + Chromium).
# Installs what it needs first (npm packages, Go modules, Debian packages, code-server).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
bash scripts/install-e2e-deps.sh
bash scripts/install-jaeger.sh
npx tsc -p .
npm run --silent package
rm -rf test-results
shopt -s globstar
node --test --test-reporter=spec out/test/**/*.test.js test/e2e/**/*.test.mjs
