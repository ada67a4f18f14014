package logs

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/vigie-cti/vigie/sensor"
)

// FlowParser is a Parser whose records say which address and port is the
// source and which the destination (Zeek conn, dns, http...; Suricata
// EVE), so that patterns on network-traffic objects can be matched. Flow
// is called only for the lines a correlator keeps, not on the hot path.
type FlowParser interface {
	Parser
	Flow(line []byte) (sensor.Flow, bool)
}

// flowKeys names the fields of a flow in a JSON log; a dotted key is also
// looked up nested ("id.orig_h" as "id": {"orig_h": ...}).
type flowKeys struct {
	srcIP, srcPort, dstIP, dstPort, proto string
}

var (
	zeekFlowKeys = flowKeys{"id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto"}
	eveFlowKeys  = flowKeys{"src_ip", "src_port", "dest_ip", "dest_port", "proto"}
)

// jsonFlow reads the flow of one JSON record.
func jsonFlow(line []byte, k flowKeys) (sensor.Flow, bool) {
	var rec map[string]any
	d := json.NewDecoder(bytes.NewReader(line))
	d.UseNumber()
	if err := d.Decode(&rec); err != nil {
		return sensor.Flow{}, false
	}
	get := func(key string) string {
		v, ok := rec[key]
		if !ok {
			if outer, inner, dotted := strings.Cut(key, "."); dotted {
				if m, isMap := rec[outer].(map[string]any); isMap {
					v = m[inner]
				}
			}
		}
		switch v := v.(type) {
		case string:
			return v
		case json.Number:
			return v.String()
		}
		return ""
	}
	return newFlow(get(k.srcIP), get(k.srcPort), get(k.dstIP), get(k.dstPort), get(k.proto))
}

// newFlow builds a flow from its fields as text; ok is false when it has
// neither address.
func newFlow(srcIP, srcPort, dstIP, dstPort, proto string) (sensor.Flow, bool) {
	port := func(s string) int {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 65535 {
			return 0
		}
		return n
	}
	f := sensor.Flow{SrcIP: srcIP, SrcPort: port(srcPort), DstIP: dstIP, DstPort: port(dstPort), Proto: strings.ToLower(proto)}
	return f, f.SrcIP != "" || f.DstIP != ""
}

// Flow reads the flow of a JSON record, for formats that have one.
func (p *jsonLineParser) Flow(line []byte) (sensor.Flow, bool) {
	if p.flow == nil {
		return sensor.Flow{}, false
	}
	return jsonFlow(line, *p.flow)
}

// Flow reads the id.orig_h, id.orig_p, id.resp_h, id.resp_p and proto
// columns of a Zeek record.
func (p *zeekTSVParser) Flow(line []byte) (sensor.Flow, bool) {
	s := p.s
	if s.names == nil || len(line) == 0 || line[0] == '#' {
		return sensor.Flow{}, false
	}
	vals := bytes.Split(line, []byte{s.sep})
	get := func(name string) string {
		for i, n := range s.names {
			if string(n) == name && i < len(vals) {
				v := string(vals[i])
				if v == s.unset || v == s.empty {
					return ""
				}
				return v
			}
		}
		return ""
	}
	k := zeekFlowKeys
	return newFlow(get(k.srcIP), get(k.srcPort), get(k.dstIP), get(k.dstPort), get(k.proto))
}
