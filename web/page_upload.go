package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// maxUpload bounds a file sent through the dashboard's upload forms (an
// SBOM, a VEX document, a STIX bundle): larger SBOMs (to 128 MiB) go
// through `vigie sbom upload` or the API.
const maxUpload = 32 << 20

// uploadMemory is how much of a multipart form is kept in memory; the
// rest of the file waits in a temporary file the server removes.
const uploadMemory = 4 << 20

// uploadRoutes are the routes whose body may be as large as maxUpload;
// every other form is bounded by maxForm.
var uploadRoutes = map[string]bool{
	"POST /products/upload":   true,
	"POST /products/{id}/vex": true,
	"POST /publish/bundle":    true,
}

// bodyLimit is the largest body the route of r accepts.
func bodyLimit(r *http.Request) int64 {
	if uploadRoutes[r.Pattern] {
		return maxUpload
	}
	return maxForm
}

// parseForm reads a POST's form, multipart or not, so that a body over
// the route's limit gets its own clear answer (not a missing CSRF token).
func parseForm(r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(uploadMemory)
	} else {
		err = r.ParseForm()
	}
	var mbe *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &mbe) || strings.Contains(err.Error(), "request body too large"):
		if limit := bodyLimit(r); limit == maxUpload {
			return vigie.Errorf(vigie.ETOOLARGE, "the file is larger than %d MiB, the dashboard's limit: upload it with the vigie command or the API", maxUpload>>20)
		}
		return vigie.Errorf(vigie.ETOOLARGE, "the form is larger than %d bytes", maxForm)
	}
	return vigie.Errorf(vigie.EINVALID, "reading the form: %v", err)
}

