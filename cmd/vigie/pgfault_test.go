package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/store/postgres/pgtest"
	"github.com/vigie-cti/vigie/taxii"
)

// TestPostgresRestartUnderLoad stops PostgreSQL while a hub process takes
// writes: requests fail with a clear 503 while it is down, the hub recovers
// by itself when it is back, and nothing acknowledged is lost.
func TestPostgresRestartUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and hub processes")
	}
	pg := pgtest.StartPrivate(t)
	c := newCoalition(t, pg.URL)
	cmd, url := startHubProcess(t, c.dir, "--db", pg.URL)
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	base := url + "/coalition/collections/" + c.collection

	var mu sync.Mutex
	acked := map[string]bool{}
	statuses := map[int]int{}
	var unavailableMsg string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				var objs []map[string]any
				for i := 0; i < 10; i++ {
					objs = append(objs, indicatorJSON(w*1000000+n*10+i, c.orgA))
				}
				body, _ := json.Marshal(map[string]any{"objects": objs})
				req, _ := http.NewRequest("POST", base+"/objects/", bytes.NewReader(body))
				req.Header.Set("Content-Type", taxii.MediaType)
				req.Header.Set("Authorization", "Bearer "+c.keyA)
				res, err := testHTTPClient().Do(req)
				if err != nil {
					t.Errorf("the hub itself failed: %v", err)
					return
				}
				var st taxii.Status
				var e taxii.Error
				raw := new(bytes.Buffer)
				raw.ReadFrom(res.Body)
				res.Body.Close()
				mu.Lock()
				statuses[res.StatusCode]++
				if res.StatusCode == 202 && json.Unmarshal(raw.Bytes(), &st) == nil {
					for _, s := range st.Successes {
						acked[s.ID] = true
					}
				} else if res.StatusCode == 503 && json.Unmarshal(raw.Bytes(), &e) == nil {
					unavailableMsg = e.Description
				}
				mu.Unlock()
				time.Sleep(2 * time.Millisecond)
			}
		}(w)
	}
	time.Sleep(500 * time.Millisecond)
	pg.Stop()
	time.Sleep(1500 * time.Millisecond)
	if code := call(t, "GET", url+"/readyz", "", nil, nil); code != 503 {
		t.Errorf("/readyz with the database down: %d, want 503", code)
	}
	if code := call(t, "GET", url+"/healthz", "", nil, nil); code != 200 {
		t.Errorf("/healthz with the database down: %d, want 200 (the process lives)", code)
	}
	pg.Start()
	// The hub recovers by itself.
	deadline := time.Now().Add(20 * time.Second)
	for call(t, "GET", url+"/readyz", "", nil, nil) != 200 {
		if time.Now().After(deadline) {
			t.Fatal("the hub did not recover after PostgreSQL came back")
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	t.Logf("answers: %v", statuses)
	if statuses[503] == 0 {
		t.Error("no request saw 503 while PostgreSQL was down")
	}
	if !strings.Contains(unavailableMsg, "unavailable") {
		t.Errorf("503 message %q does not say the database is unavailable", unavailableMsg)
	}
	for code := range statuses {
		if code != 202 && code != 503 {
			t.Errorf("%d answers with status %d; want only 202 or 503", statuses[code], code)
		}
	}
	stored := map[string]bool{}
	if _, err := mustClient(t, url, c.keyA).EachObject(t.Context(), "coalition", c.collection, taxii.Filter{Limit: 1000},
		func(raw json.RawMessage) error {
			var h struct{ ID string }
			json.Unmarshal(raw, &h)
			stored[h.ID] = true
			return nil
		}); err != nil {
		t.Fatal(err)
	}
	for id := range acked {
		if !stored[id] {
			t.Errorf("acknowledged %s lost", id)
		}
	}
	if statuses[202] == 0 || len(acked) == 0 {
		t.Error("nothing was acknowledged")
	}
}

func mustClient(t *testing.T, url, key string) *taxii.Client {
	c, err := taxii.NewClient(url, key, testHTTPClient())
	if err != nil {
		t.Fatal(err)
	}
	return c
}
