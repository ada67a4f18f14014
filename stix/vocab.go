package stix

// IsSDOType reports whether t is one of the 19 STIX Domain Object types
// that STIX 2.1 defines.
func IsSDOType(t string) bool {
	switch t {
	case "attack-pattern", "campaign", "course-of-action", "grouping", "identity",
		"incident", "indicator", "infrastructure", "intrusion-set", "location",
		"malware", "malware-analysis", "note", "observed-data", "opinion",
		"report", "threat-actor", "tool", "vulnerability":
		return true
	}
	return false
}

// IsSROType reports whether t is one of the two STIX Relationship Object
// types: relationship and sighting.
func IsSROType(t string) bool {
	return t == "relationship" || t == "sighting"
}

// IsSCOType reports whether t is one of the 18 STIX Cyber-observable Object
// types that STIX 2.1 defines.
func IsSCOType(t string) bool {
	switch t {
	case "artifact", "autonomous-system", "directory", "domain-name", "email-addr",
		"email-message", "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex",
		"network-traffic", "process", "software", "url", "user-account",
		"windows-registry-key", "x509-certificate":
		return true
	}
	return false
}

// isMetaType reports whether t is a STIX Meta Object type.
func isMetaType(t string) bool {
	return t == "marking-definition" || t == "language-content" || t == "extension-definition"
}

// definedSpec returns the spec of a type STIX 2.1 defines, or nil.
func definedSpec(t string) *typeSpec {
	switch t {
	case "attack-pattern":
		return attackPatternSpec
	case "campaign":
		return campaignSpec
	case "course-of-action":
		return courseOfActionSpec
	case "grouping":
		return groupingSpec
	case "identity":
		return identitySpec
	case "incident":
		return incidentSpec
	case "indicator":
		return indicatorSpec
	case "infrastructure":
		return infrastructureSpec
	case "intrusion-set":
		return intrusionSetSpec
	case "location":
		return locationSpec
	case "malware":
		return malwareSpec
	case "malware-analysis":
		return malwareAnalysisSpec
	case "note":
		return noteSpec
	case "observed-data":
		return observedDataSpec
	case "opinion":
		return opinionSpec
	case "report":
		return reportSpec
	case "threat-actor":
		return threatActorSpec
	case "tool":
		return toolSpec
	case "vulnerability":
		return vulnerabilitySpec
	case "relationship":
		return relationshipSpec
	case "sighting":
		return sightingSpec
	case "artifact":
		return artifactSpec
	case "autonomous-system":
		return autonomousSystemSpec
	case "directory":
		return directorySpec
	case "domain-name":
		return domainNameSpec
	case "email-addr":
		return emailAddrSpec
	case "email-message":
		return emailMessageSpec
	case "file":
		return fileSpec
	case "ipv4-addr":
		return ipv4AddrSpec
	case "ipv6-addr":
		return ipv6AddrSpec
	case "mac-addr":
		return macAddrSpec
	case "mutex":
		return mutexSpec
	case "network-traffic":
		return networkTrafficSpec
	case "process":
		return processSpec
	case "software":
		return softwareSpec
	case "url":
		return urlSpec
	case "user-account":
		return userAccountSpec
	case "windows-registry-key":
		return windowsRegistryKeySpec
	case "x509-certificate":
		return x509CertificateSpec
	case "marking-definition":
		return markingDefinitionSpec
	case "language-content":
		return languageContentSpec
	case "extension-definition":
		return extensionDefinitionSpec
	}
	return nil
}

// The closed vocabularies ("-enum" in the spec). A value outside them is an
// error. The open vocabularies ("-ov") accept any string, so only their
// JSON type is checked: identity_class, sectors, indicator_types,
// pattern_type, infrastructure_types, resource_level, primary_motivation,
// secondary_motivations, personal_motivations, malware_types,
// architecture_execution_envs, implementation_languages, capabilities,
// result (malware-analysis), report_types, threat_actor_types, roles,
// sophistication, tool_types, context (grouping), region, account_type,
// pe_type, relationship_type, definition_type and hash algorithm names.
var (
	opinionValues = []string{"strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"}

	encryptionAlgorithms = []string{"AES-256-GCM", "ChaCha20-Poly1305", "mime-type-indicated"}

	windowsRegistryDatatypes = []string{
		"REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD",
		"REG_DWORD_BIG_ENDIAN", "REG_DWORD_LITTLE_ENDIAN", "REG_LINK",
		"REG_MULTI_SZ", "REG_RESOURCE_LIST", "REG_FULL_RESOURCE_DESCRIPTION",
		"REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD", "REG_INVALID_TYPE",
	}

	windowsIntegrityLevels = []string{"low", "medium", "high", "system"}

	windowsServiceStartTypes = []string{
		"SERVICE_AUTO_START", "SERVICE_BOOT_START", "SERVICE_DEMAND_START",
		"SERVICE_DISABLED", "SERVICE_SYSTEM_ALERT",
	}

	windowsServiceTypes = []string{
		"SERVICE_KERNEL_DRIVER", "SERVICE_FILE_SYSTEM_DRIVER",
		"SERVICE_WIN32_OWN_PROCESS", "SERVICE_WIN32_SHARE_PROCESS",
	}

	windowsServiceStatuses = []string{
		"SERVICE_CONTINUE_PENDING", "SERVICE_PAUSE_PENDING", "SERVICE_PAUSED",
		"SERVICE_RUNNING", "SERVICE_START_PENDING", "SERVICE_STOP_PENDING",
		"SERVICE_STOPPED",
	}

	socketAddressFamilies = []string{
		"AF_UNSPEC", "AF_INET", "AF_IPX", "AF_APPLETALK", "AF_NETBIOS",
		"AF_INET6", "AF_IRDA", "AF_BTH",
	}

	socketTypes = []string{"SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET"}
)
