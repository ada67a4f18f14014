package alert

import (
	"encoding/json"
	"net/netip"
	"net/url"
	"strings"

	"github.com/vigie-cti/vigie/pattern"
	"github.com/vigie-cti/vigie/stix"
)

// ObservableKind is what kind of value an Observable carries.
type ObservableKind uint8

// The observable kinds the engine matches.
const (
	ObsIP     ObservableKind = iota + 1 // an address or a range (Prefix)
	ObsDomain                           // a domain name, lower case
	ObsEmail                            // an e-mail address, lower case
	ObsURL                              // a URL; its host is also extracted
	ObsHash                             // a file hash "ALG:hex", hex lower case
	ObsCPE                              // a software CPE 2.3 name
	ObsPURL                             // a package URL without version, of a package an advisory affects
)

// Observable is a value an object carries that watchlists and the
// correlation index look at.
type Observable struct {
	Kind   ObservableKind
	Value  string       // normalised
	Prefix netip.Prefix // ObsIP: a single address is a /32 or /128
}

// Key returns the observable's correlation key, e.g. "ip:198.51.100.7/32".
func (o Observable) Key() string {
	switch o.Kind {
	case ObsIP:
		return "ip:" + o.Prefix.String()
	case ObsDomain:
		return "domain:" + o.Value
	case ObsEmail:
		return "email:" + o.Value
	case ObsURL:
		return "url:" + o.Value
	case ObsHash:
		return "hash:" + o.Value
	case ObsCPE:
		return "cpe:" + o.Value
	case ObsPURL:
		return "purl:" + o.Value
	}
	return ""
}

// String returns the value as people write it: a single address without
// its /32 or /128.
func (o Observable) String() string {
	if o.Kind == ObsIP {
		if o.Prefix.IsSingleIP() {
			return o.Prefix.Addr().String()
		}
		return o.Prefix.String()
	}
	return o.Value
}

// maxObservables bounds what one object contributes (a pattern with a
// 10,000-member IN list does not make 10,000 alerts).
const maxObservables = 256

// observables returns the observables of a decoded object: the
// constants an indicator's STIX pattern looks for, the values of an SCO,
// or those of the SCOs an observed-data embeds or references (refs
// resolves references; it may be nil).
func observables(obj map[string]any, refs func(id string) map[string]any) []Observable {
	var out []Observable
	add := func(o Observable, ok bool) {
		if ok && len(out) < maxObservables {
			out = append(out, o)
		}
	}
	switch typ, _ := obj["type"].(string); typ {
	case "indicator":
		if obj["pattern_type"] != "stix" {
			return nil
		}
		src, _ := obj["pattern"].(string)
		p, err := pattern.Parse(src)
		if err != nil {
			return nil
		}
		for _, c := range p.Comparisons() {
			if c.Not {
				continue
			}
			var lits []pattern.Literal
			switch c.Op {
			case pattern.OpEqual, pattern.OpIsSubset, pattern.OpIsSuperset:
				lits = []pattern.Literal{c.Value}
			case pattern.OpIn:
				lits = c.Set
			default:
				continue
			}
			for _, l := range lits {
				if l.Kind == pattern.LitString {
					for _, o := range fromPath(c.Path, l.Str) {
						add(o, true)
					}
				}
			}
		}
	case "vulnerability":
		affected, _ := obj["x_vigie_affected"].([]any)
		for _, a := range affected {
			if af, ok := a.(map[string]any); ok {
				if p := affectedPURL(af); p != "" {
					add(Observable{Kind: ObsPURL, Value: p}, true)
				}
				cpes, _ := af["cpes"].([]any)
				for _, c := range cpes {
					if s, ok := c.(string); ok && strings.HasPrefix(s, "cpe:2.3:") {
						add(Observable{Kind: ObsCPE, Value: strings.ToLower(s)}, true)
					}
				}
			}
		}
	case "observed-data":
		// STIX 2.0 embedded objects, then STIX 2.1 references.
		if embedded, ok := obj["objects"].(map[string]any); ok {
			for _, v := range embedded {
				if sco, ok := v.(map[string]any); ok {
					for _, o := range scoObservables(sco) {
						add(o, true)
					}
				}
			}
		}
		if list, ok := obj["object_refs"].([]any); ok && refs != nil {
			for _, r := range list {
				id, _ := r.(string)
				if sco := refs(id); sco != nil {
					for _, o := range scoObservables(sco) {
						add(o, true)
					}
				}
			}
		}
	default:
		return scoObservables(obj)
	}
	return out
}

// scoObservables returns the observables of one SCO.
func scoObservables(sco map[string]any) []Observable {
	str := func(k string) string { s, _ := sco[k].(string); return s }
	var out []Observable
	switch str("type") {
	case "ipv4-addr", "ipv6-addr":
		if o, ok := ipObservable(str("value")); ok {
			out = append(out, o)
		}
	case "domain-name":
		if o, ok := domainObservable(str("value")); ok {
			out = append(out, o)
		}
	case "url":
		out = append(out, urlObservables(str("value"))...)
	case "email-addr":
		out = append(out, emailObservables(str("value"))...)
	case "file":
		if hashes, ok := sco["hashes"].(map[string]any); ok {
			for alg, v := range hashes {
				if h, ok := v.(string); ok && h != "" {
					out = append(out, Observable{Kind: ObsHash, Value: strings.ToUpper(alg) + ":" + strings.ToLower(h)})
				}
			}
		}
	case "software":
		if cpe := str("cpe"); strings.HasPrefix(cpe, "cpe:2.3:") {
			out = append(out, Observable{Kind: ObsCPE, Value: strings.ToLower(cpe)})
		}
	}
	return out
}

