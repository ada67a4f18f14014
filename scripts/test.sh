#!/usr/bin/env bash
# Runs every test of vigie: installs the build dependencies if missing,
# starts the local PostgreSQL if it is installed but stopped (the PostgreSQL
# tests skip, saying so, when there is none), then vets and tests all
# packages. Extra arguments go to "go test", e.g. scripts/test.sh -run TLP.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
	if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
		echo "test: starting PostgreSQL" >&2
		pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
		for _ in $(seq 1 30); do
			pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && break
			sleep 1
		done
	fi
fi

go vet ./...
go test -count=1 -timeout 20m "$@" ./...
