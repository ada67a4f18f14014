package hub

import (
	"context"
	"fmt"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/attest"
	"github.com/vigie-cti/vigie/posture"
)

// ExpiryWarning is how long before an attestation expires its readers
// are warned.
const ExpiryWarning = 30 * 24 * time.Hour

// checkAddr is the source address of the supplier check in the audit log.
const checkAddr = "supplier-check"

// CheckSuppliers warns each organisation about the suppliers of its
// products: for every product linked to a supplier and every catalog of
// the hub, it computes the posture report as that organisation would see
// it (its communities, TLP) and raises a supplier alert when a
// requirement that passed at the last check now fails, and when an
// attestation it relies on expires within ExpiryWarning (once per
// attestation), and when an advisory affecting the product has gone
// unanswered by VEX for longer than posture.DefaultVEXDue (once per
// advisory). The first check of a product records a baseline and warns
// only of expiries and overdue VEX. Operators only (the serve process runs it
// hourly). It returns how many alerts it raised.
func (h *Hub) CheckSuppliers(ctx context.Context, p vigie.Principal) (int, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return 0, err
	}
	orgs, err := h.store.ListOrgs(ctx)
	if err != nil {
		return 0, err
	}
	cats, err := h.store.ListCatalogs(ctx)
	if err != nil || len(cats) == 0 {
		return 0, err
	}
	now := h.now().UTC()
	raised := 0
	for _, o := range orgs {
		comms, err := h.store.OrgCommunities(ctx, o.ID)
		if err != nil {
			return raised, err
		}
		as := vigie.Principal{OrgID: o.ID, Role: vigie.RoleReader, Communities: comms, Addr: checkAddr}
		prods, err := h.store.ListProducts(ctx, o.ID)
		if err != nil {
			return raised, err
		}
		for _, prod := range prods {
			if _, err := h.store.ProductSupplier(ctx, o.ID, prod.ID); vigie.ErrorCode(err) == vigie.ENOTFOUND {
				continue
			} else if err != nil {
				return raised, err
			}
			for _, c := range cats {
				n, err := h.checkProduct(ctx, as, prod, c.ID, now)
				if err != nil {
					return raised, fmt.Errorf("hub: supplier check of %s against %s: %w", prod.ID, c.ID, err)
				}
				raised += n
			}
			n, err := h.checkVEXOverdue(ctx, as, prod, now)
			if err != nil {
				return raised, fmt.Errorf("hub: VEX check of %s: %w", prod.ID, err)
			}
			raised += n
		}
	}
	return raised, nil
}

// checkProduct compares one product's posture with the last check's and
// records the alerts and the new statuses.
func (h *Hub) checkProduct(ctx context.Context, as vigie.Principal, prod *vigie.Product, catalogID string, now time.Time) (int, error) {
	r, err := h.PostureReport(ctx, as, prod.ID, catalogID, Share{})
	if err != nil {
		return 0, err
	}
	prev, err := h.store.PostureStatuses(ctx, as.OrgID, prod.ID, catalogID)
	if err != nil {
		return 0, err
	}
	next := map[string]string{}
	var alerts []*vigie.Alert
	for _, q := range r.Requirements {
		next[q.ID] = q.Status
		if prev[q.ID] == posture.Pass && q.Status == posture.Fail {
			detail := q.Note
			for _, f := range q.Facts {
				if f.Status == posture.Fail {
					detail = f.Detail
				}
			}
			alerts = append(alerts, &vigie.Alert{OrgID: as.OrgID, Trigger: vigie.TriggerSupplier, Severity: vigie.SeverityHigh,
				Title:    fmt.Sprintf("%s (supplier %s) no longer meets %s of %s", r.Product, r.Supplier, q.ID, catalogID),
				Detail:   detail,
				DedupKey: "supplier-lost/" + prod.ID + "/" + catalogID + "/" + q.ID, Objects: []vigie.ObjectRef{}, Count: 1})
		}
	}
	for _, a := range r.Attestations {
		key := "expiry:" + a.ID
		if a.Expires.IsZero() || a.Expires.Sub(now) > ExpiryWarning {
			continue
		}
		next[key] = "warned"
		if prev[key] == "warned" {
			continue
		}
		alerts = append(alerts, &vigie.Alert{OrgID: as.OrgID, Trigger: vigie.TriggerSupplier, Severity: vigie.SeverityMedium,
			Title:    fmt.Sprintf("an attestation of %s (supplier %s) expires on %s", r.Product, r.Supplier, a.Expires.Format("2006-01-02")),
			Detail:   a.Title,
			DedupKey: "supplier-expiry/" + a.ID, Objects: []vigie.ObjectRef{{ID: a.ID, Type: attest.STIXType, Name: a.Title}}, Count: 1})
	}
	if len(alerts) > 0 {
		if _, err := h.store.RecordAlerts(ctx, &vigie.AlertBatch{Now: now, Alerts: alerts}); err != nil {
			return 0, err
		}
	}
	return len(alerts), h.store.SetPostureStatuses(ctx, as.OrgID, prod.ID, catalogID, next)
}

// vexScope is the key under which the VEX check keeps what it has warned
// of among a product's posture statuses; no catalog id has a '#'.
const vexScope = "#vex"

// checkVEXOverdue warns once per advisory that affects prod and that its
// supplier has not answered with VEX in time.
func (h *Hub) checkVEXOverdue(ctx context.Context, as vigie.Principal, prod *vigie.Product, now time.Time) (int, error) {
	fs, err := h.store.ListFindings(ctx, as.OrgID, prod.ID, maxFindings)
	if err != nil {
		return 0, err
	}
	pf := make([]posture.Finding, 0, len(fs))
	for _, f := range fs {
		pf = append(pf, postureFinding(f))
	}
	overdue := posture.Overdue(pf, now, posture.DefaultVEXDue)
	prev, err := h.store.PostureStatuses(ctx, as.OrgID, prod.ID, vexScope)
	if err != nil {
		return 0, err
	}
	supplier := prod.Supplier
	if sp, err := h.store.ProductSupplier(ctx, as.OrgID, prod.ID); err == nil {
		supplier = sp.Name
	}
	next := map[string]string{}
	var alerts []*vigie.Alert
	for _, o := range overdue {
		next[o.ID] = "warned"
		if prev[o.ID] == "warned" {
			continue
		}
		alerts = append(alerts, &vigie.Alert{OrgID: as.OrgID, Trigger: vigie.TriggerSupplier, Severity: vigie.SeverityMedium,
			Title: fmt.Sprintf("%s@%s: supplier %s has not answered %s with VEX in %d days", prod.Name, prod.Version, supplier, o.ID, o.Days),
			Detail: fmt.Sprintf("%s was published on %s and affects a component of %s@%s; no VEX statement of the supplier says what it means for the product",
				o.ID, o.Published.Format("2006-01-02"), prod.Name, prod.Version),
			DedupKey: "supplier-vex-overdue/" + prod.ID + "/" + o.ID, Objects: []vigie.ObjectRef{}, Count: 1})
	}
	if len(alerts) > 0 {
		if _, err := h.store.RecordAlerts(ctx, &vigie.AlertBatch{Now: now, Alerts: alerts}); err != nil {
			return 0, err
		}
	}
	return len(alerts), h.store.SetPostureStatuses(ctx, as.OrgID, prod.ID, vexScope, next)
}
