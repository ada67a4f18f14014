// Package scandata generates the data of the sensor benchmarks: a set of
// indicator values of mixed kinds (written as a STIX bundle and as a
// pattern file for grep -F -f), and logs (Zeek conn, dns and http TSV,
// Suricata EVE JSON) in which a chosen fraction of the lines name one of
// the values. Everything is deterministic for a seed.
package scandata

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// Values are indicator values by kind.
type Values struct {
	IPv4, IPv6, Domains, URLs, MD5, SHA256 []string
}

// Len returns the number of values.
func (v *Values) Len() int {
	return len(v.IPv4) + len(v.IPv6) + len(v.Domains) + len(v.URLs) + len(v.MD5) + len(v.SHA256)
}

// Gen makes values and log lines; it is not safe for concurrent use.
type Gen struct {
	rng  *rand.Rand
	base time.Time
}

// New returns a generator for a seed.
func New(seed uint64) *Gen {
	return &Gen{rng: rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d)), base: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
}

var tlds = []string{"com", "net", "org", "info", "biz", "ru", "cn", "xyz", "top", "io", "de", "fr"}

func (g *Gen) label(min, max int) string {
	n := min + g.rng.IntN(max-min+1)
	b := make([]byte, n)
	for i := range b {
		b[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[g.rng.IntN(36)]
	}
	if b[0] >= '0' && b[0] <= '9' {
		b[0] = 'x'
	}
	return string(b)
}

func (g *Gen) domain() string {
	d := g.label(5, 14) + "." + tlds[g.rng.IntN(len(tlds))]
	if g.rng.IntN(3) == 0 {
		d = g.label(2, 8) + "." + d
	}
	return d
}

func (g *Gen) publicIPv4() string {
	for {
		a := 1 + g.rng.IntN(223)
		if a == 10 || a == 127 || a == 172 || a == 192 {
			continue
		}
		return fmt.Sprintf("%d.%d.%d.%d", a, g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
	}
}

func (g *Gen) ipv6() string {
	return fmt.Sprintf("2a0%x:%x:%x:%x::%x", g.rng.IntN(16), g.rng.IntN(0xffff), g.rng.IntN(0xffff), g.rng.IntN(0xffff), 1+g.rng.IntN(0xfffe))
}

func (g *Gen) hexString(n int) string {
	b := make([]byte, n/2)
	for i := range b {
		b[i] = byte(g.rng.Uint32())
	}
	return hex.EncodeToString(b)
}

func (g *Gen) path() string {
	parts := 1 + g.rng.IntN(3)
	var b strings.Builder
	for range parts {
		b.WriteString("/" + g.label(3, 10))
	}
	exts := []string{".php", ".js", ".html", ".bin", ".exe", "", ".png"}
	b.WriteString(exts[g.rng.IntN(len(exts))])
	if g.rng.IntN(3) == 0 {
		fmt.Fprintf(&b, "?id=%d", g.rng.IntN(100000))
	}
	return b.String()
}

// Values returns n distinct-looking indicator values: 40% IPv4, 5% IPv6,
// 25% domains, 10% URLs, 10% MD5 and 10% SHA-256.
func (g *Gen) Values(n int) *Values {
	v := &Values{}
	for i := range n {
		switch r := i % 20; {
		case r < 8:
			v.IPv4 = append(v.IPv4, g.publicIPv4())
		case r < 9:
			v.IPv6 = append(v.IPv6, g.ipv6())
		case r < 14:
			v.Domains = append(v.Domains, g.domain())
		case r < 16:
			v.URLs = append(v.URLs, "http://"+g.domain()+g.path())
		case r < 18:
			v.MD5 = append(v.MD5, g.hexString(32))
		default:
			v.SHA256 = append(v.SHA256, g.hexString(64))
		}
	}
	return v
}

// Each calls fn with the STIX pattern and the value of every value.
func (v *Values) Each(fn func(pattern, value string)) {
	for _, x := range v.IPv4 {
		fn(fmt.Sprintf("[ipv4-addr:value = '%s']", x), x)
	}
	for _, x := range v.IPv6 {
		fn(fmt.Sprintf("[ipv6-addr:value = '%s']", x), x)
	}
	for _, x := range v.Domains {
		fn(fmt.Sprintf("[domain-name:value = '%s']", x), x)
	}
	for _, x := range v.URLs {
		fn(fmt.Sprintf("[url:value = '%s']", x), x)
	}
	for _, x := range v.MD5 {
		fn(fmt.Sprintf("[file:hashes.MD5 = '%s']", x), x)
	}
	for _, x := range v.SHA256 {
		fn(fmt.Sprintf("[file:hashes.'SHA-256' = '%s']", x), x)
	}
}

// WriteBundle writes the values as a STIX 2.1 bundle of indicators, one
// per value, marked TLP:GREEN.
func (v *Values) WriteBundle(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprint(bw, `{"type":"bundle","id":"bundle--6f1f0a0e-8f1a-4c8e-9d7e-000000000001","objects":[`)
	i := 0
	v.Each(func(p, _ string) {
		if i > 0 {
			bw.WriteByte(',')
		}
		pat, _ := json.Marshal(p)
		fmt.Fprintf(bw, `{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-%012d","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"bench indicator %d","pattern":%s,"pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}`, i, i, pat)
		i++
	})
	fmt.Fprint(bw, "]}\n")
	return bw.Flush()
}

// WritePatterns writes the values one per line, for grep -F -f.
func (v *Values) WritePatterns(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	v.Each(func(_, value string) { bw.WriteString(value + "\n") })
	return bw.Flush()
}

// LogOptions says how many lines to write and how often a line names an
// indicator value.
type LogOptions struct {
	Lines   int
	HitRate float64 // fraction of lines that name an indicator value
}

func (g *Gen) hit(o LogOptions) bool { return g.rng.Float64() < o.HitRate }

func (g *Gen) pick(list []string, fallback func() string) string {
	if len(list) == 0 {
		return fallback()
	}
	return list[g.rng.IntN(len(list))]
}

func (g *Gen) internal() string {
	return fmt.Sprintf("10.%d.%d.%d", g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
}

func (g *Gen) uid() string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 18)
	b[0] = 'C'
	for i := 1; i < len(b); i++ {
		b[i] = alnum[g.rng.IntN(len(alnum))]
	}
	return string(b)
}

func (g *Gen) ts(i int) float64 {
	return float64(g.base.Unix()) + float64(i)*0.001 + float64(g.rng.IntN(1000))/1e6
}

func zeekHeader(w io.Writer, path, fields, types string) {
	fmt.Fprintf(w, "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t%s\n#open\t2026-03-01-00-00-00\n#fields\t%s\n#types\t%s\n",
		path, strings.ReplaceAll(fields, " ", "\t"), strings.ReplaceAll(types, " ", "\t"))
}

// ZeekConn writes a Zeek conn.log.
func (g *Gen) ZeekConn(w io.Writer, v *Values, o LogOptions) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	zeekHeader(bw, "conn", "ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service duration orig_bytes resp_bytes conn_state local_orig local_resp missed_bytes history orig_pkts orig_ip_bytes resp_pkts resp_ip_bytes tunnel_parents",
		"time string addr port addr port enum string interval count count string bool bool count string count count count count set[string]")
	services := []string{"ssl", "dns", "http", "-", "ssh", "ssl", "ssl"}
	for i := range o.Lines {
		resp := g.publicIPv4()
		if g.hit(o) {
			resp = g.pick(v.IPv4, g.publicIPv4)
		}
		fmt.Fprintf(bw, "%.6f\t%s\t%s\t%d\t%s\t%d\ttcp\t%s\t%.6f\t%d\t%d\tSF\tT\tF\t0\tShADadFf\t%d\t%d\t%d\t%d\t-\n",
			g.ts(i), g.uid(), g.internal(), 1024+g.rng.IntN(64000), resp, []int{443, 80, 53, 22, 8080}[g.rng.IntN(5)],
			services[g.rng.IntN(len(services))], g.rng.Float64()*30, g.rng.IntN(100000), g.rng.IntN(1000000),
			g.rng.IntN(200), g.rng.IntN(20000), g.rng.IntN(200), g.rng.IntN(1000000))
	}
	fmt.Fprint(bw, "#close\t2026-03-01-01-00-00\n")
	return bw.Flush()
}

