#!/usr/bin/env bash
# Runs the demo hub: installs the build dependencies if missing, builds
# vigie, then runs "vigie demo" (a hub on a fresh embedded store with a demo
# coalition, in a temporary directory removed when the demo stops).
# Arguments go to "vigie demo", e.g. scripts/demo.sh --addr 127.0.0.1:9000
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

bin=$(mktemp -d "${TMPDIR:-/tmp}/vigie-demo-bin-XXXXXX")
# The binary goes on every way out; "vigie demo" removes its own data.
trap 'rm -rf "$bin"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "demo: building vigie (the first build takes a minute or two, later ones a few seconds)..." >&2
go build -o "$bin/vigie" ./cmd/vigie
echo "demo: starting the demo hub" >&2
"$bin/vigie" demo "$@"
