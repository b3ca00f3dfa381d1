package fake

import "testing"

// BenchmarkMatch is what finding a request's route costs, for the path load
// tests hit most and for an unknown one: through gorilla/mux, and as a
// request pays it once the path has been seen.
func BenchmarkMatch(b *testing.B) {
	spec, err := embeddedSpec()
	if err != nil {
		b.Fatal(err)
	}
	for _, path := range []string{
		"/api/organizations/0a000000-0000-4000-8000-000000000001/memberships/",
		"/api/groups/0a000000-0000-4000-8000-00000000a001/memberships/",
		"/api/nope/",
	} {
		for _, m := range []struct {
			name  string
			match func(string)
		}{
			{"gorilla-mux", func(p string) { spec.matchOnce(p) }},
			{"remembered", func(p string) { spec.match(p) }},
		} {
			b.Run(m.name+path, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					m.match(path)
				}
			})
		}
	}
}

// TestMatchRemembered: the remembered answer is gorilla/mux's, for paths of
// every route, unknown paths and near misses.
func TestMatchRemembered(t *testing.T) {
	spec, err := embeddedSpec()
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"/api/nope/", "/api/", "", "/", "/api/groups//memberships/", "/api/groups/x/memberships"}
	for template := range spec.paths {
		paths = append(paths, template, template+"x/", template[:len(template)-1])
	}
	for _, p := range paths {
		want := spec.matchOnce(p)
		for range 2 { // the first call computes, the second remembers
			route, vars := spec.match(p)
			if route != want.route || len(vars) != len(want.vars) {
				t.Fatalf("match(%q) = %v %v, want %v %v", p, route, vars, want.route, want.vars)
			}
			for k, v := range want.vars {
				if vars[k] != v {
					t.Fatalf("match(%q): %s=%q, want %q", p, k, vars[k], v)
				}
			}
		}
	}
}
