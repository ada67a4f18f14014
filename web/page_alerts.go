package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
)

// alertPage is how many alerts one page of the inbox shows.
const alertPage = 50

type inboxData struct {
	Alerts   []*vigie.Alert
	State    string // "open" (new and acknowledged), "all", or one state
	Severity string
	Trigger  string
	Triggers []string
	Next     string // URL of the next page ("" on the last)
	First    bool   // the first page (live alerts are added to it)
	LastSeq  int64  // the newest alert event when the page was drawn
}

// alertList is the inbox: the organisation's alerts, most recently
// updated first, filtered and paged on the server by (updated, id).
func (d *Dashboard) alertList(w http.ResponseWriter, r *http.Request, q *req) error {
	v := r.URL.Query()
	data := inboxData{State: v.Get("state"), Severity: v.Get("severity"), Trigger: v.Get("trigger"),
		Triggers: []string{vigie.TriggerWatchlist, vigie.TriggerSighting, vigie.TriggerTargeting, vigie.TriggerSupplyChain, vigie.TriggerCorrelation}}
	aq := vigie.AlertQuery{Limit: alertPage, Trigger: data.Trigger}
	switch data.State {
	case "", "open":
		data.State = "open"
		aq.States = []vigie.AlertState{vigie.AlertNew, vigie.AlertAcknowledged}
	case "all":
	default:
		st, err := vigie.ParseAlertState(data.State)
		if err != nil {
			return err
		}
		aq.States = []vigie.AlertState{st}
	}
	if data.Severity != "" {
		sev, err := vigie.ParseSeverity(data.Severity)
		if err != nil {
			return err
		}
		aq.MinSeverity = sev
	}
	if b := v.Get("before"); b != "" {
		t, err := time.Parse(time.RFC3339Nano, b)
		if err != nil {
			return vigie.Errorf(vigie.EINVALID, "before %q: follow the page's own links", b)
		}
		aq.UpdatedBefore, aq.AfterID = t, v.Get("after_id")
	}
	data.First = aq.UpdatedBefore.IsZero()
	alerts, err := d.hub.Alerts(r.Context(), q.p, aq)
	if err != nil {
		return err
	}
	data.Alerts = alerts
	if len(alerts) == alertPage {
		last := alerts[len(alerts)-1]
		next := url.Values{"state": {data.State}, "before": {last.Updated.Format(time.RFC3339Nano)}, "after_id": {last.ID}}
		if data.Severity != "" {
			next.Set("severity", data.Severity)
		}
		if data.Trigger != "" {
			next.Set("trigger", data.Trigger)
		}
		data.Next = "/alerts?" + next.Encode()
	}
	if data.First {
		if data.LastSeq, err = d.hub.LastAlertEvent(r.Context(), q.p); err != nil {
			return err
		}
	}
	q.v.Title, q.v.Nav, q.v.Data = "Alerts", "alerts", data
	switch r.URL.Query().Get("done") {
	case "acknowledged", "resolved", "new":
		q.v.Flash = "Alert marked " + r.URL.Query().Get("done") + "."
	}
	d.render(w, http.StatusOK, "alerts.html", q.v)
	return nil
}

// objectSummary is one object an alert names, as its reader may see it.
type objectSummary struct {
	Ref        vigie.ObjectRef
	Found      bool   // the reader may read a version of it
	Collection string // the collection of the newest version the reader may read
	TLP        vigie.TLP
	SharedBy   string // organisation name
	RelayedBy  string
	Name       string
	Pattern    string
	Sightings  int
	Sighters   int
}

type alertData struct {
	Alert           *vigie.Alert
	Objects         []objectSummary
	Countermeasures []objectSummary
	Writable        []*vigie.Collection
	Sight           *objectSummary // the indicator "we saw this" sights
}

// maxAlertObjects bounds the objects an alert page looks up.
const maxAlertObjects = 20

