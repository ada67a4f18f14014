#!/usr/bin/env bash
# Soaks every Go fuzz target of vigie, one after the other, for a set time
# each (default 10m), and prints a table: package, target, time, result.
# Not run by CI: a run of all targets at 10 minutes takes about 7 hours.
#
#   scripts/fuzz-soak.sh                 every target, 10 minutes each
#   scripts/fuzz-soak.sh -t 30s          every target, 30 seconds each
#   scripts/fuzz-soak.sh -t 5m ./stix/   the targets of some packages
#   scripts/fuzz-soak.sh -s ...          also save the corpus each target grew
#                                        into its package's testdata/fuzz/
#
# A failing input is written by "go test" to testdata/fuzz/FuzzName/ of its
# package (commit it with the fix: it becomes a regression test); the run
# goes on with the next target and exits 1 at the end. -p sets the fuzzing
# workers (default 1, this machine is shared).
set -uo pipefail
cd "$(dirname "$0")/.."

fuzztime=10m
save=0
workers=1
while getopts "t:sp:" opt; do
	case $opt in
	t) fuzztime=$OPTARG ;;
	s) save=1 ;;
	p) workers=$OPTARG ;;
	*) sed -n '2,16p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
pkgs=("$@")
[ ${#pkgs[@]} -eq 0 ] && pkgs=(./...)

module=$(go list -m)
cache=$(go env GOCACHE)/fuzz
log=$(mktemp "${TMPDIR:-/tmp}/vigie-fuzz-XXXXXX.log")
results=()
failed=0
start_all=$(date +%s)
for pkg in $(go list "${pkgs[@]}"); do
	targets=$(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true)
	for target in $targets; do
		rel=${pkg#"$module"/}
		[ "$rel" = "$module" ] && rel=.
		echo "fuzz: $rel $target for $fuzztime" >&2
		t0=$(date +%s)
		if go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -parallel "$workers" "$pkg" >"$log" 2>&1; then
			result=ok
		else
			result="FAIL (see $rel/testdata/fuzz/$target/)"
			failed=1
			tail -n 20 "$log" >&2
		fi
		execs=$(grep -o 'execs: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
		results+=("$(printf '%-28s %-24s %6ss %12s  %s' "$rel" "$target" "$(($(date +%s) - t0))" "${execs:-?}" "$result")")
		if [ "$save" = 1 ] && [ -d "$cache/$pkg/$target" ]; then
			mkdir -p "$rel/testdata/fuzz/$target"
			cp -n "$cache/$pkg/$target"/* "$rel/testdata/fuzz/$target/" 2>/dev/null || true
		fi
	done
done
rm -f "$log"
printf '\n%-28s %-24s %7s %12s  %s\n' package target time execs result
printf '%s\n' "${results[@]}"
echo "fuzz: ${#results[@]} targets in $(($(date +%s) - start_all))s, $fuzztime each, $workers worker(s), $(date -u +%Y-%m-%dT%H:%MZ)"
exit $failed
