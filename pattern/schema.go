package pattern

import (
	"strings"
	"sync"
)

// scoDefinitions lists the cyber-observable objects of STIX 2.1 (§6) and
// their properties, one type per line, in a compact notation:
//
//	name          a property
//	name#         a hashes dictionary
//	name*         a dictionary whose keys are free
//	name>a|b      a reference (_ref or _refs) to objects of type a or b; >* any
//	name=s        an object or list of objects described by "struct s"
//
// "struct" lines describe nested objects and "ext TYPE NAME" lines the
// predefined extensions of a type.
const scoDefinitions = `
artifact: mime_type payload_bin url hashes# encryption_algorithm decryption_key
autonomous-system: number name rir
directory: path path_enc ctime mtime atime contains_refs>file|directory
domain-name: value resolves_to_refs>ipv4-addr|ipv6-addr|domain-name
email-addr: value display_name belongs_to_ref>user-account
email-message: is_multipart date content_type from_ref>email-addr sender_ref>email-addr to_refs>email-addr cc_refs>email-addr bcc_refs>email-addr message_id subject received_lines additional_header_fields* body body_multipart=mime-part raw_email_ref>artifact
file: hashes# size name name_enc magic_number_hex mime_type ctime mtime atime parent_directory_ref>directory contains_refs>* content_ref>artifact
ipv4-addr: value resolves_to_refs>mac-addr belongs_to_refs>autonomous-system
ipv6-addr: value resolves_to_refs>mac-addr belongs_to_refs>autonomous-system
mac-addr: value
mutex: name
network-traffic: start end is_active src_ref>ipv4-addr|ipv6-addr|mac-addr|domain-name dst_ref>ipv4-addr|ipv6-addr|mac-addr|domain-name src_port dst_port protocols src_byte_count dst_byte_count src_packets dst_packets ipfix* src_payload_ref>artifact dst_payload_ref>artifact encapsulates_refs>network-traffic encapsulated_by_ref>network-traffic
process: is_hidden pid created_time cwd command_line environment_variables* opened_connection_refs>network-traffic creator_user_ref>user-account image_ref>file parent_ref>process child_refs>process
software: name cpe swid languages vendor version
url: value
user-account: user_id credential account_login account_type display_name is_service_account is_privileged can_escalate_privs is_disabled account_created account_expires credential_last_changed account_first_login account_last_login
windows-registry-key: key values=registry-value modified_time creator_user_ref>user-account number_of_subkeys
x509-certificate: is_self_signed hashes# version serial_number signature_algorithm issuer validity_not_before validity_not_after subject subject_public_key_algorithm subject_public_key_modulus subject_public_key_exponent x509_v3_extensions=x509-v3
struct mime-part: body body_raw_ref>artifact|file content_type content_disposition
struct registry-value: name data data_type
struct x509-v3: basic_constraints name_constraints policy_constraints key_usage extended_key_usage subject_key_identifier authority_key_identifier subject_alternative_name issuer_alternative_name subject_directory_attributes crl_distribution_points inhibit_any_policy private_key_usage_period_not_before private_key_usage_period_not_after certificate_policies policy_mappings
struct pe-section: name size entropy hashes#
struct pe-optional-header: magic_hex major_linker_version minor_linker_version size_of_code size_of_initialized_data size_of_uninitialized_data address_of_entry_point base_of_code base_of_data image_base section_alignment file_alignment major_os_version minor_os_version major_image_version minor_image_version major_subsystem_version minor_subsystem_version win32_version_value_hex size_of_image size_of_headers checksum_hex subsystem_hex dll_characteristics_hex size_of_stack_reserve size_of_stack_commit size_of_heap_reserve size_of_heap_commit loader_flags_hex number_of_rva_and_sizes hashes#
struct alternate-data-stream: name hashes# size
ext file ntfs-ext: sid alternate_data_streams=alternate-data-stream
ext file raster-image-ext: image_height image_width bits_per_pixel exif_tags*
ext file pdf-ext: version is_optimized document_info_dict* pdfid0 pdfid1
ext file archive-ext: contains_refs>file|directory comment
ext file windows-pebinary-ext: pe_type imphash machine_hex number_of_sections time_date_stamp pointer_to_symbol_table_hex number_of_symbols size_of_optional_header characteristics_hex file_header_hashes# optional_header=pe-optional-header sections=pe-section
ext network-traffic http-request-ext: request_method request_value request_version request_header* message_body_length message_body_data_ref>artifact
ext network-traffic icmp-ext: icmp_type_hex icmp_code_hex
ext network-traffic socket-ext: address_family is_blocking is_listening options* socket_type socket_descriptor socket_handle
ext network-traffic tcp-ext: src_flags_hex dst_flags_hex
ext process windows-process-ext: aslr_enabled dep_enabled priority owner_sid window_title startup_info* integrity_level
ext process windows-service-ext: service_name descriptions display_name group_name start_type service_dll_refs>file service_type service_status
ext user-account unix-account-ext: gid groups home_dir shell
`

