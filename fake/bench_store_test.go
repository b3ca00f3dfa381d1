package fake_test

import (
	"fmt"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// BenchmarkHelperWrites is the cost of one Go helper write on a team of 100
// and of 100,000 members: a write should cost the change, not the data, so
// the two figures should be close.
func BenchmarkHelperWrites(b *testing.B) {
	for _, size := range []int{100, 100_000} {
		newServer := func(b *testing.B) *fake.Server {
			srv, err := fake.New(fake.WithFixtures(fake.Fixture{Organizations: []fake.FixtureOrganization{{
				ID: bigID, Name: "Bench Co", VerifiedDomains: []string{"bench.test"},
				Members:  []fake.FixtureMember{{Email: "boss@bench.test", Role: fake.RoleAdmin, Token: bigAdmin}},
				Generate: &fake.FixtureGenerate{Members: size - 1, Groups: 20},
			}}}))
			if err != nil {
				b.Fatal(err)
			}
			return srv
		}
		b.Run(fmt.Sprintf("AddGroup/team-%d", size), func(b *testing.B) {
			srv := newServer(b)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				if _, err := srv.AddGroup(bigID, fmt.Sprintf("Bench group %d", i), "boss@bench.test"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("AddMember/team-%d", size), func(b *testing.B) {
			srv := newServer(b)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				if _, err := srv.AddMember(bigID, fake.FixtureMember{Email: fmt.Sprintf("joiner%d@bench.test", i)}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
