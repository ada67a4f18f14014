package server

import (
	"net/http"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/attest"
	"github.com/vigie-cti/vigie/hub"
)

func supplierView(s *vigie.Supplier) api.Supplier {
	return api.Supplier{ID: s.ID, Name: s.Name, URL: s.URL, MemberOrg: s.MemberOrg, PURLPrefixes: s.PURLPrefixes, CPEPrefixes: s.CPEPrefixes, Keys: s.Keys, Created: s.Created.Format(timeFormat)}
}

// supplierList answers GET /api/v1/suppliers: the caller's supplier records.
func (s *Server) supplierList(w http.ResponseWriter, r *http.Request) error {
	list, err := s.hub.Suppliers(r.Context(), principal(r))
	if err != nil {
		return err
	}
	out := []api.Supplier{}
	for _, x := range list {
		out = append(out, supplierView(x))
	}
	return writeAPI(w, http.StatusOK, map[string]any{"suppliers": out})
}

// supplierAdd answers POST /api/v1/suppliers with an api.Supplier body
// (its id and created are ignored).
func (s *Server) supplierAdd(w http.ResponseWriter, r *http.Request) error {
	p, err := requireRole(r, vigie.RolePublisher)
	if err != nil {
		return err
	}
	var in api.Supplier
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	sp, err := s.hub.AddSupplier(r.Context(), p, hub.SupplierSpec{Name: in.Name, URL: in.URL, MemberOrg: in.MemberOrg, PURLPrefixes: in.PURLPrefixes, CPEPrefixes: in.CPEPrefixes, Keys: []byte(in.Keys)})
	if err != nil {
		return err
	}
	return writeAPI(w, http.StatusCreated, supplierView(sp))
}

// supplierLink answers POST /api/v1/suppliers/link with an
// api.SupplierLink body.
func (s *Server) supplierLink(w http.ResponseWriter, r *http.Request) error {
	p, err := requireRole(r, vigie.RolePublisher)
	if err != nil {
		return err
	}
	var in api.SupplierLink
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	prod, sp, err := s.hub.LinkSupplier(r.Context(), p, in.Product, in.Supplier)
	if err != nil {
		return err
	}
	return writeAPI(w, http.StatusOK, map[string]any{"product": productView(prod), "supplier": supplierView(sp)})
}

// productSuppliers answers GET /api/v1/product-suppliers?product=NAME@VERSION
// [&root=&collection=]: who supplies the product and its components.
func (s *Server) productSuppliers(w http.ResponseWriter, r *http.Request) error {
	sh, err := share(r)
	if err != nil {
		return err
	}
	product := r.URL.Query().Get("product")
	if product == "" {
		return vigie.Errorf(vigie.EINVALID, "?product=NAME@VERSION required")
	}
	out, err := s.hub.ProductSuppliers(r.Context(), principal(r), product, sh)
	if err != nil {
		return err
	}
	return writeAPI(w, http.StatusOK, out)
}

// attestationUpload answers POST /api/v1/attestations?product=NAME@VERSION
// [&repo=][&root=&collection=][&tlp=] with the attestation document as the
// body (Scorecard JSON, a DSSE envelope or Sigstore bundle, CycloneDX).
func (s *Server) attestationUpload(w http.ResponseWriter, r *http.Request) error {
	p, err := requireRole(r, vigie.RolePublisher)
	if err != nil {
		return err
	}
	sh, err := share(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if q.Get("product") == "" {
		return vigie.Errorf(vigie.EINVALID, "?product=NAME@VERSION required")
	}
	data, err := rawBody(w, r, attest.MaxBytes)
	if err != nil {
		return err
	}
	out, err := s.hub.PublishAttestation(r.Context(), p, hub.AttestationSpec{Product: q.Get("product"), Repo: q.Get("repo"), Share: sh}, data)
	if err != nil {
		return err
	}
	return writeAPI(w, http.StatusCreated, out)
}

// postureReport answers GET /api/v1/posture?product=NAME@VERSION&catalog=ID
// [&root=&collection=]: the product's posture against the catalog; with
// ?supplier=NAME&catalog=ID instead, the roll-up over the products linked
// to that supplier.
func (s *Server) postureReport(w http.ResponseWriter, r *http.Request) error {
	sh, err := share(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if q.Get("supplier") != "" && q.Get("product") == "" && q.Get("catalog") != "" {
		ru, err := s.hub.SupplierPosture(r.Context(), principal(r), q.Get("supplier"), q.Get("catalog"))
		if err != nil {
			return err
		}
		return writeAPI(w, http.StatusOK, ru)
	}
	if q.Get("product") == "" || q.Get("catalog") == "" {
		return vigie.Errorf(vigie.EINVALID, "?product=NAME@VERSION&catalog=ID (or ?supplier=NAME&catalog=ID) required")
	}
	rep, err := s.hub.PostureReport(r.Context(), principal(r), q.Get("product"), q.Get("catalog"), sh)
	if err != nil {
		return err
	}
	return writeAPI(w, http.StatusOK, rep)
}

// questionnaireUpload answers POST /api/v1/questionnaires?product=NAME@VERSION
// [&root=&collection=][&tlp=] with a vigie-questionnaire/1 file as the body.
func (s *Server) questionnaireUpload(w http.ResponseWriter, r *http.Request) error {
	p, err := requireRole(r, vigie.RolePublisher)
	if err != nil {
		return err
	}
	sh, err := share(r)
	if err != nil {
		return err
	}
	product := r.URL.Query().Get("product")
	if product == "" {
		return vigie.Errorf(vigie.EINVALID, "?product=NAME@VERSION required")
	}
	data, err := rawBody(w, r, attest.MaxBytes)
	if err != nil {
		return err
	}
	out, err := s.hub.PublishQuestionnaire(r.Context(), p, hub.AttestationSpec{Product: product, Share: sh}, data)
	if err != nil {
		return err
	}
	return writeAPI(w, http.StatusCreated, out)
}
