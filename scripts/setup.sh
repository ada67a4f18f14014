#!/usr/bin/env bash
# Installs what building vigie needs beyond Go and gcc, if it is missing:
# libyara (the YARA engine used by "vigie scan", through cgo) and pkg-config;
# and, optionally, Debian's unbound, the resolver the RPZ export is tested
# against (the test skips without it; VIGIE_NO_UNBOUND=1 leaves it out: the
# package starts a local resolver service).
# Safe to run again: it does nothing when everything is there.
set -euo pipefail

need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v pg_dump >/dev/null 2>&1 || need+=(postgresql-client) # optional: the PostgreSQL backup test (pg_dump, pg_restore)
if ! pkg-config --exists yara 2>/dev/null; then
	need+=(libyara-dev)
fi
optional=()
if [ "${VIGIE_NO_UNBOUND:-}" != 1 ]; then
	command -v unbound >/dev/null 2>&1 || [ -x /usr/sbin/unbound ] || optional+=(unbound)
fi
if [ ${#need[@]} -eq 0 ] && [ ${#optional[@]} -eq 0 ]; then
	exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
	sudo="sudo"
fi
if [ ${#need[@]} -gt 0 ]; then
	echo "setup: installing ${need[*]} (Debian packages)" >&2
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ${#optional[@]} -gt 0 ]; then
	echo "setup: installing ${optional[*]} (optional Debian packages)" >&2
	{ [ ${#need[@]} -gt 0 ] || $sudo apt-get update -qq; } &&
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${optional[@]}" >/dev/null ||
		echo "setup: could not install ${optional[*]}; the tests that need it will skip" >&2
fi
