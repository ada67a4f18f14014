package web

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/skip2/go-qrcode"
	"github.com/vigie-cti/vigie/totp"
)

// qrModule is the side of one QR module in the drawn SVG, in pixels.
const qrModule = 4

// qrSVG draws text as a QR code (error correction M, its quiet zone
// included) in inline SVG: black modules on white, one path, no script
// or style, so the strict Content-Security-Policy needs nothing more.
// Text too long for a QR code draws nothing (the text stays on the page).
func qrSVG(text, label string) template.HTML {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return ""
	}
	bits := q.Bitmap()
	n := len(bits)
	var path strings.Builder
	for y, row := range bits {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&path, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	return template.HTML(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" class="qr" role="img" aria-label="%s" width="%d" height="%d" viewBox="0 0 %d %d" shape-rendering="crispEdges">`+
		`<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		template.HTMLEscapeString(label), n*qrModule, n*qrModule, n, n, n, n, path.String()))
}

// totpIssuer names this hub in authenticator apps: "vigie" and the hub's
// title (no colon: it separates issuer and account in the URI's label).
func (d *Dashboard) totpIssuer() string {
	title := strings.Join(strings.Fields(strings.ReplaceAll(d.opts.Title, ":", " ")), " ")
	switch {
	case title == "", strings.EqualFold(title, "vigie"):
		return "vigie"
	case strings.HasPrefix(strings.ToLower(title), "vigie "):
		return title
	}
	return "vigie " + title
}

// totpURI is the otpauth:// URI of secret for the account email on this
// hub, as authenticator apps read it.
func (d *Dashboard) totpURI(secret, email string) string {
	return totp.URI(secret, d.totpIssuer(), email)
}
