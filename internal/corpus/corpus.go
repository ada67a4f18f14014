// Package corpus finds the large optional test corpora (the whole Go
// vulnerability database, say) of which the repository keeps only a part
// in its packages' testdata/. They are looked up in $VIGIE_CORPUS, else in
// the shared test data beside the repository (../shared/testdata, seen from
// a package directory); a user's clone has neither, and tests that need a
// corpus skip, saying so.
package corpus

import (
	"os"
	"path/filepath"
	"testing"
)

// Find returns the path of rel inside the corpus directory, and whether it
// exists.
func Find(rel string) (string, bool) {
	dir := os.Getenv("VIGIE_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "testdata")
	}
	p := filepath.Join(dir, rel)
	_, err := os.Stat(p)
	return p, err == nil
}

// Path returns the path of rel inside the corpus directory, or skips the
// test with a message when it is absent.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	p, ok := Find(rel)
	if !ok {
		tb.Skipf("optional corpus %s absent (the tests of its part in testdata/ ran; set $VIGIE_CORPUS to run it)", p)
	}
	return p
}
