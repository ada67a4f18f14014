package server

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/taxii"
)

// httpStatus is the one table from domain error codes to HTTP statuses.
func httpStatus(err error) int {
	switch vigie.ErrorCode(err) {
	case vigie.EINVALID:
		return http.StatusBadRequest
	case vigie.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case vigie.EFORBIDDEN:
		return http.StatusForbidden
	case vigie.ENOTFOUND:
		return http.StatusNotFound
	case vigie.ECONFLICT:
		return http.StatusConflict
	case vigie.ENOTACCEPTABLE:
		return http.StatusNotAcceptable
	case vigie.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case vigie.EUNSUPPORTED:
		return http.StatusUnsupportedMediaType
	case vigie.EUNPROCESSABLE:
		return http.StatusUnprocessableEntity
	case vigie.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case vigie.ETOOMANY:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// writeError answers with a TAXII error message (also used, as plain JSON,
// by the /api/v1 endpoints). Internal errors are logged and shown only as
// "internal error".
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := httpStatus(err)
	if code == http.StatusInternalServerError {
		s.log.Error("request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	} else if code == http.StatusServiceUnavailable {
		// The operator needs the cause (disk full, database down); the
		// client gets "retry later".
		s.log.Warn("request failed: unavailable", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
		w.Header().Set("Retry-After", "5")
	}
	if code == http.StatusUnauthorized {
		w.Header().Add("WWW-Authenticate", `Bearer realm="vigie"`)
		w.Header().Add("WWW-Authenticate", `Basic realm="vigie", charset="UTF-8"`)
	}
	body := taxii.Error{
		Title:       http.StatusText(code),
		Description: vigie.ErrorMessage(err),
		ErrorCode:   vigie.ErrorCode(err),
		HTTPStatus:  strconv.Itoa(code),
	}
	ctype := taxii.MediaType
	if strings.HasPrefix(r.URL.Path, "/api/") {
		ctype = "application/json"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(body)
}
