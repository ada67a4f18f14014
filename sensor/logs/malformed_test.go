package logs_test

import (
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/sensor/logs"
)

const zeekHeader = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#fields\tts\tid.orig_h\tid.resp_h\tquery\tanswers\n#types\ttime\taddr\taddr\tstring\tvector[string]\n"

// TestMalformedLines gives each parser lines it must refuse with a
// message, without panicking, and lines it must read despite oddities.
func TestMalformedLines(t *testing.T) {
	tests := []struct {
		name    string
		format  logs.Format
		header  string
		line    string
		wantErr string // "" when the line must be read
		wantObs string // observables, "kind value" joined by "; "
	}{
		{"zeek record before #fields", logs.ZeekTSV{}, "", "1.0\t10.0.0.1", "before any #fields", ""},
		{"zeek short record", logs.ZeekTSV{}, zeekHeader, "1.0\t10.0.0.1", "has 2 fields", "ip 10.0.0.1"},
		{"zeek unset and empty", logs.ZeekTSV{}, zeekHeader, "1.0\t-\t(empty)\t-\t-", "", ""},
		{"zeek escaped separator", logs.ZeekTSV{}, zeekHeader, "1.0\t-\t-\tevil\\x2eexample\t-", "", "domain evil.example"},
		{"zeek garbage escapes", logs.ZeekTSV{}, zeekHeader, "1.0\t-\t-\t\\x\\xZZ\\\t-", "", `domain \x\xZZ\`},
		{"zeek bad separator header", logs.ZeekTSV{}, "", "#separator \\x0909", "want one byte", ""},
		{"zeek set elements", logs.ZeekTSV{}, zeekHeader, "1.0\t-\t-\t-\tevil.example,,192.0.2.1", "", "domain evil.example; ip 192.0.2.1"},
		{"eve not an object", logs.EVE{}, "", `["event_type"]`, "one JSON object", ""},
		{"eve truncated", logs.EVE{}, "", `{"event_type":"dns","src_ip":"10.0.0.1","dns":{"rrname":"evil.exa`, "unterminated string", "ip 10.0.0.1"},
		{"eve unterminated object", logs.EVE{}, "", `{"event_type":"dns","dns":{"rrname":"evil.example"`, "unterminated object", "domain evil.example"},
		{"eve trailing data", logs.EVE{}, "", `{"event_type":"dns"} x`, "data after", ""},
		{"eve bad escape", logs.EVE{}, "", `{"src_ip":"10.0.0.\q"}`, "bad escape", ""},
		{"eve missing colon", logs.EVE{}, "", `{"src_ip" "10.0.0.1"}`, "expected ':'", ""},
		{"eve missing value", logs.EVE{}, "", `{"src_ip":}`, "expected a value", ""},
		{"eve number where a string belongs", logs.EVE{}, "", `{"src_ip":1234,"dest_ip":"10.0.0.2"}`, "", "ip 10.0.0.2"},
		{"eve unicode escapes", logs.EVE{}, "", `{"tls":{"sni":"evil\u002eexample"}}`, "", "domain evil.example"},
		{"eve deep nesting skipped", logs.EVE{}, "", `{"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `,"src_ip":"10.0.0.1"}`, "", "ip 10.0.0.1"},
		{"eve deep nesting in a read path", logs.EVE{}, "", `{"dns":{"queries":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}}`, "nested too deeply", ""},
		{"eve v7 and v8 dns", logs.EVE{}, "", `{"dns":{"rrname":"a.example","queries":[{"rrname":"b.example"}],"answers":[{"rdata":"192.0.2.1"}]}}`, "",
			"domain a.example; domain b.example; ip 192.0.2.1"},
		{"zeek json nested id", logs.ZeekJSON{}, "", `{"ts":1.5,"uid":"C1","id":{"orig_h":"10.0.0.1","resp_h":"192.0.2.1"}}`, "", "ip 10.0.0.1; ip 192.0.2.1"},
		{"zeek json broken", logs.ZeekJSON{}, "", `{"ts":1.5,"uid":"C1",`, "expected a member name", ""},
		{"cef short header", logs.CEF{}, "", "CEF:0|Vendor|Product", "CEF header has 3 of its 8 fields", ""},
		{"cef no header", logs.CEF{}, "", "just text", "no CEF header", ""},
		{"cef escaped equals and pipes", logs.CEF{}, "", `CEF:0|V\|x|P|1|c|n|3|request=http://evil.example/?a\=1 src=10.0.0.1`, "",
			"url http://evil.example/?a=1; domain evil.example; ip 10.0.0.1"},
		{"cef value with spaces", logs.CEF{}, "", `CEF:0|V|P|1|c|n|3|msg=beacon to evil.example seen dst=192.0.2.1`, "", "domain evil.example; ip 192.0.2.1"},
		{"cef empty extension", logs.CEF{}, "", `CEF:0|V|P|1|c|n|3|`, "", ""},
		{"syslog bad priority", logs.Syslog{}, "", "<999>1 2024-03-01T10:00:00Z h a - - - evil.example", "priority", "domain evil.example"},
		{"syslog short 5424 header", logs.Syslog{}, "", "<34>1 2024-03-01T10:00:00Z host", "RFC 5424 header has", ""},
		{"syslog unterminated sd", logs.Syslog{}, "", `<34>1 2024-03-01T10:00:00Z h a - - [x a="evil.example`, "unterminated", "domain evil.example"},
		{"syslog no header", logs.Syslog{}, "", "random words 192.0.2.1", "no syslog header", "ip 192.0.2.1"},
		{"syslog sd escapes", logs.Syslog{}, "", `<34>1 2024-03-01T10:00:00Z h a - - [x a="evil\"x.example"] m`, "", "domain x.example"},
		{"text binary garbage", logs.Text{}, "", "\x00\xff\xfe..::@@\x01evil.example\x00", "", "domain evil.example"},
		{"text lone colons and dots", logs.Text{}, "", ":::: .... @@@@ ----", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.format.NewParser()
			for _, h := range strings.Split(strings.TrimSuffix(tt.header, "\n"), "\n") {
				if h != "" {
					if err := p.Parse([]byte(h), func(sensor.Kind, []byte) {}); err != nil && tt.wantErr == "" {
						t.Fatalf("header %q: %v", h, err)
					}
				}
			}
			var obs []string
			err := p.Parse([]byte(tt.line), func(k sensor.Kind, v []byte) { obs = append(obs, k.String()+" "+string(v)) })
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
			if got := strings.Join(obs, "; "); got != tt.wantObs {
				t.Errorf("observables %q, want %q", got, tt.wantObs)
			}
		})
	}
}
