package stix

import (
	"net/netip"
	"strings"
)

// The STIX Cyber-observable Objects (STIX 2.1 section 6). The values of
// defanged objects (defanged: true) are exempt from the syntax checks of IP
// and e-mail addresses, domain names and URLs, since defanging breaks them
// on purpose.

var artifactSpec = sco("artifact", artifactRules,
	prop{"mime_type", false, pattern(isArtifactMIMEType, "a media type of the IANA registry, like \"application/zip\"")},
	prop{"payload_bin", false, checkBinary},
	prop{"url", false, checkURL},
	prop{"hashes", false, checkHashes},
	prop{"encryption_algorithm", false, enum(encryptionAlgorithms...)},
	prop{"decryption_key", false, checkString})

func artifactRules(_ *ctx, m map[string]any) *ValidationError {
	_, payload := m["payload_bin"]
	_, url := m["url"]
	switch {
	case payload && url:
		return &ValidationError{Property: "url", Message: "must not be used together with payload_bin: an artifact has either its payload or a URL to it"}
	case !payload && !url:
		return &ValidationError{Property: "payload_bin", Message: "required by artifact unless it has a url"}
	}
	if _, ok := m["hashes"]; url && !ok {
		return &ValidationError{Property: "hashes", Message: "required by artifact when url is present"}
	}
	if _, ok := m["encryption_algorithm"]; !ok {
		if _, ok := m["decryption_key"]; ok {
			return &ValidationError{Property: "decryption_key", Message: "is only allowed with encryption_algorithm"}
		}
	}
	return nil
}

// isArtifactMIMEType checks the top-level media type, as the schema does.
func isArtifactMIMEType(s string) bool {
	top, sub, ok := strings.Cut(s, "/")
	if !ok || sub == "" {
		return false
	}
	switch top {
	case "application", "audio", "font", "image", "message", "model", "multipart", "text", "video":
	default:
		return false
	}
	c := sub[0]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".+_-", c) >= 0
}

var autonomousSystemSpec = sco("autonomous-system", nil,
	prop{"number", true, checkInteger},
	prop{"name", false, checkString},
	prop{"rir", false, checkString})

var directorySpec = sco("directory", nil,
	prop{"path", true, checkString},
	prop{"path_enc", false, pattern(isCharacterSetName, "a character set name of the IANA registry, like \"UTF-16LE\"")},
	prop{"ctime", false, checkTimestamp},
	prop{"mtime", false, checkTimestamp},
	prop{"atime", false, checkTimestamp},
	prop{"contains_refs", false, checkRefList(refTo("file", "directory"))})

// isCharacterSetName checks the shape the schemas give to character set
// names.
func isCharacterSetName(s string) bool {
	if len(s) < 2 || len(s) > 250 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("/.+_:-", c) >= 0) {
			return false
		}
	}
	return true
}

var domainNameSpec = sco("domain-name", nil,
	prop{"value", true, checkHostValue},
	prop{"resolves_to_refs", false, checkRefList(refTo("ipv4-addr", "ipv6-addr", "domain-name"))})

// checkHostValue checks a domain name loosely: not empty, no white space,
// and no URL or e-mail address in its place.
func checkHostValue(c *ctx, v any) *ValidationError {
	s, ok := v.(string)
	if !ok {
		return typeError("a string", v)
	}
	if c.defanged {
		return nil
	}
	if s == "" || strings.ContainsAny(s, " \t\r\n/@") {
		return errorf(quote(s) + " is not a domain name, like \"example.com\"")
	}
	return nil
}

var emailAddrSpec = sco("email-addr", nil,
	prop{"value", true, checkEmailValue},
	prop{"display_name", false, checkString},
	prop{"belongs_to_ref", false, checkRef(refTo("user-account"))})

