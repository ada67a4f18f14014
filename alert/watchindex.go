package alert

import (
	"net/netip"
	"strings"

	"github.com/gaissmai/bart"

	"github.com/vigie-cti/vigie"
)

// watchIndex answers "whose watchlist does this touch?" in constant or
// logarithmic time per observable, for all organisations at once.
type watchIndex struct {
	cidrs        bart.Table[[]*vigie.WatchEntry]
	domains      map[string][]*vigie.WatchEntry // watched domain
	lookalikes   map[string][]*vigie.WatchEntry // folded main label of a watched domain
	emailDomains map[string][]*vigie.WatchEntry
	keywords     map[string][]*vigie.WatchEntry // first word of the keyword
	products     []*vigie.WatchEntry
	sectors      map[string][]string // sector -> organisation ids (identities and entries)
	countries    map[string][]string // country -> organisation ids
}

// watchHit is one watchlist entry an observable or a text touches.
type watchHit struct {
	Entry     *vigie.WatchEntry
	Why       string // e.g. "198.51.100.7 is in your range 198.51.100.0/24"
	Lookalike bool   // a domain imitating the watched one
}

// newWatchIndex indexes the watchlist of every organisation
// (vigie.Watchlist: its identity's sectors and country, and its entries).
func newWatchIndex(entries []*vigie.WatchEntry, orgs []*vigie.Org) *watchIndex {
	x := &watchIndex{
		domains: map[string][]*vigie.WatchEntry{}, lookalikes: map[string][]*vigie.WatchEntry{},
		emailDomains: map[string][]*vigie.WatchEntry{}, keywords: map[string][]*vigie.WatchEntry{},
		sectors: map[string][]string{}, countries: map[string][]string{},
	}
	addOrg := func(m map[string][]string, k, org string) {
		for _, o := range m[k] {
			if o == org {
				return
			}
		}
		m[k] = append(m[k], org)
	}
	byOrg := map[string][]*vigie.WatchEntry{}
	for _, e := range entries {
		byOrg[e.OrgID] = append(byOrg[e.OrgID], e)
	}
	var all []*vigie.WatchEntry
	for _, o := range orgs {
		all = append(all, vigie.Watchlist(o, byOrg[o.ID])...)
	}
	for _, e := range all {
		switch e.Kind {
		case vigie.WatchCIDR:
			p, err := netip.ParsePrefix(e.Value)
			if err != nil {
				continue
			}
			old, _ := x.cidrs.Get(p)
			x.cidrs.Insert(p, append(old, e))
		case vigie.WatchDomain:
			x.domains[e.Value] = append(x.domains[e.Value], e)
			if l := mainLabel(e.Value); len(l) >= 5 {
				x.lookalikes[l] = append(x.lookalikes[l], e)
			}
		case vigie.WatchEmailDomain:
			x.emailDomains[e.Value] = append(x.emailDomains[e.Value], e)
		case vigie.WatchKeyword:
			first, _, _ := strings.Cut(e.Value, " ")
			x.keywords[first] = append(x.keywords[first], e)
		case vigie.WatchProduct:
			x.products = append(x.products, e)
		case vigie.WatchSector:
			addOrg(x.sectors, e.Value, e.OrgID)
		case vigie.WatchCountry:
			addOrg(x.countries, e.Value, e.OrgID)
		}
	}
	return x
}

// match calls fn for each watchlist entry the observable touches.
func (x *watchIndex) match(o Observable, fn func(watchHit)) {
	switch o.Kind {
	case ObsIP:
		// The observable inside a watched range, or a range covering one.
		for p, es := range x.cidrs.Supernets(o.Prefix) {
			for _, e := range es {
				fn(watchHit{Entry: e, Why: o.String() + " is in your range " + p.String()})
			}
		}
		if o.Prefix.Bits() < o.Prefix.Addr().BitLen() {
			for p, es := range x.cidrs.Subnets(o.Prefix) {
				if p == o.Prefix {
					continue // already reported as a supernet
				}
				for _, e := range es {
					fn(watchHit{Entry: e, Why: "the range " + o.Prefix.String() + " covers your range " + p.String()})
				}
			}
		}
	case ObsDomain:
		owned := map[*vigie.WatchEntry]bool{}
		for d := o.Value; d != ""; d = parentDomain(d) {
			for _, e := range x.domains[d] {
				owned[e] = true
				why := o.Value + " is your domain"
				if d != o.Value {
					why = o.Value + " is under your domain " + d
				}
				fn(watchHit{Entry: e, Why: why})
			}
		}
		seen := map[*vigie.WatchEntry]bool{}
		for _, cand := range lookalikeCandidates(o.Value) {
			for _, e := range x.lookalikes[cand] {
				if !owned[e] && !seen[e] {
					seen[e] = true
					fn(watchHit{Entry: e, Why: o.Value + " looks like your domain " + e.Value, Lookalike: true})
				}
			}
		}
	case ObsEmail:
		at := strings.LastIndexByte(o.Value, '@')
		for d := o.Value[at+1:]; d != ""; d = parentDomain(d) {
			for _, e := range x.emailDomains[d] {
				fn(watchHit{Entry: e, Why: o.Value + " is an address of your mail domain " + e.Value})
			}
		}
	case ObsCPE:
		for _, e := range x.products {
			if strings.HasPrefix(o.Value, strings.ToLower(e.Value)) {
				fn(watchHit{Entry: e, Why: o.Value + " is your product " + e.Value})
			}
		}
	case ObsPURL:
		for _, e := range x.products {
			if purlUnder(o.Value, strings.ToLower(e.Value)) {
				fn(watchHit{Entry: e, Why: "it affects " + o.Value + ", which you run (" + e.Value + ")"})
			}
		}
	}
}