// ZeekDNS writes a Zeek dns.log.
func (g *Gen) ZeekDNS(w io.Writer, v *Values, o LogOptions) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	zeekHeader(bw, "dns", "ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto trans_id rtt query qclass qclass_name qtype qtype_name rcode rcode_name AA TC RD RA Z answers TTLs rejected",
		"time string addr port addr port enum count interval string count string count string count string bool bool bool bool count vector[string] vector[interval] bool")
	for i := range o.Lines {
		q := g.domain()
		if g.hit(o) {
			q = g.pick(v.Domains, g.domain)
		}
		fmt.Fprintf(bw, "%.6f\t%s\t%s\t%d\t10.0.0.53\t53\tudp\t%d\t%.6f\t%s\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t%s,%s\t60.000000,300.000000\tF\n",
			g.ts(i), g.uid(), g.internal(), 1024+g.rng.IntN(64000), g.rng.IntN(65536), g.rng.Float64()/10, q, g.publicIPv4(), g.publicIPv4())
	}
	fmt.Fprint(bw, "#close\t2026-03-01-01-00-00\n")
	return bw.Flush()
}

// ZeekHTTP writes a Zeek http.log.
func (g *Gen) ZeekHTTP(w io.Writer, v *Values, o LogOptions) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	zeekHeader(bw, "http", "ts uid id.orig_h id.orig_p id.resp_h id.resp_p trans_depth method host uri referrer version user_agent origin request_body_len response_body_len status_code status_msg info_code info_msg tags username password proxied orig_fuids orig_filenames orig_mime_types resp_fuids resp_filenames resp_mime_types",
		"time string addr port addr port count string string string string string string string count count count string count string set[enum] string string set[string] vector[string] vector[string] vector[string] vector[string] vector[string] vector[string]")
	for i := range o.Lines {
		host, uri := g.domain(), g.path()
		if g.hit(o) && len(v.URLs) > 0 {
			u := strings.TrimPrefix(g.pick(v.URLs, nil), "http://")
			slash := strings.IndexByte(u, '/')
			host, uri = u[:slash], u[slash:]
		}
		fmt.Fprintf(bw, "%.6f\t%s\t%s\t%d\t%s\t80\t1\tGET\t%s\t%s\t-\t1.1\tMozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36\t-\t0\t%d\t200\tOK\t-\t-\t(empty)\t-\t-\t-\t-\t-\t-\tF%s\t-\ttext/html\n",
			g.ts(i), g.uid(), g.internal(), 1024+g.rng.IntN(64000), g.publicIPv4(), host, uri, g.rng.IntN(100000), g.uid()[1:])
	}
	fmt.Fprint(bw, "#close\t2026-03-01-01-00-00\n")
	return bw.Flush()
}

