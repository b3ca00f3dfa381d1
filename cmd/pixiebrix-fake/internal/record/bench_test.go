package record_test

import (
	"context"
	"io"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake/internal/record"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// BenchmarkRecord10000 records a generated team of 10,000 members (with
// groups and campaigns) from a fake over loopback HTTP. For the 100,000
// figure of the docs, run the command against `pixiebrix-fake --fixtures`
// of such a team (cmd/pixiebrix-fake/README.md, "Speed" under record).
func BenchmarkRecord10000(b *testing.B) {
	live := fake.NewTestServer(b, fake.WithResponseValidation(false), fake.WithFixtures(fake.Fixture{Organizations: []fake.FixtureOrganization{{
		Name: "Initech", VerifiedDomains: []string{"initech.test"},
		Generate: &fake.FixtureGenerate{Members: 10_000, Groups: 10, Campaigns: 10},
		Members:  []fake.FixtureMember{{Email: "bill@initech.test", Role: fake.RoleAdmin, Token: "bill-token"}},
	}}}))
	c := client(b, live, "bill-token")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		res, err := record.Record(context.Background(), c, io.Discard, record.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if res.Members != 10_001 {
			b.Fatalf("%d members", res.Members)
		}
	}
	b.ReportMetric(float64(10_001*b.N)/b.Elapsed().Seconds(), "members/s")
}
