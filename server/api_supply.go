package server

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/sbom"
)

// Upload limits of the supply-chain endpoints.
const (
	maxSBOMUpload     = sbom.DefaultMaxBytes // 128 MiB
	maxVEXUpload      = 64 << 20
	maxAdvisoryUpload = 512 << 20 // an ecosystem's all.zip
)

func productView(p *vigie.Product) api.Product {
	return api.Product{ID: p.ID, Name: p.Name, Version: p.Version, Supplier: p.Supplier, SBOMID: p.SBOMID, Collection: p.Collection, Created: p.Created.Format(timeFormat)}
}

func (s *Server) productList(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.hub.Products(r.Context(), principal(r))
	if err != nil {
		return err
	}
	out := []api.Product{}
	for _, x := range ps {
		out = append(out, productView(x))
	}
	return writeAPI(w, http.StatusOK, map[string]any{"products": out})
}

func (s *Server) productAdd(w http.ResponseWriter, r *http.Request) error {
	p, err := requireRole(r, vigie.RolePublisher)
	if err != nil {
		return err
	}
	var in struct{ Name, Version, Supplier string }
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	if in.Name == "" || in.Version == "" {
		return vigie.Errorf(vigie.EINVALID, "name and version required")
	}
	prod, err := s.hub.Product(r.Context(), p, in.Name+"@"+in.Version, in.Supplier, true)
	if err != nil {
		return err
	}
	return writeAPI(w, http.StatusCreated, productView(prod))
}

// share reads ?root=&collection=&tlp= (where to publish; default: the
// organisation's private collection).
func share(r *http.Request) (hub.Share, error) {
	q := r.URL.Query()
	sh := hub.Share{Root: q.Get("root"), Collection: q.Get("collection")}
	if sh.Collection != "" && sh.Root == "" {
		return sh, vigie.Errorf(vigie.EINVALID, "collection needs its API root: ?root=...&collection=...")
	}
	if t := q.Get("tlp"); t != "" {
		var err error
		if sh.TLP, err = vigie.ParseTLP(t); err != nil {
			return sh, err
		}
	}
	return sh, nil
}

// rawBody reads a request body of at most max bytes.
func rawBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, vigie.Errorf(vigie.ETOOLARGE, "request body over %d bytes", max)
	} else if err != nil {
		return nil, vigie.Errorf(vigie.EINVALID, "reading the request body: %v", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, vigie.Errorf(vigie.EINVALID, "empty request body")
	}
	return b, nil
}

// sbomUpload answers POST /api/v1/sboms?product=NAME@VERSION[&supplier=]
// [&root=&collection=][&tlp=] with the SBOM file as the body (CycloneDX
// JSON or XML, SPDX JSON or tag-value). The product is registered if new.
func (s *Server) sbomUpload(w http.ResponseWriter, r *http.Request) error {
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
	data, err := rawBody(w, r, maxSBOMUpload)
	if err != nil {
		return err
	}
	prod, err := s.hub.Product(r.Context(), p, product, r.URL.Query().Get("supplier"), true)
	if err != nil {
		return err
	}
	up, err := s.hub.UploadSBOM(r.Context(), p, prod, data, sh)
	if err != nil {
		return err
	}
	return writeAPI(w, http.StatusCreated, up)
}

// vexUpload answers POST /api/v1/vex?product=NAME@VERSION with a VEX
// document (CycloneDX, OpenVEX, CSAF) about the product as the body.
func (s *Server) vexUpload(w http.ResponseWriter, r *http.Request) error {
	p, err := requireRole(r, vigie.RolePublisher)
	if err != nil {
		return err
	}
	sh, err := share(r)
	if err != nil {
		return err
	}
	prod, err := s.hub.Product(r.Context(), p, r.URL.Query().Get("product"), "", false)
	if err != nil {
		return err
	}
	data, err := rawBody(w, r, maxVEXUpload)
	if err != nil {
		return err
	}
	n, err := s.hub.UploadVEX(r.Context(), p, prod, data, sh)
	if err != nil {
		return err
	}
	return writeAPI(w, http.StatusCreated, map[string]any{"product_id": prod.ID, "statements": n})
}

// findingList answers GET /api/v1/findings[?product=NAME@VERSION|id].
func (s *Server) findingList(w http.ResponseWriter, r *http.Request) error {
	fs, err := s.hub.Findings(r.Context(), principal(r), r.URL.Query().Get("product"))
	if err != nil {
		return err
	}
	if fs == nil {
		fs = []*vigie.Finding{}
	}
	return writeAPI(w, http.StatusOK, map[string]any{"findings": fs})
}

// AdvisoryImport is the answer of POST /api/v1/advisories.
type AdvisoryImport = api.AdvisoryImport

// advisoryImport answers POST /api/v1/advisories?root=&collection=[&tlp=]
// with OSV records or CSAF documents as the body: one JSON document, or a
// zip of them (such as OSV's all.zip). Each becomes a STIX vulnerability
// object in the collection.
func (s *Server) advisoryImport(w http.ResponseWriter, r *http.Request) error {
	p, err := requireRole(r, vigie.RolePublisher)
	if err != nil {
		return err
	}
	sh, err := share(r)
	if err != nil {
		return err
	}
	if sh.Collection == "" {
		return vigie.Errorf(vigie.EINVALID, "?root=...&collection=... required: where the advisories are shared")
	}
	data, err := rawBody(w, r, maxAdvisoryUpload)
	if err != nil {
		return err
	}
	res, err := s.hub.ImportAdvisoryFile(r.Context(), p, sh.Root, sh.Collection, data, sh.TLP)
	if err != nil {
		return err
	}
	return writeAPI(w, http.StatusOK, AdvisoryImport{ImportResult: res.ImportResult, Read: res.Read, Errors: res.Errors})
}
