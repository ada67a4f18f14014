package misp

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// field is where one part of an attribute value goes: an SCO type and a
// property path inside it. Kind says how the part is checked and typed.
type field struct {
	Obj  string   // SCO type; "ip" is ipv4-addr or ipv6-addr, chosen by the value
	Path []string // property keys, e.g. ["hashes", "SHA-256"]
	Kind kind
}

type kind uint8

const (
	kText   kind = iota // any non-empty text on one line
	kIP                 // an address or CIDR block
	kDomain             // a host name
	kInt                // a non-negative integer
	kPort               // 0-65535
	kASN                // 174 or AS174
	kHash               // hexadecimal, of the length of its algorithm when known
	kFree               // any non-empty text (a file name, a subject, a body)
	kURL                // a URL: no spaces or control characters
	kEmail              // an address with an @
	kMAC                // 01:23:45:67:89:ab
	kRegKey             // a registry key; HKLM, HKCU... are written in full
)

// attrType is how one MISP attribute type becomes STIX: an observable
// (fields, one per "|"-separated part of the value), an SDO (vulnerability,
// campaign), or an indicator in another pattern language (yara, snort...).
type attrType struct {
	Fields        []field
	SDO           string // "vulnerability" or "campaign"
	PatternType   string // "yara", "sigma", "snort", "suricata": the value is the pattern
	IndicatorOnly bool   // no SCO represents it: always an indicator
}

func hashField(name string) field {
	return field{Obj: "file", Path: []string{"hashes", name}, Kind: kHash}
}

var fileName = field{Obj: "file", Path: []string{"name"}, Kind: kFree}

// hashNames are the STIX hash names of the MISP hash types (custom names
// where STIX's vocabulary has none).
var hashNames = map[string]string{
	"md5": "MD5", "sha1": "SHA-1", "sha224": "SHA-224", "sha256": "SHA-256",
	"sha384": "SHA-384", "sha512": "SHA-512", "sha512/224": "SHA512-224", "sha512/256": "SHA512-256",
	"sha3-224": "SHA3-224", "sha3-256": "SHA3-256", "sha3-384": "SHA3-384", "sha3-512": "SHA3-512",
	"ssdeep": "SSDEEP", "tlsh": "TLSH", "imphash": "IMPHASH", "authentihash": "AUTHENTIHASH",
	"pehash": "PEHASH", "vhash": "VHASH", "telfhash": "TELFHASH", "impfuzzy": "IMPFUZZY",
}

// hashLengths are the hex lengths of the fixed-size hashes.
var hashLengths = map[string]int{
	"MD5": 32, "SHA-1": 40, "SHA-224": 56, "SHA-256": 64, "SHA-384": 96, "SHA-512": 128,
	"SHA512-224": 56, "SHA512-256": 64, "SHA3-224": 56, "SHA3-256": 64, "SHA3-384": 96, "SHA3-512": 128,
	"IMPHASH": 32, "AUTHENTIHASH": 64, "PEHASH": 40,
}

// types maps every MISP attribute type vigie converts. Any other type is
// counted and reported as not mapped.
var types = buildTypes()

