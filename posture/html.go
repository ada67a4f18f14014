package posture

import (
	"encoding/json"
	"html/template"
	"io"
	"strings"
)

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteHTML writes the report as one self-contained HTML page (styles
// inline, no script, nothing fetched) that a buyer can send on.
func WriteHTML(w io.Writer, r *Report) error {
	return page.Execute(w, r)
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"lower": strings.ToLower,
	"pct": func(v *float64) string {
		if v == nil {
			return ""
		}
		return template.HTMLEscapeString(strings.TrimRight(strings.TrimRight(jsonNumber(*v*100), "0"), ".")) + "%"
	},
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Supplier posture: {{.Product}} against {{.Catalog}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
.pass{background:#e6f4ea}.fail{background:#fce8e6}.unknown{background:#f1f3f4}.disagree{font-weight:bold;color:#a50e0e}
small{color:#555}
</style></head><body>
<h1>{{.Product}}{{if .Supplier}} <small>supplied by {{.Supplier}}</small>{{end}}</h1>
<p>Against <b>{{.CatalogTitle}}</b> ({{.Catalog}}), generated {{.Generated.Format "2006-01-02 15:04 UTC"}} by vigie.
<b>{{.Summary.Pass}}</b> pass, <b>{{.Summary.Fail}}</b> fail, <b>{{.Summary.Unknown}}</b> unknown;
{{.Summary.Disagree}} where claims and facts disagree.</p>
<table><tr><th>Requirement</th><th>Status</th><th>Claims</th><th>Facts</th><th>Note</th></tr>
{{range .Requirements}}<tr class="{{lower .Status}}"><td><b>{{.ID}}</b><br><small>{{.Title}}</small></td><td>{{.Status}}</td>
<td>{{range .Claims}}{{.Status}}{{with pct .Conformance}} (conformance {{.}}){{end}}<br>{{end}}</td>
<td>{{range .Facts}}{{.Status}}: {{.Detail}}<br>{{end}}</td>
<td{{if .Disagree}} class="disagree"{{end}}>{{.Note}}</td></tr>
{{end}}</table>
<h2>Attestations used</h2>
<ul>{{range .Attestations}}<li>{{.Title}} <small>{{.Kind}} {{.ID}}{{if .Verification}}, signature {{.Verification}}{{end}}</small></li>{{else}}<li>none</li>{{end}}</ul>
{{if .VEXOverdue}}<h2>Advisories not answered with VEX in time</h2><ul>{{range .VEXOverdue}}<li>{{.ID}}: published {{.Published.Format "2006-01-02"}}, {{.Days}} days ago</li>{{end}}</ul>{{end}}
{{if .Ignored}}<h2>Not counted</h2><ul>{{range .Ignored}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .UnmatchedClaims}}<h2>Claims about requirements the catalog lacks</h2><ul>{{range .UnmatchedClaims}}<li>{{.}}</li>{{end}}</ul>{{end}}
</body></html>
`))

func jsonNumber(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}
