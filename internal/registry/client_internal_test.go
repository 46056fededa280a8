package registry

import (
	"net/http"
	"reflect"
	"testing"
)

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNewTransport(t *testing.T) {
	// The default honours HTTP_PROXY, HTTPS_PROXY and NO_PROXY (P9).
	rt, err := newTransport(Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := rt.(*http.Transport)
	if !ok {
		t.Fatalf("default transport is a %T", rt)
	}
	if tr == http.DefaultTransport {
		t.Errorf("the default transport is http.DefaultTransport itself, not a clone")
	}
	if reflect.ValueOf(tr.Proxy).Pointer() != reflect.ValueOf(http.ProxyFromEnvironment).Pointer() {
		t.Errorf("the default transport does not use http.ProxyFromEnvironment")
	}
	if tr.TLSClientConfig != nil && (tr.TLSClientConfig.InsecureSkipVerify || tr.TLSClientConfig.RootCAs != nil) {
		t.Errorf("the default transport has TLS settings: %+v", tr.TLSClientConfig)
	}

	rt, err = newTransport(Options{SkipVerify: true, CACerts: []byte("ignored")})
	if err != nil {
		t.Fatal(err)
	}
	if c := rt.(*http.Transport).TLSClientConfig; c == nil || !c.InsecureSkipVerify || c.RootCAs != nil {
		t.Errorf("SkipVerify gave TLS config %+v", c)
	}

	// Any other RoundTripper is used as it is.
	custom := roundTripperFunc(func(*http.Request) (*http.Response, error) { return nil, nil })
	rt, err = newTransport(Options{Transport: custom, SkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	if reflect.ValueOf(rt).Pointer() != reflect.ValueOf(custom).Pointer() {
		t.Errorf("a custom RoundTripper was replaced by %T", rt)
	}
}

func TestCleanPath(t *testing.T) {
	tests := map[string]string{
		"a":          "a",
		"./a":        "a",
		"/a":         "a",
		"//a//b/":    "a/b",
		"a/./b/../c": "a/c",
		".":          "",
		"./":         "",
		"/":          "",
		"":           "",
	}
	for in, want := range tests {
		got, err := cleanPath(in)
		if err != nil || got != want {
			t.Errorf("cleanPath(%q) = %q, %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"..", "../a", "a/../../b", "/../a", "./../a"} {
		if got, err := cleanPath(in); err == nil {
			t.Errorf("cleanPath(%q) = %q, want an error", in, got)
		}
	}
}
