package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
)

// alertList answers GET /api/v1/alerts: the organisation's alerts, most
// recently updated first, filtered by ?state=new,acknowledged ?trigger=
// ?severity=high (at least) and paged with ?before= (the "next" value,
// the time and id of the last alert of the page).
func (s *Server) alertList(w http.ResponseWriter, r *http.Request) error {
	p, err := requireOrg(r)
	if err != nil {
		return err
	}
	q := vigie.AlertQuery{Limit: 100}
	v := r.URL.Query()
	for name := range v {
		switch name {
		case "state", "trigger", "severity", "before", "limit":
		default:
			return vigie.Errorf(vigie.EINVALID, "unknown parameter %q; use state, trigger, severity, before, limit", name)
		}
	}
	if st := v.Get("state"); st != "" {
		for _, part := range strings.Split(st, ",") {
			s, err := vigie.ParseAlertState(part)
			if err != nil {
				return err
			}
			q.States = append(q.States, s)
		}
	}
	q.Trigger = v.Get("trigger")
	if sev := v.Get("severity"); sev != "" {
		if q.MinSeverity, err = vigie.ParseSeverity(sev); err != nil {
			return err
		}
	}
	if b := v.Get("before"); b != "" {
		// "TIME,ID" as "next" gives it (alerts updated at the same
		// instant are paged by id); a bare TIME is still accepted.
		at, id, _ := strings.Cut(b, ",")
		if q.UpdatedBefore, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return vigie.Errorf(vigie.EINVALID, "before %q: want the \"next\" value of the previous page", b)
		}
		q.AfterID = id
	}
	if l := v.Get("limit"); l != "" {
		if q.Limit, err = strconv.Atoi(l); err != nil || q.Limit < 1 || q.Limit > 1000 {
			return vigie.Errorf(vigie.EINVALID, "limit %q: want 1 to 1000", l)
		}
	}
	alerts, err := s.hub.Alerts(r.Context(), p, q)
	if err != nil {
		return err
	}
	out := map[string]any{"alerts": alerts}
	if alerts == nil {
		out["alerts"] = []*vigie.Alert{}
	}
	if len(alerts) == q.Limit {
		last := alerts[len(alerts)-1]
		out["next"] = last.Updated.Format(time.RFC3339Nano) + "," + last.ID
	}
	return writeAPI(w, http.StatusOK, out)
}

func (s *Server) alertGet(w http.ResponseWriter, r *http.Request) error {
	a, err := s.hub.Alert(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeAPI(w, http.StatusOK, a)
}

// alertPatch changes an alert's state: {"state": "acknowledged"}.
func (s *Server) alertPatch(w http.ResponseWriter, r *http.Request) error {
	p, err := requireOrg(r)
	if err != nil {
		return err
	}
	var in struct {
		State string `json:"state"`
	}
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	st, err := vigie.ParseAlertState(in.State)
	if err != nil {
		return err
	}
	a, err := s.hub.SetAlertState(r.Context(), p, r.PathValue("id"), st)
	if err != nil {
		return err
	}
	return writeAPI(w, http.StatusOK, a)
}

// alertStream answers GET /api/v1/alerts/stream with Server-Sent Events:
// each event is an alert created or updated ("event: alert.created"), its
// id the event's sequence number. A client that reconnects with
// Last-Event-ID (or ?after=N) gets every event it missed.
func (s *Server) alertStream(w http.ResponseWriter, r *http.Request) error {
	p, err := requireOrg(r)
	if err != nil {
		return err
	}
	var after int64
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = r.URL.Query().Get("after")
	}
	if last != "" {
		if after, err = strconv.ParseInt(last, 10, 64); err != nil || after < 0 {
			return vigie.Errorf(vigie.EINVALID, "Last-Event-ID %q: want the id of an event", last)
		}
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		return vigie.Errorf(vigie.EINTERNAL, "streaming unsupported")
	}
	wake, cancel := s.hub.SubscribeAlerts(p)
	defer cancel()
	evs, err := s.hub.AlertEvents(r.Context(), p, after, 100)
	if err != nil {
		return err // before the stream starts: an error answer
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n\n")
	flusher.Flush()
	poll := time.NewTicker(2 * time.Second) // events recorded by other processes
	defer poll.Stop()
	keepalive := time.NewTicker(15 * time.Second)
	defer keepalive.Stop()
	for {
		for _, ev := range evs {
			fmt.Fprintf(w, "id: %d\nevent: alert.%s\ndata: %s\n\n", ev.Seq, ev.Kind, ev.Alert)
			after = ev.Seq
		}
		if len(evs) > 0 {
			flusher.Flush()
		}
		if len(evs) < 100 { // else more are waiting: read on at once
			select {
			case <-r.Context().Done():
				return nil
			case <-wake:
			case <-poll.C:
			case <-keepalive.C:
				fmt.Fprint(w, ": keepalive\n\n")
				flusher.Flush()
			}
		}
		if evs, err = s.hub.AlertEvents(r.Context(), p, after, 100); err != nil {
			if r.Context().Err() == nil {
				fmt.Fprintf(w, "event: error\ndata: %q\n\n", vigie.ErrorMessage(err))
				flusher.Flush()
			}
			return nil
		}
	}
}
