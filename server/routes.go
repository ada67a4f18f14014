package server

// routes registers every URL of the hub. TAXII 2.1 paths end with a slash;
// {root} is an API root name, {id} a collection id, {object} a STIX id.
func (s *Server) routes() {
	s.mux.HandleFunc("GET /taxii2/{$}", s.taxii(s.discoveryGet))
	s.mux.HandleFunc("GET /{root}/{$}", s.taxii(s.apiRootGet))
	s.mux.HandleFunc("GET /{root}/status/{status}/{$}", s.taxii(s.statusGet))
	s.mux.HandleFunc("GET /{root}/collections/{$}", s.taxii(s.collectionList))
	s.mux.HandleFunc("GET /{root}/collections/{id}/{$}", s.taxii(s.collectionGet))
	s.mux.HandleFunc("GET /{root}/collections/{id}/objects/{$}", s.taxii(s.objectList))
	s.mux.HandleFunc("POST /{root}/collections/{id}/objects/{$}", s.taxii(s.objectAdd))
	s.mux.HandleFunc("GET /{root}/collections/{id}/objects/{object}/{$}", s.taxii(s.objectGet))
	s.mux.HandleFunc("DELETE /{root}/collections/{id}/objects/{object}/{$}", s.taxii(s.objectDelete))
	s.mux.HandleFunc("GET /{root}/collections/{id}/objects/{object}/versions/{$}", s.taxii(s.versionList))
	s.mux.HandleFunc("GET /{root}/collections/{id}/manifest/{$}", s.taxii(s.manifestGet))

	s.mux.HandleFunc("GET /api/v1/whoami", s.api(s.whoamiGet))
	s.mux.HandleFunc("GET /api/v1/identities", s.api(s.identityList))
	s.mux.HandleFunc("GET /api/v1/watchlist", s.api(s.watchList))
	s.mux.HandleFunc("POST /api/v1/watchlist", s.api(s.watchAdd))
	s.mux.HandleFunc("DELETE /api/v1/watchlist/{id}", s.api(s.watchDelete))
	s.mux.HandleFunc("GET /api/v1/webhooks", s.api(s.webhookList))
	s.mux.HandleFunc("POST /api/v1/webhooks", s.api(s.webhookAdd))
	s.mux.HandleFunc("DELETE /api/v1/webhooks/{id}", s.api(s.webhookDelete))
	s.mux.HandleFunc("GET /api/v1/webhooks/deliveries", s.api(s.deliveryList))
	s.mux.HandleFunc("GET /api/v1/alerts", s.api(s.alertList))
	s.mux.HandleFunc("GET /api/v1/alerts/stream", s.api(s.alertStream))
	s.mux.HandleFunc("GET /api/v1/alerts/{id}", s.api(s.alertGet))
	s.mux.HandleFunc("PATCH /api/v1/alerts/{id}", s.api(s.alertPatch))
	s.mux.HandleFunc("GET /api/v1/products", s.api(s.productList))
	s.mux.HandleFunc("POST /api/v1/products", s.api(s.productAdd))
	s.mux.HandleFunc("POST /api/v1/sboms", s.api(s.sbomUpload))
	s.mux.HandleFunc("POST /api/v1/vex", s.api(s.vexUpload))
	s.mux.HandleFunc("GET /api/v1/findings", s.api(s.findingList))
	s.mux.HandleFunc("POST /api/v1/advisories", s.api(s.advisoryImport))
	s.mux.HandleFunc("GET /api/v1/audit", s.api(s.auditList))

	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.HandleFunc("/", s.taxii(s.notFound))
}
