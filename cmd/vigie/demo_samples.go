package main

import (
	"context"
	"fmt"
	"io"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/triage/triagetest"
)

// demoSamples seeds malware triage: CERT-Nord and then Helios Energie
// submit two variants of a harmless, made-up "Frozen Lantern" loader (a
// PE written by triagetest that does nothing) to the coalition collection
// at TLP:AMBER. It returns Helios's submission, which lists CERT-Nord's
// variant as similar; CERT-Nord gets a similar-sample alert.
func demoSamples(ctx context.Context, h *hub.Hub, c *demoCoalition) (*api.Sample, error) {
	col := c.collections[0] // coalition sharing
	var second *api.Sample
	for i, org := range []demoOrg{c.orgs[0], c.orgs[1]} {
		p, err := h.Authenticate(ctx, org.token, hub.ConsoleAddr)
		if err != nil {
			return nil, err
		}
		s, err := h.SubmitSample(ctx, p, hub.SampleSubmission{Root: demoRoot, Collection: col.id, TLP: vigie.TLPAmber,
			Name: fmt.Sprintf("lantern-v%d.exe", i+1), Data: triagetest.Sample(i + 1)})
		if err != nil {
			return nil, fmt.Errorf("%s submits a sample: %w", org.name, err)
		}
		second = s
	}
	return second, nil
}

// printDemoSamples tells what the sample submissions found.
func printDemoSamples(w io.Writer, url string, c *demoCoalition, s *api.Sample) {
	if s == nil {
		return
	}
	cert, helios := c.orgs[0], c.orgs[1]
	fmt.Fprintf(w, "\nMalware triage (two variants of a harmless made-up loader, TLP:AMBER)\n")
	fmt.Fprintf(w, "  CERT-Nord submitted lantern-v1.exe; Helios Energie then submitted %s (%s)\n", s.Name, s.SHA256)
	for _, m := range s.Similar {
		fmt.Fprintf(w, "  Helios Energie sees a similar sample: %s  TLSH distance %d, ssdeep score %d, same imphash %v\n",
			m.SHA256, m.TLSHDistance, m.SSDEEPScore, m.ImphashEqual)
	}
	fmt.Fprintf(w, `  # the report of Helios's sample, and the similar ones Helios may read
  curl -s -H 'Authorization: Bearer %[1]s' %[3]s/api/v1/samples/%[4]s
  # CERT-Nord was warned (trigger similar-sample), without being told who submitted it
  curl -s -H 'Authorization: Bearer %[2]s' '%[3]s/api/v1/alerts?trigger=similar-sample'
  # download: a zip protected by the password "infected"
  curl -s -o lantern.zip -H 'Authorization: Bearer %[2]s' %[3]s/api/v1/samples/%[4]s/download
`, helios.token, cert.token, url, s.SHA256)
}
