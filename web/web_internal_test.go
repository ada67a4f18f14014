package web

import "testing"

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/alerts?state=new":     "/alerts?state=new",
		"/objects/indicator--1": "/objects/indicator--1",
		"":                      "/alerts",
		"https://evil.example/": "/alerts",
		"//evil.example/":       "/alerts",
		"/\\evil.example":       "/alerts",
		"/\t/evil.example":      "/alerts",
		"/\r\nSet-Cookie: x=y":  "/alerts",
		"javascript:alert(1)":   "/alerts",
		"/%2f%2fevil.example":   "/alerts", // decodes to "//": refused, to be safe
		"alerts":                "/alerts",
		"/x\x7f":                "/alerts",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSafeNext(f *testing.F) {
	f.Add("/alerts")
	f.Add("//evil.example")
	f.Fuzz(func(t *testing.T, s string) {
		got := safeNext(s)
		if len(got) < 1 || got[0] != '/' || (len(got) > 1 && (got[1] == '/' || got[1] == '\\')) {
			t.Errorf("safeNext(%q) = %q", s, got)
		}
	})
}
