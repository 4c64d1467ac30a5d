#!/usr/bin/env bash
# The main job on the bundled example: builds meshlens, runs `meshlens check` on examples/, then
# starts VS Code in the browser (code-server) with the extension installed and a scratch copy of
# examples/ open, and prints the URL. Ctrl+C stops it. Installs what it needs first.
#
#   MESHLENS_DEMO_PORT=8080   port to serve on (127.0.0.1 only)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO="$PWD"

bash scripts/setup.sh
bash scripts/install-e2e-deps.sh
npm run --silent package

echo
echo "== meshlens check examples/"
status=0
node dist/cli.js check examples || status=$?
[ "$status" -le 1 ] || exit "$status"   # 1 = findings, as expected: the example has mistakes on purpose

DEMO="$REPO/.cache/demo"
WORKSPACE="$DEMO/workspace/examples"
rm -rf "$DEMO"
mkdir -p "$DEMO/extensions" "$DEMO/user-data/User" "$(dirname "$WORKSPACE")"
# A scratch copy, so quick fixes tried in the demo leave the repository alone.
cp -R examples "$WORKSPACE"
printf '{\n  "workbench.startupEditor": "none",\n  "telemetry.telemetryLevel": "off"\n}\n' > "$DEMO/user-data/User/settings.json"
printf 'auth: none\ncert: false\n' > "$DEMO/config.yaml"

CODE_SERVER="$REPO/.cache/code-server/node_modules/code-server/out/node/entry.js"
export XDG_CONFIG_HOME="$DEMO/xdg-config" XDG_DATA_HOME="$DEMO/xdg-data"
node "$CODE_SERVER" --config "$DEMO/config.yaml" --extensions-dir "$DEMO/extensions" --user-data-dir "$DEMO/user-data" \
  --install-extension out/meshlens.vsix >/dev/null

PORT="${MESHLENS_DEMO_PORT:-8080}"
echo
echo "== VS Code with meshlens on examples/: http://127.0.0.1:$PORT/?folder=$WORKSPACE"
echo "   (Ctrl+C to stop)"
# The example shop with a little traffic; its spans go to 127.0.0.1:4318, the embedded receiver the
# extension starts, so the traces view fills without set-up. Stopped with the demo.
bash scripts/run-example-services.sh >"$DEMO/example-services.log" 2>&1 &
EXAMPLE_SERVICES=$!
trap 'kill -TERM "$EXAMPLE_SERVICES" 2>/dev/null || true; wait "$EXAMPLE_SERVICES" 2>/dev/null || true' EXIT
echo "   example services: frontend on http://127.0.0.1:18080, log in $DEMO/example-services.log"
node "$CODE_SERVER" --config "$DEMO/config.yaml" --auth none --bind-addr "127.0.0.1:$PORT" \
  --extensions-dir "$DEMO/extensions" --user-data-dir "$DEMO/user-data" \
  --disable-telemetry --disable-update-check --disable-workspace-trust "$WORKSPACE"
