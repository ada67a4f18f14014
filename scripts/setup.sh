#!/usr/bin/env bash
# Installs what building vigie needs beyond Go and gcc, if it is missing:
# libyara (the YARA engine used by "vigie scan", through cgo) and pkg-config;
# and, optionally, chromium for the dashboard's browser tests (they skip
# without it; a failure to install it does not fail this script).
# Safe to run again: it does nothing when everything is there.
set -euo pipefail

need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if ! pkg-config --exists yara 2>/dev/null; then
	need+=(libyara-dev)
fi
optional=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || optional+=(chromium)
if [ ${#need[@]} -eq 0 ] && [ ${#optional[@]} -eq 0 ]; then
	exit 0
fi
echo "setup: installing ${need[*]} ${optional[*]} (Debian packages)" >&2
sudo=""
if [ "$(id -u)" != 0 ]; then
	sudo="sudo"
fi
$sudo apt-get update -qq || [ ${#need[@]} -eq 0 ]
if [ ${#need[@]} -gt 0 ]; then
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ${#optional[@]} -gt 0 ]; then
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${optional[@]}" >/dev/null ||
		echo "setup: could not install ${optional[*]}; the browser tests will skip" >&2
fi
