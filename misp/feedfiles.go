package misp

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ManifestEntry is one event of a feed's manifest.json.
type ManifestEntry struct {
	Orgc          Org       `json:"Orgc"`
	Tag           []Tag     `json:"Tag"`
	Info          string    `json:"info"`
	Date          string    `json:"date"`
	Analysis      Int       `json:"analysis"`
	ThreatLevelID Int       `json:"threat_level_id"`
	Timestamp     Timestamp `json:"timestamp"`
}

// Manifest returns manifest.json for events.
func Manifest(events []*FeedEvent) ([]byte, error) {
	m := make(map[string]ManifestEntry, len(events))
	for _, e := range events {
		m[e.UUID] = ManifestEntry{Orgc: e.Orgc, Tag: e.Tags, Info: e.Info, Date: e.Date, Analysis: e.Analysis, ThreatLevelID: e.ThreatLevelID, Timestamp: e.Timestamp}
	}
	return json.MarshalIndent(m, "", "  ")
}

// EventJSON returns <uuid>.json of an event: {"Event": {...}}.
func EventJSON(e *FeedEvent) ([]byte, error) {
	return json.MarshalIndent(map[string]*FeedEvent{"Event": e}, "", "  ")
}

// Hashes returns hashes.csv as MISP writes it: one line "md5 of a value,
// event uuid" per attribute value (each part of a composite value).
func Hashes(events []*FeedEvent) []byte {
	var b bytes.Buffer
	line := func(v, ev string) {
		sum := md5.Sum([]byte(v))
		b.WriteString(hex.EncodeToString(sum[:]))
		b.WriteByte(',')
		b.WriteString(ev)
		b.WriteByte('\n')
	}
	each := func(a FeedAttribute, ev string) {
		if t, ok := types[a.Type]; ok && len(t.Fields) > 1 {
			for _, p := range strings.Split(a.Value, "|") {
				line(p, ev)
			}
			return
		}
		line(a.Value, ev)
	}
	for _, e := range events {
		for _, a := range e.Attributes {
			each(a, e.UUID)
		}
		for _, o := range e.Objects {
			for _, a := range o.Attributes {
				each(a, e.UUID)
			}
		}
	}
	return b.Bytes()
}

// WriteDir writes the feed into dir (created if needed): manifest.json,
// one <uuid>.json per event and hashes.csv, each written to a temporary
// file and renamed, so that a MISP instance polling the directory never
// reads half a file.
func WriteDir(dir string, events []*FeedEvent) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("misp: feed directory: %w", err)
	}
	for _, e := range events {
		b, err := EventJSON(e)
		if err != nil {
			return err
		}
		if err := WriteFileAtomic(filepath.Join(dir, e.UUID+".json"), b); err != nil {
			return err
		}
	}
	if err := WriteFileAtomic(filepath.Join(dir, "hashes.csv"), Hashes(events)); err != nil {
		return err
	}
	b, err := Manifest(events)
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, "manifest.json"), b)
}

// WriteFileAtomic writes b to path through a temporary file of the same
// directory and a rename: a reader sees the old file or the new one.
func WriteFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("misp: write %s: %w", path, err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("misp: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("misp: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("misp: write %s: %w", path, err)
	}
	return nil
}

// unixOf returns t as a MISP timestamp, within what MISP accepts (1970 to
// 9999).
func unixOf(t time.Time) Timestamp {
	return Timestamp(min(max(t.Unix(), 0), 253402300799))
}
