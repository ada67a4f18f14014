package server

import (
	"encoding/json"
	"net/http"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/catalog"
)

func catalogView(c *vigie.CatalogRecord) api.CatalogSummary {
	return api.CatalogSummary{ID: c.ID, Title: c.Title, Version: c.Version, Format: c.Format, Requirements: c.Requirements, Imported: c.Imported.Format(timeFormat)}
}

// catalogList answers GET /api/v1/catalogs.
func (s *Server) catalogList(w http.ResponseWriter, r *http.Request) error {
	list, err := s.hub.Catalogs(r.Context(), principal(r))
	if err != nil {
		return err
	}
	out := []api.CatalogSummary{}
	for _, c := range list {
		out = append(out, catalogView(c))
	}
	return writeAPI(w, http.StatusOK, map[string]any{"catalogs": out})
}

// catalogGet answers GET /api/v1/catalogs/{id}: the catalog with its
// requirements and mappings.
func (s *Server) catalogGet(w http.ResponseWriter, r *http.Request) error {
	c, err := s.hub.Catalog(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeAPI(w, http.StatusOK, c)
}

// catalogImport answers POST /api/v1/catalogs (operator keys) with an
// api.CatalogImport body.
func (s *Server) catalogImport(w http.ResponseWriter, r *http.Request) error {
	p, err := requireRole(r, vigie.RoleOperator)
	if err != nil {
		return err
	}
	body, err := rawBody(w, r, catalog.MaxTotalBytes+catalog.MaxTotalBytes/2) // JSON string escaping
	if err != nil {
		return err
	}
	var in api.CatalogImport
	if err := json.Unmarshal(body, &in); err != nil {
		return vigie.Errorf(vigie.EINVALID, "request body: %v", err)
	}
	files := make(map[string][]byte, len(in.Files))
	for n, s := range in.Files {
		files[n] = []byte(s)
	}
	recs, err := s.hub.ImportCatalog(r.Context(), p, files)
	if err != nil {
		return err
	}
	out := []api.CatalogSummary{}
	for _, c := range recs {
		out = append(out, catalogView(c))
	}
	return writeAPI(w, http.StatusCreated, map[string]any{"catalogs": out})
}
