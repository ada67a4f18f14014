package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// The operator's forms: each change is one hub call, which checks the
// role and writes the audit entry, as `vigie admin` does. After a change
// the browser is sent back to the list (POST, redirect, GET) with a fixed
// confirmation; the two secrets a change makes (a key, a sign-in link)
// are shown once, in the answer to the POST itself, and never again.

// doneMessages are the confirmations of ?done= on the operator pages.
var doneMessages = map[string]string{
	"org":          "Organisation added.",
	"community":    "Community created.",
	"member-add":   "Member added.",
	"member-rm":    "Member removed.",
	"collection":   "Collection created.",
	"key-revoked":  "Key revoked: requests with it are refused from now on.",
	"user-disable": "User disabled: their sessions ended and sign-in is refused.",
	"user-enable":  "User enabled: they may sign in again.",
	"peer-pause":   "Peer paused.",
	"peer-resume":  "Peer resumed.",
}

// flash sets the page's confirmation from ?done=, for known values only.
func flash(r *http.Request, q *req) {
	q.v.Flash = doneMessages[r.URL.Query().Get("done")]
}

// back sends the browser to a list after a change.
func back(w http.ResponseWriter, r *http.Request, path, done string) error {
	http.Redirect(w, r, path+"?done="+done, http.StatusSeeOther)
	return nil
}

// splitList splits a comma-separated field into trimmed, non-empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (d *Dashboard) adminOrgAdd(w http.ResponseWriter, r *http.Request, q *req) error {
	if _, err := d.hub.AddOrg(r.Context(), q.p, strings.TrimSpace(r.PostFormValue("name")), splitList(r.PostFormValue("sectors")),
		strings.ToUpper(strings.TrimSpace(r.PostFormValue("country")))); err != nil {
		return err
	}
	return back(w, r, "/admin/orgs", "org")
}

// adminUserDisable disables or enables the user {id}: the hub decides who
// may (operators anyone; an organisation's admins their own users).
func (d *Dashboard) adminUserDisable(disabled bool) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, q *req) error {
		if _, err := d.hub.SetUserDisabled(r.Context(), q.p, r.PathValue("id"), disabled); err != nil {
			return err
		}
		if disabled {
			return back(w, r, "/admin/users", "user-disable")
		}
		return back(w, r, "/admin/users", "user-enable")
	}
}

// keyRoles are the roles a key may be made with.
var keyRoles = []vigie.Role{vigie.RoleReader, vigie.RolePublisher, vigie.RoleAdmin, vigie.RoleOperator, vigie.RolePeer}

// adminKeyAdd creates a key and shows its secret in this answer only.
func (d *Dashboard) adminKeyAdd(w http.ResponseWriter, r *http.Request, q *req) error {
	role, err := vigie.ParseRole(r.PostFormValue("role"))
	if err != nil {
		return err
	}
	var expires time.Time
	if s := strings.TrimSpace(r.PostFormValue("expires")); s != "" {
		day, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return vigie.Errorf(vigie.EINVALID, "expiry %q: want a date such as 2027-01-31, or nothing for a key that does not expire", s)
		}
		expires = day.Add(24*time.Hour - time.Second) // the end of that day, UTC
	}
	k, token, err := d.hub.AddKey(r.Context(), q.p, r.PostFormValue("org"), role, strings.TrimSpace(r.PostFormValue("name")), expires)
	if err != nil {
		return err
	}
	return d.renderKeys(w, r, q, k, token)
}

func (d *Dashboard) adminKeyRevoke(w http.ResponseWriter, r *http.Request, q *req) error {
	if _, err := d.hub.RevokeKey(r.Context(), q.p, r.PathValue("id")); err != nil {
		return err
	}
	return back(w, r, "/admin/keys", "key-revoked")
}

func (d *Dashboard) adminCommunityAdd(w http.ResponseWriter, r *http.Request, q *req) error {
	if err := r.ParseForm(); err != nil {
		return vigie.Errorf(vigie.EINVALID, "the form: %v", err)
	}
	if _, err := d.hub.AddCommunity(r.Context(), q.p, strings.TrimSpace(r.PostFormValue("name")), r.PostForm["member"]); err != nil {
		return err
	}
	return back(w, r, "/admin/communities", "community")
}

// adminCommunityMember adds (member true) or removes the organisation
// of the form to or from the community {id}.
func (d *Dashboard) adminCommunityMember(member bool) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, q *req) error {
		if err := d.hub.SetCommunityMember(r.Context(), q.p, r.PathValue("id"), r.PostFormValue("org"), member); err != nil {
			return err
		}
		if member {
			return back(w, r, "/admin/communities", "member-add")
		}
		return back(w, r, "/admin/communities", "member-rm")
	}
}

func (d *Dashboard) adminCollectionAdd(w http.ResponseWriter, r *http.Request, q *req) error {
	if err := r.ParseForm(); err != nil {
		return vigie.Errorf(vigie.EINVALID, "the form: %v", err)
	}
	spec := hub.CollectionSpec{Root: strings.TrimSpace(r.PostFormValue("root")), Title: strings.TrimSpace(r.PostFormValue("title")),
		Description: strings.TrimSpace(r.PostFormValue("description")), Alias: strings.TrimSpace(r.PostFormValue("alias")),
		Read: r.PostForm["read"], Write: r.PostForm["write"]}
	if _, err := d.hub.AddCollection(r.Context(), q.p, spec); err != nil {
		return err
	}
	return back(w, r, "/admin/collections", "collection")
}

