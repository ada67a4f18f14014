package vigie

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in server/errors.go and to one
// TAXII error; nothing else decides how an error is shown to a user.
const (
	EINVALID       = "invalid"        // the request or an object is malformed
	EUNAUTHORIZED  = "unauthorized"   // no credentials, or bad/expired/revoked ones
	EFORBIDDEN     = "forbidden"      // authenticated, but not allowed
	ENOTFOUND      = "not_found"      // missing, or not visible to the caller
	ECONFLICT      = "conflict"       // the thing already exists
	ETOOLARGE      = "too_large"      // over a documented size limit
	EUNSUPPORTED   = "unsupported"    // unsupported media type
	ENOTACCEPTABLE = "not_acceptable" // no acceptable media type to answer with
	EUNPROCESSABLE = "unprocessable"  // well-formed but cannot be processed
	EUNAVAILABLE   = "unavailable"    // a dependency (the database) is down
	ETOOMANY       = "too_many"       // over a rate limit: retry later
	EINTERNAL      = "internal"       // a bug or an unexpected failure
)

// Error is the one error type of the domain. Code says what kind of failure
// it is; Message is safe to show to the user.
type Error struct {
	Code    string
	Message string
}

// Error returns the message with its code.
func (e *Error) Error() string {
	return fmt.Sprintf("vigie error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of the first *Error in err's
// chain, or "internal error" for any other error so internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
