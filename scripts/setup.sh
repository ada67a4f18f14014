#!/usr/bin/env bash
# Installs what building vigie needs beyond Go and gcc, if it is missing:
# libyara (the YARA engine used by "vigie scan", through cgo) and pkg-config.
# Safe to run again: it does nothing when everything is there.
set -euo pipefail

need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if ! pkg-config --exists yara 2>/dev/null; then
	need+=(libyara-dev)
fi
# Optional, for tests only (they skip, saying so, without them): the
# reference fuzzy-hash tools that fuzzyhash/ is checked against, and pefile,
# which triage/'s imphash is checked against. A failure to install them is
# reported, never fatal.
opt=()
command -v tlsh >/dev/null 2>&1 || opt+=(tlsh-tools)
command -v ssdeep >/dev/null 2>&1 || opt+=(ssdeep)
/usr/bin/python3 -c 'import pefile' >/dev/null 2>&1 || opt+=(python3-pefile)
if [ ${#need[@]} -eq 0 ] && [ ${#opt[@]} -eq 0 ]; then
	exit 0
fi
echo "setup: installing ${need[*]} ${opt[*]} (Debian packages)" >&2
sudo=""
if [ "$(id -u)" != 0 ]; then
	sudo="sudo"
fi
$sudo apt-get update -qq || [ ${#need[@]} -eq 0 ]
if [ ${#need[@]} -gt 0 ]; then
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ${#opt[@]} -gt 0 ]; then
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${opt[@]}" >/dev/null ||
		echo "setup: could not install ${opt[*]} (optional: the tests that compare with them skip)" >&2
fi