// peerRow is a peer as the page shows it: never its key.
type peerRow struct {
	Name, URL, State, LastError string
	Push                        bool
	LagSeconds, LagObjects      int64
	Stored, Dropped, Retracted  int64
	LastSync, ErrorAt           time.Time
}

func (d *Dashboard) adminPeers(w http.ResponseWriter, r *http.Request, q *req) error {
	peers, err := d.hub.Peers(r.Context(), q.p)
	if err != nil {
		return err
	}
	now := d.opts.Now()
	rows := make([]peerRow, 0, len(peers))
	for _, p := range peers {
		secs, objs := p.Lag(now)
		s := p.State.Stats
		rows = append(rows, peerRow{Name: p.Name, URL: p.URL, State: p.StateName(), LastError: p.State.LastError, Push: p.Push,
			LagSeconds: secs, LagObjects: objs, Stored: s.Stored, Dropped: s.Looped + s.Spoofed + s.NotOwner + s.TooRestricted + s.Invalid,
			Retracted: s.Retracted, LastSync: p.State.LastSync, ErrorAt: p.State.ErrorAt})
	}
	q.v.Title, q.v.Nav, q.v.Data = "Peers", "admin-peers", rows
	flash(r, q)
	d.render(w, http.StatusOK, "admin_peers.html", q.v)
	return nil
}

// adminPeerPause pauses (true) or resumes the peer {name}.
func (d *Dashboard) adminPeerPause(paused bool) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, q *req) error {
		if err := d.hub.PausePeer(r.Context(), q.p, r.PathValue("name"), paused); err != nil {
			return err
		}
		if paused {
			return back(w, r, "/admin/peers", "peer-pause")
		}
		return back(w, r, "/admin/peers", "peer-resume")
	}
}

// feedRow is a feed as the page shows it: its URL's origin only (the
// rest may hold a token), never its headers.
type feedRow struct {
	Name, Format, Origin, Org, Every, State, LastError string
	LastRun                                            time.Time
}

func (d *Dashboard) adminFeeds(w http.ResponseWriter, r *http.Request, q *req) error {
	names, err := d.hub.OrgNames(r.Context(), q.p)
	if err != nil {
		return err
	}
	feeds, err := d.hub.Feeds(r.Context(), q.p)
	if err != nil {
		return err
	}
	rows := make([]feedRow, 0, len(feeds))
	for _, f := range feeds {
		row := feedRow{Name: f.Name, Format: f.Format, Origin: f.Origin(), Org: names[f.OrgID], Every: f.Every.String(),
			LastRun: f.State.LastRun, LastError: f.Redact(f.State.LastError)}
		switch {
		case f.State.LastRun.IsZero():
			row.State = "never run"
		case f.State.LastError != "":
			row.State = "failing"
		default:
			row.State = "ok"
		}
		rows = append(rows, row)
	}
	q.v.Title, q.v.Nav, q.v.Data = "Feeds", "admin-feeds", rows
	d.render(w, http.StatusOK, "admin_feeds.html", q.v)
	return nil
}

// manageRoutes are the URLs of the forms that change the hub's
// organisations, users, keys, communities, collections and peers, and of
// an organisation's webhooks. The role given only picks an early answer;
// the hub checks again.
func (d *Dashboard) manageRoutes() map[string]http.Handler {
	op := func(h pageFunc) http.Handler { return d.page(vigie.RoleOperator, h) }
	return map[string]http.Handler{
		"POST /admin/orgs":                            op(d.adminOrgAdd),
		"POST /admin/users/{id}/disable":              d.page(vigie.RoleAdmin, d.adminUserDisable(true)),
		"POST /admin/users/{id}/enable":               d.page(vigie.RoleAdmin, d.adminUserDisable(false)),
		"POST /admin/keys":                            op(d.adminKeyAdd),
		"POST /admin/keys/{id}/revoke":                op(d.adminKeyRevoke),
		"POST /admin/communities":                     op(d.adminCommunityAdd),
		"POST /admin/communities/{id}/members":        op(d.adminCommunityMember(true)),
		"POST /admin/communities/{id}/members/remove": op(d.adminCommunityMember(false)),
		"POST /admin/collections":                     op(d.adminCollectionAdd),
		"GET /admin/peers":                            op(d.adminPeers),
		"POST /admin/peers/{name}/pause":              op(d.adminPeerPause(true)),
		"POST /admin/peers/{name}/resume":             op(d.adminPeerPause(false)),
		"GET /admin/feeds":                            op(d.adminFeeds),
		"GET /webhooks":                               d.page(vigie.RoleReader, d.webhooks),
		"POST /webhooks":                              d.page(vigie.RolePublisher, d.webhookAdd),
		"POST /webhooks/{id}/delete":                  d.page(vigie.RolePublisher, d.webhookDelete),
		"POST /webhooks/{id}/test":                    d.page(vigie.RolePublisher, d.webhookTest),
	}
}