// checkEmailValue checks an e-mail address loosely: a local part, "@" and
// a domain, without a display name.
func checkEmailValue(c *ctx, v any) *ValidationError {
	s, ok := v.(string)
	if !ok {
		return typeError("a string", v)
	}
	if c.defanged {
		return nil
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at == len(s)-1 || strings.ContainsAny(s, " \t\r\n<>") {
		return errorf(quote(s) + " is not an e-mail address like \"jdoe@example.com\" (put a display name in display_name)")
	}
	return nil
}

var emailAddrRefs = checkRefList(refTo("email-addr"))

var emailMessageSpec = sco("email-message", emailMessageRules,
	prop{"is_multipart", true, checkBool},
	prop{"date", false, checkTimestamp},
	prop{"content_type", false, checkString},
	prop{"from_ref", false, checkRef(refTo("email-addr"))},
	prop{"sender_ref", false, checkRef(refTo("email-addr"))},
	prop{"to_refs", false, emailAddrRefs},
	prop{"cc_refs", false, emailAddrRefs},
	prop{"bcc_refs", false, emailAddrRefs},
	prop{"message_id", false, checkString},
	prop{"subject", false, checkString},
	prop{"received_lines", false, checkStringList},
	prop{"additional_header_fields", false, dictionaryOf(stringOrStringList)},
	prop{"body", false, checkString},
	prop{"body_multipart", false, listOf(checkStruct(&mimePartSpec))},
	prop{"raw_email_ref", false, checkRef(refTo("artifact"))})

func emailMessageRules(_ *ctx, m map[string]any) *ValidationError {
	_, body := m["body"]
	_, parts := m["body_multipart"]
	switch multipart := m["is_multipart"] == true; {
	case multipart && body:
		return &ValidationError{Property: "body", Message: "is only allowed when is_multipart is false; use body_multipart"}
	case !multipart && parts:
		return &ValidationError{Property: "body_multipart", Message: "is only allowed when is_multipart is true"}
	}
	return nil
}

var mimePartSpec = structSpec{
	name: "email-mime-part-type",
	props: []prop{
		{"body", false, checkString},
		{"body_raw_ref", false, checkRef(refTo("artifact", "file"))},
		{"content_type", false, checkString},
		{"content_disposition", false, checkString},
	},
	rules: func(_ *ctx, m map[string]any) *ValidationError {
		_, body := m["body"]
		_, raw := m["body_raw_ref"]
		switch {
		case body && raw:
			return &ValidationError{Property: "body_raw_ref", Message: "must not be used together with body"}
		case !body && !raw:
			return errorf("a MIME part needs body or body_raw_ref")
		}
		return nil
	},
}

var fileSpec = sco("file", fileRules,
	prop{"hashes", false, checkHashes},
	prop{"size", false, checkNonNegativeInt},
	prop{"name", false, checkString},
	prop{"name_enc", false, pattern(isCharacterSetName, "a character set name of the IANA registry, like \"UTF-16LE\"")},
	prop{"magic_number_hex", false, checkHex},
	prop{"mime_type", false, checkString},
	prop{"ctime", false, checkTimestamp},
	prop{"mtime", false, checkTimestamp},
	prop{"atime", false, checkTimestamp},
	prop{"parent_directory_ref", false, checkRef(refTo("directory"))},
	prop{"contains_refs", false, checkRefList(scoRef)},
	prop{"content_ref", false, checkRef(refTo("artifact"))})

func fileRules(_ *ctx, m map[string]any) *ValidationError {
	if _, ok := m["hashes"]; !ok {
		if _, ok := m["name"]; !ok {
			return errorf("a file needs hashes or name")
		}
	}
	return nil
}

var ipv4AddrSpec = sco("ipv4-addr", nil,
	prop{"value", true, checkIPValue(4)},
	prop{"resolves_to_refs", false, checkRefList(refTo("mac-addr"))},
	prop{"belongs_to_refs", false, checkRefList(refTo("autonomous-system"))})

var ipv6AddrSpec = sco("ipv6-addr", nil,
	prop{"value", true, checkIPValue(6)},
	prop{"resolves_to_refs", false, checkRefList(refTo("mac-addr"))},
	prop{"belongs_to_refs", false, checkRefList(refTo("autonomous-system"))})

// checkIPValue checks an IPv4 or IPv6 address or CIDR block.
func checkIPValue(version int) checker {
	return func(c *ctx, v any) *ValidationError {
		s, ok := v.(string)
		if !ok {
			return typeError("a string", v)
		}
		if c.defanged || isIP(s, version) {
			return nil
		}
		if version == 4 {
			return errorf(quote(s) + " is not an IPv4 address or CIDR block, like \"198.51.100.3\" or \"198.51.100.0/24\"")
		}
		return errorf(quote(s) + " is not an IPv6 address or CIDR block, like \"2001:db8::1\" or \"2001:db8::/32\"")
	}
}

func isIP(s string, version int) bool {
	addr, bits, cidr := strings.Cut(s, "/")
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	if version == 4 && !a.Is4() || version == 6 && !a.Is6() {
		return false
	}
	if !cidr {
		return true
	}
	n, ok := digits(bits)
	return ok && bits != "" && len(bits) <= 3 && (bits == "0" || bits[0] != '0') && n <= a.BitLen()
}

var macAddrSpec = sco("mac-addr", nil,
	prop{"value", true, pattern(isMAC, "a MAC-48 address in lower case with colons, like \"d2:fb:49:24:37:18\"")})

func isMAC(s string) bool {
	if len(s) != 17 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i%3 == 2 {
			if c != ':' {
				return false
			}
		} else if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

var mutexSpec = sco("mutex", nil,
	prop{"name", true, checkString})

var networkTrafficSpec = sco("network-traffic", networkTrafficRules,
	prop{"start", false, checkTimestamp},
	prop{"end", false, checkTimestamp},
	prop{"is_active", false, checkBool},
	prop{"src_ref", false, checkRef(addressRef)},
	prop{"dst_ref", false, checkRef(addressRef)},
	prop{"src_port", false, integer(0, 65535)},
	prop{"dst_port", false, integer(0, 65535)},
	prop{"protocols", true, checkStringList},
	prop{"src_byte_count", false, checkNonNegativeInt},
	prop{"dst_byte_count", false, checkNonNegativeInt},
	prop{"src_packets", false, checkNonNegativeInt},
	prop{"dst_packets", false, checkNonNegativeInt},
	prop{"ipfix", false, dictionaryOf(stringOrInteger)},
	prop{"src_payload_ref", false, checkRef(refTo("artifact"))},
	prop{"dst_payload_ref", false, checkRef(refTo("artifact"))},
	prop{"encapsulates_refs", false, checkRefList(refTo("network-traffic"))},
	prop{"encapsulated_by_ref", false, checkRef(refTo("network-traffic"))})

var addressRef = refTo("ipv4-addr", "ipv6-addr", "mac-addr", "domain-name")

func networkTrafficRules(_ *ctx, m map[string]any) *ValidationError {
	if err := atLeastOne(m, "a network-traffic", "src_ref", "dst_ref"); err != nil {
		return err
	}
	if _, ok := m["end"]; ok && m["is_active"] == true {
		return &ValidationError{Property: "end", Message: "must not be present when is_active is true"}
	}
	return notBefore(m, "start", "end", true)
}

var processSpec = sco("process", processRules,
	prop{"is_hidden", false, checkBool},
	prop{"pid", false, checkInteger},
	prop{"created_time", false, checkTimestamp},
	prop{"cwd", false, checkString},
	prop{"command_line", false, checkString},
	prop{"environment_variables", false, checkDictionary},
	prop{"opened_connection_refs", false, checkRefList(refTo("network-traffic"))},
	prop{"creator_user_ref", false, checkRef(refTo("user-account"))},
	prop{"image_ref", false, checkRef(refTo("file"))},
	prop{"parent_ref", false, checkRef(refTo("process"))},
	prop{"child_refs", false, checkRefList(refTo("process"))})

func processRules(_ *ctx, m map[string]any) *ValidationError {
	return atLeastOne(m, "a process", "is_hidden", "pid", "created_time", "cwd", "command_line",
		"environment_variables", "opened_connection_refs", "creator_user_ref", "image_ref",
		"parent_ref", "child_refs", "extensions")
}

var softwareSpec = sco("software", nil,
	prop{"name", true, checkString},
	prop{"cpe", false, pattern(isCPE23, "a CPE 2.3 name, like \"cpe:2.3:a:microsoft:word:2000:*:*:*:*:*:*:*\"")},
	prop{"swid", false, checkString},
	prop{"languages", false, listOf(pattern(isLanguageTag, "a language code, like \"eng\""))},
	prop{"vendor", false, checkString},
	prop{"version", false, checkString})

// isCPE23 checks the shape of a CPE 2.3 formatted string: "cpe:2.3:", a
// part (a, h, o, * or -) and ten more components separated by unescaped
// colons.
func isCPE23(s string) bool {
	rest, ok := strings.CutPrefix(s, "cpe:2.3:")
	if !ok || rest == "" || strings.IndexByte("aho*-", rest[0]) < 0 {
		return false
	}
	fields := 1
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case '\\':
			i++
		case ':':
			fields++
		case ' ', '\t', '\r', '\n':
			return false
		}
	}
	return fields == 11
}

