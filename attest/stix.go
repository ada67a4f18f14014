package attest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// STIXType is the custom STIX object type an attestation travels as on
// the hub: shared like any object (collections, TLP, ownership), so that
// it federates. Its custom properties: x_vigie_kind, x_vigie_product
// ({"name", "version"}), x_vigie_repo (the source repository the
// publisher names, "" if none), x_vigie_summary (what the document says,
// as this package reads it), x_vigie_verification (for signed kinds),
// x_vigie_expires (RFC 3339, when it stops counting), and
// x_vigie_document (the original document, so that any reader can check
// it again with its own keys).
const STIXType = "x-vigie-attestation"

// STIXInfo is what ToSTIX needs besides the document.
type STIXInfo struct {
	ID        string // x-vigie-attestation--UUID
	CreatedBy string // the publishing organisation's identity
	Markings  []string
	Time      time.Time
	Product   string // NAME
	Version   string
	Repo      string
}

// ToSTIX returns the document as an x-vigie-attestation STIX object
// (JSON); raw is the original document.
func ToSTIX(d *Document, raw []byte, info STIXInfo) ([]byte, error) {
	if !strings.HasPrefix(info.ID, STIXType+"--") {
		return nil, fmt.Errorf("attest: STIX id %q is not an %s id", info.ID, STIXType)
	}
	ts := info.Time.UTC().Format("2006-01-02T15:04:05.000Z")
	obj := map[string]any{
		"type": STIXType, "spec_version": "2.1", "id": info.ID, "created": ts, "modified": ts,
		"name":             d.Title(),
		"x_vigie_kind":     d.Kind,
		"x_vigie_product":  map[string]string{"name": info.Product, "version": info.Version},
		"x_vigie_summary":  d.summary(),
		"x_vigie_document": string(raw),
	}
	if info.CreatedBy != "" {
		obj["created_by_ref"] = info.CreatedBy
	}
	if len(info.Markings) > 0 {
		obj["object_marking_refs"] = info.Markings
	}
	if info.Repo != "" {
		obj["x_vigie_repo"] = info.Repo
	}
	if d.Verification != nil {
		obj["x_vigie_verification"] = d.Verification
	}
	if e := d.Expires(); !e.IsZero() {
		obj["x_vigie_expires"] = e.UTC().Format(time.RFC3339)
	}
	return json.Marshal(obj)
}
