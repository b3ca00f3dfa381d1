package fake

import "testing"

// BenchmarkMatch is what finding a request's route costs, through
// gorilla/mux, for the path load tests hit most and for an unknown one.
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
		b.Run(path, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				spec.match(path)
			}
		})
	}
}
