#!/usr/bin/env bash
# Builds vigie and puts it on the PATH: installs the build dependencies if
# missing (scripts/setup.sh), builds ./cmd/vigie, and installs the binary
# into $PREFIX/bin (default /usr/local/bin, with sudo when needed) or, with
# --gobin, into $GOBIN (else $(go env GOPATH)/bin) as "go install" does.
# Usage: scripts/install.sh [--gobin] [--noyara]
#   --noyara  a pure-Go binary without the YARA engine (no libyara needed)
set -euo pipefail
cd "$(dirname "$0")/.."

gobin=false
tags=()
for arg in "$@"; do
	case "$arg" in
	--gobin) gobin=true ;;
	--noyara) tags=(-tags noyara) ;;
	*)
		echo "install: unknown argument $arg (want --gobin, --noyara)" >&2
		exit 2
		;;
	esac
done

if [ ${#tags[@]} -eq 0 ]; then
	scripts/setup.sh
fi

if $gobin; then
	echo "install: go install${tags[*]:+ ${tags[*]}} ./cmd/vigie; the first build takes a minute or two" >&2
	go install "${tags[@]}" ./cmd/vigie
	dest="$(go env GOBIN)"
	[ -n "$dest" ] || dest="$(go env GOPATH)/bin"
	echo "install: installed $dest/vigie" >&2
	case ":$PATH:" in
	*":$dest:"*) ;;
	*) echo "install: $dest is not on your PATH; add it, e.g. export PATH=\"\$PATH:$dest\"" >&2 ;;
	esac
	exit 0
fi

dest="${PREFIX:-/usr/local}/bin"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "install: building vigie${tags[*]:+ (${tags[*]})}; the first build takes a minute or two" >&2
go build "${tags[@]}" -trimpath -o "$tmp/vigie" ./cmd/vigie
sudo=""
if [ ! -w "$dest" ] && [ "$(id -u)" != 0 ]; then
	sudo="sudo"
fi
$sudo install -d "$dest"
$sudo install -m 0755 "$tmp/vigie" "$dest/vigie"
echo "install: installed $dest/vigie" >&2
"$dest/vigie" version