// EVE writes Suricata EVE JSON: flow, dns (v8 layout), http, tls,
// fileinfo and alert events in proportions typical of a sensor.
func (g *Gen) EVE(w io.Writer, v *Values, o LogOptions) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	for i := range o.Lines {
		t := g.base.Add(time.Duration(i) * time.Millisecond).Format("2006-01-02T15:04:05.000000-0700")
		src, dst := g.internal(), g.publicIPv4()
		hit := g.hit(o)
		flow := g.rng.Uint64() >> 12
		sp, dp := 1024+g.rng.IntN(64000), []int{443, 80, 53}[g.rng.IntN(3)]
		switch r := g.rng.IntN(10); {
		case r < 4: // flow
			if hit {
				dst = g.pick(v.IPv4, g.publicIPv4)
			}
			fmt.Fprintf(bw, `{"timestamp":"%s","flow_id":%d,"in_iface":"eth0","event_type":"flow","src_ip":"%s","src_port":%d,"dest_ip":"%s","dest_port":%d,"proto":"TCP","app_proto":"tls","flow":{"pkts_toserver":%d,"pkts_toclient":%d,"bytes_toserver":%d,"bytes_toclient":%d,"start":"%s","end":"%s","age":%d,"state":"closed","reason":"timeout","alerted":false},"tcp":{"tcp_flags":"1b","tcp_flags_ts":"1b","tcp_flags_tc":"1b","syn":true,"fin":true,"psh":true,"ack":true,"state":"closed"}}`+"\n",
				t, flow, src, sp, dst, dp, g.rng.IntN(200), g.rng.IntN(200), g.rng.IntN(100000), g.rng.IntN(1000000), t, t, g.rng.IntN(100))
		case r < 7: // dns, Suricata 8 layout
			q := g.domain()
			if hit {
				q = g.pick(v.Domains, g.domain)
			}
			fmt.Fprintf(bw, `{"timestamp":"%s","flow_id":%d,"in_iface":"eth0","event_type":"dns","src_ip":"10.0.0.53","src_port":53,"dest_ip":"%s","dest_port":%d,"proto":"UDP","pkt_src":"wire/pcap","dns":{"version":3,"type":"response","tx_id":0,"id":%d,"flags":"8180","qr":true,"rd":true,"ra":true,"opcode":0,"rcode":"NOERROR","queries":[{"rrname":"%s","rrtype":"A"}],"answers":[{"rrname":"%s","rrtype":"A","ttl":300,"rdata":"%s"}],"grouped":{"A":["%s"]}}}`+"\n",
				t, flow, src, sp, g.rng.IntN(65536), q, q, dst, dst)
		case r < 9: // http
			host, uri := g.domain(), g.path()
			if hit && len(v.URLs) > 0 {
				u := strings.TrimPrefix(g.pick(v.URLs, nil), "http://")
				slash := strings.IndexByte(u, '/')
				host, uri = u[:slash], u[slash:]
			}
			fmt.Fprintf(bw, `{"timestamp":"%s","flow_id":%d,"in_iface":"eth0","event_type":"http","src_ip":"%s","src_port":%d,"dest_ip":"%s","dest_port":80,"proto":"TCP","tx_id":0,"http":{"hostname":"%s","url":"%s","http_user_agent":"Mozilla\/5.0 (Windows NT 10.0; Win64; x64)","http_content_type":"text\/html","http_method":"GET","protocol":"HTTP\/1.1","status":200,"length":%d}}`+"\n",
				t, flow, src, sp, dst, host, strings.ReplaceAll(uri, "/", `\/`), g.rng.IntN(100000))
		default: // tls
			sni := g.domain()
			if hit {
				sni = g.pick(v.Domains, g.domain)
			}
			fmt.Fprintf(bw, `{"timestamp":"%s","flow_id":%d,"in_iface":"eth0","event_type":"tls","src_ip":"%s","src_port":%d,"dest_ip":"%s","dest_port":443,"proto":"TCP","tls":{"subject":"CN=%s","issuerdn":"C=US, O=Let's Encrypt, CN=R3","serial":"04:A1:B2","fingerprint":"%s","sni":"%s","version":"TLS 1.3","notbefore":"2026-01-01T00:00:00","notafter":"2026-04-01T00:00:00","ja3":{"hash":"%s"},"ja3s":{"hash":"%s"}}}`+"\n",
				t, flow, src, sp, dst, sni, g.hexString(40), sni, g.hexString(32), g.hexString(32))
		}
	}
	return bw.Flush()
}