var urlSpec = sco("url", nil,
	prop{"value", true, checkURL})

var userAccountSpec = sco("user-account", userAccountRules,
	prop{"user_id", false, checkString},
	prop{"credential", false, checkString},
	prop{"account_login", false, checkString},
	prop{"account_type", false, checkString}, // account-type-ov
	prop{"display_name", false, checkString},
	prop{"is_service_account", false, checkBool},
	prop{"is_privileged", false, checkBool},
	prop{"can_escalate_privs", false, checkBool},
	prop{"is_disabled", false, checkBool},
	prop{"account_created", false, checkTimestamp},
	prop{"account_expires", false, checkTimestamp},
	prop{"credential_last_changed", false, checkTimestamp},
	prop{"account_first_login", false, checkTimestamp},
	prop{"account_last_login", false, checkTimestamp})

func userAccountRules(_ *ctx, m map[string]any) *ValidationError {
	return atLeastOne(m, "a user-account", "user_id", "credential", "account_login", "account_type",
		"display_name", "is_service_account", "is_privileged", "can_escalate_privs", "is_disabled",
		"account_created", "account_expires", "credential_last_changed", "account_first_login",
		"account_last_login", "extensions")
}

var windowsRegistryKeySpec = sco("windows-registry-key", windowsRegistryKeyRules,
	prop{"key", false, pattern(isFullRegistryKey, "a registry key with its full hive name, like \"HKEY_LOCAL_MACHINE\\\\System\" (not HKLM)")},
	prop{"values", false, listOf(checkStruct(&registryValueSpec))},
	prop{"modified_time", false, checkTimestamp},
	prop{"creator_user_ref", false, checkRef(refTo("user-account"))},
	prop{"number_of_subkeys", false, checkInteger})

