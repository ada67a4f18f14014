package indicator_test

import (
	"fmt"
	"time"

	"github.com/vigie-cti/vigie/indicator"
	"github.com/vigie-cti/vigie/pattern"
)

func ExampleIndex_Lookup() {
	ix := indicator.NewIndex(indicator.Options{})
	for id, src := range map[string]string{
		"indicator--1": "[domain-name:value = 'example.com']",
		"indicator--2": "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
	} {
		if err := ix.Add(indicator.Indicator{ID: id, Pattern: pattern.MustParse(src)}); err != nil {
			fmt.Println(err)
			return
		}
	}
	now := time.Now()
	ix.Lookup(indicator.KindDomain, "www.EXAMPLE.com", now, func(h indicator.Hit) bool {
		fmt.Println(h.ID, "direct:", h.Direct, "subdomain:", h.Subdomain)
		return true
	})
	ix.Lookup(indicator.KindIPv4, "198.51.100.7", now, func(h indicator.Hit) bool {
		fmt.Println(h.ID, "direct:", h.Direct)
		return true
	})
	// Output:
	// indicator--1 direct: true subdomain: true
	// indicator--2 direct: true
}
