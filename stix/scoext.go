package stix

import "math"

// The predefined SCO extensions (STIX 2.1 sections 6.6.2, 6.12.2, 6.11.2
// and 6.16.2).

// extensionSpec is a predefined extension and the type it extends.
type extensionSpec struct {
	structSpec
	forType string
}

// predefinedExtension returns the predefined extension called name, or nil.
func predefinedExtension(name string) *extensionSpec {
	switch name {
	case "archive-ext":
		return &archiveExt
	case "ntfs-ext":
		return &ntfsExt
	case "pdf-ext":
		return &pdfExt
	case "raster-image-ext":
		return &rasterImageExt
	case "windows-pebinary-ext":
		return &windowsPEBinaryExt
	case "http-request-ext":
		return &httpRequestExt
	case "icmp-ext":
		return &icmpExt
	case "socket-ext":
		return &socketExt
	case "tcp-ext":
		return &tcpExt
	case "windows-process-ext":
		return &windowsProcessExt
	case "windows-service-ext":
		return &windowsServiceExt
	case "unix-account-ext":
		return &unixAccountExt
	}
	return nil
}

// extension builds a predefined extension of type forType that needs at
// least one of its properties (when atLeastOneOf is not empty).
func extension(name, forType string, atLeastOneOf []string, props ...prop) extensionSpec {
	s := extensionSpec{structSpec: structSpec{name: name, props: props, custom: true}, forType: forType}
	if len(atLeastOneOf) > 0 {
		s.rules = func(_ *ctx, m map[string]any) *ValidationError {
			return atLeastOne(m, "the "+name+" extension", atLeastOneOf...)
		}
	}
	return s
}

var archiveExt = extension("archive-ext", "file", nil,
	prop{"contains_refs", true, checkRefList(refTo("file", "directory"))},
	prop{"comment", false, checkString})

var ntfsExt = extension("ntfs-ext", "file", []string{"sid", "alternate_data_streams"},
	prop{"sid", false, checkString},
	prop{"alternate_data_streams", false, listOf(checkStruct(&alternateDataStreamSpec))})

var alternateDataStreamSpec = structSpec{
	name: "alternate-data-stream-type",
	props: []prop{
		{"name", true, checkString},
		{"hashes", false, checkHashes},
		{"size", false, checkNonNegativeInt},
	},
}

var pdfExt = extension("pdf-ext", "file", []string{"version", "is_optimized", "document_info_dict", "pdfid0", "pdfid1"},
	prop{"version", false, checkString},
	prop{"is_optimized", false, checkBool},
	prop{"document_info_dict", false, dictionaryOf(stringValue)},
	prop{"pdfid0", false, checkString},
	prop{"pdfid1", false, checkString})

var rasterImageExt = extension("raster-image-ext", "file", []string{"image_height", "image_width", "bits_per_pixel", "exif_tags"},
	prop{"image_height", false, checkInteger},
	prop{"image_width", false, checkInteger},
	prop{"bits_per_pixel", false, checkInteger},
	prop{"exif_tags", false, dictionaryOf(stringOrInteger)})

var windowsPEBinaryExt = extension("windows-pebinary-ext", "file",
	[]string{"imphash", "machine_hex", "number_of_sections", "time_date_stamp", "pointer_to_symbol_table_hex",
		"number_of_symbols", "size_of_optional_header", "characteristics_hex", "file_header_hashes",
		"optional_header", "sections"},
	prop{"pe_type", true, checkString}, // windows-pebinary-type-ov
	prop{"imphash", false, checkString},
	prop{"machine_hex", false, checkHex},
	prop{"number_of_sections", false, checkNonNegativeInt},
	prop{"time_date_stamp", false, checkTimestampSeconds},
	prop{"pointer_to_symbol_table_hex", false, checkHex},
	prop{"number_of_symbols", false, checkNonNegativeInt},
	prop{"size_of_optional_header", false, checkNonNegativeInt},
	prop{"characteristics_hex", false, checkHex},
	prop{"file_header_hashes", false, checkHashes},
	prop{"optional_header", false, checkStruct(&peOptionalHeaderSpec)},
	prop{"sections", false, listOf(checkStruct(&peSectionSpec))})

