#!/bin/sh
# run.sh times "vigie sbom check" and osv-scanner's offline mode on the same
# SBOM and the same advisories, and prints each run and the medians.
# Run it from the repository root; see bench/sbom/README.md.
#
#   bench/sbom/run.sh [RUNS]
#
# DATA (default /tmp/vigie-sbom-bench) holds the generated inputs, the
# vigie binary and vigie's advisory index; OSV_SCANNER names the
# osv-scanner binary (default: osv-scanner on PATH).
set -eu
RUNS=${1:-5}
DATA=${DATA:-/tmp/vigie-sbom-bench}
OSV_SCANNER=${OSV_SCANNER:-osv-scanner}
GOVULNDB=${GOVULNDB:-../shared/testdata/osv/golang-vulndb/data/osv}

mkdir -p "$DATA"
go build -o "$DATA/vigie" ./cmd/vigie
if [ ! -f "$DATA/bom.cdx.json" ]; then
	go run ./bench/sbom/gen -out "$DATA" -govulndb "$GOVULNDB"
fi

# measure NAME CMD...: runs CMD under /usr/bin/time and prints NAME,
# seconds and peak resident memory in MB.
measure() {
	name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$DATA/time.txt" "$@" >"$DATA/$name.out" 2>"$DATA/$name.err" || true
	tail -n 1 "$DATA/time.txt" | awk -v n="$name" '{printf "%s %s %.0f\n", n, $1, $2/1024}'
}

: >"$DATA/runs.txt"
for i in $(seq "$RUNS"); do
	rm -rf "$DATA/cache"
	for run in cold warm; do
		measure vigie-$run "$DATA/vigie" sbom check "$DATA/bom.cdx.json" --advisories "$DATA/osv/osv-scalibr" \
			--format json --cache-dir "$DATA/cache" >>"$DATA/runs.txt"
	done
	measure vigie-noindex "$DATA/vigie" sbom check "$DATA/bom.cdx.json" --advisories "$DATA/osv/osv-scalibr" \
		--format json --cache-dir "" >>"$DATA/runs.txt"
	OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY="$DATA/osv" measure osv-scanner \
		"$OSV_SCANNER" scan source --offline --offline-vulnerabilities -L "$DATA/bom.cdx.json" --format json --all-vulns \
		>>"$DATA/runs.txt"
done
cat "$DATA/runs.txt"
echo "tool median-seconds median-peak-MB (of $RUNS runs)"
for tool in vigie-cold vigie-warm vigie-noindex osv-scanner; do
	s=$(awk -v t="$tool" '$1 == t {print $2}' "$DATA/runs.txt" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	m=$(awk -v t="$tool" '$1 == t {print $3}' "$DATA/runs.txt" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	echo "$tool $s $m"
done
