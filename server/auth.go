package server

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// principal returns who makes the request (with no organisation when
// anonymous, and always with the source address).
func principal(r *http.Request) vigie.Principal {
	p := requestOf(r).principal
	if p.Addr == "" {
		p.Addr = remoteAddr(r)
	}
	return p
}

// authenticate resolves the API key of the request, if any, to a principal.
// Keys come as "Authorization: Bearer KEY" or as the password of HTTP Basic
// (the user name is ignored), for clients that only do Basic. Bad
// credentials are refused at once; no credentials make an anonymous reader.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := credentials(r.Header.Get("Authorization"))
		if err != nil {
			s.authFailed(r, "")
			s.writeError(w, r, err)
			return
		}
		p := vigie.Principal{Addr: remoteAddr(r)}
		if token != "" {
			if p, err = s.hub.Authenticate(r.Context(), token, p.Addr); err != nil {
				if vigie.ErrorCode(err) == vigie.EUNAUTHORIZED {
					if ok, wait := s.authFailed(r, token); !ok {
						s.tooMany(w, r, wait, "failed authentications with this key")
						return
					}
				}
				s.writeError(w, r, err)
				return
			}
		}
		rq := requestOf(r)
		rq.principal = p
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestKey{}, rq)))
	})
}

// credentials extracts the key from an Authorization header ("" if none):
// "Bearer KEY", Basic with the key as password, or the key alone, as MISP
// sends its own keys (and so a MISP feed's configured header).
func credentials(h string) (string, error) {
	if h == "" {
		return "", nil
	}
	if _, _, ok := vigie.SplitToken(strings.TrimSpace(h)); ok && !strings.Contains(strings.TrimSpace(h), " ") {
		return strings.TrimSpace(h), nil
	}
	scheme, value, _ := strings.Cut(h, " ")
	value = strings.TrimSpace(value)
	switch strings.ToLower(scheme) {
	case "bearer":
		if value != "" {
			return value, nil
		}
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(value)
		if err != nil {
			return "", vigie.Errorf(vigie.EUNAUTHORIZED, "malformed Basic credentials: not base64")
		}
		if _, password, ok := strings.Cut(string(raw), ":"); ok && password != "" {
			return password, nil
		}
		return "", vigie.Errorf(vigie.EUNAUTHORIZED, "Basic credentials need the API key as the password")
	}
	return "", vigie.Errorf(vigie.EUNAUTHORIZED, "unsupported Authorization scheme; use \"Bearer KEY\" or Basic with the key as password")
}

// requireOrg refuses anonymous requests with 401.
func requireOrg(r *http.Request) (vigie.Principal, error) {
	p := principal(r)
	if p.Anonymous() {
		return p, vigie.Errorf(vigie.EUNAUTHORIZED, "this needs an API key")
	}
	return p, nil
}

// requireRole refuses, before the request body is read, callers without a
// key of at least role (hub.Allow).
func requireRole(r *http.Request, role vigie.Role) (vigie.Principal, error) {
	p := principal(r)
	return p, hub.Allow(p, role)
}
