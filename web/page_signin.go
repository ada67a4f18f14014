package web

import (
	"net/http"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/totp"
)

type signinData struct {
	Email, Next string
	Providers   []string // OIDC providers offered
}

func (d *Dashboard) signinForm(w http.ResponseWriter, r *http.Request, v *view, _ string) error {
	v.Title, v.Data = "Sign in", signinData{Next: safeNext(r.URL.Query().Get("next")), Providers: d.providerNames()}
	d.render(w, http.StatusOK, "signin.html", v)
	return nil
}

func (d *Dashboard) signinPost(w http.ResponseWriter, r *http.Request, v *view, _ string) error {
	email, next := r.PostFormValue("email"), safeNext(r.PostFormValue("next"))
	s, err := d.hub.SignIn(r.Context(), email, r.PostFormValue("password"), r.PostFormValue("code"), d.opts.Addr(r))
	if err != nil {
		if c := vigie.ErrorCode(err); c != vigie.EUNAUTHORIZED && c != vigie.ETOOMANY {
			return err
		}
		v.Title, v.Error, v.Data = "Sign in", vigie.ErrorMessage(err), signinData{Email: email, Next: next, Providers: d.providerNames()}
		d.render(w, statusOf(vigie.ErrorCode(err)), "signin.html", v)
		return nil
	}
	setSession(w, s, d.opts.Now())
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

type linkData struct {
	Token, Email string
	MinLen       int
}

func (d *Dashboard) linkForm(w http.ResponseWriter, r *http.Request, v *view, _ string) error {
	token := r.URL.Query().Get("token")
	u, err := d.hub.LinkUser(r.Context(), token)
	if err != nil {
		return err
	}
	v.Title, v.Data = "Set your password", linkData{Token: token, Email: u.Email, MinLen: 12}
	d.render(w, http.StatusOK, "link.html", v)
	return nil
}

func (d *Dashboard) linkPost(w http.ResponseWriter, r *http.Request, v *view, _ string) error {
	token, pw := r.PostFormValue("token"), r.PostFormValue("password")
	if pw != r.PostFormValue("confirm") {
		u, err := d.hub.LinkUser(r.Context(), token)
		if err != nil {
			return err
		}
		v.Title, v.Error, v.Data = "Set your password", "the two passwords differ", linkData{Token: token, Email: u.Email, MinLen: 12}
		d.render(w, http.StatusBadRequest, "link.html", v)
		return nil
	}
	s, err := d.hub.SetPassword(r.Context(), token, pw, d.opts.Addr(r))
	if vigie.ErrorCode(err) == vigie.EINVALID {
		u, lerr := d.hub.LinkUser(r.Context(), token)
		if lerr != nil {
			return lerr
		}
		v.Title, v.Error, v.Data = "Set your password", vigie.ErrorMessage(err), linkData{Token: token, Email: u.Email, MinLen: 12}
		d.render(w, http.StatusBadRequest, "link.html", v)
		return nil
	} else if err != nil {
		return err
	}
	setSession(w, s, d.opts.Now())
	http.Redirect(w, r, "/alerts", http.StatusSeeOther)
	return nil
}

func (d *Dashboard) signout(w http.ResponseWriter, r *http.Request, q *req) error {
	if err := d.hub.SignOut(r.Context(), q.secret); err != nil {
		return err
	}
	clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
	return nil
}

// accountData is the account page's: a new TOTP secret to enrol (the
// template draws its otpauth URI and QR code).
type accountData struct {
	NewSecret string
}

func (d *Dashboard) account(w http.ResponseWriter, r *http.Request, q *req) error {
	q.v.Title, q.v.Nav = "Account", "account"
	data := accountData{}
	if !q.v.Me.TOTP {
		data.NewSecret = totp.NewSecret()
	}
	q.v.Data = data
	if r.URL.Query().Get("done") != "" {
		q.v.Flash = "Second factor updated."
	}
	d.render(w, http.StatusOK, "account.html", q.v)
	return nil
}

// accountTOTP turns the second factor on (secret and code) or off (code).
func (d *Dashboard) accountTOTP(w http.ResponseWriter, r *http.Request, q *req) error {
	if err := d.hub.SetTOTP(r.Context(), q.p, r.PostFormValue("secret"), r.PostFormValue("code")); err != nil {
		return err
	}
	http.Redirect(w, r, "/account?done=1", http.StatusSeeOther)
	return nil
}
