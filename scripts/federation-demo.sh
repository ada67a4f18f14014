#!/usr/bin/env bash
# Federation demo: two hubs on loopback, peered with each other's admin
# commands. Hub B's CERT publishes a TLP:GREEN indicator and a TLP:AMBER
# one; hub A pulls from B: the GREEN one crosses within a second, with its
# origin organisation and hub, and the AMBER one does not. Then B deletes
# the GREEN one and A follows. Everything lives in a temporary directory,
# removed at the end (or on Ctrl-C).
#
#   scripts/federation-demo.sh                # ports 8081 (A) and 8082 (B)
#   PORT_A=9001 PORT_B=9002 scripts/federation-demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >&2

port_a=${PORT_A:-8081}
port_b=${PORT_B:-8082}
work=$(mktemp -d "${TMPDIR:-/tmp}/vigie-federation-demo-XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { printf '\n== %s\n' "$*"; }

echo "demo: building vigie..." >&2
go build -o "$work/vigie" ./cmd/vigie
v="$work/vigie"
a="$work/hub-a"
b="$work/hub-b"

say "hub B (country B's CERT): an organisation for hub A with a key of role peer"
"$v" admin --data "$b" init >/dev/null
org_b=$("$v" admin --data "$b" org add "CERT-B" --sector government-national --country BE)
"$v" admin --data "$b" hub operator CERT-B >/dev/null
"$v" admin --data "$b" org add "hub-A" >/dev/null
key_b=$("$v" admin --data "$b" key add --org CERT-B --role publisher | tail -n 1)
"$v" admin --data "$b" key add --org hub-A --role peer --name federation | tail -n 1 >"$work/peer.key"
chmod 600 "$work/peer.key"
"$v" admin --data "$b" community add coalition --member CERT-B,hub-A >/dev/null
coll_b=$("$v" admin --data "$b" collection add --root coalition --title Coalition --read community:coalition --write org:CERT-B)
"$v" admin --data "$b" hub show

say "hub A (country A's CERT): a collection its member Helios reads, fed by hub B"
"$v" admin --data "$a" init >/dev/null
"$v" admin --data "$a" org add "CERT-A" --country FR >/dev/null
"$v" admin --data "$a" hub operator CERT-A >/dev/null
"$v" admin --data "$a" org add "Helios" --sector energy --country FR >/dev/null
key_helios=$("$v" admin --data "$a" key add --org Helios --role reader | tail -n 1)
coll_a=$("$v" admin --data "$a" collection add --root coalition --title "From hub B" --read org:Helios --write none)
"$v" admin --data "$a" peer add hub-b --url "http://127.0.0.1:$port_b/coalition/" --key-file "$work/peer.key" \
	--remote-collection "$coll_b" --local-collection "$coll_a"

say "starting both hubs"
"$v" serve --data "$b" --addr "127.0.0.1:$port_b" --http 2>"$work/b.log" &
pids+=($!)
"$v" serve --data "$a" --addr "127.0.0.1:$port_a" --http 2>"$work/a.log" &
pids+=($!)
for port in "$port_a" "$port_b"; do
	for _ in $(seq 100); do
		curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
		sleep 0.1
	done
done

indicator() { # id marking name
	printf '{"type":"indicator","spec_version":"2.1","id":"%s","created":"2026-12-01T00:00:00.000Z","modified":"2026-12-01T00:00:00.000Z","created_by_ref":"%s","name":"%s","pattern":"[ipv4-addr:value = '"'"'203.0.113.9'"'"']","pattern_type":"stix","valid_from":"2026-12-01T00:00:00Z","object_marking_refs":["%s"]}' \
		"$1" "$org_b" "$3" "$2"
}
green_id=indicator--6a0e5f34-1d0c-4f3e-9a51-0c3b6f0e2a11
amber_id=indicator--6a0e5f34-1d0c-4f3e-9a51-0c3b6f0e2a12
green=marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb
amber=marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421
taxii=(-H "Accept: application/taxii+json;version=2.1")

say "CERT-B publishes a TLP:GREEN and a TLP:AMBER indicator on hub B"
curl -fsS "${taxii[@]}" -H "Content-Type: application/taxii+json;version=2.1" -H "Authorization: Bearer $key_b" \
	-d "{\"objects\":[$(indicator $green_id $green "Lantern C2 (GREEN)"),$(indicator $amber_id $amber "Lantern victim list (AMBER)")]}" \
	"http://127.0.0.1:$port_b/coalition/collections/$coll_b/objects/" | grep -o '"success_count":[0-9]*'

read_a() {
	curl -fsS "${taxii[@]}" -H "Authorization: Bearer $key_helios" "http://127.0.0.1:$port_a/coalition/collections/$coll_a/objects/"
}
for _ in $(seq 50); do read_a | grep -q "$green_id" && break; sleep 0.1; done

say "Helios, a member of hub A, reads (the GREEN one crossed, the AMBER one did not):"
read_a | tr ',' '\n' | grep -E '"(id|name)"' | sed 's/^/    /'
if read_a | grep -q "$amber_id"; then echo "FAIL: the AMBER indicator crossed" >&2; exit 1; fi

say "its manifest on hub A names where it comes from (origin hub and organisation):"
curl -fsS "${taxii[@]}" -H "Authorization: Bearer $key_helios" "http://127.0.0.1:$port_a/coalition/collections/$coll_a/manifest/" |
	tr ',' '\n' | grep -E '"x_vigie_origin' | sed 's/^/    /'

say "hub A's peers"
"$v" admin --data "$a" peer list

say "CERT-B deletes the GREEN indicator; hub A follows"
curl -fsS -X DELETE "${taxii[@]}" -H "Authorization: Bearer $key_b" "http://127.0.0.1:$port_b/coalition/collections/$coll_b/objects/$green_id/"
for _ in $(seq 50); do read_a | grep -q "$green_id" || break; sleep 0.1; done
if read_a | grep -q "$green_id"; then echo "FAIL: the deletion did not cross" >&2; exit 1; fi
echo "    Helios's collection on hub A: $(read_a)"

say "done: the GREEN indicator crossed with its origin, the AMBER one never left hub B, the deletion followed"