// fromPath interprets a pattern constant by the object path it is
// compared with.
func fromPath(p *pattern.ObjectPath, v string) []Observable {
	last := ""
	if n := len(p.Steps); n > 0 && p.Steps[n-1].Kind == pattern.StepKey {
		last = p.Steps[n-1].Key
	}
	direct := len(p.Steps) == 1 && last == "value"
	switch {
	case direct && (p.ObjectType == "ipv4-addr" || p.ObjectType == "ipv6-addr"):
		if o, ok := ipObservable(v); ok {
			return []Observable{o}
		}
	case direct && p.ObjectType == "domain-name":
		if o, ok := domainObservable(v); ok {
			return []Observable{o}
		}
	case direct && p.ObjectType == "url":
		return urlObservables(v)
	case direct && p.ObjectType == "email-addr":
		return emailObservables(v)
	case p.ObjectType == "file" && len(p.Steps) == 2 && p.Steps[0].Key == "hashes":
		return []Observable{{Kind: ObsHash, Value: strings.ToUpper(p.Steps[1].Key) + ":" + strings.ToLower(v)}}
	case p.ObjectType == "software" && last == "cpe":
		return []Observable{{Kind: ObsCPE, Value: strings.ToLower(v)}}
	case last == "value":
		// A referenced object's value (network-traffic:dst_ref.value,
		// email-message:from_ref.value, ...): an address, an e-mail
		// address or a domain name, whichever it reads as.
		if o, ok := ipObservable(v); ok {
			return []Observable{o}
		}
		if strings.Contains(v, "@") {
			return emailObservables(v)
		}
		if o, ok := domainObservable(v); ok {
			return []Observable{o}
		}
	}
	return nil
}

func ipObservable(v string) (Observable, bool) {
	if p, err := netip.ParsePrefix(v); err == nil {
		return Observable{Kind: ObsIP, Prefix: p.Masked()}, true
	}
	if a, err := netip.ParseAddr(v); err == nil {
		a = a.Unmap()
		return Observable{Kind: ObsIP, Prefix: netip.PrefixFrom(a, a.BitLen())}, true
	}
	return Observable{}, false
}

func domainObservable(v string) (Observable, bool) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(v)), ".")
	if d == "" || len(d) > 253 || !strings.Contains(d, ".") || strings.ContainsAny(d, " /:@*") {
		return Observable{}, false
	}
	return Observable{Kind: ObsDomain, Value: d}, true
}

func urlObservables(v string) []Observable {
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || u.Host == "" {
		return nil
	}
	out := []Observable{{Kind: ObsURL, Value: strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + u.RequestURI()}}
	if o, ok := ipObservable(u.Hostname()); ok {
		out = append(out, o)
	} else if o, ok := domainObservable(u.Hostname()); ok {
		out = append(out, o)
	}
	return out
}

func emailObservables(v string) []Observable {
	v = strings.ToLower(strings.TrimSpace(v))
	at := strings.LastIndexByte(v, '@')
	if at <= 0 {
		return nil
	}
	out := []Observable{{Kind: ObsEmail, Value: v}}
	if o, ok := domainObservable(v[at+1:]); ok {
		out = append(out, o)
	}
	return out
}

// decode parses a stored object's JSON for the triggers (with the STIX
// decoder, twice as fast as encoding/json on these objects).
func decode(raw json.RawMessage) (map[string]any, error) {
	return stix.Decode(raw)
}

// purlTypes maps OSV ecosystems to package URL types.
func purlType(ecosystem string) string {
	base, _, _ := strings.Cut(ecosystem, ":")
	switch base {
	case "Go":
		return "golang"
	case "npm":
		return "npm"
	case "PyPI":
		return "pypi"
	case "Maven":
		return "maven"
	case "crates.io":
		return "cargo"
	case "RubyGems":
		return "gem"
	case "NuGet":
		return "nuget"
	case "Packagist":
		return "composer"
	case "Hex":
		return "hex"
	case "Pub":
		return "pub"
	case "Debian", "Ubuntu":
		return "deb"
	case "Alpine":
		return "apk"
	}
	return ""
}

// affectedPURL returns the package URL, without version, of an affected
// entry of an advisory: its purl, or one made from ecosystem and name.
func affectedPURL(af map[string]any) string {
	if p, _ := af["purl"].(string); strings.HasPrefix(p, "pkg:") {
		p, _, _ = strings.Cut(p, "@")
		p, _, _ = strings.Cut(p, "?")
		return strings.ToLower(p)
	}
	eco, _ := af["ecosystem"].(string)
	name, _ := af["name"].(string)
	t := purlType(eco)
	if t == "" || name == "" {
		return ""
	}
	if t == "maven" {
		name = strings.Replace(name, ":", "/", 1)
	}
	return strings.ToLower("pkg:" + t + "/" + name)
}
