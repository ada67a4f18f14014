package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
)

// parse builds one template set per page: the layout and the page's
// "content".
func (d *Dashboard) parse() map[string]*template.Template {
	funcs := template.FuncMap{
		"asset":    func(name string) string { return d.assets[name] },
		"tlpClass": tlpClass,
		"tlpName":  tlpName,
		"when":     when,
		"ago":      func(t time.Time) string { return ago(d.opts.Now(), t) },
		"sevClass": func(s vigie.Severity) string { return "sev-" + s.String() },
		"join":     strings.Join,
		"pretty":   pretty,
		"add":      func(a, b int) int { return a + b },
		"list":     func(ss ...string) []string { return ss },
		"has":      slices.Contains[[]string],
		"totpURI":  d.totpURI,
		"qr":       qrSVG,
	}
	base := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html"))
	pages := map[string]*template.Template{}
	names, _ := fs.Glob(templateFS, "templates/*.html")
	for _, n := range names {
		name := strings.TrimPrefix(n, "templates/")
		if name == "layout.html" || name == "partials.html" {
			continue
		}
		pages[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, n))
	}
	return pages
}

// tlpClass returns the CSS class of a TLP level's label.
func tlpClass(t vigie.TLP) string {
	switch t {
	case vigie.TLPClear:
		return "tlp tlp-clear"
	case vigie.TLPGreen:
		return "tlp tlp-green"
	case vigie.TLPAmber, vigie.TLPAmberStrict:
		return "tlp tlp-amber"
	case vigie.TLPRed:
		return "tlp tlp-red"
	}
	return "tlp tlp-none"
}

// tlpName returns a label as FIRST writes it, "TLP:AMBER+STRICT".
func tlpName(t vigie.TLP) string {
	if t == vigie.TLPNone {
		return "TLP: none (hub default)"
	}
	return "TLP:" + t.String()
}

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

// pretty indents JSON for the raw view.
func pretty(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}
