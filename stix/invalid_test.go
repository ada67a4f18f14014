package stix_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/stix"
)

// uuid is a valid version 4 UUID for the identifiers the cases need.
const uuid = "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"

// ref returns an identifier of type t as a JSON string.
func ref(t string) string { return `"` + t + "--" + uuid + `"` }

// refs returns a JSON list of identifiers of the given types.
func refs(types ...string) string {
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = ref(t)
	}
	return "[" + strings.Join(out, ",") + "]"
}

func muts(m ...mutation) []mutation { return m }

const (
	tlp1Red   = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
	tlp2Amber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	tlp2Ext   = "extensions/extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
)

// invalidCases are mutations of valid objects that must be rejected, with
// the property the error must name and a part of its message.
var invalidCases = []struct {
	name     string
	base     string // see bases
	muts     []mutation
	property string
	message  string
}{
	// type
	{"type missing", "indicator", muts(del("type")), "type", "required"},
	{"type not a string", "indicator", muts(set("type", "7")), "type", "must be a string, not a number"},
	{"type upper case", "indicator", muts(set("type", `"Indicator"`)), "type", "lower-case letter"},
	{"type too short", "indicator", muts(set("type", `"ab"`)), "type", "3 to 250"},
	{"type with double hyphen", "indicator", muts(set("type", `"x--y"`)), "type", `"--"`},
	{"type with underscore", "indicator", muts(set("type", `"x_acme"`)), "type", "only a-z, 0-9"},
	{"type bundle", "indicator", muts(set("type", `"bundle"`)), "type", "container"},
	{"type reserved action", "indicator", muts(set("type", `"action"`)), "type", "reserved"},

	// id
	{"id missing", "indicator", muts(del("id")), "id", "required by indicator"},
	{"id not a string", "indicator", muts(set("id", "1")), "id", "must be an identifier string"},
	{"id without separator", "indicator", muts(set("id", `"indicator-`+uuid+`"`)), "id", "is not an identifier"},
	{"id of another type", "indicator", muts(set("id", ref("malware"))), "id", `must start with "indicator--"`},
	{"id with UUID version 0", "indicator", muts(set("id", `"indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f"`)), "id", "version digit"},
	{"id with UUID variant c", "indicator", muts(set("id", `"indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f"`)), "id", "variant digit"},
	{"id with non-hex UUID", "indicator", muts(set("id", `"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cdzz"`)), "id", "hexadecimal"},
	{"id with short UUID", "indicator", muts(set("id", `"indicator--8e2e2d2b-17d4-4cbf-938f"`)), "id", "UUID"},
	{"id with UUID without dashes", "indicator", muts(set("id", `"indicator--8e2e2d2b17d44cbf938f98ee46b3cd3f1234"`)), "id", "8-4-4-4-12"},

	// spec_version
	{"spec_version missing", "indicator", muts(del("spec_version")), "spec_version", "required by indicator"},
	{"spec_version 2.0", "indicator", muts(set("spec_version", `"2.0"`)), "spec_version", "STIX 2.1"},
	{"spec_version number", "indicator", muts(set("spec_version", "2.1")), "spec_version", "not a number"},

	// created and modified
	{"created missing", "indicator", muts(del("created")), "created", "required"},
	{"created without milliseconds", "indicator", muts(set("created", `"2023-03-14T09:26:53Z"`)), "created", "millisecond"},
	{"created without Z", "indicator", muts(set("created", `"2023-03-14T09:26:53.589"`)), "created", `end with "Z"`},
	{"created with offset", "indicator", muts(set("created", `"2023-03-14T09:26:53.589+01:00"`)), "created", "numeric offset"},
	{"created with lower-case z", "indicator", muts(set("created", `"2023-03-14T09:26:53.589z"`)), "created", `upper-case "Z"`},
	{"created with space", "indicator", muts(set("created", `"2023-03-14 09:26:53.589Z"`)), "created", `separated by "T"`},
	{"created month 13", "indicator", muts(set("created", `"2023-13-14T09:26:53.589Z"`)), "created", "month"},
	{"created February 29 of 2023", "indicator", muts(set("created", `"2023-02-29T09:26:53.589Z"`)), "created", "day is out of range"},
	{"created hour 24", "indicator", muts(set("created", `"2023-03-14T24:00:00.000Z"`)), "created", "hour"},
	{"created leap second at noon", "indicator", muts(set("created", `"2023-03-14T12:00:60.000Z"`)), "created", "leap second"},
	{"created date only", "indicator", muts(set("created", `"2023-03-14"`)), "created", "date and a time"},
	{"created unix time", "indicator", muts(set("created", "1678786013")), "created", "timestamp string"},
	{"modified before created", "indicator", muts(set("modified", `"2020-01-01T00:00:00.000Z"`)), "modified", "must not be earlier than created"},

	// common properties
	{"created_by_ref to malware", "indicator", muts(set("created_by_ref", ref("malware"))), "created_by_ref", "type identity, not an object of type malware"},
	{"created_by_ref not an identifier", "indicator", muts(set("created_by_ref", `"ACME"`)), "created_by_ref", "is not an identifier"},
	{"revoked string", "indicator", muts(set("revoked", `"true"`)), "revoked", "true or false"},
	{"labels empty", "indicator", muts(set("labels", "[]")), "labels", "empty list"},
	{"labels with number", "indicator", muts(set("labels", `["a", 1]`)), "labels[1]", "must be a string"},
	{"labels string", "indicator", muts(set("labels", `"a"`)), "labels", "must be a list"},
	{"confidence 101", "indicator", muts(set("confidence", "101")), "confidence", "0 to 100"},
	{"confidence negative", "indicator", muts(set("confidence", "-1")), "confidence", "0 to 100"},
	{"confidence fraction", "indicator", muts(set("confidence", "50.5")), "confidence", "0 to 100"},
	{"confidence huge", "indicator", muts(set("confidence", "1e999")), "confidence", "0 to 100"},
	{"confidence string", "indicator", muts(set("confidence", `"50"`)), "confidence", "integer"},
	{"lang not a tag", "indicator", muts(set("lang", `"english!"`)), "lang", "RFC 5646"},
	{"description null", "indicator", muts(set("description", "null")), "description", "not null"},
	{"external_references empty", "indicator", muts(set("external_references", "[]")), "external_references", "empty list"},
	{"external reference without source_name", "attack-pattern", muts(del("external_references/1/source_name")), "external_references[1].source_name", "required by external-reference"},
	{"external reference with only source_name", "attack-pattern", muts(set("external_references/1", `{"source_name":"x"}`)), "external_references[1]", "at least one of description, url or external_id"},
	{"external reference capec id", "attack-pattern", muts(set("external_references/0/external_id", `"CAPEC163"`)), "external_references[0].external_id", "CAPEC"},
	{"external reference cve id", "vulnerability", muts(set("external_references/0/external_id", `"CVE-2021-123"`)), "external_references[0].external_id", "CVE"},
	{"external reference cve without id", "vulnerability", muts(set("external_references/0", `{"source_name":"cve","url":"https://cve.org/"}`)), "external_references[0].external_id", "required"},
	{"external reference url", "attack-pattern", muts(set("external_references/0/url", `"capec.mitre.org"`)), "external_references[0].url", "scheme"},
	{"external reference hash length", "attack-pattern", muts(set("external_references/1/hashes/SHA-256", `"abc"`)), "external_references[1].hashes.SHA-256", "64 hexadecimal digits"},
	{"external reference hashes empty", "attack-pattern", muts(set("external_references/1/hashes", "{}")), "external_references[1].hashes", "empty"},
	{"object_marking_refs to identity", "indicator", muts(set("object_marking_refs", refs("identity"))), "object_marking_refs[0]", "marking-definition"},
	{"object_marking_refs string", "indicator", muts(set("object_marking_refs", ref("marking-definition"))), "object_marking_refs", "must be a list"},
	{"granular marking without selectors", "indicator", muts(del("granular_markings/0/selectors")), "granular_markings[0].selectors", "required by granular-marking"},
	{"granular marking selector absent", "indicator", muts(set("granular_markings/0/selectors", `["pattern_version_x"]`)), "granular_markings[0].selectors[0]", "no property"},
	{"granular marking index out of range", "indicator", muts(set("granular_markings/0/selectors", `["kill_chain_phases.[3]"]`)), "granular_markings[0].selectors[0]", "out of range"},
	{"granular marking lang and marking_ref", "indicator", muts(set("granular_markings/1/marking_ref", ref("marking-definition"))), "granular_markings[1].lang", "either"},
	{"granular marking without marking_ref or lang", "indicator", muts(del("granular_markings/1/lang")), "granular_markings[1].marking_ref", "required"},
	{"granular marking_ref to identity", "indicator", muts(set("granular_markings/0/marking_ref", ref("identity"))), "granular_markings[0].marking_ref", "marking-definition"},
	{"kill chain phase without phase_name", "indicator", muts(del("kill_chain_phases/0/phase_name"), del("granular_markings")), "kill_chain_phases[0].phase_name", "required by kill-chain-phase"},
	{"extensions empty", "indicator", muts(set("extensions", "{}")), "extensions", "empty"},
	{"extension name invalid", "indicator", muts(set("extensions", `{"foo":{"a":1}}`)), "extensions.foo", "not a valid extension name"},
	{"extension definition id invalid", "indicator", muts(set("extensions", `{"extension-definition--1234":{"extension_type":"property-extension"}}`)), "extensions.extension-definition--1234", "extension-definition identifier"},
	{"extension without extension_type", "indicator", muts(set("extensions", `{"extension-definition--`+uuid+`":{"x_score":1}}`)), "extensions.extension-definition--" + uuid + ".extension_type", "required"},
	{"extension_type not in enum", "indicator", muts(set("extensions", `{"extension-definition--`+uuid+`":{"extension_type":"new-thing"}}`)), "extensions.extension-definition--" + uuid + ".extension_type", "allowed values"},
	{"extension of another type", "indicator", muts(set("extensions", `{"archive-ext":{"contains_refs":`+refs("file")+`}}`)), "extensions.archive-ext", "extension of file objects"},
	{"extension value not an object", "indicator", muts(set("extensions", `{"x-acme-ext":true}`)), "extensions.x-acme-ext", "must be an object"},
	{"extension property name invalid", "indicator", muts(set("extensions", `{"x-acme-ext":{"Rating":1}}`)), "extensions.x-acme-ext.Rating", "not a valid property name"},

	// custom properties
	{"custom property upper case", "indicator", muts(set("X_acme", "1")), "X_acme", "not a valid property name"},
	{"custom property too short", "indicator", muts(set("xa", "1")), "xa", "3 to 250"},
	{"custom property with hyphen", "indicator", muts(set("x-acme", "1")), "x-acme", "not a valid property name"},
	{"custom property leading underscore", "indicator", muts(set("_acme", "1")), "_acme", "starting with a letter"},
	{"custom property too long", "indicator", muts(set("x"+strings.Repeat("a", 250), "1")), "x" + strings.Repeat("a", 250), "3 to 250"},
	{"custom property null", "indicator", muts(set("x_acme", "null")), "x_acme", "must not be null"},
	{"custom property empty list", "indicator", muts(set("x_acme", "[]")), "x_acme", "empty list"},
	{"custom _ref not an identifier", "indicator", muts(set("x_acme_ref", `"acme"`)), "x_acme_ref", "not an identifier"},
	{"custom _refs with a bad item", "indicator", muts(set("x_acme_refs", `[`+ref("tool")+`, "x"]`)), "x_acme_refs[1]", "not an identifier"},
	{"custom _bin not base64", "indicator", muts(set("x_acme_bin", `"not base64!"`)), "x_acme_bin", "base64"},
	{"custom _hex odd", "indicator", muts(set("x_acme_hex", `"abc"`)), "x_acme_hex", "even number"},
	{"recipient refs to malware", "indicator", muts(set("x_vigie_recipient_refs", refs("identity", "malware"))), "x_vigie_recipient_refs[1]", "type identity"},
	{"recipient refs empty", "indicator", muts(set("x_vigie_recipient_refs", "[]")), "x_vigie_recipient_refs", "empty list"},
	{"recipient refs string", "indicator", muts(set("x_vigie_recipient_refs", ref("identity"))), "x_vigie_recipient_refs", "must be a list"},
	{"reserved property severity", "indicator", muts(set("severity", `"high"`)), "severity", "reserved"},
	{"smallest bad custom name first", "indicator", muts(set("x_b", "null"), set("x_a", "null"), set("X_c", "1")), "X_c", "not a valid property name"},

	// SDOs
	{"indicator without pattern", "indicator", muts(del("pattern")), "pattern", "required by indicator"},
	{"indicator empty pattern", "indicator", muts(set("pattern", `""`)), "pattern", "empty"},
	{"indicator without pattern_type", "indicator", muts(del("pattern_type")), "pattern_type", "required by indicator"},
	{"indicator without valid_from", "indicator", muts(del("valid_from")), "valid_from", "required by indicator"},
	{"indicator valid_until equal", "indicator", muts(set("valid_until", `"2023-03-14T00:00:00Z"`)), "valid_until", "later than valid_from"},
	{"indicator valid_until before", "indicator", muts(set("valid_until", `"2020-03-14T00:00:00Z"`)), "valid_until", "later than valid_from"},
	{"indicator_types string", "indicator", muts(set("indicator_types", `"malicious-activity"`)), "indicator_types", "must be a list"},
	{"malware without is_family", "malware", muts(del("is_family")), "is_family", "required by malware"},
	{"malware is_family string", "malware", muts(set("is_family", `"yes"`)), "is_family", "true or false"},
	{"malware family without name", "malware", muts(del("name")), "name", "is_family is true"},
	{"malware sample_refs to ipv4-addr", "malware", muts(set("sample_refs", refs("ipv4-addr"))), "sample_refs[0]", "artifact or file"},
	{"malware operating_system_refs to file", "malware", muts(set("operating_system_refs", refs("file"))), "operating_system_refs[0]", "software"},
	{"malware last_seen before first_seen", "malware", muts(set("last_seen", `"2000-01-01T00:00:00Z"`)), "last_seen", "earlier than first_seen"},
	{"campaign last_seen before first_seen", "campaign", muts(set("last_seen", `"2000-01-01T00:00:00Z"`)), "last_seen", "earlier than first_seen"},
	{"grouping without context", "grouping", muts(del("context")), "context", "required by grouping"},
	{"grouping object_refs empty", "grouping", muts(set("object_refs", "[]")), "object_refs", "empty list"},
	{"grouping object_refs to a bundle", "grouping", muts(set("object_refs", refs("bundle"))), "object_refs[0]", "STIX object"},
	{"report without published", "report", muts(del("published")), "published", "required by report"},
	{"report without object_refs", "report", muts(del("object_refs")), "object_refs", "required by report"},
	{"report with empty object_refs", "report", muts(set("object_refs", "[]")), "object_refs", "empty list"},
	{"opinion outside the enum", "opinion", muts(set("opinion", `"maybe"`)), "opinion", "strongly-disagree"},
	{"opinion without object_refs", "opinion", muts(del("object_refs")), "object_refs", "required by opinion"},
	{"note without content", "note", muts(del("content")), "content", "required by note"},
	{"location latitude 91", "location", muts(set("latitude", "91")), "latitude", "-90 to 90"},
	{"location longitude -181", "location", muts(set("longitude", "-181")), "longitude", "-180 to 180"},
	{"location latitude string", "location", muts(set("latitude", `"48.8"`)), "latitude", "must be a number"},
	{"location latitude without longitude", "location", muts(del("longitude")), "longitude", "latitude is present"},
	{"location precision without coordinates", "location", muts(del("latitude"), del("longitude")), "precision", "latitude and longitude"},
	{"location without place", "location/", muts(del("region")), "", "region, country, or latitude and longitude"},
	{"observed-data number_observed 0", "observed-data", muts(set("number_observed", "0")), "number_observed", "1 to 999999999"},
	{"observed-data number_observed too big", "observed-data", muts(set("number_observed", "1000000000")), "number_observed", "1 to 999999999"},
	{"observed-data without number_observed", "observed-data", muts(del("number_observed")), "number_observed", "required"},
	{"observed-data objects and object_refs", "observed-data", muts(set("objects", `{"0":{"type":"file","name":"a"}}`)), "objects", "together with object_refs"},
	{"observed-data object_refs to indicator", "observed-data", muts(set("object_refs", refs("indicator"))), "object_refs[0]", "Cyber-observable"},
	{"observed-data object_refs only to SROs", "observed-data", muts(set("object_refs", refs("relationship", "sighting"))), "object_refs", "at least one Cyber-observable Object"},
	{"observed-data last before first", "observed-data", muts(set("last_observed", `"2000-01-01T00:00:00Z"`)), "last_observed", "earlier than first_observed"},
	{"observed-data objects without type", "observed-data", muts(del("object_refs"), set("objects", `{"0":{"value":"x"}}`)), "objects.0.type", "required"},
	{"malware-analysis without product", "malware-analysis", muts(del("product")), "product", "required by malware-analysis"},
	{"malware-analysis without result", "malware-analysis", muts(del("result"), del("analysis_sco_refs")), "", "result or analysis_sco_refs"},
	{"malware-analysis sample_ref to ipv4-addr", "malware-analysis", muts(set("sample_ref", ref("ipv4-addr"))), "sample_ref", "file or network-traffic or artifact"},
	{"malware-analysis host_vm_ref to file", "malware-analysis", muts(set("host_vm_ref", ref("file"))), "host_vm_ref", "software"},
	{"malware-analysis analysis_sco_refs to indicator", "malware-analysis", muts(set("analysis_sco_refs", refs("indicator"))), "analysis_sco_refs[0]", "Cyber-observable"},
	{"identity without name", "identity", muts(del("name")), "name", "required by identity"},
	{"identity sectors string", "identity", muts(set("sectors", `"energy"`)), "sectors", "must be a list"},
	{"tool tool_types empty", "tool", muts(set("tool_types", "[]")), "tool_types", "empty list"},
	{"threat-actor without name", "threat-actor", muts(del("name")), "name", "required by threat-actor"},
	{"vulnerability without name", "vulnerability", muts(del("name")), "name", "required by vulnerability"},

	// SROs
	{"relationship_type upper case", "relationship", muts(set("relationship_type", `"Indicates"`)), "relationship_type", "relationship type"},
	{"relationship without source_ref", "relationship", muts(del("source_ref")), "source_ref", "required by relationship"},
	{"relationship source_ref to relationship", "relationship", muts(set("source_ref", ref("relationship"))), "source_ref", "not an object of type relationship"},
	{"relationship target_ref to marking", "relationship", muts(set("target_ref", ref("marking-definition"))), "target_ref", "not an object of type marking-definition"},
	{"relationship stop_time equal start_time", "relationship", muts(set("stop_time", `"2023-01-01T00:00:00Z"`)), "stop_time", "later than start_time"},
	{"sighting_of_ref to ipv4-addr", "sighting", muts(set("sighting_of_ref", ref("ipv4-addr"))), "sighting_of_ref", "STIX Domain Object"},
	{"sighting_of_ref to relationship", "sighting", muts(set("sighting_of_ref", ref("relationship"))), "sighting_of_ref", "STIX Domain Object"},
	{"sighting where_sighted_refs to malware", "sighting", muts(set("where_sighted_refs", refs("malware"))), "where_sighted_refs[0]", "identity or location"},
	{"sighting observed_data_refs to indicator", "sighting", muts(set("observed_data_refs", refs("indicator"))), "observed_data_refs[0]", "observed-data"},
	{"sighting count negative", "sighting", muts(set("count", "-1")), "count", "0 to 999999999"},
	{"sighting count too big", "sighting", muts(set("count", "1e9")), "count", "0 to 999999999"},
	{"sighting last_seen before first_seen", "sighting", muts(set("last_seen", `"2000-01-01T00:00:00Z"`)), "last_seen", "earlier than first_seen"},
	{"sighting summary string", "sighting", muts(set("summary", `"no"`)), "summary", "true or false"},

	// SCOs
	{"SCO without id", "url", muts(del("id")), "id", "required by url"},
	{"SCO spec_version 2.0", "url", muts(set("spec_version", `"2.0"`)), "spec_version", "STIX 2.1"},
	{"SCO defanged string", "url", muts(set("defanged", `"yes"`)), "defanged", "true or false"},
	{"SCO created_by_ref to malware", "url", muts(set("created_by_ref", ref("malware"))), "created_by_ref", "type identity"},
	{"artifact payload_bin and url", "artifact", muts(set("url", `"https://x.example/a"`)), "url", "either its payload or a URL"},
	{"artifact without payload_bin or url", "artifact", muts(del("payload_bin")), "payload_bin", "unless it has a url"},
	{"artifact url without hashes", "artifact/", muts(del("payload_bin"), del("hashes"), set("url", `"https://x.example/a"`)), "hashes", "when url is present"},
	{"artifact payload_bin not base64", "artifact", muts(set("payload_bin", `"%%%"`)), "payload_bin", "base64"},
	{"artifact encryption_algorithm", "artifact", muts(set("encryption_algorithm", `"AES"`)), "encryption_algorithm", "AES-256-GCM"},
	{"artifact decryption_key alone", "artifact", muts(del("encryption_algorithm")), "decryption_key", "only allowed with encryption_algorithm"},
	{"artifact mime_type", "artifact", muts(set("mime_type", `"zip"`)), "mime_type", "media type"},
	{"autonomous-system without number", "autonomous-system", muts(del("number")), "number", "required by autonomous-system"},
	{"autonomous-system number string", "autonomous-system", muts(set("number", `"64496"`)), "number", "integer"},
	{"directory without path", "directory", muts(del("path")), "path", "required by directory"},
	{"directory path_enc", "directory", muts(set("path_enc", `"UTF 8"`)), "path_enc", "character set"},
	{"directory contains_refs to ipv4-addr", "directory", muts(set("contains_refs", refs("ipv4-addr"))), "contains_refs[0]", "file or directory"},
	{"domain-name without value", "domain-name", muts(del("value")), "value", "required by domain-name"},
	{"domain-name URL value", "domain-name", muts(set("value", `"http://example.com/x"`)), "value", "domain name"},
	{"domain-name resolves_to_refs to url", "domain-name", muts(set("resolves_to_refs", refs("url"))), "resolves_to_refs[0]", "ipv4-addr or ipv6-addr or domain-name"},
	{"email-addr with display name", "email-addr", muts(set("value", `"John <jdoe@example.com>"`)), "value", "e-mail address"},
	{"email-addr belongs_to_ref to identity", "email-addr", muts(set("belongs_to_ref", ref("identity"))), "belongs_to_ref", "user-account"},
	{"email-message without is_multipart", "email-message", muts(del("is_multipart")), "is_multipart", "required by email-message"},
	{"email-message multipart with body", "email-message", muts(set("is_multipart", "true")), "body", "is_multipart is false"},
	{"email-message body_multipart when not multipart", "email-message/", muts(del("body"), set("body_multipart", `[{"body":"x"}]`)), "body_multipart", "is_multipart is true"},
	{"email-message MIME part without body", "email-message/", muts(del("body"), set("is_multipart", "true"), set("body_multipart", `[{"content_type":"text/plain"}]`)), "body_multipart[0]", "body or body_raw_ref"},
	{"email-message from_ref to identity", "email-message", muts(set("from_ref", ref("identity"))), "from_ref", "email-addr"},
	{"email-message header value number", "email-message", muts(set("additional_header_fields/X-Mailer", "5")), "additional_header_fields.X-Mailer", "string or a list of strings"},
	{"email-message header key", "email-message", muts(set("additional_header_fields/X Mailer", `"a"`)), "additional_header_fields.X Mailer", "dictionary key"},
	{"file without hashes or name", "file", muts(del("hashes"), del("name")), "", "hashes or name"},
	{"file size negative", "file", muts(set("size", "-1")), "size", "at least 0"},
	{"file SHA-256 short", "file", muts(set("hashes/SHA-256", `"abc"`)), "hashes.SHA-256", "64 hexadecimal digits"},
	{"file MD5 not hex", "file", muts(set("hashes/MD5", `"zz1d8cd98f00b204e9800998ecf8427e"`)), "hashes.MD5", "32 hexadecimal digits"},
	{"file TLSH short", "file", muts(set("hashes/TLSH", `"T1abc"`)), "hashes.TLSH", "TLSH"},
	{"file hash name too short", "file", muts(set("hashes/ab", `"x"`)), "hashes.ab", "hash algorithm name"},
	{"file parent_directory_ref to file", "file", muts(set("parent_directory_ref", ref("file"))), "parent_directory_ref", "directory"},
	{"file magic_number_hex", "file", muts(set("magic_number_hex", `"zz"`)), "magic_number_hex", "hexadecimal"},
	{"archive-ext without contains_refs", "file", muts(del("extensions/archive-ext/contains_refs")), "extensions.archive-ext.contains_refs", "required by archive-ext"},
	{"ntfs-ext without its properties", "file", muts(set("extensions/ntfs-ext", `{"x_acme_note":"a"}`)), "extensions.ntfs-ext", "sid, alternate_data_streams"},
	{"ntfs-ext stream without name", "file", muts(del("extensions/ntfs-ext/alternate_data_streams/0/name")), "extensions.ntfs-ext.alternate_data_streams[0].name", "required by alternate-data-stream-type"},
	{"pdf-ext document_info_dict number", "file", muts(set("extensions/pdf-ext/document_info_dict/Pages", "3")), "extensions.pdf-ext.document_info_dict.Pages", "must be a string"},
	{"raster-image-ext exif list", "file", muts(set("extensions/raster-image-ext/exif_tags/Make", `["a"]`)), "extensions.raster-image-ext.exif_tags.Make", "string or an integer"},
	{"windows-pebinary-ext without pe_type", "file", muts(del("extensions/windows-pebinary-ext/pe_type")), "extensions.windows-pebinary-ext.pe_type", "required by windows-pebinary-ext"},
	{"windows-pebinary-ext only pe_type", "file", muts(set("extensions/windows-pebinary-ext", `{"pe_type":"dll"}`)), "extensions.windows-pebinary-ext", "imphash"},
	{"windows-pebinary-ext time_date_stamp fraction", "file", muts(set("extensions/windows-pebinary-ext/time_date_stamp", `"2016-01-22T12:31:12.5Z"`)), "extensions.windows-pebinary-ext.time_date_stamp", "precise to the second"},
	{"windows-pebinary-ext section without name", "file", muts(del("extensions/windows-pebinary-ext/sections/1/name")), "extensions.windows-pebinary-ext.sections[1].name", "required by windows-pe-section-type"},
	{"windows-pebinary-ext negative size_of_code", "file", muts(set("extensions/windows-pebinary-ext/optional_header/size_of_code", "-5")), "extensions.windows-pebinary-ext.optional_header.size_of_code", "at least 0"},
	{"ipv4-addr octet 256", "ipv4-addr", muts(set("value", `"256.1.1.1"`)), "value", "IPv4"},
	{"ipv4-addr prefix 33", "ipv4-addr", muts(set("value", `"198.51.100.0/33"`)), "value", "IPv4"},
	{"ipv4-addr leading zero", "ipv4-addr", muts(set("value", `"198.051.100.3"`)), "value", "IPv4"},
	{"ipv4-addr holding IPv6", "ipv4-addr", muts(set("value", `"2001:db8::1"`)), "value", "IPv4"},
	{"ipv4-addr resolves_to_refs to domain", "ipv4-addr", muts(set("resolves_to_refs", refs("domain-name"))), "resolves_to_refs[0]", "mac-addr"},
	{"ipv6-addr holding IPv4", "ipv6-addr", muts(set("value", `"198.51.100.3"`)), "value", "IPv6"},
	{"ipv6-addr prefix 129", "ipv6-addr", muts(set("value", `"2001:db8::/129"`)), "value", "IPv6"},
	{"mac-addr upper case", "mac-addr", muts(set("value", `"D2:FB:49:24:37:18"`)), "value", "lower case"},
	{"mac-addr dashes", "mac-addr", muts(set("value", `"d2-fb-49-24-37-18"`)), "value", "MAC-48"},
	{"mutex without name", "mutex", muts(del("name")), "name", "required by mutex"},
	{"network-traffic without protocols", "network-traffic", muts(del("protocols")), "protocols", "required by network-traffic"},
	{"network-traffic empty protocols", "network-traffic", muts(set("protocols", "[]")), "protocols", "empty list"},
	{"network-traffic without addresses", "network-traffic", muts(del("src_ref"), del("dst_ref")), "", "src_ref, dst_ref"},
	{"network-traffic active with end", "network-traffic", muts(set("is_active", "true")), "end", "is_active is true"},
	{"network-traffic end before start", "network-traffic", muts(set("end", `"2000-01-01T00:00:00Z"`)), "end", "later than start"},
	{"network-traffic port 65536", "network-traffic", muts(set("src_port", "65536")), "src_port", "0 to 65535"},
	{"network-traffic src_ref to url", "network-traffic", muts(set("src_ref", ref("url"))), "src_ref", "ipv4-addr or ipv6-addr or mac-addr or domain-name"},
	{"network-traffic ipfix list", "network-traffic", muts(set("ipfix/protocolName", `["tcp"]`)), "ipfix.protocolName", "string or an integer"},
	{"http-request-ext without request_value", "network-traffic", muts(del("extensions/http-request-ext/request_value")), "extensions.http-request-ext.request_value", "required by http-request-ext"},
	{"socket-ext address family", "network-traffic", muts(set("extensions/socket-ext/address_family", `"AF_FOO"`)), "extensions.socket-ext.address_family", "AF_INET"},
	{"socket-ext socket type", "network-traffic", muts(set("extensions/socket-ext/socket_type", `"SOCK_X"`)), "extensions.socket-ext.socket_type", "SOCK_STREAM"},
	{"socket-ext option string", "network-traffic", muts(set("extensions/socket-ext/options/SO_RCVBUF", `"big"`)), "extensions.socket-ext.options.SO_RCVBUF", "integer"},
	{"icmp-ext without code", "network-traffic", muts(del("extensions/icmp-ext/icmp_code_hex")), "extensions.icmp-ext.icmp_code_hex", "required by icmp-ext"},
	{"tcp-ext without flags", "network-traffic", muts(set("extensions/tcp-ext", `{"x_acme_note":"a"}`)), "extensions.tcp-ext", "src_flags_hex, dst_flags_hex"},
	{"process without properties", "process", muts(del("is_hidden"), del("pid"), del("created_time"), del("cwd"), del("command_line"), del("environment_variables"), del("opened_connection_refs"), del("creator_user_ref"), del("image_ref"), del("parent_ref"), del("child_refs"), del("extensions")), "", "a process needs at least one"},
	{"process pid string", "process", muts(set("pid", `"1221"`)), "pid", "integer"},
	{"process parent_ref to file", "process", muts(set("parent_ref", ref("file"))), "parent_ref", "process"},
	{"process environment variable null", "process", muts(set("environment_variables/PATH", "null")), "environment_variables.PATH", "null"},
	{"windows-process-ext integrity level", "process", muts(set("extensions/windows-process-ext/integrity_level", `"admin"`)), "extensions.windows-process-ext.integrity_level", "low, medium, high, system"},
	{"windows-service-ext start type", "process", muts(set("extensions/windows-service-ext/start_type", `"AUTO"`)), "extensions.windows-service-ext.start_type", "SERVICE_AUTO_START"},
	{"windows-service-ext service type", "process", muts(set("extensions/windows-service-ext/service_type", `"SERVICE_X"`)), "extensions.windows-service-ext.service_type", "SERVICE_KERNEL_DRIVER"},
	{"windows-service-ext status", "process", muts(set("extensions/windows-service-ext/service_status", `"UP"`)), "extensions.windows-service-ext.service_status", "SERVICE_RUNNING"},
	{"windows-process-ext on a file", "file", muts(set("extensions/windows-process-ext", `{"priority":"HIGH"}`)), "extensions.windows-process-ext", "extension of process objects"},
	{"software without name", "software", muts(del("name")), "name", "required by software"},
	{"software cpe 2.2", "software", muts(set("cpe", `"cpe:/o:microsoft:windows_10"`)), "cpe", "CPE 2.3"},
	{"software language empty", "software", muts(set("languages", `[""]`)), "languages[0]", "language code"},
	{"url without scheme", "url", muts(set("value", `"example.com/index.html"`)), "value", "scheme"},
	{"url with space", "url", muts(set("value", `"https://example.com/a b"`)), "value", "white space"},
	{"user-account without properties", "user-account", muts(set("extensions", `{"x-acme-ext":{"a":1}}`), del("user_id"), del("credential"), del("account_login"), del("account_type"), del("display_name"), del("is_service_account"), del("is_privileged"), del("can_escalate_privs"), del("is_disabled"), del("account_created"), del("account_expires"), del("credential_last_changed"), del("account_first_login"), del("account_last_login"), del("extensions")), "", "a user-account needs at least one"},
	{"unix-account-ext gid string", "user-account", muts(set("extensions/unix-account-ext/gid", `"wheel"`)), "extensions.unix-account-ext.gid", "integer"},
	{"user-account account_created", "user-account", muts(set("account_created", `"yesterday"`)), "account_created", "timestamp"},
	{"windows-registry-key abbreviated hive", "windows-registry-key", muts(set("key", `"HKLM\\Software\\Foo"`)), "key", "HKEY_LOCAL_MACHINE"},
	{"windows-registry-key empty value", "windows-registry-key", muts(set("values/0", "{}")), "values[0]", "name, data, data_type"},
	{"windows-registry-key data type", "windows-registry-key", muts(set("values/0/data_type", `"REG_X"`)), "values[0].data_type", "REG_SZ"},
	{"windows-registry-key creator_user_ref to identity", "windows-registry-key", muts(set("creator_user_ref", ref("identity"))), "creator_user_ref", "user-account"},
	{"x509-certificate exponent string", "x509-certificate", muts(set("subject_public_key_exponent", `"65537"`)), "subject_public_key_exponent", "integer"},
	{"x509-certificate empty v3 extensions", "x509-certificate", muts(set("x509_v3_extensions", "{}")), "x509_v3_extensions", "empty"},

	// marking definitions
	{"marking without created", "marking-definition", muts(del("created")), "created", "required by marking-definition"},
	{"marking without spec_version", "marking-definition", muts(del("spec_version")), "spec_version", "required by marking-definition"},
	{"TLP 1.0 name changed", tlp1Red, muts(set("name", `"TLP:WHITE"`)), "name", `"TLP:RED"`},
	{"TLP 1.0 color changed", tlp1Red, muts(set("definition/tlp", `"white"`)), "definition", `{"tlp": "red"}`},
	{"TLP 1.0 created changed", tlp1Red, muts(set("created", `"2020-01-20T00:00:00.000Z"`)), "created", "2017-01-20T00:00:00.000Z"},
	{"TLP 1.0 extra property", tlp1Red, muts(set("created_by_ref", ref("identity"))), "created_by_ref", "fixes"},
	{"TLP 1.0 unofficial id", tlp1Red, muts(set("id", ref("marking-definition"))), "id", "four marking definitions"},
	{"TLP 1.0 id with statement", tlp1Red, muts(set("definition_type", `"statement"`), set("definition", `{"statement":"x"}`)), "definition_type", `must be "tlp"`},
	{"TLP 2.0 level changed", tlp2Amber, muts(set(tlp2Ext+"/tlp_2_0", `"clear"`)), "extensions.extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d.tlp_2_0", `must be "amber"`},
	{"TLP 2.0 unknown level", tlp2Amber, muts(set(tlp2Ext+"/tlp_2_0", `"white"`)), "extensions.extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d.tlp_2_0", "amber+strict"},
	{"TLP 2.0 unofficial id", tlp2Amber, muts(set("id", ref("marking-definition"))), "id", "official marking definitions"},
	{"TLP 2.0 name changed", tlp2Amber, muts(set("name", `"TLP:CLEAR"`)), "name", `"TLP:AMBER"`},
	{"TLP 2.0 extension type", tlp2Amber, muts(set(tlp2Ext+"/extension_type", `"toplevel-property-extension"`)), "extensions.extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d.extension_type", "property-extension"},
	{"TLP 2.0 id without extension", tlp2Amber, muts(set("extensions", `{"extension-definition--`+uuid+`":{"extension_type":"property-extension"}}`)), "extensions", "must carry the TLP 2.0 extension"},
	{"statement marking without statement", "marking-definition/ACME copyright", muts(set("definition", `{"text":"x"}`)), "definition.statement", "required"},
	{"statement marking statement number", "marking-definition/ACME copyright", muts(set("definition/statement", "5")), "definition.statement", "must be a string"},
	{"marking without definition", "marking-definition/ACME copyright", muts(del("definition")), "definition", "required by marking-definition"},
	{"marking marks itself", "marking-definition/ACME copyright", muts(set("object_marking_refs", `[`+ref("marking-definition")+`]`), set("id", ref("marking-definition"))), "object_marking_refs[0]", "must not mark itself"},
	{"marking with -ext extension", "marking-definition/PAP:GREEN", muts(set("extensions/x-acme-ext", `{"a":1}`)), "extensions.x-acme-ext", "extension-definition"},

	// language-content and extension-definition
	{"language-content without object_ref", "language-content", muts(del("object_ref")), "object_ref", "required by language-content"},
	{"language-content object_ref to language-content", "language-content", muts(set("object_ref", ref("language-content"))), "object_ref", "other than a language-content"},
	{"language-content empty contents", "language-content", muts(set("contents", "{}")), "contents", "empty"},
	{"language-content bad language", "language-content", muts(set("contents/not a tag", `{"name":"x"}`)), "contents.not a tag", "language tag"},
	{"language-content translation not an object", "language-content", muts(set("contents/fr", `"x"`)), "contents.fr", "must be an object"},
	{"language-content empty translation", "language-content", muts(set("contents/fr", "{}")), "contents.fr", "empty"},
	{"extension-definition without created_by_ref", "extension-definition", muts(del("created_by_ref")), "created_by_ref", "required by extension-definition"},
	{"extension-definition bad extension type", "extension-definition", muts(set("extension_types", `["new-thing"]`)), "extension_types[0]", "toplevel-property-extension"},
	{"extension-definition properties without toplevel", "extension-definition", muts(set("extension_properties", `["x_a"]`)), "extension_properties", "toplevel-property-extension"},
	{"extension-definition without schema", "extension-definition", muts(del("schema")), "schema", "required"},

	// custom objects
	{"custom SDO without modified", "x-acme-asset", muts(del("modified")), "modified", "required by x-acme-asset"},
	{"custom SDO bad property name", "x-acme-asset", muts(set("Owner", `"x"`)), "Owner", "not a valid property name"},
	{"custom SCO id of another type", "x-acme-sensor", muts(set("id", ref("x-acme-device"))), "id", `"x-acme-sensor--"`},
	{"custom SCO created_by_ref to tool", "cryptocurrency-wallet", muts(set("created_by_ref", ref("tool"))), "created_by_ref", "type identity"},
}

// TestInvalidObjects checks each invalid case with Validate, and with Parse
// on its JSON encoding: both must report the same property and message.
func TestInvalidObjects(t *testing.T) {
	base := bases(t)
	for _, tt := range invalidCases {
		t.Run(tt.name, func(t *testing.T) {
			obj := base(tt.base)
			for _, m := range tt.muts {
				m(t, obj)
			}
			err := stix.Validate(obj)
			var verr *stix.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Validate accepted the object or returned %T: %v", err, err)
			}
			if diff := cmp.Diff(tt.property, verr.Property); diff != "" {
				t.Errorf("Property (-want +got):\n%s\nerror: %v", diff, err)
			}
			if !strings.Contains(verr.Message, tt.message) {
				t.Errorf("message %q does not contain %q", verr.Message, tt.message)
			}
			if tt.property != "" && !strings.Contains(err.Error(), `"`+tt.property+`"`) {
				t.Errorf("error %q does not name the property", err)
			}
			_, perr := stix.Parse(mustEncode(t, obj))
			if diff := cmp.Diff(err, perr); diff != "" {
				t.Errorf("Parse and Validate disagree (-Validate +Parse):\n%s", diff)
			}
		})
	}
	t.Logf("%d invalid objects rejected", len(invalidCases))
}
