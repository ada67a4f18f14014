package pattern_test

import (
	"fmt"
	"strings"

	"github.com/vigie-cti/vigie/pattern"
)

func ExampleParse() {
	p, err := pattern.Parse("[file:hashes.'SHA-256'=='aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f'] // a comment")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p)

	_, err = pattern.Parse("[file:name = 'x' FOO]")
	fmt.Println(err)
	// Output:
	// [file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']
	// 1:18: expected ']', AND or OR, found identifier "FOO"
}

func ExampleCheck() {
	_, warnings, _ := pattern.Check("[file:hashs.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']")
	for _, w := range warnings {
		fmt.Println(w)
	}
	// Output:
	// 1:7: property "hashs" is not defined for file; did you mean "hashes"?
}

func ExamplePattern_Match() {
	obs, err := pattern.ReadObservations(strings.NewReader(`{"type": "bundle", "id": "bundle--1", "objects": [
	  {"type": "observed-data", "id": "observed-data--1", "first_observed": "2024-05-01T10:00:00Z",
	   "last_observed": "2024-05-01T10:00:00Z", "number_observed": 1, "object_refs": ["domain-name--1"]},
	  {"type": "domain-name", "id": "domain-name--1", "value": "c2.example.net"},
	  {"type": "observed-data", "id": "observed-data--2", "first_observed": "2024-05-01T10:01:00Z",
	   "last_observed": "2024-05-01T10:01:00Z", "number_observed": 1, "object_refs": ["network-traffic--1"]},
	  {"type": "network-traffic", "id": "network-traffic--1", "dst_ref": "ipv4-addr--1", "dst_port": 443},
	  {"type": "ipv4-addr", "id": "ipv4-addr--1", "value": "198.51.100.23"}
	]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	p := pattern.MustParse("([domain-name:value = 'c2.example.net'] FOLLOWEDBY [network-traffic:dst_ref.value ISSUBSET '198.51.100.0/24']) WITHIN 300 SECONDS")
	r, err := p.Match(obs)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, i := range r.Observations {
		fmt.Println(obs[i].ID)
	}
	// Output:
	// observed-data--1
	// observed-data--2
}
