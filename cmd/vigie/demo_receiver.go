package main

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/alert"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/taxii"
)

// demoReceiver is the webhook receiver the demo runs for Helios Energie:
// it checks each delivery's signature and prints the alert.
type demoReceiver struct {
	out    io.Writer
	secret string
	srv    *http.Server
	url    string
	mu     sync.Mutex
}

func startDemoReceiver(out io.Writer, secret string) (*demoReceiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &demoReceiver{out: out, secret: secret, url: "http://" + ln.Addr().String() + "/vigie-webhook"}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go r.srv.Serve(ln)
	return r, nil
}

// ServeHTTP receives one delivery.
func (r *demoReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	sig := req.Header.Get(alert.SignatureHeader)
	ts := ""
	for _, part := range strings.Split(sig, ",") {
		if v, ok := strings.CutPrefix(part, "t="); ok {
			ts = v
		}
	}
	var sec int64
	fmt.Sscan(ts, &sec)
	ok := hmac.Equal([]byte(sig), []byte(alert.Sign(r.secret, time.Unix(sec, 0), body)))
	var p struct {
		Type  string      `json:"type"`
		Alert vigie.Alert `json:"alert"`
	}
	json.Unmarshal(body, &p)
	r.mu.Lock()
	defer r.mu.Unlock()
	check := "signature ok"
	if !ok {
		check = "BAD SIGNATURE"
	}
	fmt.Fprintf(r.out, "webhook -> Helios Energie  %s [%s] %s\n    %s\n", p.Type, p.Alert.Severity, p.Alert.Title, p.Alert.Detail)
	for _, c := range p.Alert.Countermeasures {
		fmt.Fprintf(r.out, "    countermeasure: %s\n", c.Name)
	}
	fmt.Fprintf(r.out, "    (%s)\n", check)
	w.WriteHeader(http.StatusNoContent)
}

func (r *demoReceiver) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	r.srv.Shutdown(ctx)
}

// demoWebhook starts the demo receiver and registers it for Helios.
func demoWebhook(ctx context.Context, h *hub.Hub, stdio Stdio, c *demoCoalition) (*demoReceiver, error) {
	secret := "demo-secret-" + vigie.NewUUID()[:8]
	rcv, err := startDemoReceiver(stdio.Out, secret)
	if err != nil {
		return nil, err
	}
	p, err := h.Authenticate(ctx, c.orgs[1].token, hub.ConsoleAddr)
	if err == nil {
		_, err = h.AddWebhook(ctx, p, rcv.url, secret)
	}
	if err != nil {
		rcv.close()
		return nil, err
	}
	return rcv, nil
}

// demoFreshThreat publishes, as CERT-Nord and over TAXII like any client
// would, a new Lantern C2 address inside Helios's range.
func demoFreshThreat(ctx context.Context, stdio Stdio, url string, c *demoCoalition) {
	select {
	case <-ctx.Done():
		return
	case <-time.After(3 * time.Second):
	}
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	obj := map[string]any{
		"type": "indicator", "spec_version": "2.1", "id": "indicator--" + vigie.NewUUID(), "created": now, "modified": now,
		"created_by_ref": c.orgs[0].id, "name": "Lantern C2 address (fresh)", "pattern": "[ipv4-addr:value = '198.51.100.77']",
		"pattern_type": "stix", "valid_from": now, "indicator_types": []string{"malicious-activity"},
		"object_marking_refs": []string{vigie.MarkingAmber},
		"description":         "New Lantern command server, seen an hour ago.",
	}
	body, _ := json.Marshal(map[string]any{"objects": []any{obj}})
	req, _ := http.NewRequestWithContext(ctx, "POST", url+"/"+demoRoot+"/collections/"+c.collections[0].id+"/objects/", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", taxii.MediaType)
	req.Header.Set("Authorization", "Bearer "+c.orgs[0].token)
	fmt.Fprintf(stdio.Out, "\nCERT-Nord publishes a fresh Lantern C2 address, 198.51.100.77, inside Helios Energie's range...\n")
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		fmt.Fprintf(stdio.Err, "demo: publishing: %v\n", err)
		return
	}
	res.Body.Close()
}