func buildTypes() map[string]attrType {
	ip := field{Obj: "ip", Path: []string{"value"}, Kind: kIP}
	domain := field{Obj: "domain-name", Path: []string{"value"}, Kind: kDomain}
	email := field{Obj: "email-addr", Path: []string{"value"}, Kind: kEmail}
	msg := func(k kind, path ...string) attrType {
		return attrType{Fields: []field{{Obj: "email-message", Path: path, Kind: k}}}
	}
	t := map[string]attrType{
		"ip-src":                  {Fields: []field{ip}},
		"ip-dst":                  {Fields: []field{ip}},
		"ip-src|port":             {Fields: []field{{Obj: "network-traffic", Path: []string{"src_ref", "value"}, Kind: kIP}, {Obj: "network-traffic", Path: []string{"src_port"}, Kind: kPort}}},
		"ip-dst|port":             {Fields: []field{{Obj: "network-traffic", Path: []string{"dst_ref", "value"}, Kind: kIP}, {Obj: "network-traffic", Path: []string{"dst_port"}, Kind: kPort}}},
		"domain":                  {Fields: []field{domain}},
		"hostname":                {Fields: []field{domain}},
		"domain|ip":               {Fields: []field{domain, {Obj: "domain-name", Path: []string{"resolves_to_refs", "value"}, Kind: kIP}}},
		"hostname|port":           {Fields: []field{{Obj: "network-traffic", Path: []string{"dst_ref", "value"}, Kind: kDomain}, {Obj: "network-traffic", Path: []string{"dst_port"}, Kind: kPort}}},
		"url":                     {Fields: []field{{Obj: "url", Path: []string{"value"}, Kind: kURL}}},
		"uri":                     {Fields: []field{{Obj: "url", Path: []string{"value"}, Kind: kURL}}},
		"link":                    {Fields: []field{{Obj: "url", Path: []string{"value"}, Kind: kURL}}},
		"email":                   {Fields: []field{email}},
		"email-src":               {Fields: []field{email}},
		"email-dst":               {Fields: []field{email}},
		"email-subject":           msg(kFree, "subject"),
		"email-body":              msg(kFree, "body"),
		"email-message-id":        msg(kFree, "message_id"),
		"email-x-mailer":          msg(kFree, "additional_header_fields", "X-Mailer"),
		"email-reply-to":          msg(kFree, "additional_header_fields", "Reply-To"),
		"email-attachment":        {Fields: []field{fileName}},
		"attachment":              {Fields: []field{fileName}},
		"filename":                {Fields: []field{fileName}},
		"malware-sample":          {Fields: []field{fileName, hashField("MD5")}},
		"mutex":                   {Fields: []field{{Obj: "mutex", Path: []string{"name"}, Kind: kFree}}},
		"regkey":                  {Fields: []field{{Obj: "windows-registry-key", Path: []string{"key"}, Kind: kRegKey}}},
		"regkey|value":            {Fields: []field{{Obj: "windows-registry-key", Path: []string{"key"}, Kind: kRegKey}, {Obj: "windows-registry-key", Path: []string{"values", "data"}, Kind: kFree}}},
		"AS":                      {Fields: []field{{Obj: "autonomous-system", Path: []string{"number"}, Kind: kASN}}},
		"mac-address":             {Fields: []field{{Obj: "mac-addr", Path: []string{"value"}, Kind: kMAC}}},
		"github-username":         {Fields: []field{{Obj: "user-account", Path: []string{"account_login"}, Kind: kText}}},
		"x509-fingerprint-md5":    {Fields: []field{{Obj: "x509-certificate", Path: []string{"hashes", "MD5"}, Kind: kHash}}},
		"x509-fingerprint-sha1":   {Fields: []field{{Obj: "x509-certificate", Path: []string{"hashes", "SHA-1"}, Kind: kHash}}},
		"x509-fingerprint-sha256": {Fields: []field{{Obj: "x509-certificate", Path: []string{"hashes", "SHA-256"}, Kind: kHash}}},
		"size-in-bytes":           {Fields: []field{{Obj: "file", Path: []string{"size"}, Kind: kInt}}, IndicatorOnly: true},
		"port":                    {Fields: []field{{Obj: "network-traffic", Path: []string{"dst_port"}, Kind: kPort}}, IndicatorOnly: true},
		"user-agent":              {Fields: []field{{Obj: "network-traffic", Path: []string{"extensions", "http-request-ext", "request_header", "User-Agent"}, Kind: kFree}}, IndicatorOnly: true},
		"http-method":             {Fields: []field{{Obj: "network-traffic", Path: []string{"extensions", "http-request-ext", "request_method"}, Kind: kText}}, IndicatorOnly: true},
		"yara":                    {PatternType: "yara"},
		"sigma":                   {PatternType: "sigma"},
		"snort":                   {PatternType: "snort"},
		"suricata":                {PatternType: "suricata"},
		"vulnerability":           {SDO: "vulnerability"},
		"campaign-name":           {SDO: "campaign"},
	}
	for misp, stix := range hashNames {
		t[misp] = attrType{Fields: []field{hashField(stix)}}
		t["filename|"+misp] = attrType{Fields: []field{fileName, hashField(stix)}}
	}
	return t
}

// Mapped reports whether vigie converts attributes of MISP type typ.
func Mapped(typ string) bool {
	_, ok := types[typ]
	return ok
}

