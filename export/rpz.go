package export

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
)

// rpzTarget returns the CNAME target of an RPZ action.
func rpzTarget(action string) (string, error) {
	switch strings.ToLower(action) {
	case "", "nxdomain":
		return ".", nil
	case "nodata":
		return "*.", nil
	case "drop":
		return "rpz-drop.", nil
	case "passthru":
		return "rpz-passthru.", nil
	}
	d := strings.TrimSuffix(strings.ToLower(action), ".")
	if !hostname(d) {
		return "", fmt.Errorf("export: RPZ action %q: want nxdomain, nodata, drop, passthru or a domain name to redirect to", action)
	}
	return d + ".", nil
}

// rpz writes a Response Policy Zone (the DNS RPZ draft,
// draft-vixie-dnsop-dns-rpz): names relative to the zone's origin, which
// the resolver's configuration names; each listed domain has two records,
// for itself and for its subdomains (*.domain).
type rpz struct {
	opts   *Options
	target string
}

func newRPZ(opts *Options) emitter {
	t, _ := rpzTarget(opts.RPZAction) // checked by New
	return &rpz{opts: opts, target: t}
}

func (z *rpz) dedup() bool { return true }

func (z *rpz) header(w *bufio.Writer) {
	serial := uint32(z.opts.Now.Unix())
	fmt.Fprintf(w, "; vigie Response Policy Zone, written %s: each domain and its subdomains answer %s.\n",
		z.opts.Now.UTC().Format("2006-01-02T15:04:05Z"), z.target)
	w.WriteString("$TTL " + strconv.Itoa(z.opts.RPZTTL) + "\n")
	fmt.Fprintf(w, "@ IN SOA localhost. hostmaster.localhost. %d 3600 600 86400 %d\n", serial, z.opts.RPZTTL)
	w.WriteString("@ IN NS localhost.\n")
}

func (z *rpz) footer(*bufio.Writer) {}

func (z *rpz) value(w *bufio.Writer, ind *Indicator, v Value) string {
	if v.Kind != KindDomain {
		return ReasonNotInFormat
	}
	// The trigger name is relative: a domain of 253 bytes plus "*." and
	// the zone's own name could pass 255, so long names are refused.
	if !hostname(v.Value) || len(v.Value) > 200 || strings.HasPrefix(v.Value, "rpz-") {
		return ReasonBadValue
	}
	for _, owner := range []string{v.Value, "*." + v.Value} {
		w.WriteString(owner)
		w.WriteString(" CNAME ")
		w.WriteString(z.target)
		if ind.ID != "" && printable(ind.ID) && !strings.ContainsAny(ind.ID, " ;") {
			w.WriteString(" ; ")
			w.WriteString(ind.ID)
		}
		w.WriteByte('\n')
	}
	return ""
}
