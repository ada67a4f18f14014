package vigie

import (
	"net/netip"
	"regexp"
	"strings"
	"time"
)

// WatchKind is what a watchlist entry describes.
type WatchKind string

// The kinds of watchlist entries.
const (
	WatchCIDR        WatchKind = "cidr"         // an address range the member owns
	WatchDomain      WatchKind = "domain"       // a domain and its subdomains (and look-alikes)
	WatchEmailDomain WatchKind = "email-domain" // the domain of the member's mail addresses
	WatchProduct     WatchKind = "product"      // a package URL prefix or a CPE the member runs
	WatchSector      WatchKind = "sector"       // an industry sector (beyond its identity's)
	WatchCountry     WatchKind = "country"      // a country (beyond its identity's)
	WatchKeyword     WatchKind = "keyword"      // a word or phrase in names and descriptions
)

// WatchKinds returns every kind, in the order help texts show them.
func WatchKinds() []WatchKind {
	return []WatchKind{WatchCIDR, WatchDomain, WatchEmailDomain, WatchProduct, WatchSector, WatchCountry, WatchKeyword}
}

// WatchEntry is one thing an organisation watches: when something shared
// on the hub touches it, the organisation is alerted.
type WatchEntry struct {
	ID      string
	OrgID   string
	Kind    WatchKind
	Value   string // normalised by Normalize
	Created time.Time
	// FromIdentity marks the entries an organisation watches by its
	// identity (its sectors and country): they have no ID, are not
	// stored, and cannot be deleted.
	FromIdentity bool
}

// Watchlist returns everything organisation o watches: the sectors and
// the country of its identity, then its own entries (those of o among
// entries). It is the one definition of an organisation's watchlist, for
// the API that shows it and the engine that matches it.
func Watchlist(o *Org, entries []*WatchEntry) []*WatchEntry {
	out := make([]*WatchEntry, 0, len(o.Sectors)+1+len(entries))
	for _, s := range o.Sectors {
		out = append(out, &WatchEntry{OrgID: o.ID, Kind: WatchSector, Value: s, Created: o.Created, FromIdentity: true})
	}
	if o.Country != "" {
		out = append(out, &WatchEntry{OrgID: o.ID, Kind: WatchCountry, Value: o.Country, Created: o.Created, FromIdentity: true})
	}
	for _, e := range entries {
		if e.OrgID == o.ID {
			out = append(out, e)
		}
	}
	return out
}

var (
	domainName = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$`)
	purlPrefix = regexp.MustCompile(`^pkg:[a-z][a-z0-9.+-]*/[^\s]+$`)
	cpe23      = regexp.MustCompile(`^cpe:2\.3:[aho\*]:[^:\s]+:[^:\s]+(:[^:\s]*){0,8}$`)
)

// Normalize checks the entry's value for its kind and puts it in canonical
// form (masked prefix, lower-case domain, upper-case country, ...). It
// returns an EINVALID error that says what is expected.
func (w *WatchEntry) Normalize() error {
	v := strings.TrimSpace(w.Value)
	switch w.Kind {
	case WatchCIDR:
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				return Errorf(EINVALID, "cidr %q: want an address range such as 198.51.100.0/24 or 2001:db8::/32", w.Value)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		v = p.Masked().String()
	case WatchDomain, WatchEmailDomain:
		v = strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(v), "*."), ".")
		v = strings.TrimPrefix(v, "@")
		if !domainName.MatchString(v) || len(v) > 253 {
			return Errorf(EINVALID, "%s %q: want a domain name such as example.org", w.Kind, w.Value)
		}
	case WatchProduct:
		if !purlPrefix.MatchString(v) && !cpe23.MatchString(v) {
			return Errorf(EINVALID, "product %q: want a package URL (prefix) such as pkg:npm/lodash, or a CPE 2.3 name such as cpe:2.3:a:apache:log4j", w.Value)
		}
		if strings.HasPrefix(v, "pkg:") {
			v = strings.ToLower(v[:strings.Index(v, "/")]) + v[strings.Index(v, "/"):]
		}
	case WatchSector:
		v = strings.ToLower(v)
		if !sectorName.MatchString(v) {
			return Errorf(EINVALID, "sector %q: want lower-case words joined by hyphens, such as financial-services", w.Value)
		}
	case WatchCountry:
		v = strings.ToUpper(v)
		if !countryCode.MatchString(v) {
			return Errorf(EINVALID, "country %q: want an ISO 3166-1 alpha-2 code such as FR", w.Value)
		}
	case WatchKeyword:
		v = strings.Join(strings.Fields(strings.ToLower(v)), " ")
		if len(v) < 3 || len(v) > 100 {
			return Errorf(EINVALID, "keyword %q: want 3 to 100 characters", w.Value)
		}
	default:
		return Errorf(EINVALID, "watch kind %q: want one of cidr, domain, email-domain, product, sector, country, keyword", w.Kind)
	}
	w.Value = v
	return nil
}
