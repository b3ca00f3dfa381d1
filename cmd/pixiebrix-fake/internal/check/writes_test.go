package check_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake/internal/check"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

const acmeID = "0a000000-0000-4000-8000-000000000001"

// withoutAudit is a state's teams without their audit trails: the check's
// writes are undone, but the trail keeps a record of them, as the real
// server's would.
func withoutAudit(state fake.Fixture) []fake.FixtureOrganization {
	out := make([]fake.FixtureOrganization, len(state.Organizations))
	for i, org := range state.Organizations {
		org.Audit = nil
		out[i] = org
	}
	return out
}

func writeFindings(report check.Report) []check.Finding {
	var out []check.Finding
	for _, f := range report.Findings {
		if f.Kind == check.KindWrite {
			out = append(out, f)
		}
	}
	return out
}

func TestWritesAgreeWithTheFakeAndRestoreTheTeam(t *testing.T) {
	live := fake.NewTestServer(t)
	before := live.State()
	report := run(t, live, "acme-admin-token", check.Options{PerList: 1, WritesTeam: acmeID})
	if len(report.Findings) != 0 {
		t.Errorf("findings: %+v", report.Findings)
	}
	journal := live.Journal(fake.JournalFilter{})
	writes := 0
	for _, e := range journal {
		if e.Method != "GET" {
			writes++
		}
	}
	if writes < 20 {
		t.Errorf("the live server saw %d writes; the scenario has more", writes)
	}
	if after := live.State(); !reflect.DeepEqual(withoutAudit(before), withoutAudit(after)) {
		t.Error("the live team was not restored")
	}
}

func TestWritesNameEachDifferingAnswer(t *testing.T) {
	live := fake.NewTestServer(t, fake.WithResponseValidation(false))
	if _, err := live.InjectFault(fake.FaultRule{Method: "POST", Path: "/api/groups/{group_pk}/memberships/", Kind: fake.FaultStatus, Status: 403}); err != nil {
		t.Fatal(err)
	}
	before := live.State()
	report := run(t, live, "acme-admin-token", check.Options{PerList: 1, WritesTeam: acmeID})
	got := map[string]bool{}
	for _, f := range writeFindings(report) {
		got[f.Operation] = true
		if !strings.Contains(f.Detail, "the live server answered 403") && f.Operation != "replace the group's members" &&
			!strings.HasPrefix(f.Operation, "list the group") && f.Operation != "remove the caller from the group" && f.Operation != "read the group" {
			t.Errorf("unexpected finding %+v", f)
		}
	}
	for _, want := range []string{"add the caller to the group", "add the caller again", "add an email of no verified domain"} {
		if !got[want] {
			t.Errorf("no finding for %q in %+v", want, report.Findings)
		}
	}
	if after := live.State(); !reflect.DeepEqual(withoutAudit(before), withoutAudit(after)) {
		t.Error("the live team was not restored")
	}
}

func TestWritesNeedAnAdmin(t *testing.T) {
	live := fake.NewTestServer(t)
	for _, token := range []string{"acme-manager-token", "globex-admin-token"} {
		cl := client(t, live, token)
		_, err := check.Run(t.Context(), cl, check.Options{PerList: 1, WritesTeam: acmeID})
		if err == nil || !strings.Contains(err.Error(), "not an admin of that team") {
			t.Errorf("%s: error %v", token, err)
		}
	}
	if len(live.Journal(fake.JournalFilter{Method: "POST"})) != 0 {
		t.Error("a refused --writes wrote")
	}
}
