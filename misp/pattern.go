package misp

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/vigie-cti/vigie"
)

// listKeys are the SCO properties that hold lists: a pattern walks them
// with [*].
var listKeys = map[string]bool{"resolves_to_refs": true, "values": true}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// pathString writes a property path as a STIX pattern does:
// hashes.'SHA-256', resolves_to_refs[*].value.
func pathString(path []string) string {
	var b strings.Builder
	for i, k := range path {
		if i > 0 {
			b.WriteByte('.')
		}
		if plainKey.MatchString(k) {
			b.WriteString(k)
		} else {
			b.WriteString(quote(k))
		}
		if listKeys[k] {
			b.WriteString("[*]")
		}
	}
	return b.String()
}

// quoter escapes the two characters a pattern string literal escapes.
var quoter = strings.NewReplacer(`\`, `\\`, `'`, `\'`)

// quote writes a STIX pattern string literal.
func quote(s string) string { return "'" + quoter.Replace(s) + "'" }

// literal writes a value of a pattern.
func literal(v any) string {
	if n, ok := v.(int64); ok {
		return strconv.FormatInt(n, 10)
	}
	return quote(v.(string))
}

// patternOf writes the STIX pattern of fields with their values: one
// observation per SCO type, its comparisons ANDed, the observations ANDed.
func patternOf(fields []field, vals []any) string {
	var order []string
	groups := map[string][]string{}
	for i, f := range fields {
		t := f.scoType(vals[i])
		if _, ok := groups[t]; !ok {
			order = append(order, t)
		}
		groups[t] = append(groups[t], t+":"+pathString(f.Path)+" = "+literal(vals[i]))
	}
	obs := make([]string, len(order))
	for i, t := range order {
		obs[i] = "[" + strings.Join(groups[t], " AND ") + "]"
	}
	return strings.Join(obs, " AND ")
}

// observables returns the valid SCOs of fields with their values (see
// allObservables).
func observables(uid string, fields []field, vals []any) []map[string]any {
	all := allObservables(uid, fields, vals)
	kept := all[:0]
	for _, o := range all {
		if validSCO(o) {
			kept = append(kept, o)
		}
	}
	return kept
}

// validSCO reports whether an SCO made from MISP values is complete: a
// connection needs one of its ends, a file a name or a hash.
func validSCO(o map[string]any) bool {
	switch o["type"] {
	case "network-traffic":
		return o["src_ref"] != nil || o["dst_ref"] != nil
	case "file":
		return o["name"] != nil || o["hashes"] != nil
	}
	return true
}

// allObservables returns the SCOs of fields with their values, for an item
// with UUID uid: the SCO of the item's own type has the id TYPE--uid (as
// misp-stix writes it), the ones it refers to (the address a domain
// resolves to, the end of a connection) ids derived from uid.
func allObservables(uid string, fields []field, vals []any) []map[string]any {
	var out []map[string]any
	byType := map[string]map[string]any{}
	get := func(t string) map[string]any {
		if o, ok := byType[t]; ok {
			return o
		}
		id := t + "--" + uid
		if len(out) > 0 {
			id = t + "--" + vigie.NameUUID("misp/"+uid+"/"+t)
		}
		o := map[string]any{"type": t, "spec_version": "2.1", "id": id}
		if t == "email-message" {
			o["is_multipart"] = false
		}
		byType[t] = o
		out = append(out, o)
		return o
	}
	ref := func(owner string, f field, v any) string {
		t := "domain-name"
		if f.Kind == kIP {
			t = ipType(v.(string))
		}
		r := map[string]any{"type": t, "spec_version": "2.1", "id": t + "--" + vigie.NameUUID("misp/"+uid+"/"+owner+"/"+f.Path[0]), "value": v}
		out = append(out, r)
		return r["id"].(string)
	}
	for i, f := range fields {
		t := f.scoType(vals[i])
		o := get(t)
		v := vals[i]
		switch {
		case len(f.Path) == 1:
			o[f.Path[0]] = v
		case f.Path[0] == "hashes" || f.Path[0] == "additional_header_fields":
			m, _ := o[f.Path[0]].(map[string]any)
			if m == nil {
				m = map[string]any{}
				o[f.Path[0]] = m
			}
			m[f.Path[1]] = v
		case f.Path[0] == "resolves_to_refs":
			o["resolves_to_refs"] = []string{ref(t, f, v)}
		case f.Path[0] == "src_ref" || f.Path[0] == "dst_ref":
			o[f.Path[0]] = ref(t, f, v)
			o["protocols"] = []string{"tcp"}
		case f.Path[0] == "values":
			o["values"] = []map[string]any{{f.Path[1]: v}}
		default:
			// Properties of extensions (an HTTP request's header) say
			// nothing on their own: left out of the observable.
		}
	}
	return out
}

// mergeIncomplete folds the properties of incomplete SCOs (a file with
// only a size) into the first complete SCO of the same type, as one MISP
// object describes one file; SCOs with nowhere to go are dropped.
func mergeIncomplete(scos []map[string]any) []map[string]any {
	var kept, rest []map[string]any
	for _, o := range scos {
		if validSCO(o) {
			kept = append(kept, o)
		} else {
			rest = append(rest, o)
		}
	}
	for _, r := range rest {
		for _, k := range kept {
			if k["type"] == r["type"] {
				for p, v := range r {
					if _, has := k[p]; !has {
						k[p] = v
					}
				}
				break
			}
		}
	}
	return kept
}