// commonSCOProperties are the properties every cyber-observable object may
// have (STIX 2.1 §6.1).
const commonSCOProperties = "id type spec_version object_marking_refs granular_markings defanged extensions"

// nonObservableTypes are the STIX 2.1 object types that are not
// cyber-observables.
const nonObservableTypes = "attack-pattern campaign course-of-action grouping identity incident indicator infrastructure intrusion-set location malware malware-analysis note observed-data opinion report threat-actor tool vulnerability relationship sighting marking-definition language-content extension-definition bundle"

// HashDigits looks an algorithm up in the hashing-algorithm-ov vocabulary
// (its exact spelling) and returns the number of hex digits of its digests
// (0 when its values are not hex digests).
func HashDigits(alg string) (digits int, ok bool) {
	switch alg {
	case "MD5":
		return 32, true
	case "SHA-1":
		return 40, true
	case "SHA-256", "SHA3-256":
		return 64, true
	case "SHA-512", "SHA3-512":
		return 128, true
	case "SSDEEP", "TLSH":
		return 0, true
	}
	return 0, false
}

// hashVocabulary lists the hashing-algorithm-ov names.
const hashVocabulary = "MD5 SHA-1 SHA-256 SHA-512 SHA3-256 SHA3-512 SSDEEP TLSH"

// HashAlgorithm returns the hashing-algorithm-ov spelling of a hash
// algorithm name written in any spelling that comparisons take for the
// same algorithm ("sha256", "SHA_256" → "SHA-256"), or, for an algorithm
// outside the vocabulary, the folded form under which comparisons match
// its spellings.
func HashAlgorithm(name string) string {
	if _, ok := HashDigits(name); ok {
		return name
	}
	f := normalizeHashAlg(name)
	for _, a := range strings.Fields(hashVocabulary) {
		if normalizeHashAlg(a) == f {
			return a
		}
	}
	return f
}

// structDef describes the properties of an object or nested structure.
type structDef struct {
	name  string
	props map[string]*propDef
	exts  map[string]*structDef // predefined extensions, for object types
}

// propDef describes one property.
type propDef struct {
	refs   []string // reference targets; "*" for any
	sub    string   // nested structure name
	hashes bool
	dict   bool
}

// schema is the parsed form of scoDefinitions: object types and nested
// structures by name. It is built once and never modified.
type schema struct {
	types   map[string]*structDef
	structs map[string]*structDef
	other   map[string]bool
}

var loadSchema = sync.OnceValue(func() *schema {
	s := &schema{types: map[string]*structDef{}, structs: map[string]*structDef{}, other: map[string]bool{}}
	for _, t := range strings.Fields(nonObservableTypes) {
		s.other[t] = true
	}
	for _, line := range strings.Split(strings.TrimSpace(scoDefinitions), "\n") {
		head, body, _ := strings.Cut(line, ":")
		def := &structDef{props: map[string]*propDef{}}
		fields := strings.Fields(head)
		switch {
		case fields[0] == "struct":
			def.name = fields[1]
			s.structs[def.name] = def
		case fields[0] == "ext":
			def.name = fields[2]
			owner := s.types[fields[1]]
			if owner.exts == nil {
				owner.exts = map[string]*structDef{}
			}
			owner.exts[def.name] = def
		default:
			def.name = fields[0]
			s.types[def.name] = def
			for _, p := range strings.Fields(commonSCOProperties) {
				def.props[p] = &propDef{}
			}
		}
		for _, f := range strings.Fields(body) {
			pd := &propDef{}
			switch {
			case strings.HasSuffix(f, "#"):
				f, pd.hashes = strings.TrimSuffix(f, "#"), true
			case strings.HasSuffix(f, "*"):
				f, pd.dict = strings.TrimSuffix(f, "*"), true
			case strings.Contains(f, ">"):
				var targets string
				f, targets, _ = strings.Cut(f, ">")
				pd.refs = strings.Split(targets, "|")
			case strings.Contains(f, "="):
				f, pd.sub, _ = strings.Cut(f, "=")
			}
			def.props[f] = pd
		}
	}
	return s
})

// propertyNames returns the property names of the structures defs, for
// suggestions.
func propertyNames(defs []*structDef) []string {
	var names []string
	for _, d := range defs {
		for n := range d.props {
			names = append(names, n)
		}
	}
	return names
}
