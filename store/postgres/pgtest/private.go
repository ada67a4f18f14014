package pgtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Server is a private PostgreSQL server started for one test, so that the
// test may stop and restart it without disturbing anything else.
type Server struct {
	URL  string
	tb   testing.TB
	bin  string
	data string
	port int
	run  func(name string, args ...string) *exec.Cmd
}

// StartPrivate initialises and starts a new PostgreSQL cluster in a
// temporary directory, on a free port, with trust authentication; it is
// stopped when the test ends. The test is skipped, saying why, where the
// PostgreSQL server binaries are not installed.
func StartPrivate(tb testing.TB) *Server {
	tb.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		tb.Skip("private PostgreSQL tests skipped: no initdb under /usr/lib/postgresql/*/bin")
	}
	s := &Server{tb: tb, bin: filepath.Dir(bins[len(bins)-1])}
	dir, err := os.MkdirTemp("", "vigie-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	s.data = filepath.Join(dir, "data")
	// initdb and postgres refuse to run as root: run them as "postgres".
	s.run = exec.Command
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			tb.Skip("private PostgreSQL tests skipped: running as root and there is no postgres user")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			tb.Fatal(err)
		}
		s.run = func(name string, args ...string) *exec.Cmd {
			return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
		}
	}
	tb.Cleanup(func() {
		s.run(filepath.Join(s.bin, "pg_ctl"), "-D", s.data, "-m", "immediate", "stop").Run()
		os.RemoveAll(dir)
	})
	if out, err := s.run(filepath.Join(s.bin, "initdb"), "-D", s.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		tb.Fatalf("initdb: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	s.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
	s.Start()
	return s
}

// Start starts the server and waits until it accepts connections.
func (s *Server) Start() {
	s.tb.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=on", s.port, filepath.Dir(s.data))
	if out, err := s.run(filepath.Join(s.bin, "pg_ctl"), "-D", s.data, "-o", opts, "-l", filepath.Join(filepath.Dir(s.data), "log"), "-w", "start").CombinedOutput(); err != nil {
		s.tb.Fatalf("pg_ctl start: %v\n%s", err, out)
	}
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.port)); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.tb.Fatal("private PostgreSQL did not start")
}

// Stop stops the server at once, as a crash or a fast restart would:
// open connections are cut.
func (s *Server) Stop() {
	s.tb.Helper()
	if out, err := s.run(filepath.Join(s.bin, "pg_ctl"), "-D", s.data, "-m", "immediate", "-w", "stop").CombinedOutput(); err != nil {
		s.tb.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}