var peOptionalHeaderSpec = structSpec{
	name: "windows-pe-optional-header-type",
	props: []prop{
		{"magic_hex", false, checkHex},
		{"major_linker_version", false, checkInteger},
		{"minor_linker_version", false, checkInteger},
		{"size_of_code", false, checkNonNegativeInt},
		{"size_of_initialized_data", false, checkNonNegativeInt},
		{"size_of_uninitialized_data", false, checkNonNegativeInt},
		{"address_of_entry_point", false, checkInteger},
		{"base_of_code", false, checkInteger},
		{"base_of_data", false, checkInteger},
		{"image_base", false, checkInteger},
		{"section_alignment", false, checkInteger},
		{"file_alignment", false, checkInteger},
		{"major_os_version", false, checkInteger},
		{"minor_os_version", false, checkInteger},
		{"major_image_version", false, checkInteger},
		{"minor_image_version", false, checkInteger},
		{"major_subsystem_version", false, checkInteger},
		{"minor_subsystem_version", false, checkInteger},
		{"win32_version_value_hex", false, checkHex},
		{"size_of_image", false, checkNonNegativeInt},
		{"size_of_headers", false, checkNonNegativeInt},
		{"checksum_hex", false, checkHex},
		{"subsystem_hex", false, checkHex},
		{"dll_characteristics_hex", false, checkHex},
		{"size_of_stack_reserve", false, checkNonNegativeInt},
		{"size_of_stack_commit", false, checkNonNegativeInt},
		{"size_of_heap_reserve", false, checkNonNegativeInt},
		{"size_of_heap_commit", false, checkNonNegativeInt},
		{"loader_flags_hex", false, checkHex},
		{"number_of_rva_and_sizes", false, checkInteger},
		{"hashes", false, checkHashes},
	},
	rules: func(_ *ctx, m map[string]any) *ValidationError {
		if len(m) == 0 {
			return errorf("must not be empty; leave the property out instead")
		}
		return nil
	},
}

var peSectionSpec = structSpec{
	name: "windows-pe-section-type",
	props: []prop{
		{"name", true, checkString},
		{"size", false, checkNonNegativeInt},
		{"entropy", false, number(math.Inf(-1), math.Inf(1))},
		{"hashes", false, checkHashes},
	},
}

var httpRequestExt = extension("http-request-ext", "network-traffic", nil,
	prop{"request_method", true, checkString},
	prop{"request_value", true, checkString},
	prop{"request_version", false, checkString},
	prop{"request_header", false, dictionaryOf(stringOrStringList)},
	prop{"message_body_length", false, checkNonNegativeInt},
	prop{"message_body_data_ref", false, checkRef(refTo("artifact"))})

var icmpExt = extension("icmp-ext", "network-traffic", nil,
	prop{"icmp_type_hex", true, checkHex},
	prop{"icmp_code_hex", true, checkHex})

var socketExt = extension("socket-ext", "network-traffic", nil,
	prop{"address_family", true, enum(socketAddressFamilies...)},
	prop{"is_blocking", false, checkBool},
	prop{"is_listening", false, checkBool},
	prop{"options", false, dictionaryOf(integerValue)},
	prop{"socket_type", false, enum(socketTypes...)},
	prop{"socket_descriptor", false, checkNonNegativeInt},
	prop{"socket_handle", false, checkInteger})

var tcpExt = extension("tcp-ext", "network-traffic", []string{"src_flags_hex", "dst_flags_hex"},
	prop{"src_flags_hex", false, checkHex},
	prop{"dst_flags_hex", false, checkHex})

var windowsProcessExt = extension("windows-process-ext", "process",
	[]string{"aslr_enabled", "dep_enabled", "priority", "owner_sid", "window_title", "startup_info", "integrity_level"},
	prop{"aslr_enabled", false, checkBool},
	prop{"dep_enabled", false, checkBool},
	prop{"priority", false, checkString},
	prop{"owner_sid", false, checkString},
	prop{"window_title", false, checkString},
	prop{"startup_info", false, dictionaryOf(anyValueOrNull)},
	prop{"integrity_level", false, enum(windowsIntegrityLevels...)})

var windowsServiceExt = extension("windows-service-ext", "process",
	[]string{"service_name", "descriptions", "display_name", "group_name", "start_type", "service_dll_refs", "service_type", "service_status"},
	prop{"service_name", false, checkString},
	prop{"descriptions", false, checkStringList},
	prop{"display_name", false, checkString},
	prop{"group_name", false, checkString},
	prop{"start_type", false, enum(windowsServiceStartTypes...)},
	prop{"service_dll_refs", false, checkRefList(refTo("file"))},
	prop{"service_type", false, enum(windowsServiceTypes...)},
	prop{"service_status", false, enum(windowsServiceStatuses...)})

var unixAccountExt = extension("unix-account-ext", "user-account", []string{"gid", "groups", "home_dir", "shell"},
	prop{"gid", false, checkInteger},
	prop{"groups", false, checkStringList},
	prop{"home_dir", false, checkString},
	prop{"shell", false, checkString})
