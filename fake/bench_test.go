package fake_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// BenchmarkMembershipsPage serves page 1 and the last page of a team's
// memberships at page_size 20: a page should cost the page, not the team.
func BenchmarkMembershipsPage(b *testing.B) {
	for _, size := range []int{30, 100_000} {
		b.Run(fmt.Sprintf("team-%d", size), func(b *testing.B) {
			srv, err := fake.New(fake.WithFixtures(fake.Fixture{Organizations: []fake.FixtureOrganization{{
				ID:       bigID,
				Name:     "Bench Co",
				Members:  []fake.FixtureMember{{Email: "boss@bench.test", Role: fake.RoleAdmin, Token: bigAdmin}},
				Generate: &fake.FixtureGenerate{Members: size - 1},
			}}}))
			if err != nil {
				b.Fatal(err)
			}
			for _, page := range []string{"1", "last"} {
				b.Run("page="+page, func(b *testing.B) {
					req := httptest.NewRequest(http.MethodGet, bigMemberships+"?page_size=20&page="+page, nil)
					req.Header.Set("Authorization", "Token "+bigAdmin)
					req.Header.Set("Accept", v2)
					b.ReportAllocs()
					b.ResetTimer()
					for b.Loop() {
						rec := httptest.NewRecorder()
						srv.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK {
							b.Fatalf("status %d: %s", rec.Code, rec.Body)
						}
					}
				})
			}
		})
	}
}

// BenchmarkMembershipsFilter serves filtered pages of a 100,000-member team:
// user__id and groups come from indexes, q has to read the whole team.
func BenchmarkMembershipsFilter(b *testing.B) {
	srv, err := fake.New(fake.WithFixtures(fake.Fixture{Organizations: []fake.FixtureOrganization{{
		ID:       bigID,
		Name:     "Bench Co",
		Members:  []fake.FixtureMember{{Email: "boss@bench.test", Role: fake.RoleAdmin, Token: bigAdmin, UserID: "0c000000-0000-4000-8000-0000000000b0"}},
		Generate: &fake.FixtureGenerate{Members: 99_999},
		Groups:   []fake.FixtureGroup{{ID: bigGroupID, Name: "Bosses", Members: []fake.FixtureGroupMember{{Email: "boss@bench.test"}}}},
	}}}))
	if err != nil {
		b.Fatal(err)
	}
	for _, query := range []string{"user__id=0c000000-0000-4000-8000-0000000000b0", "groups=" + bigGroupID, "q=boss@bench"} {
		b.Run(query, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, bigMemberships+"?page_size=20&"+query, nil)
			req.Header.Set("Authorization", "Token "+bigAdmin)
			req.Header.Set("Accept", v2)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || rec.Header().Get("X-Total-Count") != "1" {
					b.Fatalf("status %d, X-Total-Count %q: %s", rec.Code, rec.Header().Get("X-Total-Count"), rec.Body)
				}
			}
		})
	}
}
