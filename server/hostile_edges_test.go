package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/server"
	"github.com/vigie-cti/vigie/taxii"
)

// edgeServer serves f's hub with other options; it returns the base URL.
func (f *fixture) edgeServer(opts server.Options) string {
	f.t.Helper()
	srv := httptest.NewServer(server.New(f.hub, opts).Handler())
	f.t.Cleanup(srv.Close)
	return srv.URL
}

// from returns an HTTP client whose connections come from the loopback
// address src (127.0.0.2 is another client than 127.0.0.1).
func from(src string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

// call sends a request with an optional bearer token and body.
func call(t *testing.T, c *http.Client, method, url, token string, body []byte, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", taxii.MediaType)
	if body != nil {
		req.Header.Set("Content-Type", taxii.MediaType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, b}
}

// wantTAXIIError checks a TAXII error answer with its status.
func wantTAXIIError(t *testing.T, what string, r response, status int) {
	t.Helper()
	var e taxii.Error
	if r.status != status || !strings.HasPrefix(r.header.Get("Content-Type"), "application/") ||
		json.Unmarshal(r.body, &e) != nil || e.HTTPStatus != strconv.Itoa(status) || e.Description == "" {
		t.Errorf("%s: %d %q %s, want a TAXII error %d", what, r.status, r.header.Get("Content-Type"), r.body, status)
	}
	if status == http.StatusUnauthorized && len(r.header.Values("WWW-Authenticate")) == 0 {
		t.Errorf("%s: 401 without WWW-Authenticate", what)
	}
}

// TestAnonymousRootWithoutPublicCollection: an API root with no public
// collection answers anonymous callers 401 with WWW-Authenticate; a root
// with public collections lists only them.
func TestAnonymousRootWithoutPublicCollection(t *testing.T) {
	f := newFixture(t)
	if _, err := f.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "closed", Title: "AB", Read: []string{"community:ab"}, Write: []string{"community:ab"}}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/closed/", "/closed/collections/"} {
		wantTAXIIError(t, "anonymous GET "+path, f.do("GET", path, "", nil), http.StatusUnauthorized)
		if r := f.do("GET", path, "A", nil); r.status != http.StatusOK {
			t.Errorf("GET %s as A: %d %s", path, r.status, r.body)
		}
	}
	if r := f.do("GET", "/api1/", "", nil); r.status != http.StatusOK {
		t.Errorf("anonymous GET of a root with a public collection: %d %s", r.status, r.body)
	}
	var cs taxii.Collections
	f.do("GET", "/api1/collections/", "", nil).decode(t, &cs)
	if len(cs.Collections) != 1 || cs.Collections[0].ID != f.public.ID {
		t.Errorf("anonymous collections of api1: %+v, want only the public one", cs.Collections)
	}
}

// TestAnonymousCannotProbeCollections: for an anonymous caller, every
// endpoint of a non-public collection answers as for a collection that
// does not exist: 401 with WWW-Authenticate, the same body but for the id.
func TestAnonymousCannotProbeCollections(t *testing.T) {
	f := newFixture(t)
	missing := "00000000-0000-4000-8000-000000000000"
	id := "indicator--33333333-3333-4333-8333-333333333333"
	f.post(f.shared, "A", indicator("33333333-3333-4333-8333-333333333333", nil))
	for _, tail := range []string{"", "objects/", "manifest/", "objects/" + id + "/", "objects/" + id + "/versions/"} {
		for _, root := range []string{"api1", "nosuchroot"} {
			exists := f.do("GET", "/api1/collections/"+f.shared.ID+"/"+tail, "", nil)
			absent := f.do("GET", "/"+root+"/collections/"+missing+"/"+tail, "", nil)
			wantTAXIIError(t, "anonymous, existing "+tail, exists, http.StatusUnauthorized)
			wantTAXIIError(t, "anonymous, missing "+root+" "+tail, absent, http.StatusUnauthorized)
			if a, b := strings.ReplaceAll(string(exists.body), f.shared.ID, "X"), strings.ReplaceAll(string(absent.body), missing, "X"); a != b {
				t.Errorf("%s: anonymous answers differ:\n existing %s\n missing  %s", tail, a, b)
			}
		}
	}
	// A member still learns nothing of collections it may not see (404 both).
	if a, b := f.do("GET", "/api1/collections/"+f.private.ID+"/", "A", nil), f.do("GET", "/api1/collections/"+missing+"/", "A", nil); a.status != 404 || b.status != 404 {
		t.Errorf("member probing: %d and %d, want 404 both", a.status, b.status)
	}
}

