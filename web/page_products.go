package web

import (
	"encoding/json"
	"net/http"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/exposure"
)

// maxProductRows bounds the products the list page counts findings for.
const maxProductRows = 200

// productRow is one product of the list with the counts of its findings.
type productRow struct {
	Product            *vigie.Product
	Affected           int
	UnderInvestigation int
	Suppressed         int
	Malicious          int
}

type productsData struct {
	Rows      []productRow
	Truncated bool // more products than the page shows
}

// productList shows the organisation's products and how exposed each is.
func (d *Dashboard) productList(w http.ResponseWriter, r *http.Request, q *req) error {
	prods, err := d.hub.Products(r.Context(), q.p)
	if err != nil {
		return err
	}
	var data productsData
	if len(prods) > maxProductRows {
		prods, data.Truncated = prods[:maxProductRows], true
	}
	for _, p := range prods {
		fs, err := d.hub.Findings(r.Context(), q.p, p.ID)
		if err != nil {
			return err
		}
		row := productRow{Product: p}
		for _, f := range fs {
			switch f.State {
			case string(exposure.Affected):
				row.Affected++
			case string(exposure.UnderInvestigation):
				row.UnderInvestigation++
			case string(exposure.Suppressed):
				row.Suppressed++
			}
			if f.Malicious {
				row.Malicious++
			}
		}
		data.Rows = append(data.Rows, row)
	}
	q.v.Title, q.v.Nav, q.v.Data = "Products", "products", data
	d.render(w, http.StatusOK, "products.html", q.v)
	return nil
}

// findingRow is one finding as the product page shows it.
type findingRow struct {
	Finding  *vigie.Finding
	Doc      exposure.Finding // zero if the stored document does not decode
	Severity vigie.Severity
	SevKnown bool
}

type productData struct {
	Product   *vigie.Product
	Findings  []findingRow
	shareData // the VEX form's collections, for publishers
}

// productGet shows one of the organisation's products and its findings,
// in the hub's order (malicious and severe first). Another organisation's
// product is not found, as the hub answers.
func (d *Dashboard) productGet(w http.ResponseWriter, r *http.Request, q *req) error {
	id := r.PathValue("id")
	prod, err := d.hub.Product(r.Context(), q.p, id, "", false)
	if err != nil {
		return err
	}
	fs, err := d.hub.Findings(r.Context(), q.p, prod.ID)
	if err != nil {
		return err
	}
	data := productData{Product: prod}
	if q.v.Me.Publisher {
		if data.shareData, err = d.newShareData(r, q); err != nil {
			return err
		}
	}
	for _, f := range fs {
		row := findingRow{Finding: f}
		_ = json.Unmarshal(f.Doc, &row.Doc) // a document that does not decode shows the stored columns only
		if sev, err := vigie.ParseSeverity(f.Severity); err == nil {
			row.Severity, row.SevKnown = sev, true
		}
		data.Findings = append(data.Findings, row)
	}
	q.v.Title, q.v.Nav, q.v.Data, q.v.Flash = prod.Name+"@"+prod.Version, "products", data, uploadFlash(r.URL.Query())
	d.render(w, http.StatusOK, "product.html", q.v)
	return nil
}
