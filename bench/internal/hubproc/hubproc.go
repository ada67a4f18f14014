// Package hubproc helps the benchmark programs run "vigie serve" as a
// process of its own.
package hubproc

import (
	"bufio"
	"io"
	"log"
	"regexp"
)

var listening = regexp.MustCompile(`at (http://[0-9.:]+)/taxii2/`)

// WaitURL reads the hub's standard error until it says where it listens,
// returns that base URL and keeps draining the rest in the background. It
// ends the program if the hub stops before saying so.
func WaitURL(stderr io.Reader) string {
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, stderr)
			return m[1]
		}
	}
	log.Fatal("the hub did not start")
	return ""
}
