#!/usr/bin/env bash
# Installs everything the end-to-end tier (test/e2e/) needs on a Debian machine:
#   - Debian packages: build deps of code-server's native modules, ripgrep, Chromium, fonts
#   - code-server (a full VS Code build from the npm registry) into <repo>/.cache/code-server
#
# Idempotent and non-interactive: steps that are already done are skipped.
# Works offline apart from the npm registry and Debian's package archive.
#
# Environment:
#   CODE_SERVER_DIR   where code-server is installed (default: <repo>/.cache/code-server)
#   E2E_SKIP_APT=1    do not touch Debian packages (e.g. they are preinstalled)
set -euo pipefail

START_SECONDS=$SECONDS
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# code-server 4.100.x bundles VS Code 1.100 and is the newest line that runs on Node 20.
CODE_SERVER_VERSION="4.100.3"
CODE_SERVER_DIR="${CODE_SERVER_DIR:-$REPO/.cache/code-server}"
# ripgrep version that @vscode/ripgrep@1.15.11 (nested in code-server) wants to download.
RG_PKG_VERSION="1.15.11"
RG_ASSET="ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"

export DEBIAN_FRONTEND=noninteractive

log() { printf '[install-e2e-deps] %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -E"; else
    log "not root and no sudo: Debian packages cannot be installed"; fi
fi

# ---------------------------------------------------------------- Debian packages
APT_PACKAGES=(
  # native modules of code-server / VS Code (kerberos, native-keymap, keytar, ...)
  libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev
  # VS Code's search uses ripgrep; Debian's binary also seeds the @vscode/ripgrep cache
  ripgrep
  # the browser that Playwright drives (never `npx playwright install`: no downloads here)
  chromium
  # readable text in screenshots
  fonts-liberation fonts-dejavu-core
  # to package the tarball for the ripgrep cache, and to probe the server
  tar gzip curl ca-certificates
)
# toolchain for node-gyp builds (present on most dev machines already)
command -v make >/dev/null 2>&1 || APT_PACKAGES+=(make)
command -v g++ >/dev/null 2>&1 || APT_PACKAGES+=(g++)
command -v python3 >/dev/null 2>&1 || APT_PACKAGES+=(python3)

if [ "${E2E_SKIP_APT:-0}" != "1" ]; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "apt: installing ${missing[*]}"
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    log "apt: all packages present"
  fi
fi

command -v rg >/dev/null 2>&1 || { log "ripgrep (rg) not found"; exit 1; }
[ -x /usr/bin/chromium ] || { log "/usr/bin/chromium not found"; exit 1; }

# ---------------------------------------------------------------- code-server
CS_PKG="$CODE_SERVER_DIR/node_modules/code-server"
CS_BIN="$CS_PKG/out/node/entry.js"
MARKER="$CODE_SERVER_DIR/.installed-$CODE_SERVER_VERSION"

installed_version() {
  node -p "require('$CS_PKG/package.json').version" 2>/dev/null || true
}

if [ -f "$MARKER" ] && [ "$(installed_version)" = "$CODE_SERVER_VERSION" ] \
   && [ -d "$CS_PKG/lib/vscode/node_modules" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in $CODE_SERVER_DIR"
else
  # @vscode/ripgrep's postinstall downloads ripgrep unless the archive is in its cache
  # (<os tmpdir>/vscode-ripgrep-cache-<version>/): seed it with Debian's rg.
  RG_CACHE="$(node -e 'console.log(require("os").tmpdir())')/vscode-ripgrep-cache-$RG_PKG_VERSION"
  if [ ! -s "$RG_CACHE/$RG_ASSET" ]; then
    log "seeding ripgrep cache $RG_CACHE"
    tmp="$(mktemp -d)"
    cp "$(command -v rg)" "$tmp/rg"
    mkdir -p "$RG_CACHE"
    tar czf "$RG_CACHE/$RG_ASSET" -C "$tmp" rg
    rm -rf "$tmp"
  fi

  log "installing code-server@$CODE_SERVER_VERSION into $CODE_SERVER_DIR"
  rm -rf "$CODE_SERVER_DIR"
  mkdir -p "$CODE_SERVER_DIR"
  # A package.json of its own, so the install never touches the repo's dependencies.
  cat > "$CODE_SERVER_DIR/package.json" <<'EOF'
{
  "name": "meshlens-e2e-code-server",
  "private": true,
  "description": "code-server (VS Code in the browser) for the end-to-end tests; installed by scripts/install-e2e-deps.sh"
}
EOF
  # Headers for node-gyp, so native builds never try to download them.
  if [ -z "${npm_config_nodedir:-}" ]; then
    nodedir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
    if [ -f "$nodedir/include/node/node.h" ]; then export npm_config_nodedir="$nodedir"; fi
  fi
  # Install scripts:
  #  - npm 11.1x blocks dependency install scripts unless allowed. code-server's postinstall
  #    runs *nested* `npm install`s in lib/vscode and lib/vscode/extensions (node-pty,
  #    @parcel/watcher, @vscode/spdlog, kerberos, ...), each a project of its own without an
  #    allowScripts policy; an allow-list (--allow-scripts / .npmrc) is exported to those
  #    nested runs as an env setting, which npm rejects in project-scoped installs. So the
  #    policy is bypassed for this one pinned install, via the environment so the nested
  #    installs inherit it. (Older npm versions ignore the unknown setting.)
  #  - npm_config_unsafe_perm: code-server's postinstall refuses to run as root unless it
  #    sees this (npm 11 no longer knows the setting; the script reads the variable itself).
  #  - npm_config_yes: node-pty's build runs `npx node-gyp` without a prompt.
  (
    cd "$CODE_SERVER_DIR"
    npm_config_dangerously_allow_all_scripts=true \
    npm_config_yes=true \
    npm_config_unsafe_perm=true \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false \
      npm install --prefix "$CODE_SERVER_DIR" --save-exact --no-audit --no-fund \
        "code-server@$CODE_SERVER_VERSION"
  )
  [ "$(installed_version)" = "$CODE_SERVER_VERSION" ] || { log "code-server install failed"; exit 1; }
  # The postinstall must have built the native modules; fail loudly if it was skipped.
  for f in lib/vscode/node_modules/node-pty/build/Release/pty.node \
           lib/vscode/node_modules/@vscode/ripgrep/bin/rg \
           lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node \
           lib/vscode/node_modules.asar; do
    if [ ! -e "$CS_PKG/$f" ]; then
      log "missing $CS_PKG/$f: code-server's install scripts did not run"; exit 1
    fi
  done
  touch "$MARKER"
fi

# ---------------------------------------------------------------- smoke check: it starts
port="$(node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
tmp="$(mktemp -d)"
log "checking that code-server starts (port $port)"
# (XDG_* and --config keep it from writing into ~/.config and ~/.local/share)
printf 'auth: none\n' > "$tmp/config.yaml"
XDG_CONFIG_HOME="$tmp/xdg-config" XDG_DATA_HOME="$tmp/xdg-data" \
setsid node "$CS_BIN" --config "$tmp/config.yaml" --auth none --bind-addr "127.0.0.1:$port" --user-data-dir "$tmp/user" \
  --extensions-dir "$tmp/ext" --disable-telemetry --disable-update-check "$tmp" \
  >"$tmp/out.log" 2>&1 &
cs_pid=$!
ok=0
for _ in $(seq 1 120); do
  # /healthz answers once the server is up; / renders the workbench page (loads VS Code's server)
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 \
     && curl -fsSL "http://127.0.0.1:$port/" 2>/dev/null | grep -q 'workbench'; then ok=1; break; fi
  kill -0 "$cs_pid" 2>/dev/null || break
  sleep 0.5
done
kill -- "-$cs_pid" 2>/dev/null || kill "$cs_pid" 2>/dev/null || true
wait "$cs_pid" 2>/dev/null || true
if [ "$ok" != 1 ]; then
  log "code-server did not answer on /healthz; its output:"; cat "$tmp/out.log"; rm -rf "$tmp"; exit 1
fi
rm -rf "$tmp"
log "code-server $CODE_SERVER_VERSION is ready: $CS_BIN"
log "done in $((SECONDS - START_SECONDS))s"