// MappedTypes returns the MISP attribute types vigie converts, sorted.
func MappedTypes() []string {
	out := make([]string, 0, len(types))
	for k := range types {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// categories are the MISP attribute categories.
var categories = map[string]bool{
	"Internal reference": true, "Targeting data": true, "Antivirus detection": true,
	"Payload delivery": true, "Artifacts dropped": true, "Payload installation": true,
	"Persistence mechanism": true, "Network activity": true, "Payload type": true,
	"Attribution": true, "External analysis": true, "Financial fraud": true,
	"Support Tool": true, "Social network": true, "Person": true, "Other": true,
}

var (
	typeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9|/_.-]{0,63}$`)
	hexRE    = regexp.MustCompile(`^[0-9a-fA-F]+$`)
	macRE    = regexp.MustCompile(`^[0-9a-f]{2}(:[0-9a-f]{2}){5}$`)
)

// split cuts an attribute value into the parts its type has: "a|b" for a
// composite type. The value of a one-part type is taken whole.
func (t attrType) split(value string) ([]string, error) {
	if len(t.Fields) <= 1 {
		return []string{value}, nil
	}
	parts := strings.SplitN(value, "|", len(t.Fields))
	if len(parts) != len(t.Fields) {
		return nil, fmt.Errorf("value %q: want %d parts separated by \"|\"", truncate(value), len(t.Fields))
	}
	return parts, nil
}

// parse checks one part of a value and returns it as it goes into STIX
// (a string, or an int64 for numbers).
func (f field) parse(s string) (any, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("empty value")
	}
	if strings.ContainsRune(s, 0) {
		return nil, fmt.Errorf("value contains a NUL character")
	}
	oneLine := func() error {
		if strings.ContainsAny(s, "\r\n\t") {
			return fmt.Errorf("value %q contains a control character", truncate(s))
		}
		return nil
	}
	switch f.Kind {
	case kText:
		return s, oneLine()
	case kIP:
		if _, err := netip.ParseAddr(s); err == nil {
			return s, nil
		}
		if _, err := netip.ParsePrefix(s); err == nil {
			return s, nil
		}
		return nil, fmt.Errorf("%q is not an IP address or CIDR block", truncate(s))
	case kDomain:
		if strings.ContainsAny(s, " \t\r\n/\\@'\"") || len(s) > 253 {
			return nil, fmt.Errorf("%q is not a host name", truncate(s))
		}
		return s, nil
	case kURL:
		if strings.ContainsAny(s, " \t\r\n") {
			return nil, fmt.Errorf("URL %q contains white space", truncate(s))
		}
		return s, nil
	case kEmail:
		if !strings.Contains(s, "@") || strings.ContainsAny(s, " \t\r\n") {
			return nil, fmt.Errorf("%q is not an e-mail address", truncate(s))
		}
		return s, nil
	case kRegKey:
		if err := oneLine(); err != nil {
			return nil, err
		}
		return fullHive(s), nil
	case kMAC:
		m := strings.ToLower(strings.ReplaceAll(s, "-", ":"))
		if !macRE.MatchString(m) {
			return nil, fmt.Errorf("%q is not a MAC address", truncate(s))
		}
		return m, nil
	case kInt, kPort, kASN:
		n := strings.TrimSpace(s)
		if f.Kind == kASN {
			n = strings.TrimPrefix(strings.ToUpper(n), "AS")
		}
		v, err := strconv.ParseInt(n, 10, 64)
		if err != nil || v < 0 || (f.Kind == kPort && v > 65535) || (f.Kind == kASN && v > 4294967295) {
			return nil, fmt.Errorf("%q is not a valid %s", truncate(s), map[kind]string{kInt: "number", kPort: "port", kASN: "AS number"}[f.Kind])
		}
		return v, nil
	case kHash:
		name := f.Path[len(f.Path)-1]
		if n, fixed := hashLengths[name]; fixed {
			if len(s) != n || !hexRE.MatchString(s) {
				return nil, fmt.Errorf("%q is not a %s hash (%d hexadecimal digits)", truncate(s), name, n)
			}
			return strings.ToLower(s), nil
		}
		return s, oneLine()
	}
	return s, nil
}

// scoType returns the SCO type of a field for a parsed value.
func (f field) scoType(v any) string {
	if f.Obj != "ip" {
		return f.Obj
	}
	return ipType(v.(string))
}

func ipType(s string) string {
	if strings.Contains(s, ":") {
		return "ipv6-addr"
	}
	return "ipv4-addr"
}

// hives are the abbreviations of the registry's root keys.
var hives = map[string]string{
	"HKLM": "HKEY_LOCAL_MACHINE", "HKCU": "HKEY_CURRENT_USER", "HKCR": "HKEY_CLASSES_ROOT",
	"HKU": "HKEY_USERS", "HKCC": "HKEY_CURRENT_CONFIG",
}

// fullHive writes the root key of a registry key in full, as STIX wants
// it: HKLM\Software becomes HKEY_LOCAL_MACHINE\Software.
func fullHive(key string) string {
	root, rest, _ := strings.Cut(key, `\`)
	if full, ok := hives[strings.ToUpper(root)]; ok {
		if rest == "" {
			return full
		}
		return full + `\` + rest
	}
	return key
}