// TestDeleteNeedsReadAndWrite: an organisation that may write a collection
// but not read it cannot delete from it, not even its own objects
// (TAXII 2.1 §5.7); a DELETE that succeeds answers with the TAXII type.
func TestDeleteNeedsReadAndWrite(t *testing.T) {
	f := newFixture(t)
	drop := f.mustCollection("Drop box", "org:A", "community:ab") // B writes, only A reads
	id := "indicator--44444444-4444-4444-8444-444444444444"
	f.post(drop, "B", indicator("44444444-4444-4444-8444-444444444444", nil))
	wantTAXIIError(t, "DELETE by a writer that cannot read", f.do("DELETE", objectsPath(drop)+id+"/", "B", nil), http.StatusForbidden)
	if r := f.do("GET", objectsPath(drop)+id+"/", "A", nil); r.status != http.StatusOK {
		t.Fatalf("the object is gone after a refused DELETE: %d %s", r.status, r.body)
	}
	f.post(f.shared, "A", indicator("55555555-5555-4555-8555-555555555555", nil))
	r := f.do("DELETE", objectsPath(f.shared)+"indicator--55555555-5555-4555-8555-555555555555/", "A", nil)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/taxii+json;version=2.1" {
		t.Errorf("DELETE: %d, Content-Type %q", r.status, r.header.Get("Content-Type"))
	}
}

// TestForgedHostNotInDiscovery: discovery names the configured public URL,
// or paths without it, never the Host or X-Forwarded-* headers.
func TestForgedHostNotInDiscovery(t *testing.T) {
	f := newFixture(t)
	for public, want := range map[string]string{"": "/api1/", "https://hub.example:8443": "https://hub.example:8443/api1/"} {
		base := f.edgeServer(server.Options{DefaultRoot: "api1", PublicURL: public})
		r := call(t, http.DefaultClient, "GET", base+"/taxii2/", "", nil, "Host", "evil.example", "X-Forwarded-Host", "evil2.example", "X-Forwarded-Proto", "https")
		req, _ := http.NewRequest("GET", base+"/taxii2/", nil)
		req.Host = "evil.example"
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		for _, body := range [][]byte{r.body, b} {
			var d taxii.Discovery
			if err := json.Unmarshal(body, &d); err != nil || bytes.Contains(body, []byte("evil")) || d.Default != want || len(d.APIRoots) != 1 || d.APIRoots[0] != want {
				t.Errorf("public URL %q: discovery %s, want %s and no forged host", public, body, want)
			}
		}
	}
}

// TestSlowBodyCutOff: a client that sends a body slower than the minimum
// rate is answered and disconnected, instead of holding the connection.
func TestSlowBodyCutOff(t *testing.T) {
	f := newFixture(t)
	base := f.edgeServer(server.Options{Limits: server.Limits{BodyMinRate: 1000, BodyGrace: 200 * time.Millisecond}})
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: 100000\r\n\r\n{\"objects\":[",
		objectsPath(f.shared), f.keys["A"], taxii.MediaType)
	// The client now sends nothing more. Without the limit the server waits
	// for the body forever; the test gives up after 20 s.
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body: %v", err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "slower than 1000 bytes/s") {
		t.Errorf("stalled body: %d %s", res.StatusCode, b)
	}
	// The connection is closed, not kept for another request.
	if _, err := conn.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("connection still open after a stalled body: %v", err)
	}
	// A body sent at once is unaffected.
	st := f.do("POST", objectsPath(f.shared), "A", envelope(t, indicator("66666666-6666-4666-8666-666666666666", nil)))
	if st.status != http.StatusAccepted {
		t.Errorf("normal POST: %d %s", st.status, st.body)
	}
}

// limitedServer serves f's hub behind LimitListener.
func limitedServer(t *testing.T, f *fixture, max, perAddr int) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	limited := server.LimitListener(ln, max, perAddr)
	srv := &http.Server{Handler: server.New(f.hub, server.Options{}).Handler(), ConnState: limited.ConnState}
	go srv.Serve(limited)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// healthz sends GET /healthz on conn and reads the answer until wait.
func healthz(conn net.Conn, wait time.Duration) (int, error) {
	fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	conn.SetReadDeadline(time.Now().Add(wait))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}

// dialN opens n connections that send nothing: they hold their place (a
// connection that never sends its headers is cut by ReadHeaderTimeout).
func dialN(t *testing.T, addr string, n int) []net.Conn {
	t.Helper()
	var cs []net.Conn
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		cs = append(cs, c)
	}
	return cs
}

// TestConnectionsPerAddress: past --max-conns-per-ip, a client's new
// connections are closed at once; other addresses are served.
func TestConnectionsPerAddress(t *testing.T) {
	f := newFixture(t)
	addr := limitedServer(t, f, 0, 2)
	dialN(t, addr, 2)
	third := dialN(t, addr, 1)[0]
	if code, err := healthz(third, 10*time.Second); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("third connection from one address: %d %v, want it closed", code, err)
	}
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
	other, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if code, err := healthz(other, 10*time.Second); code != 200 {
		t.Errorf("connection from another address: %d %v", code, err)
	}
}

// TestIdleConnectionsMakeRoom: a client that leaves keep-alive connections
// open (a new HTTP transport per request) is not locked out by them: its
// oldest idle connection is closed to make room.
func TestIdleConnectionsMakeRoom(t *testing.T) {
	f := newFixture(t)
	addr := limitedServer(t, f, 3, 2)
	for i := 0; i < 5; i++ {
		c := dialN(t, addr, 1)[0]
		if code, err := healthz(c, 10*time.Second); code != 200 {
			t.Fatalf("request %d with earlier connections idle: %d %v", i, code, err)
		}
	}
}

