package misp

import (
	"slices"
	"strconv"
	"strings"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/pattern"
)

// comparison is one "path = value" of a pattern.
type comparison struct {
	path  string // TYPE:key.key
	value string
}

// fromComparisons turns the equality comparisons of a pattern into
// attributes: the whole pattern as one attribute of type typ when typ's
// fields are exactly there, else one attribute per comparison whose path
// a MISP type has. The first attribute keeps base's UUID; the others get
// UUIDs derived from it.
func fromComparisons(base FeedAttribute, typ string, cs []*pattern.Comparison) []FeedAttribute {
	var list []comparison
	for _, c := range cs {
		if c.Not || c.Op != pattern.OpEqual {
			continue
		}
		var v string
		switch c.Value.Kind {
		case pattern.LitString:
			v = c.Value.Str
		case pattern.LitInt:
			v = strconv.FormatInt(c.Value.Int, 10)
		default:
			continue
		}
		list = append(list, comparison{path: objectPath(c.Path), value: v})
	}
	return fromPairs(base, typ, list)
}

// fromPairs turns (path, value) pairs into attributes; see fromComparisons.
func fromPairs(base FeedAttribute, typ string, list []comparison) []FeedAttribute {
	if t, ok := types[typ]; ok && len(t.Fields) > 0 && len(list) >= len(t.Fields) {
		parts := make([]string, len(t.Fields))
		ok := true
		for i, fl := range t.Fields {
			found := false
			for _, c := range list {
				if fieldMatches(fl, c.path) {
					parts[i], found = c.value, true
					break
				}
			}
			ok = ok && found
		}
		if ok {
			a := base
			a.Type, a.Value = typ, strings.Join(parts, "|")
			if typ == "AS" {
				a.Value = "AS" + a.Value
			}
			return []FeedAttribute{a}
		}
	}
	var out []FeedAttribute
	for i, c := range list {
		t := reverse[c.path]
		if t == "" {
			continue
		}
		a := base
		if len(out) > 0 {
			a.UUID = vigie.NameUUID("misp-feed/" + base.UUID + "/" + strconv.Itoa(i))
		}
		a.Type, a.Value = t, c.value
		if t == "AS" {
			a.Value = "AS" + a.Value
		}
		out = append(out, a)
	}
	return out
}

// fromObservables turns the SCOs an observed-data refers to into
// attributes: one of type typ (the attribute it came from), else one per
// SCO with a value a MISP type holds, each keeping its SCO's UUID.
func (f *Feed) fromObservables(base FeedAttribute, typ string, refs []string) []FeedAttribute {
	var all []comparison
	perSCO := make([][]comparison, 0, len(refs))
	for _, ref := range refs {
		sco := f.objs[ref]
		if sco == nil {
			perSCO = append(perSCO, nil)
			continue
		}
		pairs := f.scoPairs(sco)
		perSCO = append(perSCO, pairs)
		all = append(all, pairs...)
	}
	if t, ok := types[typ]; ok && typ != "" {
		if got := fromPairs(base, typ, all); len(got) == 1 && got[0].Type == typ && len(t.Fields) > 0 {
			return got
		}
	}
	var out []FeedAttribute
	for i, pairs := range perSCO {
		for j, c := range pairs {
			t := reverse[c.path]
			if t == "" || (j > 0 && strings.HasSuffix(c.path, "_refs.value")) {
				continue
			}
			a := base
			a.UUID = uuidOf(refs[i])
			if j > 0 {
				a.UUID = vigie.NameUUID("misp-feed/" + refs[i] + "/" + strconv.Itoa(j))
			}
			a.Type, a.Value = t, c.value
			if t == "AS" {
				a.Value = "AS" + a.Value
			}
			out = append(out, a)
		}
	}
	return out
}