func windowsRegistryKeyRules(_ *ctx, m map[string]any) *ValidationError {
	return atLeastOne(m, "a windows-registry-key", "key", "values", "modified_time", "creator_user_ref", "number_of_subkeys")
}

// isFullRegistryKey refuses the abbreviated hive names.
func isFullRegistryKey(s string) bool {
	hive, _, _ := strings.Cut(s, "\\")
	switch strings.ToUpper(hive) {
	case "HKLM", "HKCC", "HKCR", "HKCU", "HKU":
		return false
	}
	return true
}

var registryValueSpec = structSpec{
	name: "windows-registry-value-type",
	props: []prop{
		{"name", false, checkString},
		{"data", false, checkString},
		{"data_type", false, enum(windowsRegistryDatatypes...)},
	},
	rules: func(_ *ctx, m map[string]any) *ValidationError {
		return atLeastOne(m, "a registry value", "name", "data", "data_type")
	},
}

var x509CertificateSpec = sco("x509-certificate", x509Rules,
	prop{"is_self_signed", false, checkBool},
	prop{"hashes", false, checkHashes},
	prop{"version", false, checkString},
	prop{"serial_number", false, checkString},
	prop{"signature_algorithm", false, checkString},
	prop{"issuer", false, checkString},
	prop{"validity_not_before", false, checkTimestamp},
	prop{"validity_not_after", false, checkTimestamp},
	prop{"subject", false, checkString},
	prop{"subject_public_key_algorithm", false, checkString},
	prop{"subject_public_key_modulus", false, checkString},
	prop{"subject_public_key_exponent", false, checkInteger},
	prop{"x509_v3_extensions", false, checkStruct(&x509V3ExtensionsSpec)})

func x509Rules(_ *ctx, m map[string]any) *ValidationError {
	return atLeastOne(m, "an x509-certificate", "is_self_signed", "hashes", "version", "serial_number",
		"signature_algorithm", "issuer", "validity_not_before", "validity_not_after", "subject",
		"subject_public_key_algorithm", "subject_public_key_modulus", "subject_public_key_exponent",
		"x509_v3_extensions")
}

var x509V3ExtensionsSpec = structSpec{
	name: "x509-v3-extensions-type",
	props: []prop{
		{"basic_constraints", false, checkString},
		{"name_constraints", false, checkString},
		{"policy_constraints", false, checkString},
		{"key_usage", false, checkString},
		{"extended_key_usage", false, checkString},
		{"subject_key_identifier", false, checkString},
		{"authority_key_identifier", false, checkString},
		{"subject_alternative_name", false, checkString},
		{"issuer_alternative_name", false, checkString},
		{"subject_directory_attributes", false, checkString},
		{"crl_distribution_points", false, checkString},
		{"inhibit_any_policy", false, checkString},
		{"private_key_usage_period_not_before", false, checkTimestamp},
		{"private_key_usage_period_not_after", false, checkTimestamp},
		{"certificate_policies", false, checkString},
		{"policy_mappings", false, checkString},
	},
	rules: func(_ *ctx, m map[string]any) *ValidationError {
		if len(m) == 0 {
			return errorf("must not be empty; leave the property out instead")
		}
		return nil
	},
}
