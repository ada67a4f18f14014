package web

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// Chart defaults: the last 30 days, the 10 most sighted.
const (
	chartDays = 30
	chartTop  = 10
)

// Geometry of the server-drawn charts (SVG user units).
const (
	chartWidth  = 720
	chartPlotH  = 160 // height of the bars' area
	chartTopPad = 16
	sightedBarH = 22
	sightedLeft = 300 // room for the indicators' names
)

// bar is one bar of a chart, placed.
type bar struct {
	X, Y, W, H int
	End        int    // X+W: where a label under the bar ends
	Label      string // the day or the indicator
	Short      string // the label as the chart draws it
	Value      int
	Tick       bool   // the day's label is drawn under the axis
	Href       string // the object's page ("" for none)
	TLP        vigie.TLP
	Extra      int // the sighting organisations
}

type alertsChart struct {
	Days, Width, Height, Max int
	Bars                     []bar
	Total                    int
}

type sightedChart struct {
	Since                    time.Time
	Width, Height, Max, Left int
	Bars                     []bar
	Partial                  bool // only the first Bound sightings were counted
	Bound                    int
}

type chartsData struct {
	Alerts  *alertsChart
	Sighted *sightedChart
}

// charts shows both charts of the organisation.
func (d *Dashboard) charts(w http.ResponseWriter, r *http.Request, q *req) error {
	a, err := d.alertsChart(r, q)
	if err != nil {
		return err
	}
	s, err := d.sightedChart(r, q)
	if err != nil {
		return err
	}
	q.v.Title, q.v.Nav, q.v.Data = "Charts", "charts", chartsData{Alerts: a, Sighted: s}
	d.render(w, http.StatusOK, "charts.html", q.v)
	return nil
}

// chartAlerts is the alerts per day chart alone, or its CSV
// (?format=csv).
func (d *Dashboard) chartAlerts(w http.ResponseWriter, r *http.Request, q *req) error {
	a, err := d.alertsChart(r, q)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "csv" {
		rows := [][]string{{"day", "alerts"}}
		for _, b := range a.Bars {
			rows = append(rows, []string{b.Label, strconv.Itoa(b.Value)})
		}
		return writeCSV(w, "vigie-alerts-per-day.csv", rows)
	}
	q.v.Title, q.v.Nav, q.v.Data = "Alerts per day", "charts", chartsData{Alerts: a}
	d.render(w, http.StatusOK, "charts.html", q.v)
	return nil
}

// chartSighted is the top sighted indicators chart alone, or its CSV
// (?format=csv).
func (d *Dashboard) chartSighted(w http.ResponseWriter, r *http.Request, q *req) error {
	s, err := d.sightedChart(r, q)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "csv" {
		rows := [][]string{{"indicator", "name", "tlp", "sightings", "organisations"}}
		for _, b := range s.Bars {
			id := strings.TrimPrefix(b.Href, "/objects/")
			rows = append(rows, []string{id, b.Label, tlpName(b.TLP), strconv.Itoa(b.Value), strconv.Itoa(b.Extra)})
		}
		return writeCSV(w, "vigie-top-sighted.csv", rows)
	}
	q.v.Title, q.v.Nav, q.v.Data = "Top sighted indicators", "charts", chartsData{Sighted: s}
	d.render(w, http.StatusOK, "charts.html", q.v)
	return nil
}

// intParam reads a bounded integer query parameter (def when absent).
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, vigie.Errorf(vigie.EINVALID, "%s %q: want a number from %d to %d", name, s, lo, hi)
	}
	return n, nil
}

// alertsChart draws the organisation's alerts per day as vertical bars.
func (d *Dashboard) alertsChart(r *http.Request, q *req) (*alertsChart, error) {
	days, err := intParam(r, "days", chartDays, 1, hub.MaxChartDays)
	if err != nil {
		return nil, err
	}
	res, err := d.hub.AlertsPerDay(r.Context(), q.p, days)
	if err != nil {
		return nil, err
	}
	c := &alertsChart{Days: days, Width: chartWidth, Height: chartTopPad + chartPlotH + 24}
	for _, dc := range res {
		c.Max, c.Total = max(c.Max, dc.Count), c.Total+dc.Count
	}
	step := (chartWidth - 40) / len(res)
	for i, dc := range res {
		h := scale(dc.Count, c.Max, chartPlotH)
		c.Bars = append(c.Bars, bar{X: 40 + i*step, End: 40 + i*step + max(step-2, 1), Y: chartTopPad + chartPlotH - h, W: max(step-2, 1), H: h, Label: dc.Day.Format("2006-01-02"),
			Value: dc.Count, Tick: (len(res)-1-i)%7 == 0})
	}
	return c, nil
}

// sightedChart draws the indicators most sighted in the period as
// horizontal bars.
func (d *Dashboard) sightedChart(r *http.Request, q *req) (*sightedChart, error) {
	days, err := intParam(r, "days", chartDays, 1, hub.MaxChartDays)
	if err != nil {
		return nil, err
	}
	n, err := intParam(r, "top", chartTop, 1, hub.MaxChartTop)
	if err != nil {
		return nil, err
	}
	since := d.opts.Now().UTC().AddDate(0, 0, -days)
	res, err := d.hub.TopSighted(r.Context(), q.p, since, n)
	if err != nil {
		return nil, err
	}
	c := &sightedChart{Since: since, Width: chartWidth, Left: sightedLeft, Height: max(len(res.Top), 1)*sightedBarH + 8,
		Partial: res.Partial, Bound: hub.MaxChartSightings}
	for _, s := range res.Top {
		c.Max = max(c.Max, s.Sightings)
	}
	for i, s := range res.Top {
		c.Bars = append(c.Bars, bar{X: sightedLeft, Y: 4 + i*sightedBarH, W: scale(s.Sightings, c.Max, chartWidth-sightedLeft-60), H: sightedBarH - 6,
			Label: objectName(s.Indicator), Short: shorten(objectName(s.Indicator), 30), Value: s.Sightings, Extra: s.Sighters, Href: "/objects/" + s.Indicator.ID, TLP: s.Indicator.TLP})
	}
	return c, nil
}

// shorten cuts s to n runes, with an ellipsis.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// scale is v's length on a scale where top is full.
func scale(v, top, full int) int {
	if top <= 0 || v <= 0 {
		return 0
	}
	return max(v*full/top, 1)
}

// objectName is an object's name, or its id.
func objectName(o *vigie.Object) string {
	var n struct {
		Name string `json:"name"`
	}
	if json.Unmarshal(o.Raw, &n) == nil && strings.TrimSpace(n.Name) != "" {
		return n.Name
	}
	return o.ID
}

// writeCSV sends rows as a CSV file to download.
func writeCSV(w http.ResponseWriter, filename string, rows [][]string) error {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filename))
	cw := csv.NewWriter(w)
	for _, row := range rows {
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("web: writing %s: %w", filename, err)
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula: a cell
// that starts with = + - @ (or a tab or carriage return) gets a leading
// quote (OWASP's advice against CSV injection).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