// formFile returns the content of the file field name of a multipart
// form (already parsed and bounded by maxUpload).
func formFile(r *http.Request, name string) ([]byte, error) {
	if r.MultipartForm == nil {
		return nil, vigie.Errorf(vigie.EINVALID, "send the form as multipart/form-data with a file")
	}
	fhs := r.MultipartForm.File[name]
	if len(fhs) == 0 || fhs[0].Size == 0 {
		return nil, vigie.Errorf(vigie.EINVALID, "choose a file to upload")
	}
	return readPart(fhs[0])
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("web: opening the upload: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxUpload+1))
	if err != nil {
		return nil, fmt.Errorf("web: reading the upload: %w", err)
	}
	return b, nil
}

type sbomFormData struct {
	Products []*vigie.Product
	Max      int // MiB
	shareData
	// The form as sent, to show it again after a refusal.
	Product, Name, Version, Supplier string
}

// shareTLPs are the levels an SBOM or VEX may be shared at beyond the
// private collection: not TLP:RED, whose recipients an upload cannot name
// (nobody but the organisation could read it).
var shareTLPs = []vigie.TLP{vigie.TLPClear, vigie.TLPGreen, vigie.TLPAmber, vigie.TLPAmberStrict}

// shareData is the "share beyond your organisation" part of the SBOM and
// VEX forms: the collections the user may write (its private ones
// aside), the levels, and the choice as sent.
type shareData struct {
	ShareCollections  []*vigie.Collection
	ShareTLPs         []vigie.TLP
	ShareTo, ShareTLP string
}

// newShareData lists the collections p may write, except the private
// ones (the default, chosen by leaving the collection empty).
func (d *Dashboard) newShareData(r *http.Request, q *req) (shareData, error) {
	cs, err := d.hub.WritableCollections(r.Context(), q.p)
	if err != nil {
		return shareData{}, err
	}
	cs = slices.DeleteFunc(cs, func(c *vigie.Collection) bool { return c.Root == hub.PrivateRoot })
	return shareData{ShareCollections: cs, ShareTLPs: shareTLPs}, nil
}

// share reads the form's choice: none keeps the upload in the
// organisation's private collection; a collection must be one listed
// (an unknown one and one the user may not write get the same answer)
// and needs a TLP level of shareTLPs. The hub checks the collection again.
func (s *shareData) share(r *http.Request) (hub.Share, error) {
	s.ShareTo, s.ShareTLP = r.PostFormValue("share"), r.PostFormValue("share_tlp")
	if s.ShareTo == "" {
		if s.ShareTLP != "" {
			return hub.Share{}, vigie.Errorf(vigie.EINVALID, "a TLP level is for sharing into a collection: choose one, or leave the level empty to keep it private")
		}
		return hub.Share{}, nil
	}
	root, id, err := splitCollection(s.ShareTo)
	if err != nil || !slices.ContainsFunc(s.ShareCollections, func(c *vigie.Collection) bool { return c.Root == root && c.ID == id }) {
		return hub.Share{}, vigie.Errorf(vigie.EINVALID, "choose a collection you may write to from the list")
	}
	if s.ShareTLP == "" {
		return hub.Share{}, vigie.Errorf(vigie.EINVALID, "choose a TLP level: what leaves your organisation's private collection must say who may read it")
	}
	t, err := vigie.ParseTLP(s.ShareTLP)
	if err != nil {
		return hub.Share{}, err
	}
	return hub.Share{Root: root, Collection: id, TLP: t}, nil // the hub refuses TLP:RED
}

// sbomForm shows the SBOM upload form.
func (d *Dashboard) sbomForm(w http.ResponseWriter, r *http.Request, q *req) error {
	prods, err := d.hub.Products(r.Context(), q.p)
	if err != nil {
		return err
	}
	sd, err := d.newShareData(r, q)
	if err != nil {
		return err
	}
	q.v.Title, q.v.Nav, q.v.Data = "Upload an SBOM", "products", sbomFormData{Products: prods, Max: maxUpload >> 20, shareData: sd, Product: r.URL.Query().Get("product")}
	d.render(w, http.StatusOK, "upload_sbom.html", q.v)
	return nil
}

// sbomPost uploads an SBOM for one of the organisation's products, or a
// new one, as `vigie sbom upload` does (into the organisation's private
// collection, or one it may write at a chosen TLP), then shows the
// product. A refusal shows the form again.
func (d *Dashboard) sbomPost(w http.ResponseWriter, r *http.Request, q *req) error {
	prods, err := d.hub.Products(r.Context(), q.p)
	if err != nil {
		return err
	}
	sd, err := d.newShareData(r, q)
	if err != nil {
		return err
	}
	data := sbomFormData{Products: prods, Max: maxUpload >> 20, shareData: sd, Product: r.PostFormValue("product"),
		Name: strings.TrimSpace(r.PostFormValue("name")), Version: strings.TrimSpace(r.PostFormValue("version")), Supplier: strings.TrimSpace(r.PostFormValue("supplier"))}
	q.v.Title, q.v.Nav, q.v.Data = "Upload an SBOM", "products", &data
	up, err := func() (*hub.SBOMUpload, error) {
		sh, err := data.share(r)
		if err != nil {
			return nil, err
		}
		file, err := formFile(r, "sbom")
		if err != nil {
			return nil, err
		}
		product, supplier := data.Product, ""
		if product == "" {
			if data.Name == "" || data.Version == "" || strings.Contains(data.Version, "@") {
				return nil, vigie.Errorf(vigie.EINVALID, "choose one of your products, or give the new product's name and version")
			}
			product, supplier = data.Name+"@"+data.Version, data.Supplier
		} else if _, err := d.hub.Product(r.Context(), q.p, product, "", false); err != nil {
			return nil, err // another organisation's product is not found
		}
		return d.hub.UploadProductSBOM(r.Context(), q.p, product, supplier, file, sh)
	}()
	if err != nil {
		return d.refuse(w, r, q, "upload_sbom.html", err)
	}
	http.Redirect(w, r, "/products/"+url.PathEscape(up.ProductID)+"?"+url.Values{"done": {"sbom"}, "components": {strconv.Itoa(up.Components)}}.Encode(), http.StatusSeeOther)
	return nil
}

// refuse shows a form's page again with the reason of a refusal the user
// can act on; other errors are the error page's.
func (d *Dashboard) refuse(w http.ResponseWriter, r *http.Request, q *req, page string, err error) error {
	switch code := vigie.ErrorCode(err); code {
	case vigie.EINVALID, vigie.ETOOLARGE, vigie.EFORBIDDEN:
		q.v.Error = vigie.ErrorMessage(err)
		d.render(w, statusOf(code), page, q.v)
		return nil
	}
	return err
}

// vexPost uploads a VEX document (OpenVEX, CycloneDX VEX, CSAF VEX) about
// one of the organisation's products, as `vigie sbom vex` does. Another
// organisation's product is not found, as the hub answers.
func (d *Dashboard) vexPost(w http.ResponseWriter, r *http.Request, q *req) error {
	prod, err := d.hub.Product(r.Context(), q.p, r.PathValue("id"), "", false)
	if err != nil {
		return err
	}
	sd, err := d.newShareData(r, q)
	if err != nil {
		return err
	}
	sh, err := sd.share(r)
	if err != nil {
		return err
	}
	file, err := formFile(r, "vex")
	if err != nil {
		return err
	}
	n, err := d.hub.UploadVEX(r.Context(), q.p, prod, file, sh)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/products/"+url.PathEscape(prod.ID)+"?"+url.Values{"done": {"vex"}, "statements": {strconv.Itoa(n)}}.Encode(), http.StatusSeeOther)
	return nil
}

// uploadFlash is the product page's confirmation after an upload.
func uploadFlash(v url.Values) string {
	switch v.Get("done") {
	case "sbom":
		n, _ := strconv.Atoi(v.Get("components"))
		return fmt.Sprintf("SBOM uploaded: %d components. The hub matches it against every advisory you may read; reload in a moment to see new findings.", n)
	case "vex":
		n, _ := strconv.Atoi(v.Get("statements"))
		return fmt.Sprintf("VEX uploaded: %d statements. Findings take their VEX state as the hub matches it; reload in a moment.", n)
	}
	return ""
}

// bundlePost publishes an uploaded STIX bundle (hub.PublishBundle): the
// objects without a TLP marking take the chosen level, and without one
// the bundle is refused. It shows the publish page with the result.
func (d *Dashboard) bundlePost(w http.ResponseWriter, r *http.Request, q *req) error {
	data, err := d.publishData(r, q)
	if err != nil {
		return err
	}
	data.BundleTLP, data.BundleCollection, data.BundleRecipients = r.PostFormValue("tlp"), r.PostFormValue("collection"), r.PostForm["recipient"]
	q.v.Title, q.v.Nav, q.v.Data = "Share indicators", "publish", data
	st, err := func() (*vigie.Status, error) {
		spec := hub.BundleSpec{Recipients: data.BundleRecipients}
		var err error
		if spec.Root, spec.Collection, err = splitCollection(data.BundleCollection); err != nil {
			return nil, err
		}
		if data.BundleTLP != "" {
			if spec.TLP, err = vigie.ParseTLP(data.BundleTLP); err != nil {
				return nil, err
			}
		}
		if spec.Data, err = formFile(r, "bundle"); err != nil {
			return nil, err
		}
		return d.hub.PublishBundle(r.Context(), q.p, spec)
	}()
	if err != nil {
		return d.refuse(w, r, q, "publish.html", err)
	}
	data.Status = st
	if len(st.Failures) == 0 {
		q.v.Flash = fmt.Sprintf("Bundle shared: %d object(s).", len(st.Successes))
	} else {
		q.v.Error = "Some objects were refused; see below."
	}
	d.render(w, http.StatusOK, "publish.html", q.v)
	return nil
}
