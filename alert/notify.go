package alert

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/vigie-cti/vigie/netguard"
)

// maxRetryAfter bounds the wait a receiver may ask for with Retry-After.
const maxRetryAfter = time.Hour

// deliveryError is a failed delivery attempt as the notifier judges it:
// a message safe to show the webhook's owner, and whether another attempt
// may succeed. The message never carries the text of a network error, so
// that the deliveries list says nothing about addresses and ports beyond
// "could not connect" (it is no port scanner).
type deliveryError struct {
	msg        string
	final      bool          // another attempt would fail the same way
	retryAfter time.Duration // the wait the receiver asked for (0: none)
}

// Error returns the message recorded with the delivery.
func (e *deliveryError) Error() string { return e.msg }

// Retryable reports whether another attempt is worth making: a 4xx answer
// other than 408 and 429 is final; timeouts, 408, 429, 5xx and connection
// failures are not.
func (e *deliveryError) Retryable() bool { return !e.final }

// RetryAfter is the wait the receiver asked for, bounded by an hour.
func (e *deliveryError) RetryAfter() time.Duration { return e.retryAfter }

func permanent(msg string) *deliveryError {
	return &deliveryError{msg: msg + "; not retried", final: true}
}

func retryable(msg string, after time.Duration) *deliveryError {
	return &deliveryError{msg: msg, retryAfter: after}
}

// answerError judges a receiver's answer: nil for 2xx.
func answerError(res *http.Response, now time.Time) *deliveryError {
	code := res.StatusCode
	switch {
	case code >= 200 && code < 300:
		return nil
	case code >= 300 && code < 400:
		return retryable(fmt.Sprintf("receiver answered %d with a redirect, not followed", code), 0)
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return retryable("receiver answered "+res.Status, parseRetryAfter(res.Header.Get("Retry-After"), now))
	case code >= 400:
		return permanent("receiver answered " + res.Status + ": a 4xx answer other than 408 and 429 is final")
	}
	return retryable("receiver answered "+res.Status, 0)
}

// parseRetryAfter reads a Retry-After header (seconds, or an HTTP date)
// as a wait from now, bounded by maxRetryAfter; 0 when absent or invalid.
func parseRetryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}

// transportError judges a request that got no answer. Refusals of the
// guard are final; everything else (timeouts, refused or reset
// connections, DNS, TLS) may pass later.
func transportError(err error, timeout time.Duration) *deliveryError {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var nerr net.Error
	switch {
	case errors.Is(err, netguard.ErrInternal):
		return permanent("the receiver's host is or resolves to an internal address, which this hub does not call")
	case errors.As(err, &dnsErr):
		return retryable("cannot resolve the receiver's host", 0)
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr):
		return retryable("the receiver's TLS certificate is not valid for its host", 0)
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return retryable("cannot connect to the receiver", 0)
	case errors.As(err, &nerr) && nerr.Timeout():
		return retryable(fmt.Sprintf("the receiver did not answer within %v", timeout), 0)
	}
	return retryable("the request to the receiver failed before an answer", 0)
}
