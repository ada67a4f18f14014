package taxii

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/stix"
)

// Filter is the set of URL parameters a TAXII GET may carry.
type Filter struct {
	AddedAfter   time.Time
	Limit        int // 0: the server's default
	Next         time.Time
	HasNext      bool
	IDs          []string
	Types        []string
	Versions     vigie.VersionFilter
	SpecVersions []string
}

// The parameters each endpoint accepts.
const (
	ParamAddedAfter  = "added_after"
	ParamLimit       = "limit"
	ParamNext        = "next"
	ParamID          = "match[id]"
	ParamType        = "match[type]"
	ParamVersion     = "match[version]"
	ParamSpecVersion = "match[spec_version]"
)

// MaxFilterValues bounds the comma-separated values of one match[] filter.
const MaxFilterValues = 1000

var (
	idPattern          = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	typePattern        = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
	specVersionPattern = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)
)

// ParseFilter reads the parameters of u, accepting only those in allowed.
// A parameter the endpoint does not support, a repeated parameter or a
// malformed value is an EINVALID error that says which and why.
func ParseFilter(u url.Values, allowed ...string) (Filter, error) {
	var f Filter
	for name, vals := range u {
		ok := false
		for _, a := range allowed {
			ok = ok || a == name
		}
		if !ok {
			return f, vigie.Errorf(vigie.EINVALID, "unknown or unsupported URL parameter %q here; this endpoint takes %s", name, strings.Join(allowed, ", "))
		}
		if len(vals) != 1 {
			return f, vigie.Errorf(vigie.EINVALID, "URL parameter %q given %d times; give it once, with values separated by commas", name, len(vals))
		}
	}
	var err error
	if v := u.Get(ParamAddedAfter); v != "" {
		if f.AddedAfter, err = ParseTimestamp(v); err != nil {
			return f, vigie.Errorf(vigie.EINVALID, "added_after: %s", vigie.ErrorMessage(err))
		}
	}
	if v := u.Get(ParamLimit); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return f, vigie.Errorf(vigie.EINVALID, "limit %q: want a positive integer", v)
		}
		f.Limit = n
	}
	if v, ok := u[ParamNext]; ok {
		if f.Next, err = DecodeNext(v[0]); err != nil {
			return f, err
		}
		f.HasNext = true
	}
	if f.IDs, err = list(u, ParamID, func(s string) bool { return idPattern.MatchString(s) }, "a STIX identifier such as indicator--<UUID>"); err != nil {
		return f, err
	}
	if f.Types, err = list(u, ParamType, func(s string) bool { return typePattern.MatchString(s) && len(s) <= 250 }, "a STIX type such as indicator"); err != nil {
		return f, err
	}
	if f.SpecVersions, err = list(u, ParamSpecVersion, specVersionPattern.MatchString, "a STIX version such as 2.1"); err != nil {
		return f, err
	}
	versions, err := list(u, ParamVersion, func(string) bool { return true }, "")
	if err != nil {
		return f, err
	}
	for _, v := range versions {
		switch v {
		case "first":
			f.Versions.First = true
		case "last":
			f.Versions.Last = true
		case "all":
			f.Versions.All = true
		default:
			t, err := ParseTimestamp(v)
			if err != nil {
				return f, vigie.Errorf(vigie.EINVALID, "match[version] %q: want first, last, all or a timestamp (%s)", v, vigie.ErrorMessage(err))
			}
			f.Versions.Exact = append(f.Versions.Exact, vigie.VersionKey(t))
		}
	}
	return f, nil
}

// list splits a comma-separated parameter and checks each value.
func list(u url.Values, name string, valid func(string) bool, want string) ([]string, error) {
	v, ok := u[name]
	if !ok {
		return nil, nil
	}
	parts := strings.Split(v[0], ",")
	if len(parts) > MaxFilterValues {
		return nil, vigie.Errorf(vigie.EINVALID, "%s has %d values; the limit is %d", name, len(parts), MaxFilterValues)
	}
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" || !valid(p) {
			return nil, vigie.Errorf(vigie.EINVALID, "%s value %q: want %s", name, p, want)
		}
		parts[i] = p
	}
	return parts, nil
}

// ParseTimestamp reads a TAXII timestamp, which follows the STIX rules
// (RFC 3339, UTC "Z", optional fraction); errors are EINVALID.
func ParseTimestamp(s string) (time.Time, error) {
	t, err := stix.ParseTimestamp(s)
	if err != nil {
		return time.Time{}, vigie.Errorf(vigie.EINVALID, "%v", err)
	}
	return t, nil
}

// FormatTimestamp writes t as TAXII's date_added: UTC, microseconds.
func FormatTimestamp(t time.Time) string { return stix.FormatTimestamp(t) }

// EncodeNext returns the opaque "next" token for a page ending at the
// object added at t.
func EncodeNext(t time.Time) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1:" + strconv.FormatInt(t.UnixMicro(), 10)))
}

// DecodeNext reads a token made by EncodeNext.
func DecodeNext(s string) (time.Time, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		if rest, ok := strings.CutPrefix(string(b), "v1:"); ok {
			if us, err := strconv.ParseInt(rest, 10, 64); err == nil && us >= 0 {
				return time.UnixMicro(us).UTC(), nil
			}
		}
	}
	return time.Time{}, vigie.Errorf(vigie.EINVALID, "next %q is not a token this server gave; use the \"next\" value of the previous page", s)
}
