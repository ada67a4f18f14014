package indicator_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/indicator"
	"github.com/vigie-cti/vigie/pattern"
)

// The differential tests check the Index against the evaluator on random
// indicators and observations drawn from small vocabularies, so that keys
// collide, differ only in case or spelling, and nest in CIDR blocks.
var (
	diffIPs     = []string{"10.0.0.1", "10.0.0.2", "10.0.0.9", "10.0.1.5", "10.1.0.1", "192.0.2.1", "10.0.0.0/29", "10.0.0.1/32"}
	diffIP6s    = []string{"2001:db8::1", "2001:db8::2", "2001:db8:0:0:0:0:0:1", "2001:db8::/126", "2001:db8:1::1"}
	diffCIDRs   = []string{"10.0.0.0/29", "10.0.0.0/24", "10.0.0.8/29", "10.0.0.0/8", "10.0.1.0/24", "192.0.2.0/24", "10.0.0.1", "0.0.0.0/0"}
	diffCIDR6s  = []string{"2001:db8::/64", "2001:db8::/126", "2001:db8::1", "2001:db8:1::/48"}
	diffDomains = []string{"example.com", "a.example.com", "EXAMPLE.com", "b.a.example.com", "evil.org", "Evil.ORG"}
	diffURLs    = []string{"http://example.com/a", "HTTP://Example.com:80/a", "http://example.com/b", "https://evil.org/x", "https://evil.org:443/x", "http://example.com/%61"}
	diffEmails  = []string{"a@example.com", "A@Example.com", "b@evil.org"}
	diffFiles   = []string{"foo.dll", "bar.exe", "FOO.DLL"}
	diffMD5s    = []string{"cead3f77f6cda6ec00f57d76c9a6879f", "CEAD3F77F6CDA6EC00F57D76C9A6879F", "79054025255fb1a26e4bc422aef54eb4", "abc"}
	diffSHA256s = []string{"aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f", "AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F", "bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c"}
	diffMD5Keys = []string{"MD5", "md5"}
	diffSHAKeys = []string{"SHA-256", "sha256", "SHA256"}
	diffNames   = []string{"cmd.exe", "CMD.EXE", "svchost.exe"}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// randomComparison returns one comparison on a path the index knows, or a
// comparison it cannot index.
func randomComparison(r *rand.Rand) string {
	set := func(xs []string) string {
		n := 1 + r.IntN(3)
		var m []string
		for range n {
			m = append(m, quote(pick(r, xs)))
		}
		return "(" + strings.Join(m, ", ") + ")"
	}
	switch r.IntN(24) {
	case 0:
		return "ipv4-addr:value = " + quote(pick(r, diffIPs))
	case 1:
		return "ipv4-addr:value IN " + set(diffIPs)
	case 2:
		return "ipv4-addr:value ISSUBSET " + quote(pick(r, diffCIDRs))
	case 3:
		return "ipv4-addr:value ISSUPERSET " + quote(pick(r, diffIPs))
	case 4:
		return "ipv6-addr:value = " + quote(pick(r, diffIP6s))
	case 5:
		return "ipv6-addr:value ISSUBSET " + quote(pick(r, diffCIDR6s))
	case 6:
		return "domain-name:value = " + quote(pick(r, diffDomains))
	case 7:
		return "domain-name:value IN " + set(diffDomains)
	case 8:
		return "url:value = " + quote(pick(r, diffURLs))
	case 9:
		return "email-addr:value = " + quote(pick(r, diffEmails))
	case 10:
		return "file:name = " + quote(pick(r, diffFiles))
	case 11:
		return "file:hashes." + pick(r, diffMD5Keys) + " = " + quote(pick(r, diffMD5s))
	case 12:
		return "file:hashes.'" + pick(r, diffSHAKeys) + "' IN " + set(diffSHA256s)
	case 13:
		return "artifact:hashes.MD5 = " + quote(pick(r, diffMD5s))
	case 14:
		return "network-traffic:dst_ref.value = " + quote(pick(r, diffIPs))
	case 15:
		return "network-traffic:dst_ref.value ISSUBSET " + quote(pick(r, diffCIDRs))
	case 16:
		return "domain-name:resolves_to_refs[*].value = " + quote(pick(r, diffIPs))
	case 17:
		return "email-message:from_ref.value = " + quote(pick(r, diffEmails))
	case 18:
		return "process:name = " + quote(pick(r, diffNames))
	case 19:
		return "file:size > " + fmt.Sprint(r.IntN(3))
	case 20:
		return "file:name NOT = " + quote(pick(r, diffFiles))
	case 21:
		return "domain-name:value LIKE '%example%'"
	case 22:
		return "file:name != " + quote(pick(r, diffFiles))
	}
	return "ipv4-addr:value = " + quote(pick(r, diffDomains))
}

func randomBracket(r *rand.Rand) string {
	switch r.IntN(6) {
	case 0:
		return "[" + randomComparison(r) + " AND " + randomComparison(r) + "]"
	case 1:
		return "[" + randomComparison(r) + " OR " + randomComparison(r) + "]"
	}
	return "[" + randomComparison(r) + "]"
}

func randomPattern(r *rand.Rand) string {
	switch r.IntN(10) {
	case 0:
		return randomBracket(r) + " AND " + randomBracket(r)
	case 1:
		return randomBracket(r) + " OR " + randomBracket(r)
	case 2:
		return randomBracket(r) + " FOLLOWEDBY " + randomBracket(r)
	case 3:
		return "(" + randomBracket(r) + " FOLLOWEDBY " + randomBracket(r) + ") WITHIN " + fmt.Sprint(1+r.IntN(60)) + " SECONDS"
	case 4:
		return randomBracket(r) + " REPEATS 2 TIMES"
	case 5:
		return randomBracket(r) + " START t'2024-05-01T11:59:00Z' STOP t'2024-05-01T12:00:30Z'"
	}
	return randomBracket(r)
}

// randomObject adds one random root object (and what it references) to
// objs and returns its id.
func randomObject(r *rand.Rand, objs map[string]map[string]any, n *int) string {
	*n++
	id := func(t string) string { return fmt.Sprintf("%s--%d", t, *n) }
	add := func(o map[string]any) string {
		objs[o["id"].(string)] = o
		return o["id"].(string)
	}
	ip := func() string {
		*n++
		return add(map[string]any{"type": "ipv4-addr", "id": id("ipv4-addr"), "value": pick(r, diffIPs)})
	}
	email := func() string {
		*n++
		return add(map[string]any{"type": "email-addr", "id": id("email-addr"), "value": pick(r, diffEmails)})
	}
	switch r.IntN(11) {
	case 0:
		return add(map[string]any{"type": "ipv4-addr", "id": id("ipv4-addr"), "value": pick(r, diffIPs)})
	case 1:
		return add(map[string]any{"type": "ipv6-addr", "id": id("ipv6-addr"), "value": pick(r, diffIP6s)})
	case 2:
		return add(map[string]any{"type": "domain-name", "id": id("domain-name"), "value": pick(r, diffDomains), "resolves_to_refs": []any{ip()}})
	case 3:
		return add(map[string]any{"type": "url", "id": id("url"), "value": pick(r, diffURLs)})
	case 4:
		return add(map[string]any{"type": "email-addr", "id": id("email-addr"), "value": pick(r, diffEmails)})
	case 5:
		// Several spellings of one algorithm may hold different values.
		hashes := map[string]any{}
		for range 1 + r.IntN(3) {
			if r.IntN(2) == 0 {
				hashes[pick(r, diffMD5Keys)] = pick(r, diffMD5s)
			} else {
				hashes[pick(r, diffSHAKeys)] = pick(r, diffSHA256s)
			}
		}
		return add(map[string]any{"type": "file", "id": id("file"), "name": pick(r, diffFiles), "size": float64(r.IntN(3)), "hashes": hashes})
	case 6:
		return add(map[string]any{"type": "artifact", "id": id("artifact"), "hashes": map[string]any{"MD5": pick(r, diffMD5s)}})
	case 7:
		return add(map[string]any{"type": "network-traffic", "id": id("network-traffic"), "dst_ref": ip()})
	case 8:
		return add(map[string]any{"type": "email-message", "id": id("email-message"), "from_ref": email()})
	case 9:
		return add(map[string]any{"type": "process", "id": id("process"), "name": pick(r, diffNames)})
	}
	return add(map[string]any{"type": "file", "id": id("file"), "name": pick(r, diffFiles)})
}

func randomObservations(r *rand.Rand) []pattern.Observation {
	var obs []pattern.Observation
	n := 0
	for i := range 1 + r.IntN(3) {
		objs := map[string]map[string]any{}
		var roots []string
		for range 1 + r.IntN(2) {
			roots = append(roots, randomObject(r, objs, &n))
		}
		first := now.Add(time.Duration(r.IntN(120)-60) * time.Second)
		obs = append(obs, pattern.Observation{
			ID:             fmt.Sprintf("observed-data--%d", i),
			FirstObserved:  first,
			LastObserved:   first.Add(time.Duration(r.IntN(3)) * time.Second),
			NumberObserved: 1 + r.IntN(2),
			Objects:        objs,
			Roots:          roots,
		})
	}
	return obs
}

type diffResult struct {
	ID  string
	Obs []int
}

func TestIndexMatchDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	trials, sets := 40, 60
	if testing.Short() {
		trials = 10
	}
	for trial := range trials {
		ix := indicator.NewIndex(indicator.Options{})
		var pats []*pattern.Pattern
		var ids []string
		for i := range 80 {
			s := randomPattern(r)
			p := MustParse(t, s)
			id := fmt.Sprintf("indicator--%03d", i)
			if err := ix.Add(indicator.Indicator{ID: id, Pattern: p}); err != nil {
				t.Fatal(err)
			}
			pats, ids = append(pats, p), append(ids, id)
		}
		// Remove and re-add a few, to exercise tombstones.
		for _, i := range []int{3, 17, 42} {
			ix.Remove(ids[i])
			if err := ix.Add(indicator.Indicator{ID: ids[i], Pattern: pats[i]}); err != nil {
				t.Fatal(err)
			}
		}
		for range sets {
			obs := randomObservations(r)
			var want []diffResult
			for i, p := range pats {
				res, err := p.Match(obs)
				if err != nil {
					t.Fatal(err)
				}
				if res.Matched {
					want = append(want, diffResult{ids[i], res.Observations})
				}
			}
			var got []diffResult
			err := ix.Match(obs, now, func(m indicator.Match) bool {
				got = append(got, diffResult{m.ID, m.Result.Observations})
				return true
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(got, func(a, b diffResult) int { return strings.Compare(a.ID, b.ID) })
			if diff := cmp.Diff(want, got); diff != "" {
				for _, d := range want {
					t.Logf("want %s: %s", d.ID, pats[slices.Index(ids, d.ID)])
				}
				for _, d := range got {
					t.Logf("got %s: %s", d.ID, pats[slices.Index(ids, d.ID)])
				}
				t.Fatalf("trial %d: Index.Match differs from evaluating every pattern (-want +got):\n%s", trial, diff)
			}
		}
	}
}

func TestIndexLookupDifferential(t *testing.T) {
	// For values in normal form and ExactDomains, a direct hit of Lookup
	// is exactly an indicator whose pattern matches an observation of that
	// one observable.
	r := rand.New(rand.NewPCG(3, 4))
	ix := indicator.NewIndex(indicator.Options{ExactDomains: true})
	var pats []*pattern.Pattern
	for i := range 400 {
		p := MustParse(t, "["+randomComparison(r)+"]")
		if err := ix.Add(indicator.Indicator{ID: fmt.Sprint(i), Pattern: p}); err != nil {
			t.Fatal(err)
		}
		pats = append(pats, p)
	}
	type probe struct {
		kind  indicator.ObservableKind
		typ   string
		value string
	}
	var probes []probe
	for _, v := range diffIPs {
		probes = append(probes, probe{indicator.KindIPv4, "ipv4-addr", v})
	}
	for _, v := range diffIP6s {
		probes = append(probes, probe{indicator.KindIPv6, "ipv6-addr", v})
	}
	for _, v := range diffDomains {
		probes = append(probes, probe{indicator.KindDomain, "domain-name", strings.ToLower(v)})
	}
	for _, v := range diffURLs {
		probes = append(probes, probe{indicator.KindURL, "url", indicator.NormalizeURL(v)})
	}
	for _, v := range diffEmails {
		probes = append(probes, probe{indicator.KindEmail, "email-addr", strings.ToLower(v)})
	}
	for _, v := range diffFiles {
		probes = append(probes, probe{indicator.KindFileName, "file", v})
	}
	for _, v := range diffMD5s {
		probes = append(probes, probe{indicator.KindMD5, "file", strings.ToLower(v)})
	}
	for _, v := range diffSHA256s {
		probes = append(probes, probe{indicator.KindSHA256, "file", strings.ToLower(v)})
	}
	for _, pr := range probes {
		obj := map[string]any{"type": pr.typ, "id": pr.typ + "--1"}
		switch pr.kind {
		case indicator.KindFileName:
			obj["name"] = pr.value
		case indicator.KindMD5:
			obj["hashes"] = map[string]any{"MD5": pr.value}
		case indicator.KindSHA256:
			obj["hashes"] = map[string]any{"SHA-256": pr.value}
		default:
			obj["value"] = pr.value
		}
		obs := []pattern.Observation{{ID: "observed-data--1", FirstObserved: now, LastObserved: now, NumberObserved: 1,
			Objects: map[string]map[string]any{pr.typ + "--1": obj}, Roots: []string{pr.typ + "--1"}}}
		direct := map[string]bool{}
		ix.Lookup(pr.kind, pr.value, now, func(h indicator.Hit) bool {
			if h.Direct {
				direct[h.ID] = true
			}
			return true
		})
		for i, p := range pats {
			id := fmt.Sprint(i)
			matched, err := p.Matches(obs)
			if err != nil {
				t.Fatal(err)
			}
			var isDirect bool
			if _, kept := ix.Pattern(id); !kept {
				isDirect = true
			}
			if isDirect && matched != direct[id] {
				t.Errorf("Lookup(%d, %q): indicator %s %s: direct hit %v, evaluation %v", pr.kind, pr.value, id, p, direct[id], matched)
			}
			if !isDirect && direct[id] {
				t.Errorf("Lookup(%d, %q): candidate %s %s reported as direct", pr.kind, pr.value, id, p)
			}
		}
	}
}
