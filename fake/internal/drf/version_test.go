package drf

import "testing"

// TestAcceptedVersionRemembered: the remembered answer for one Accept header
// is negotiate's, on the first call and the next.
func TestAcceptedVersionRemembered(t *testing.T) {
	cases := []struct {
		accept  string
		version string
		ok      bool
	}{
		{"application/json; version=2.0", "2.0", true},
		{"application/json;version=1.1", "1.1", true},
		{"application/json", "", true},
		{"*/*", "", true},
		{"", "", true},
		{"text/html", "", false},
		{"text/html, application/json; version=2.0", "2.0", true},
		{"application/*; version=9", "9", true},
		{"application/json; q=0.5, application/json; version=1.0", "1.0", true},
		{"application/json; version=", "", false}, // not a media type: no entry fits
		{"nonsense;;", "", false},
	}
	for _, tc := range cases {
		for call := range 2 {
			version, ok := AcceptedVersion([]string{tc.accept})
			if version != tc.version || ok != tc.ok {
				t.Errorf("call %d: AcceptedVersion(%q) = %q, %t; want %q, %t", call, tc.accept, version, ok, tc.version, tc.ok)
			}
			if v, o := negotiate([]string{tc.accept}); v != version || o != ok {
				t.Errorf("negotiate(%q) = %q, %t; AcceptedVersion %q, %t", tc.accept, v, o, version, ok)
			}
		}
	}
	if version, ok := AcceptedVersion([]string{"application/json; version=1.0", "application/json; version=2.0"}); version != "1.0" || !ok {
		t.Errorf("two Accept headers: %q, %t; want the first, 1.0, true", version, ok)
	}
}

func BenchmarkAcceptedVersion(b *testing.B) {
	accept := []string{"application/json; version=2.0"}
	b.Run("negotiate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			negotiate(accept)
		}
	})
	b.Run("remembered", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			AcceptedVersion(accept)
		}
	})
}