// scoPairs returns the (path, value) pairs of an SCO that MISP types hold,
// following src_ref, dst_ref and resolves_to_refs.
func (f *Feed) scoPairs(sco map[string]any) []comparison {
	typ := str(sco["type"])
	var out []comparison
	add := func(path string, v any) {
		switch x := v.(type) {
		case string:
			out = append(out, comparison{typ + ":" + path, x})
		case float64:
			out = append(out, comparison{typ + ":" + path, strconv.FormatInt(int64(x), 10)})
		}
	}
	for _, k := range []string{"value", "name", "key", "number", "account_login", "subject", "body", "message_id", "dst_port", "src_port", "size"} {
		if v, ok := sco[k]; ok {
			add(k, v)
		}
	}
	for _, k := range []string{"hashes", "additional_header_fields"} {
		m, _ := sco[k].(map[string]any)
		keys := make([]string, 0, len(m))
		for h := range m {
			keys = append(keys, h)
		}
		slices.Sort(keys)
		for _, h := range keys {
			add(k+"."+h, m[h])
		}
	}
	if vs, _ := sco["values"].([]any); len(vs) > 0 {
		if m, _ := vs[0].(map[string]any); m != nil {
			add("values.data", m["data"])
		}
	}
	for _, k := range []string{"src_ref", "dst_ref"} {
		if r := f.objs[str(sco[k])]; r != nil {
			add(k+".value", r["value"])
		}
	}
	for _, r := range strs(sco["resolves_to_refs"]) {
		if ro := f.objs[r]; ro != nil {
			add("resolves_to_refs.value", ro["value"])
		}
	}
	return out
}

// objectPath writes a pattern's object path as TYPE:key.key (list
// indexes left out).
func objectPath(p *pattern.ObjectPath) string {
	keys := make([]string, 0, len(p.Steps))
	for _, s := range p.Steps {
		if s.Kind == pattern.StepKey {
			keys = append(keys, s.Key)
		}
	}
	return p.ObjectType + ":" + strings.Join(keys, ".")
}

// fieldMatches reports whether a field is at path (TYPE:key.key).
func fieldMatches(f field, path string) bool {
	typ, keys, _ := strings.Cut(path, ":")
	if keys != strings.Join(f.Path, ".") {
		return false
	}
	if f.Obj == "ip" {
		return typ == "ipv4-addr" || typ == "ipv6-addr"
	}
	return typ == f.Obj
}

// reverse maps a path (TYPE:key.key) to the MISP type a lone value there
// becomes.
var reverse = buildReverse()

func buildReverse() map[string]string {
	r := map[string]string{}
	// Preferred types first: the others of the same path come after.
	preferred := []string{"ip-dst", "domain", "url", "email", "filename", "mutex", "regkey", "AS", "mac-address",
		"github-username", "email-subject", "email-body", "email-message-id", "email-x-mailer", "email-reply-to",
		"x509-fingerprint-md5", "x509-fingerprint-sha1", "x509-fingerprint-sha256", "size-in-bytes", "port",
		"user-agent", "http-method"}
	for misp := range hashNames {
		preferred = append(preferred, misp)
	}
	preferred = append(preferred, "ip-dst|port", "ip-src|port", "domain|ip", "hostname|port", "regkey|value")
	for _, name := range preferred {
		for _, f := range types[name].Fields {
			objs := []string{f.Obj}
			if f.Obj == "ip" {
				objs = []string{"ipv4-addr", "ipv6-addr"}
			}
			for _, o := range objs {
				key := o + ":" + strings.Join(f.Path, ".")
				if _, taken := r[key]; !taken {
					switch {
					case strings.HasSuffix(key, "ref.value") && f.Kind == kIP:
						r[key] = "ip-dst"
					case strings.HasSuffix(key, "ref.value"):
						r[key] = "hostname"
					case strings.HasSuffix(key, "resolves_to_refs.value"):
						r[key] = "ip-dst"
					case strings.HasSuffix(key, "values.data"):
						continue
					default:
						r[key] = name
					}
				}
			}
		}
	}
	r["network-traffic:src_port"] = "port"
	return r
}

// defaultCategory is the MISP category of an attribute without one.
func defaultCategory(typ string) string {
	switch {
	case strings.HasPrefix(typ, "ip-"), typ == "domain", typ == "hostname", typ == "url", typ == "uri", typ == "link",
		strings.HasPrefix(typ, "domain|"), strings.HasPrefix(typ, "hostname|"), typ == "AS", typ == "port",
		typ == "user-agent", typ == "http-method", typ == "mac-address", typ == "snort", typ == "suricata",
		strings.HasPrefix(typ, "x509-"):
		return "Network activity"
	case strings.HasPrefix(typ, "email"):
		return "Payload delivery"
	case typ == "mutex", strings.HasPrefix(typ, "regkey"):
		return "Artifacts dropped"
	case typ == "vulnerability", typ == "campaign-name", typ == "github-username":
		return "External analysis"
	case typ == "yara", typ == "sigma":
		return "Payload installation"
	}
	return "Payload delivery"
}