// TestConnectionsInAll: past --max-conns, a new connection waits until one
// closes, and is then served.
func TestConnectionsInAll(t *testing.T) {
	f := newFixture(t)
	addr := limitedServer(t, f, 2, 0)
	held := dialN(t, addr, 2)
	third := dialN(t, addr, 1)[0] // the kernel accepts it; the server does not
	fmt.Fprintf(third, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	third.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	br := bufio.NewReader(third)
	if res, err := http.ReadResponse(br, nil); err == nil {
		res.Body.Close()
		t.Fatalf("third connection served while two are open: %d", res.StatusCode)
	} else if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("third connection: %v, want it waiting", err)
	}
	held[0].Close()
	third.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(br, nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("third connection after one closed: %v", err)
	}
	res.Body.Close()
}

// TestFailedAuthenticationsLimited: after N failed authentications from an
// address, requests with credentials from it are answered 429 with
// Retry-After and a TAXII error, even with a good key; after N with a key
// id, wrong secrets for it are answered 429 from any address, but the key
// itself still works (its id is public: anyone could lock a member out);
// malformed credentials count; other addresses and keys are not affected.
func TestFailedAuthenticationsLimited(t *testing.T) {
	f := newFixture(t)
	base := f.edgeServer(server.Options{Limits: server.Limits{AuthFailures: 3}})
	id, _, _ := strings.Cut(strings.TrimPrefix(f.keys["A"], "vigie_"), "_")
	wrong := "vigie_" + id + "_" + strings.Repeat("x", 43)
	one, two, three := from("127.0.0.1"), from("127.0.0.2"), from("127.0.0.3")
	for i := 0; i < 3; i++ {
		wantTAXIIError(t, "wrong secret", call(t, one, "GET", base+"/api1/collections/", wrong, nil), http.StatusUnauthorized)
	}
	r := call(t, one, "GET", base+"/api1/collections/", f.keys["B"], nil)
	wantTAXIIError(t, "good key from a blocked address", r, http.StatusTooManyRequests)
	if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("429 with Retry-After %q", r.header.Get("Retry-After"))
	}
	// Anonymous requests carry no credentials to check: not limited.
	if r := call(t, one, "GET", base+"/api1/collections/", "", nil); r.status != 200 {
		t.Errorf("anonymous from a blocked address: %d", r.status)
	}
	// The key id that failed is limited from any address.
	wantTAXIIError(t, "failed key id from another address", call(t, two, "GET", base+"/api1/collections/", wrong, nil), http.StatusTooManyRequests)
	// But not the key itself: its owner keeps working.
	if r := call(t, two, "GET", base+"/api1/collections/", f.keys["A"], nil); r.status != 200 {
		t.Errorf("the valid key whose id others failed with: %d %s", r.status, r.body)
	}
	// Malformed credentials count as failures of the address.
	four := from("127.0.0.4")
	for i := 0; i < 3; i++ {
		wantTAXIIError(t, "malformed Authorization", call(t, four, "GET", base+"/api1/collections/", "", nil, "Authorization", "Basic !!!"), http.StatusUnauthorized)
	}
	wantTAXIIError(t, "good key after malformed credentials", call(t, four, "GET", base+"/api1/collections/", f.keys["B"], nil), http.StatusTooManyRequests)
	// Another key from another address is served.
	if r := call(t, three, "GET", base+"/api1/collections/", f.keys["B"], nil); r.status != 200 {
		t.Errorf("good key from another address: %d %s", r.status, r.body)
	}
}

// TestWritesLimited: past the write rate, writes of a key or an address
// are answered 429; reads are not limited.
func TestWritesLimited(t *testing.T) {
	f := newFixture(t)
	base := f.edgeServer(server.Options{Limits: server.Limits{WriteRate: 0.001, WriteBurst: 3}})
	one, two := from("127.0.0.1"), from("127.0.0.2")
	post := func(c *http.Client, who string, n int) response {
		return call(t, c, "POST", base+objectsPath(f.shared), f.keys[who], envelope(t, indicator(fmt.Sprintf("77777777-7777-4777-8777-%012d", n), nil)))
	}
	for i := 0; i < 3; i++ {
		if r := post(one, "A", i); r.status != http.StatusAccepted {
			t.Fatalf("write %d: %d %s", i, r.status, r.body)
		}
	}
	r := post(one, "A", 3)
	wantTAXIIError(t, "fourth write", r, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	wantTAXIIError(t, "the same key from another address", post(two, "A", 4), http.StatusTooManyRequests)
	if r := post(two, "B", 5); r.status != http.StatusAccepted {
		t.Errorf("another key from another address: %d %s", r.status, r.body)
	}
	if r := call(t, one, "GET", base+objectsPath(f.shared), f.keys["A"], nil); r.status != http.StatusOK {
		t.Errorf("read after the write limit: %d", r.status)
	}
}
