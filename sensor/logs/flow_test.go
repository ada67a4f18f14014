package logs_test

import (
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/sensor/logs"
)

// TestFlows reads which address and port is whose from the formats that
// say it, and nothing from malformed or partial records.
func TestFlows(t *testing.T) {
	zeekTSV := "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto"
	for _, tc := range []struct {
		name    string
		format  string
		headers string
		line    string
		want    sensor.Flow
		ok      bool
	}{
		{"zeek tsv", "zeek-tsv", zeekTSV, "1709287200.0\tC1\t10.0.0.5\t51000\t203.0.113.66\t443\ttcp",
			sensor.Flow{SrcIP: "10.0.0.5", SrcPort: 51000, DstIP: "203.0.113.66", DstPort: 443, Proto: "tcp"}, true},
		{"zeek tsv unset port", "zeek-tsv", zeekTSV, "1709287200.0\tC1\t10.0.0.5\t-\t203.0.113.66\t-\ticmp",
			sensor.Flow{SrcIP: "10.0.0.5", DstIP: "203.0.113.66", Proto: "icmp"}, true},
		{"zeek tsv short record", "zeek-tsv", zeekTSV, "1709287200.0\tC1", sensor.Flow{}, false},
		{"zeek json flat", "zeek-json", "", `{"ts":1.0,"uid":"C1","id.orig_h":"10.0.0.5","id.orig_p":51000,"id.resp_h":"2001:db8::1","id.resp_p":53,"proto":"UDP"}`,
			sensor.Flow{SrcIP: "10.0.0.5", SrcPort: 51000, DstIP: "2001:db8::1", DstPort: 53, Proto: "udp"}, true},
		{"zeek json nested", "zeek-json", "", `{"ts":1.0,"uid":"C1","id":{"orig_h":"10.0.0.5","orig_p":1,"resp_h":"10.0.0.6","resp_p":2}}`,
			sensor.Flow{SrcIP: "10.0.0.5", SrcPort: 1, DstIP: "10.0.0.6", DstPort: 2}, true},
		{"eve", "eve", "", `{"timestamp":"2024-03-01T10:00:00.000000+0000","event_type":"flow","src_ip":"10.0.0.5","src_port":4444,"dest_ip":"198.51.100.7","dest_port":8080,"proto":"TCP"}`,
			sensor.Flow{SrcIP: "10.0.0.5", SrcPort: 4444, DstIP: "198.51.100.7", DstPort: 8080, Proto: "tcp"}, true},
		{"eve port out of range", "eve", "", `{"src_ip":"10.0.0.5","src_port":70000,"dest_ip":"198.51.100.7","dest_port":-1}`,
			sensor.Flow{SrcIP: "10.0.0.5", DstIP: "198.51.100.7"}, true},
		{"eve without addresses", "eve", "", `{"event_type":"stats"}`, sensor.Flow{}, false},
		{"broken json", "eve", "", `{"src_ip":"10.0.0.5"`, sensor.Flow{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := logs.FormatByName(tc.format)
			if err != nil {
				t.Fatal(err)
			}
			p := f.NewParser()
			if tc.headers != "" {
				for _, h := range strings.Split(tc.headers, "\n") {
					p.Parse([]byte(h), func(sensor.Kind, []byte) {})
				}
			}
			fp, isFlow := p.(logs.FlowParser)
			if !isFlow {
				t.Fatalf("%s parser reads no flows", tc.format)
			}
			got, ok := fp.Flow([]byte(tc.line))
			if ok != tc.ok || got != tc.want {
				t.Errorf("Flow = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
