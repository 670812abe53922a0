#!/usr/bin/env bash
# The headless-Chromium suite: builds cunyi, serves the demo data from a temporary
# SQLite file on a free local port, runs the node specs in specs/ against it (phone
# pages at 390×844, the approval queue at 1280×800), and stops the server.
# Screenshots go to target/browser/*.png. Exits non-zero on any failure.
#
#   tests/browser/run.sh            (needs /usr/bin/chromium and `npm ci` done here)
#   CHROMIUM=/path/to/chrome tests/browser/run.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export SCREENSHOTS=${SCREENSHOTS:-$root/target/browser}
mkdir -p "$SCREENSHOTS"

[ -x "$CHROMIUM" ] || { echo "browser suite: no chromium at $CHROMIUM (apt-get install -y chromium)" >&2; exit 1; }
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm ci --no-audit --no-fund)

(cd "$root" && cargo build --bin cunyi)
bin="$target/debug/cunyi"

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
export CUNYI_BASE_URL="http://127.0.0.1:$port"
# The demo's own secrets file goes beside its database; nothing from the caller's env.
env -u DATABASE_URL -u CUNYI_JWT_SECRET -u CUNYI_ID_KEY RUST_LOG=warn \
  "$bin" demo --database "$work/demo.db" --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!

for _ in $(seq 1 600); do
  if curl -fsS "$CUNYI_BASE_URL/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "browser suite: the demo server exited:" >&2; cat "$work/server.log" >&2; exit 1
  fi
  sleep 0.5
done
curl -fsS "$CUNYI_BASE_URL/healthz" >/dev/null || { echo "browser suite: /healthz never answered" >&2; cat "$work/server.log" >&2; exit 1; }

# The banner lists each demo account with the password made for this run.
password() { awk -v u="$1" '$1 == u { print $2; exit }' "$work/server.log"; }
export PW_DOCTOR=$(password demo-doctor) PW_COUNTY=$(password demo-county) \
  PW_INSTRUCTOR=$(password demo-instructor)
[ -n "$PW_DOCTOR" ] && [ -n "$PW_COUNTY" ] && [ -n "$PW_INSTRUCTOR" ] \
  || { echo "browser suite: no demo passwords in the banner" >&2; cat "$work/server.log" >&2; exit 1; }

cd "$here"
status=0
node --test --test-concurrency=1 specs/ || status=$?
if [ "$status" -ne 0 ]; then
  echo "browser suite failed; server log tail:" >&2
  tail -n 40 "$work/server.log" >&2
fi
exit "$status"
