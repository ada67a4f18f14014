package files_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/sensor/files"
)

// benchTree writes n files of size bytes of random data.
func benchTree(b *testing.B, n, size int) (string, int64) {
	b.Helper()
	dir := b.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, size)
	for i := range n {
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%04d.bin", i)), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir, int64(n * size)
}

// BenchmarkSHA256Memory is the limit: SHA-256 over a buffer in memory.
func BenchmarkSHA256Memory(b *testing.B) {
	data := make([]byte, 64<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		sha256.Sum256(data)
	}
}

// BenchmarkScanSHA256 scans files (in the page cache) against SHA-256
// indicators only, on one worker and on all cores.
func BenchmarkScanSHA256(b *testing.B) {
	dir, total := benchTree(b, 16, 32<<20)
	m, errs := sensor.NewMatcher([]*sensor.Indicator{indicator("indicator--1", "x", "stix",
		"[file:hashes.'SHA-256' = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f']")}, sensor.MatcherOptions{Now: now})
	if len(errs) > 0 || m.Hashes() != sensor.SHA256 {
		b.Fatal(errs, m.Hashes())
	}
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			s := &files.Scanner{NewLookup: func() files.Lookup { return m.NewSession() }, Hashes: m.Hashes(), Workers: w}
			b.SetBytes(total)
			for b.Loop() {
				sum, err := s.Scan(context.Background(), []string{dir}, func(sensor.Hit) {}, nil)
				if err != nil || sum.Bytes != total {
					b.Fatal(err, sum)
				}
			}
		})
	}
}
