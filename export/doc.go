// Package export turns STIX indicators into the files defenders load where
// they enforce indicators: Zeek's Intel framework, Suricata datasets and
// the rules that use them, DNS Response Policy Zones, and the plain lists
// and CSV that firewalls poll.
//
// Values comes from the indicators' STIX patterns (parsed by the pattern
// package): only a value whose presence alone matches the indicator is
// exported (see Values). Each Writer streams: it writes one indicator at a
// time to a buffered io.Writer and keeps nothing of the indicators, except
// the hashes of the values already written for the formats that must not
// repeat a value. A value the format cannot hold (a tab in a Zeek field, a
// domain with a space, a file name with a newline) is skipped and counted
// in Stats, never written: no line can break its format.
//
// The package knows nothing of the hub: the caller (hub.ExportIndicators)
// decides which indicators a key may export.
package export
