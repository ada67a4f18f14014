package export_test

import (
	"fmt"
	"os"

	"github.com/vigie-cti/vigie/export"
)

func ExampleNew() {
	w, err := export.New("zeek-intel", os.Stdout, export.Options{})
	if err != nil {
		panic(err)
	}
	w.Write(&export.Indicator{
		ID: "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", Name: "Lantern C2", PatternType: "stix",
		Pattern: "[domain-name:value = 'lantern-c2.example.net'] OR [ipv4-addr:value = '198.51.100.7']",
	})
	w.Write(&export.Indicator{ID: "indicator--0f1d9e1c-3b7a-4a51-9d43-2f0e6a1b2c3d", PatternType: "stix",
		Pattern: "[network-traffic:dst_ref.value = '192.0.2.1' AND network-traffic:dst_port = 443]"})
	w.Close()
	fmt.Println(w.Stats().Skipped)
	// Output:
	// #fields	indicator	indicator_type	meta.source	meta.desc	meta.url	meta.do_notice	meta.if_in
	// lantern-c2.example.net	Intel::DOMAIN	indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f	Lantern C2	-	F	-
	// 198.51.100.7	Intel::ADDR	indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f	Lantern C2	-	F	-
	// map[no value matches the indicator alone (AND, FOLLOWEDBY, qualifiers or other comparisons):1]
}
