#!/usr/bin/env bash
# Runs the demo hub: installs the build dependencies if missing, then
# "vigie demo" (a hub on a fresh embedded store with a demo coalition).
# Arguments go to "vigie demo", e.g. scripts/demo.sh --addr 127.0.0.1:9000
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec go run ./cmd/vigie demo "$@"