func (d *Dashboard) alertGet(w http.ResponseWriter, r *http.Request, q *req) error {
	a, err := d.hub.Alert(r.Context(), q.p, r.PathValue("id"))
	if err != nil {
		return err
	}
	names, err := d.hub.OrgNames(r.Context(), q.p)
	if err != nil {
		return err
	}
	data := alertData{Alert: a}
	for i, ref := range a.Objects {
		if i == maxAlertObjects {
			break
		}
		data.Objects = append(data.Objects, d.summary(r, q, ref, names))
	}
	for i, ref := range a.Countermeasures {
		if i == maxAlertObjects {
			break
		}
		data.Countermeasures = append(data.Countermeasures, d.summary(r, q, ref, names))
	}
	if q.v.Me.Publisher {
		if data.Writable, err = d.hub.WritableCollections(r.Context(), q.p); err != nil {
			return err
		}
	}
	for i, s := range data.Objects {
		if s.Found && s.Ref.Type == "indicator" {
			data.Sight = &data.Objects[i]
			data.Writable = holdingFirst(data.Writable, s.Collection)
			break
		}
	}
	q.v.Title, q.v.Nav, q.v.Data = a.Title, "alerts", data
	switch r.URL.Query().Get("done") {
	case "acknowledged", "resolved", "new":
		q.v.Flash = "Alert marked " + r.URL.Query().Get("done") + "."
	case "sighted":
		q.v.Flash = "Sighting shared: the coalition knows you saw it."
	}
	d.render(w, http.StatusOK, "alert.html", q.v)
	return nil
}

// summary looks an object up through the hub, as the user may see it.
func (d *Dashboard) summary(r *http.Request, q *req, ref vigie.ObjectRef, names map[string]string) objectSummary {
	s := objectSummary{Ref: ref, Name: ref.Name}
	ov, err := d.hub.Object(r.Context(), q.p, ref.ID)
	if err != nil {
		return s
	}
	o := ov.Versions[0]
	s.Found, s.TLP, s.SharedBy, s.Sightings, s.Sighters = true, o.TLP, orgName(names, o.Publisher), ov.Sightings, ov.Sighters
	s.Collection = o.Collection
	if rb := o.RelayedBy(); rb != "" {
		s.RelayedBy = orgName(names, rb)
		s.SharedBy = orgName(names, o.Author)
	}
	f := fieldsOf(o.Raw)
	if s.Name == "" {
		s.Name = f.Name
	}
	s.Pattern = f.Pattern
	return s
}

func orgName(names map[string]string, id string) string {
	if n, ok := names[id]; ok {
		return n
	}
	return id
}

// alertState moves an alert in its triage, then goes back where the form
// was (the inbox or the alert).
func (d *Dashboard) alertState(w http.ResponseWriter, r *http.Request, q *req) error {
	st, err := vigie.ParseAlertState(r.PostFormValue("state"))
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := d.hub.SetAlertState(r.Context(), q.p, id, st); err != nil {
		return err
	}
	back := "/alerts/" + url.PathEscape(id)
	if r.PostFormValue("from") == "inbox" {
		back = "/alerts"
	}
	http.Redirect(w, r, back+"?done="+string(st), http.StatusSeeOther)
	return nil
}

// alertLive streams the organisation's alert events (Server-Sent Events,
// as /api/v1/alerts/stream does for API keys) after ?after=, for the
// inbox's script.
func (d *Dashboard) alertLive(w http.ResponseWriter, r *http.Request, q *req) error {
	var after int64
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = r.URL.Query().Get("after")
	}
	if last != "" {
		var err error
		if after, err = strconv.ParseInt(last, 10, 64); err != nil || after < 0 {
			return vigie.Errorf(vigie.EINVALID, "after %q: want the id of an event", last)
		}
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		return vigie.Errorf(vigie.EINTERNAL, "streaming unsupported")
	}
	wake, cancel := d.hub.SubscribeAlerts(q.p)
	defer cancel()
	evs, err := d.hub.AlertEvents(r.Context(), q.p, after, 100)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n\n")
	flusher.Flush()
	poll := time.NewTicker(2 * time.Second)
	defer poll.Stop()
	keepalive := time.NewTicker(15 * time.Second)
	defer keepalive.Stop()
	for {
		for _, ev := range evs {
			fmt.Fprintf(w, "id: %d\nevent: alert.%s\ndata: %s\n\n", ev.Seq, ev.Kind, strings.ReplaceAll(string(ev.Alert), "\n", ""))
			after = ev.Seq
		}
		if len(evs) > 0 {
			flusher.Flush()
		}
		if len(evs) < 100 {
			select {
			case <-r.Context().Done():
				return nil
			case <-wake:
			case <-poll.C:
				// The session may have ended (signed out elsewhere, expired).
				if _, _, err := d.hub.UserSession(r.Context(), q.secret, q.p.Addr); err != nil {
					return nil
				}
			case <-keepalive.C:
				fmt.Fprint(w, ": keepalive\n\n")
				flusher.Flush()
			}
		}
		if evs, err = d.hub.AlertEvents(r.Context(), q.p, after, 100); err != nil {
			return nil // the stream has started: the browser reconnects
		}
	}
}
