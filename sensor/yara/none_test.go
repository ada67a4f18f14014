//go:build !cgo || noyara

package yara_test

import (
	"errors"
	"testing"

	"github.com/vigie-cti/vigie/sensor/yara"
)

// TestUnavailable runs in builds without YARA (go test -tags noyara).
func TestUnavailable(t *testing.T) {
	if yara.Available {
		t.Fatal("Available in a build without YARA")
	}
	if _, _, err := yara.Compile([]yara.Source{{Namespace: "indicator--x", Text: "rule x { condition: true }"}}); !errors.Is(err, yara.ErrUnavailable) {
		t.Errorf("Compile: %v, want ErrUnavailable", err)
	}
}
