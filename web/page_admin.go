package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vigie-cti/vigie"
)

type adminData struct {
	Orgs        []*vigie.Org
	Users       []*vigie.User
	Keys        []*vigie.Key
	Communities []*vigie.Community
	Collections []*vigie.Collection
	Audit       []*vigie.AuditEntry
	Names       map[string]string
	Roles       []vigie.Role
	NewLink     string // the sign-in link of a user just added
	NewEmail    string
	NewKey      *vigie.Key // a key just created, and its secret: shown in that answer only
	NewToken    string
	SelfID      string // the signed-in user (who may not disable itself)
	Next        string // the audit page after this one
	Since       string
}

func (d *Dashboard) admin(r *http.Request, q *req, title, nav string) (*adminData, error) {
	names, err := d.hub.OrgNames(r.Context(), q.p)
	q.v.Title, q.v.Nav = title, nav
	flash(r, q)
	return &adminData{Names: names, SelfID: q.user.ID}, err
}

func (d *Dashboard) adminOrgs(w http.ResponseWriter, r *http.Request, q *req) error {
	data, err := d.admin(r, q, "Organisations", "admin-orgs")
	if err == nil {
		data.Orgs, err = d.hub.Orgs(r.Context(), q.p)
	}
	if err != nil {
		return err
	}
	q.v.Data = data
	d.render(w, http.StatusOK, "admin_orgs.html", q.v)
	return nil
}

func (d *Dashboard) adminUsers(w http.ResponseWriter, r *http.Request, q *req) error {
	return d.renderUsers(w, r, q, "", "")
}

func (d *Dashboard) renderUsers(w http.ResponseWriter, r *http.Request, q *req, email, link string) error {
	data, err := d.admin(r, q, "Users", "admin-users")
	if err == nil {
		data.Users, err = d.hub.Users(r.Context(), q.p, "")
	}
	if err != nil {
		return err
	}
	if q.v.Me.Operator {
		data.Orgs, err = d.hub.Orgs(r.Context(), q.p)
		if err != nil {
			return err
		}
		data.Roles = []vigie.Role{vigie.RoleReader, vigie.RolePublisher, vigie.RoleAdmin, vigie.RoleOperator}
	} else {
		data.Roles = []vigie.Role{vigie.RoleReader, vigie.RolePublisher, vigie.RoleAdmin}
	}
	data.NewEmail, data.NewLink = email, link
	q.v.Data = data
	d.render(w, http.StatusOK, "admin_users.html", q.v)
	return nil
}

// adminUserAdd creates an account and shows its one-time sign-in link.
func (d *Dashboard) adminUserAdd(w http.ResponseWriter, r *http.Request, q *req) error {
	org := r.PostFormValue("org")
	if !q.v.Me.Operator {
		org = q.p.OrgID
	}
	role, err := vigie.ParseRole(r.PostFormValue("role"))
	if err != nil {
		return err
	}
	u, secret, err := d.hub.AddUser(r.Context(), q.p, org, r.PostFormValue("email"), role)
	if err != nil {
		return err
	}
	return d.renderUsers(w, r, q, u.Email, "/signin/link?token="+secret)
}

func (d *Dashboard) adminKeys(w http.ResponseWriter, r *http.Request, q *req) error {
	return d.renderKeys(w, r, q, nil, "")
}

// renderKeys shows the keys; after a creation, k and its token, once.
func (d *Dashboard) renderKeys(w http.ResponseWriter, r *http.Request, q *req, k *vigie.Key, token string) error {
	data, err := d.admin(r, q, "API keys", "admin-keys")
	if err == nil {
		data.Keys, err = d.hub.Keys(r.Context(), q.p, "")
	}
	if err == nil {
		data.Orgs, err = d.hub.Orgs(r.Context(), q.p)
	}
	if err != nil {
		return err
	}
	data.NewKey, data.NewToken, data.Roles = k, token, keyRoles
	q.v.Data = data
	d.render(w, http.StatusOK, "admin_keys.html", q.v)
	return nil
}

func (d *Dashboard) adminCommunities(w http.ResponseWriter, r *http.Request, q *req) error {
	data, err := d.admin(r, q, "Communities", "admin-communities")
	if err == nil {
		data.Communities, err = d.hub.Communities(r.Context(), q.p)
	}
	if err == nil {
		data.Orgs, err = d.hub.Orgs(r.Context(), q.p)
	}
	if err != nil {
		return err
	}
	q.v.Data = data
	d.render(w, http.StatusOK, "admin_communities.html", q.v)
	return nil
}

func (d *Dashboard) adminCollections(w http.ResponseWriter, r *http.Request, q *req) error {
	data, err := d.admin(r, q, "Collections", "admin-collections")
	if err == nil {
		data.Collections, err = d.hub.AllCollections(r.Context(), q.p)
	}
	if err == nil {
		data.Orgs, err = d.hub.Orgs(r.Context(), q.p)
	}
	if err == nil {
		data.Communities, err = d.hub.Communities(r.Context(), q.p)
	}
	if err != nil {
		return err
	}
	q.v.Data = data
	d.render(w, http.StatusOK, "admin_collections.html", q.v)
	return nil
}

// auditPage is how many entries one page of the audit log shows.
const auditPage = 100

// adminAudit shows the audit log from ?since= (default: the last 24
// hours), paged forward by position: operators see every entry, an
// organisation's admins their organisation's (the hub decides).
func (d *Dashboard) adminAudit(w http.ResponseWriter, r *http.Request, q *req) error {
	data, err := d.admin(r, q, "Audit log", "admin-audit")
	if err != nil {
		return err
	}
	aq := vigie.AuditQuery{Limit: auditPage}
	data.Since = r.URL.Query().Get("since")
	switch data.Since {
	case "":
		data.Since = "24h"
		aq.Since = d.opts.Now().Add(-24 * time.Hour)
	case "all":
	default:
		dur, err := time.ParseDuration(data.Since)
		if err != nil || dur <= 0 {
			return vigie.Errorf(vigie.EINVALID, "since %q: want a duration such as 24h, or all", data.Since)
		}
		aq.Since = d.opts.Now().Add(-dur)
	}
	if a := r.URL.Query().Get("after"); a != "" {
		if aq.After, err = strconv.ParseInt(a, 10, 64); err != nil || aq.After < 0 {
			return vigie.Errorf(vigie.EINVALID, "after %q: follow the page's own links", a)
		}
	}
	if data.Audit, err = d.hub.Audit(r.Context(), q.p, aq); err != nil {
		return err
	}
	if len(data.Audit) == auditPage {
		data.Next = strconv.FormatInt(data.Audit[len(data.Audit)-1].Seq, 10)
	}
	q.v.Data = data
	d.render(w, http.StatusOK, "admin_audit.html", q.v)
	return nil
}
