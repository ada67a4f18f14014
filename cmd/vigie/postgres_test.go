package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/store/postgres/pgtest"
	"github.com/vigie-cti/vigie/taxii"
)

// TestTwoHubProcessesOnPostgres runs two hub processes on one PostgreSQL
// database: objects published through both at once are read and paginated
// through either, none skipped or repeated, and a status resource made by
// one is visible from the other.
func TestTwoHubProcessesOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hub processes")
	}
	db := pgtest.URL(t)
	c := newCoalition(t, db)
	var urls []string
	for i := 0; i < 2; i++ {
		cmd, url := startHubProcess(t, c.dir, "--db", db)
		t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
		urls = append(urls, url+"/coalition/collections/"+c.collection)
	}

	const writers, envelopes, size = 4, 10, 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked := map[string]bool{}
	var statusIDs []string
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for e := 0; e < envelopes; e++ {
				var objs []map[string]any
				for i := 0; i < size; i++ {
					objs = append(objs, indicatorJSON((w*envelopes+e)*size+i, c.orgA))
				}
				body, _ := json.Marshal(map[string]any{"objects": objs})
				req, _ := http.NewRequest("POST", urls[w%2]+"/objects/", bytes.NewReader(body))
				req.Header.Set("Content-Type", taxii.MediaType)
				req.Header.Set("Authorization", "Bearer "+c.keyA)
				res, err := testHTTPClient().Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				var st taxii.Status
				json.NewDecoder(res.Body).Decode(&st)
				res.Body.Close()
				mu.Lock()
				for _, s := range st.Successes {
					acked[s.ID] = true
				}
				statusIDs = append(statusIDs, st.ID)
				mu.Unlock()
			}
		}(w)
	}
	// A reader follows the collection through the other process while the
	// writers run, paging with added_after: nothing may be skipped.
	seen := map[string]int{}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var after string
	for finished := false; ; {
		select {
		case <-done:
			finished = true
		default:
		}
		u := urls[1] + "/manifest/?limit=7"
		if after != "" {
			u += "&added_after=" + after
		}
		var m taxii.Manifest
		if code := call(t, "GET", u, c.keyB, nil, &m); code != 200 {
			t.Fatalf("manifest: %d", code)
		}
		for _, r := range m.Objects {
			seen[r.ID]++
			after = r.DateAdded
		}
		if finished && len(m.Objects) == 0 {
			break
		}
	}
	if len(acked) != writers*envelopes*size {
		t.Fatalf("acknowledged %d objects, want %d", len(acked), writers*envelopes*size)
	}
	for id := range acked {
		if seen[id] != 1 {
			t.Errorf("%s seen %d times by the paging reader", id, seen[id])
		}
	}
	// Status resources are shared by the processes.
	for i, id := range statusIDs[:4] {
		var st taxii.Status
		url := urls[(i+1)%2]
		if code := call(t, "GET", url[:len(url)-len("/collections/"+c.collection)]+"/status/"+id+"/", c.keyA, nil, &st); code != 200 || st.SuccessCount != size {
			t.Errorf("status %s from the other process: %d %+v", id, code, st)
		}
	}
	t.Logf("%d objects through two processes, %s", len(acked), fmt.Sprint(len(seen), " seen by the reader"))
}

// TestEarlyWarningAcrossProcesses runs two hub processes on one
// PostgreSQL: an object published through one raises an alert that is
// delivered to the webhook exactly once, and that the live stream of the
// other process shows at once.
func TestEarlyWarningAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hub processes")
	}
	db := pgtest.URL(t)
	e := newEarlyWarning(t, db)
	rcv := newReceiver(t)
	var urls []string
	for i := 0; i < 2; i++ {
		cmd, url := startHubProcess(t, e.dir, "--db", db, "--webhook-allow", "127.0.0.0/8")
		t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
		urls = append(urls, url)
	}
	hubB := []string{"--hub", urls[0], "--key", e.keyB}
	mustRun(t, append([]string{"watch", "add", "cidr", "198.51.100.0/24"}, hubB...)...)
	mustRun(t, append([]string{"webhook", "add", "--url", rcv.srv.URL, "--secret", "0123456789abcdef"}, hubB...)...)

	// Generous deadlines: on a loaded machine two hub processes, the
	// engine and the receiver compete for two cores. They bound the test;
	// they measure nothing.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var stream syncBuffer
	done := make(chan int)
	go func() {
		done <- Run(ctx, append([]string{"alerts", "--follow", "--json"}, hubB...), Stdio{Out: &stream, Err: io.Discard})
	}()
	time.Sleep(300 * time.Millisecond) // the stream connects

	const n = 5
	start := time.Now()
	for i := 0; i < n; i++ {
		publishIndicator(t, urls[1], e.keyA, e.collection, e.orgA, fmt.Sprintf("[ipv4-addr:value = '198.51.100.%d']", 10+i), 300+i)
	}
	for i := 0; i < n; i++ {
		rcv.wait(t, 60*time.Second)
	}
	t.Logf("%d alerts delivered %v after the first POST", n, time.Since(start))
	for strings.Count(stream.String(), "\n") < n && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // any duplicate delivery would arrive by now
	cancel()
	<-done
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.bodies) != n {
		t.Errorf("%d webhook deliveries, want exactly %d (one per alert, by one process)", len(rcv.bodies), n)
	}
	if got := strings.Count(stream.String(), "\n"); got != n {
		t.Errorf("the other process's stream showed %d events, want %d:\n%s", got, n, stream.String())
	}
}