// matchText calls fn for each keyword entry found in text.
func (x *watchIndex) matchText(text string, fn func(watchHit)) {
	if len(x.keywords) == 0 || text == "" {
		return
	}
	lower := strings.ToLower(text)
	seen := map[*vigie.WatchEntry]bool{}
	for _, w := range strings.FieldsFunc(lower, func(r rune) bool { return !isWordRune(r) }) {
		for _, e := range x.keywords[w] {
			if seen[e] || !containsPhrase(lower, e.Value) {
				continue
			}
			seen[e] = true
			fn(watchHit{Entry: e, Why: "mentions \"" + e.Value + "\""})
		}
	}
}

// isWordRune reports whether r belongs to a word of lower-cased text.
func isWordRune(r rune) bool {
	return ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') || r > 127
}

// containsPhrase reports whether phrase occurs in text as whole words.
func containsPhrase(text, phrase string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], phrase)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(phrase)
		if (start == 0 || !isWordRune(rune(text[start-1]))) && (end == len(text) || !isWordRune(rune(text[end]))) {
			return true
		}
		i = start + 1
	}
}

// parentDomain returns d without its first label ("" for a top-level one).
func parentDomain(d string) string {
	_, rest, ok := strings.Cut(d, ".")
	if !ok || !strings.Contains(rest, ".") {
		return ""
	}
	return rest
}

// secondLevel reports whether country domains register names under label
// (example.co.uk), so that the main label of those is one further left.
func secondLevel(label string) bool {
	switch label {
	case "co", "com", "org", "net", "gov", "gouv", "ac", "edu", "or", "ne":
		return true
	}
	return false
}

// mainLabel returns the folded registrable label of a watched domain,
// "helios-energie" for helios-energie.fr or helios-energie.co.uk, whose
// look-alikes are worth an alert. A watched subdomain (vpn.example.org) has
// none: its parent's label may be a name thousands of domains share.
func mainLabel(d string) string {
	labels := strings.Split(d, ".")
	n := len(labels)
	switch {
	case n == 2:
		return fold(labels[0])
	case n == 3 && len(labels[2]) == 2 && secondLevel(labels[1]):
		return fold(labels[0])
	}
	return ""
}

// lookalikeCandidates returns the folded labels of d, and every run of
// hyphen-separated parts of each label, to look up among watched labels:
// "helios-energie-login.example" yields "heliosenergie" among others.
func lookalikeCandidates(d string) []string {
	var out []string
	labels := strings.Split(d, ".")
	for _, l := range labels[:len(labels)-1] { // not the top-level domain
		parts := strings.Split(l, "-")
		if len(parts) > 6 {
			parts = parts[:6]
		}
		for i := range parts {
			for j := i + 1; j <= len(parts); j++ {
				if c := fold(strings.Join(parts[i:j], "-")); len(c) >= 5 {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// fold maps a label to a form shared by its usual look-alikes: digits and
// letter pairs that imitate letters, without hyphens.
func fold(label string) string {
	var b strings.Builder
	label = strings.ToLower(label)
	for i := 0; i < len(label); i++ {
		c := label[i]
		if i+1 < len(label) {
			if pair := label[i : i+2]; pair == "rn" || pair == "vv" {
				if pair == "rn" {
					b.WriteByte('m')
				} else {
					b.WriteByte('w')
				}
				i++
				continue
			}
		}
		switch c {
		case '-', '_':
		case '0':
			b.WriteByte('o')
		case '1':
			b.WriteByte('l')
		case '3':
			b.WriteByte('e')
		case '4':
			b.WriteByte('a')
		case '5':
			b.WriteByte('s')
		case '7':
			b.WriteByte('t')
		case '8':
			b.WriteByte('b')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// purlUnder reports whether package URL p is the watched prefix w or
// under it: "pkg:npm/lodash" covers itself and "pkg:npm/lodash@4" but not
// "pkg:npm/lodash-es"; "pkg:maven/org.apache" covers its artifacts.
func purlUnder(p, w string) bool {
	if !strings.HasPrefix(p, w) {
		return false
	}
	if len(p) == len(w) || strings.HasSuffix(w, "/") {
		return true
	}
	switch p[len(w)] {
	case '/', '@', '?', '#':
		return true
	}
	return false
}
