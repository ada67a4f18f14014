package posture

import "time"

// RollUp is a supplier's posture across the products an organisation
// links to it: each requirement FAIL if it fails for any product, PASS if
// it passes for all, UNKNOWN otherwise.
type RollUp struct {
	Supplier     string              `json:"supplier"`
	Catalog      string              `json:"catalog"`
	Generated    time.Time           `json:"generated"`
	Products     []ProductSummary    `json:"products"`
	Summary      Summary             `json:"summary"`
	Requirements []RequirementRollUp `json:"requirements"`
}

// ProductSummary is one product's summary in a roll-up.
type ProductSummary struct {
	Product string  `json:"product"`
	Summary Summary `json:"summary"`
}

// RequirementRollUp counts one requirement's statuses across products.
type RequirementRollUp struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Pass    int    `json:"pass"`
	Fail    int    `json:"fail"`
	Unknown int    `json:"unknown"`
}

// Roll combines the reports of one supplier's products (against the same
// catalog).
func Roll(supplier, catalogID string, now time.Time, reports []*Report) *RollUp {
	out := &RollUp{Supplier: supplier, Catalog: catalogID, Generated: now.UTC(), Products: []ProductSummary{}, Requirements: []RequirementRollUp{}}
	idx := map[string]int{}
	for _, r := range reports {
		out.Products = append(out.Products, ProductSummary{Product: r.Product, Summary: r.Summary})
		for _, q := range r.Requirements {
			i, ok := idx[q.ID]
			if !ok {
				i = len(out.Requirements)
				idx[q.ID] = i
				out.Requirements = append(out.Requirements, RequirementRollUp{ID: q.ID})
			}
			switch q.Status {
			case Pass:
				out.Requirements[i].Pass++
			case Fail:
				out.Requirements[i].Fail++
			default:
				out.Requirements[i].Unknown++
			}
		}
	}
	for i := range out.Requirements {
		q := &out.Requirements[i]
		switch {
		case q.Fail > 0:
			q.Status = Fail
			out.Summary.Fail++
		case q.Unknown == 0 && q.Pass > 0:
			q.Status = Pass
			out.Summary.Pass++
		default:
			q.Status = Unknown
			out.Summary.Unknown++
		}
	}
	return out
}
