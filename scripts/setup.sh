#!/usr/bin/env bash
# Installs the project's own dependencies: npm packages (from package-lock.json) and the Go
# modules of examples/ and the Go fixtures. Safe to re-run; skips what is already in place.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '[setup] %s\n' "$*"; }

command -v node >/dev/null || { log "Node.js 20 or newer is required"; exit 1; }
command -v go >/dev/null || { log "Go is required (examples/ and the Go fix checks build with it)"; exit 1; }

stamp=node_modules/.meshlens-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  log "npm ci"
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
else
  log "npm packages up to date"
fi

log "go mod download (examples/)"
(cd examples && GOFLAGS=-mod=mod go mod download)
