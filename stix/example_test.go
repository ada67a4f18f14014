package stix_test

import (
	"fmt"

	"github.com/vigie-cti/vigie/stix"
)

func ExampleParse() {
	obj, err := stix.Parse([]byte(`{
		"type": "indicator",
		"spec_version": "2.1",
		"id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"created": "2016-04-06T20:03:48.000Z",
		"modified": "2016-04-06T20:03:48.000Z",
		"pattern": "[ipv4-addr:value = '198.51.100.3']",
		"pattern_type": "stix",
		"valid_from": "2016-01-01T00:00:00Z",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(obj.ID, obj.Version(), obj.ObjectMarkingRefs)
	// Output:
	// indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f 2016-04-06T20:03:48.000Z [marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb]
}

func ExampleParse_invalid() {
	_, err := stix.Parse([]byte(`{
		"type": "indicator",
		"spec_version": "2.1",
		"id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"created": "2016-04-06T20:03:48.000Z",
		"modified": "2016-04-06T20:03:48.000Z",
		"pattern": "[ipv4-addr:value = '198.51.100.3']",
		"valid_from": "2016-01-01T00:00:00Z"
	}`))
	fmt.Println(err)
	// Output:
	// property "pattern_type": required by indicator
}

func ExampleParseBundle() {
	objects, err := stix.ParseBundle([]byte(`{
		"type": "bundle",
		"id": "bundle--44af6c39-c09b-49c5-9de2-394224b04982",
		"objects": [
			{"type": "ipv4-addr", "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd", "value": "198.51.100.3"},
			{"type": "domain-name", "id": "domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5", "value": "example.com"}
		]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, raw := range objects {
		obj, err := stix.Parse(raw)
		fmt.Println(obj.Type, err)
	}
	// Output:
	// ipv4-addr <nil>
	// domain-name <nil>
}
