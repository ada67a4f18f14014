#!/usr/bin/env bash
# Installs what building and testing vigie needs beyond Go and gcc, from
# Debian's packages, if it is missing. Safe to run again: it does nothing
# when everything is there.
#
# Needed: libyara (the YARA engine used by "vigie scan", through cgo) and
# pkg-config.
# Optional, for tests only (each skips, saying so, without its tool; a
# failure to install them is reported, never fatal):
#   curl               scripts/federation-demo.sh talks TAXII with it
#   postgresql-client  pg_dump/pg_restore, for the PostgreSQL backup test
#   unbound            the resolver the RPZ export is tested against
#                      (VIGIE_NO_UNBOUND=1 leaves it out: the package
#                      starts a local resolver service)
#   tlsh-tools, ssdeep the reference fuzzy-hash tools fuzzyhash/ is
#                      checked against
#   python3-pefile     the imphash reference triage/ is checked against
#   chromium           the browser the dashboard tests drive
#                      (VIGIE_NO_BROWSER=1 leaves it out)
set -euo pipefail

need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if ! pkg-config --exists yara 2>/dev/null; then
	need+=(libyara-dev)
fi

optional=()
command -v curl >/dev/null 2>&1 || optional+=(curl)
command -v pg_dump >/dev/null 2>&1 || optional+=(postgresql-client)
if [ "${VIGIE_NO_UNBOUND:-}" != 1 ]; then
	command -v unbound >/dev/null 2>&1 || [ -x /usr/sbin/unbound ] || optional+=(unbound)
fi
command -v tlsh >/dev/null 2>&1 || optional+=(tlsh-tools)
command -v ssdeep >/dev/null 2>&1 || optional+=(ssdeep)
/usr/bin/python3 -c 'import pefile' >/dev/null 2>&1 || optional+=(python3-pefile)
if [ "${VIGIE_NO_BROWSER:-}" != 1 ]; then
	command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || optional+=(chromium)
fi

if [ ${#need[@]} -eq 0 ] && [ ${#optional[@]} -eq 0 ]; then
	exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
	sudo="sudo"
fi
install() {
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
if ! $sudo apt-get update -qq; then
	[ ${#need[@]} -eq 0 ] || { echo "setup: apt-get update failed; cannot install ${need[*]}" >&2; exit 1; }
	echo "setup: apt-get update failed; the tests that need ${optional[*]} will skip" >&2
	exit 0
fi
if [ ${#need[@]} -gt 0 ]; then
	echo "setup: installing ${need[*]} (Debian packages)" >&2
	install "${need[@]}"
fi
if [ ${#optional[@]} -gt 0 ]; then
	echo "setup: installing ${optional[*]} (optional Debian packages, for tests)" >&2
	# One at a time, so that one package missing from the mirror does not
	# keep the others out.
	for pkg in "${optional[@]}"; do
		install "$pkg" || echo "setup: could not install $pkg; the tests that need it will skip" >&2
	done
fi
