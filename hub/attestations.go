package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/attest"
)

// AttestationSpec says what an attestation is about and where it goes.
type AttestationSpec struct {
	Product string // the publisher's product, NAME@VERSION or id
	Repo    string // the product's source repository (required for Scorecard results)
	Share   Share
}

// PublishAttestation reads an attestation a supplier publishes about one
// of its own product versions (a Scorecard result, SLSA provenance or VSA
// in a DSSE envelope or Sigstore bundle, or a CycloneDX attestation) and
// publishes it as an x-vigie-attestation STIX object, shared and marked
// like any object. Only the product's own organisation attests it
// (ENOTFOUND for anyone else's product). EINVALID for an unreadable
// document, a Scorecard result or provenance for another repository than
// Repo, or an attestation already expired; ETOOLARGE over the size limit.
// Signatures are not trusted here: the result says they are unverified,
// and readers check them with their own keys.
func (h *Hub) PublishAttestation(ctx context.Context, p vigie.Principal, spec AttestationSpec, data []byte) (*api.AttestationUpload, error) {
	if err := member(p, vigie.RolePublisher); err != nil {
		return nil, err
	}
	prod, err := h.store.FindProduct(ctx, p.OrgID, spec.Product)
	if err != nil {
		return nil, err
	}
	doc, err := attest.Read(data, nil)
	if errors.Is(err, attest.ErrTooLarge) {
		return nil, vigie.Errorf(vigie.ETOOLARGE, "%v", err)
	} else if err != nil {
		return nil, vigie.Errorf(vigie.EINVALID, "%v", err)
	}
	if err := checkAttestation(doc, spec.Repo, h.now()); err != nil {
		return nil, err
	}
	c, a, err := h.shareTarget(ctx, p, prod, spec.Share)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	id := attest.STIXType + "--" + vigie.NameUUID("attestation/"+prod.ID+"/"+hex.EncodeToString(sum[:]))
	raw, err := attest.ToSTIX(doc, data, attest.STIXInfo{ID: id, CreatedBy: p.OrgID, Markings: markings(spec.Share.TLP), Time: h.now(),
		Product: prod.Name, Version: prod.Version, Repo: spec.Repo})
	if err != nil {
		return nil, fmt.Errorf("hub: attestation to STIX: %w", err)
	}
	if err := h.publishOne(ctx, p, a, c, raw); err != nil {
		return nil, err
	}
	out := &api.AttestationUpload{ID: id, Kind: doc.Kind, Title: doc.Title(), Product: prod.Name + "@" + prod.Version, Collection: c.ID}
	if v := doc.Verification; v != nil {
		out.Verification, out.Reason = v.Status, v.Reason
	}
	if e := doc.Expires(); !e.IsZero() {
		out.Expires = e.UTC().Format(time.RFC3339)
	}
	if doc.CDXA != nil {
		out.Warnings = doc.CDXA.Warnings
	}
	return out, nil
}

// checkAttestation refuses what must never count: a result about another
// repository than the product's, and an attestation already expired.
func checkAttestation(doc *attest.Document, repo string, now time.Time) error {
	src := doc.Source()
	switch {
	case doc.Kind == attest.KindScorecard && repo == "":
		return vigie.Errorf(vigie.EINVALID, "a Scorecard result needs the product's repository (repo), to check it is about it")
	case src != "" && repo != "" && !attest.SameRepo(src, repo):
		return vigie.Errorf(vigie.EINVALID, "this %s is about %s, not the product's repository %s", doc.Kind, src, repo)
	}
	if e := doc.Expires(); !e.IsZero() && e.Before(now) {
		return vigie.Errorf(vigie.EINVALID, "this attestation expired on %s", e.UTC().Format(time.RFC3339))
	}
	return nil
}

// PublishQuestionnaire reads a supplier's answers to a catalog
// (attest.ParseQuestionnaire), checks that every answered requirement is
// in the hub's catalog (EINVALID naming those that are not, ENOTFOUND for
// an unknown catalog), and publishes them as the CycloneDX attestation
// they make, as PublishAttestation does.
func (h *Hub) PublishQuestionnaire(ctx context.Context, p vigie.Principal, spec AttestationSpec, data []byte) (*api.AttestationUpload, error) {
	if err := member(p, vigie.RolePublisher); err != nil {
		return nil, err
	}
	q, err := attest.ParseQuestionnaire(data)
	if errors.Is(err, attest.ErrTooLarge) {
		return nil, vigie.Errorf(vigie.ETOOLARGE, "%v", err)
	} else if err != nil {
		return nil, vigie.Errorf(vigie.EINVALID, "%v", err)
	}
	cat, err := h.Catalog(ctx, p, q.Catalog)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, a := range q.Answers {
		if cat.Find(a.Requirement) == nil {
			missing = append(missing, a.Requirement)
		}
	}
	if len(missing) > 0 {
		return nil, vigie.Errorf(vigie.EINVALID, "catalog %s has no requirement %s", cat.ID, strings.Join(missing, ", "))
	}
	doc, err := q.CycloneDX(h.now())
	if err != nil {
		return nil, fmt.Errorf("hub: questionnaire to CycloneDX: %w", err)
	}
	return h.PublishAttestation(ctx, p, spec, doc)
}
