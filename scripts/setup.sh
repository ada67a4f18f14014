#!/usr/bin/env bash
# Installs what building vigie needs beyond Go and gcc, if it is missing:
# libyara (the YARA engine used by "vigie scan", through cgo) and pkg-config.
# Safe to run again: it does nothing when everything is there.
set -euo pipefail

need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v curl >/dev/null 2>&1 || need+=(curl) # scripts/federation-demo.sh talks TAXII with it
if ! pkg-config --exists yara 2>/dev/null; then
	need+=(libyara-dev)
fi
if [ ${#need[@]} -eq 0 ]; then
	exit 0
fi
echo "setup: installing ${need[*]} (Debian packages)" >&2
sudo=""
if [ "$(id -u)" != 0 ]; then
	sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
