package export_test

import (
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

// The checkers below read each format as its consumer documents it, and
// return an error for the first line the consumer would refuse or read
// otherwise than intended. The tests run them on the writers' output and
// the fuzz target on every output it provokes.

var zeekTypes = map[string]bool{
	"Intel::ADDR": true, "Intel::SUBNET": true, "Intel::URL": true, "Intel::SOFTWARE": true,
	"Intel::EMAIL": true, "Intel::DOMAIN": true, "Intel::USER_NAME": true, "Intel::CERT_HASH": true,
	"Intel::PUBKEY_HASH": true, "Intel::FILE_HASH": true, "Intel::FILE_NAME": true,
}

// readZeekIntel reads an Intel framework file as Zeek's ASCII input
// reader does (tab separator, "-" unset, "#" lines are meta lines): a
// "#fields" line first, then one value per field on each line.
func readZeekIntel(s string) ([]map[string]string, error) {
	lines := strings.Split(s, "\n")
	if lines[len(lines)-1] != "" {
		return nil, fmt.Errorf("last line does not end with a newline")
	}
	lines = lines[:len(lines)-1]
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "#fields\t") {
		return nil, fmt.Errorf("no #fields line first")
	}
	fields := strings.Split(lines[0], "\t")[1:]
	for _, want := range []string{"indicator", "indicator_type", "meta.source"} {
		if !strings.Contains("\t"+strings.Join(fields, "\t")+"\t", "\t"+want+"\t") {
			return nil, fmt.Errorf("#fields lacks %s", want)
		}
	}
	var rows []map[string]string
	for n, line := range lines[1:] {
		if strings.HasPrefix(line, "#") {
			return nil, fmt.Errorf("line %d: a meta line among the data", n+2)
		}
		cols := strings.Split(line, "\t")
		if len(cols) != len(fields) {
			return nil, fmt.Errorf("line %d: %d fields, want %d: %q", n+2, len(cols), len(fields), line)
		}
		row := map[string]string{}
		for i, c := range cols {
			if c == "" {
				return nil, fmt.Errorf("line %d: field %s is empty", n+2, fields[i])
			}
			if strings.ContainsAny(c, "\r\x00") {
				return nil, fmt.Errorf("line %d: field %s holds a control character", n+2, fields[i])
			}
			row[fields[i]] = c
		}
		ind, typ := row["indicator"], row["indicator_type"]
		if ind == "-" || row["meta.source"] == "-" {
			return nil, fmt.Errorf("line %d: indicator and meta.source are required", n+2)
		}
		if !zeekTypes[typ] {
			return nil, fmt.Errorf("line %d: unknown indicator_type %q", n+2, typ)
		}
		switch typ {
		case "Intel::ADDR":
			if _, err := netip.ParseAddr(ind); err != nil {
				return nil, fmt.Errorf("line %d: ADDR %q: %v", n+2, ind, err)
			}
		case "Intel::SUBNET":
			if _, err := netip.ParsePrefix(ind); err != nil {
				return nil, fmt.Errorf("line %d: SUBNET %q: %v", n+2, ind, err)
			}
		case "Intel::URL":
			if strings.Contains(ind, "://") {
				return nil, fmt.Errorf("line %d: URL %q has a scheme; Zeek matches without it", n+2, ind)
			}
		}
		for _, b := range []string{"meta.do_notice", "meta.remove", "meta.whitelist"} {
			if v, ok := row[b]; ok && v != "T" && v != "F" && v != "-" {
				return nil, fmt.Errorf("line %d: %s is %q, want T, F or -", n+2, b, v)
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// hostnameRE is a domain name as resolvers, Suricata's dns.query and
// firewalls take it: LDH (and _) labels, at least two.
var hostnameRE = regexp.MustCompile(`^([a-z0-9_-]{1,63}\.)+[a-z0-9_-]{1,63}$`)

// checkDataset reads a Suricata dataset file of one type, as
// doc/userguide/rules/datasets.rst gives it: one value per line, strings
// in base64, ipv4 and ip addresses as text, md5 and sha256 in hex; and a
// filemd5/filesha256 list: the hash at the start of the line.
func checkDataset(typ, s string) ([]string, error) {
	var vals []string
	if s == "" {
		return nil, nil
	}
	if !strings.HasSuffix(s, "\n") {
		return nil, fmt.Errorf("last line does not end with a newline")
	}
	for n, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		bad := func(why string) ([]string, error) {
			return nil, fmt.Errorf("line %d %q: %s", n+1, line, why)
		}
		switch typ {
		case "string":
			b, err := base64.StdEncoding.Strict().DecodeString(line)
			if err != nil {
				return bad("not base64")
			}
			if !hostnameRE.MatchString(string(b)) {
				return bad("decodes to " + fmt.Sprintf("%q", b) + ", not a domain name")
			}
			vals = append(vals, string(b))
		case "ipv4":
			a, err := netip.ParseAddr(line)
			if err != nil || !a.Is4() {
				return bad("not an IPv4 address")
			}
			vals = append(vals, line)
		case "ip":
			if _, err := netip.ParseAddr(line); err != nil || strings.Contains(line, ",") {
				return bad("not an IP address")
			}
			vals = append(vals, line)
		case "filemd5", "filesha256":
			n := 32
			if typ == "filesha256" {
				n = 64
			}
			h, rest, _ := strings.Cut(line, " ")
			if len(h) != n || strings.Trim(h, "0123456789abcdef") != "" {
				return bad("no hash at the start")
			}
			if rest != "" && !strings.HasPrefix(rest, "indicator--") {
				return bad("extra text is not an indicator id")
			}
			vals = append(vals, h)
		}
	}
	return vals, nil
}

// ruleRE is one Suricata rule: action, protocol, addresses and ports, then
// options, each "keyword[:value];".
var ruleRE = regexp.MustCompile(`^alert (dns|http|tls|ip|smtp|smb) any any -> any any \((.*)\)$`)

// datasetRE is the dataset keyword as the Suricata guide gives it.
var datasetRE = regexp.MustCompile(`^dataset:isset,([A-Za-z0-9_-]+), type (string|ipv4|ip|md5|sha256), load ([A-Za-z0-9_.-]+)(, memcap [0-9]+[kmg]b)?(, hashsize [0-9]+)?$`)

// checkRules reads a rule file: comments, or rules with msg, sid and rev,
// and each dataset or file hash keyword well formed. It returns the sids.
func checkRules(s string) ([]int, error) {
	var sids []int
	for n, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		m := ruleRE.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("line %d: not a rule: %q", n+1, line)
		}
		opts := strings.Split(strings.TrimSuffix(m[2], ";"), "; ")
		sid := -1
		seen := map[string]bool{}
		for _, o := range opts {
			kw, val, _ := strings.Cut(o, ":")
			seen[kw] = true
			switch kw {
			case "msg":
				if !strings.HasPrefix(val, `"`) || !strings.HasSuffix(val, `"`) || strings.ContainsAny(val[1:len(val)-1], `";\`) {
					return nil, fmt.Errorf("line %d: msg %s", n+1, val)
				}
			case "sid":
				fmt.Sscan(val, &sid)
			case "dataset":
				if !datasetRE.MatchString(o) {
					return nil, fmt.Errorf("line %d: dataset option %q", n+1, o)
				}
			case "filemd5", "filesha256":
				if !regexp.MustCompile(`^[A-Za-z0-9_.-]+$`).MatchString(val) {
					return nil, fmt.Errorf("line %d: %s file %q", n+1, kw, val)
				}
			}
		}
		if sid <= 0 || !seen["rev"] || !seen["msg"] {
			return nil, fmt.Errorf("line %d: a rule needs msg, sid and rev", n+1)
		}
		sids = append(sids, sid)
	}
	return sids, nil
}

// checkRPZ reads the zone as a master file of RPZ triggers: $TTL, SOA and
// NS at the apex, then "name CNAME target" with an optional comment,
// every name relative and a hostname or its wildcard.
func checkRPZ(s, target string) ([]string, error) {
	var names []string
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	soa := false
	for n, line := range lines {
		switch {
		case strings.HasPrefix(line, ";"), strings.HasPrefix(line, "$TTL "), line == "@ IN NS localhost.":
			continue
		case strings.HasPrefix(line, "@ IN SOA localhost. hostmaster.localhost. "):
			soa = true
			continue
		}
		rr, comment, _ := strings.Cut(line, " ; ")
		if comment != "" && !strings.HasPrefix(comment, "indicator--") {
			return nil, fmt.Errorf("line %d: comment %q", n+1, comment)
		}
		f := strings.Split(rr, " ")
		okTarget := f[len(f)-1] == target
		if target == "" {
			t := f[len(f)-1]
			okTarget = t == "." || t == "*." || t == "rpz-drop." || t == "rpz-passthru." || strings.HasSuffix(t, ".") && hostnameRE.MatchString(strings.TrimSuffix(t, "."))
		}
		if len(f) != 3 || f[1] != "CNAME" || !okTarget {
			return nil, fmt.Errorf("line %d: not a trigger %q", n+1, line)
		}
		name := strings.TrimPrefix(f[0], "*.")
		if !hostnameRE.MatchString(name) {
			return nil, fmt.Errorf("line %d: owner %q", n+1, f[0])
		}
		names = append(names, f[0])
	}
	if !soa {
		return nil, fmt.Errorf("no SOA")
	}
	return names, nil
}

// checkCSV reads the CSV export with encoding/csv.
func checkCSV(s string) ([][]string, error) {
	r := csv.NewReader(strings.NewReader(s))
	r.FieldsPerRecord = 4
	recs, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != "value,kind,indicator,name" {
		return nil, fmt.Errorf("no header")
	}
	for _, rec := range recs[1:] {
		if rec[0] == "" || strings.ContainsAny(rec[0][:1], "=+-@") {
			return nil, fmt.Errorf("value %q", rec[0])
		}
	}
	return recs[1:], nil
}

// checkList reads a plain list: one value per line, each of the kind.
func checkList(kind, s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var vals []string
	for n, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		ok := false
		switch kind {
		case "ip":
			_, err1 := netip.ParseAddr(line)
			_, err2 := netip.ParsePrefix(line)
			ok = err1 == nil || err2 == nil
		case "domain":
			ok = hostnameRE.MatchString(line)
		case "url":
			ok = line != "" && !strings.ContainsAny(line, " \t\r") && !strings.Contains(line, "://") && !strings.HasPrefix(line, "/")
			for _, r := range line {
				if r < 0x20 || r == 0x7f {
					ok = false
				}
			}
		}
		if !ok {
			return nil, fmt.Errorf("line %d: %q is not a %s", n+1, line, kind)
		}
		vals = append(vals, line)
	}
	return vals, nil
}

// check runs the checker of a format on its output.
func check(format, out string) error {
	var err error
	switch format {
	case "zeek-intel":
		_, err = readZeekIntel(out)
	case "suricata-rules":
		_, err = checkRules(out)
	case "suricata-domains":
		_, err = checkDataset("string", out)
	case "suricata-ipv4":
		_, err = checkDataset("ipv4", out)
	case "suricata-ipv6":
		_, err = checkDataset("ip", out)
	case "suricata-md5":
		_, err = checkDataset("filemd5", out)
	case "suricata-sha256":
		_, err = checkDataset("filesha256", out)
	case "rpz":
		_, err = checkRPZ(out, "")
	case "list-ip":
		_, err = checkList("ip", out)
	case "list-domain":
		_, err = checkList("domain", out)
	case "list-url":
		_, err = checkList("url", out)
	case "csv":
		_, err = checkCSV(out)
	default:
		err = fmt.Errorf("no checker for %s", format)
	}
	return err
}
