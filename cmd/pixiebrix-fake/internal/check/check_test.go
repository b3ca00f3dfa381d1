package check_test

import (
	"context"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"go.uber.org/goleak"

	pixiebrixfake "github.com/pixiebrix-fake/pixiebrix-fake"

	"github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake/internal/apiclient"
	"github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake/internal/check"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func client(t *testing.T, ts *fake.TestServer, token string) *apiclient.Client {
	t.Helper()
	c, err := apiclient.New(ts.URL, token, ts.Client())
	if err != nil {
		t.Fatal(err)
	}
	c.RetryPause = 0
	return c
}

func run(t *testing.T, ts *fake.TestServer, token string, opts check.Options) check.Report {
	t.Helper()
	report, err := check.Run(context.Background(), client(t, ts, token), opts)
	if err != nil {
		t.Fatalf("check.Run: %v", err)
	}
	return report
}

func TestCheckFindsNothingOnTheFake(t *testing.T) {
	ts := fake.NewTestServer(t, fake.WithPageSize(5)) // several pages per list
	for _, token := range []string{"acme-admin-token", "acme-manager-token", "acme-member-token", "globex-admin-token"} {
		report := run(t, ts, token, check.Options{PerList: 3})
		if len(report.Findings) != 0 {
			var b strings.Builder
			report.WriteText(&b)
			t.Errorf("%s: %s", token, b.String())
		}
		if report.Calls < 15 {
			t.Errorf("%s: %d calls only", token, report.Calls)
		}
	}
}

const acme = "/api/organizations/0a000000-0000-4000-8000-000000000001"

func TestCheckNamesEachDrift(t *testing.T) {
	for _, tc := range []struct {
		name string
		rule fake.FaultRule
		want []check.Finding // kind, operation and the start of the detail
	}{
		{
			name: "a field dropped",
			rule: fake.FaultRule{Method: "GET", Path: acme + "/campaigns/", Kind: fake.FaultStatus, Status: 200,
				Body: `[{"id":"0a000000-0000-4000-8000-00000000c002","name":"Onboarding","created_at":"2025-04-13T00:07:42Z"}]`},
			want: []check.Finding{
				{Kind: check.KindMissing, Operation: "listCampaigns", Detail: "/[]/updated_at is promised"},
				{Kind: check.KindContract, Operation: "listCampaigns", Detail: "response body doesn't match schema"},
			},
		},
		{
			name: "a field renamed",
			rule: fake.FaultRule{Method: "GET", Path: "/api/groups/{id}/", Kind: fake.FaultStatus, Status: 200,
				Body: `{"id":"0a000000-0000-4000-8000-00000000a001","title":"Support Agents","created_at":"2025-07-08T18:22:17Z","deployments":[]}`},
			want: []check.Finding{
				{Kind: check.KindExtra, Operation: "retrieveGroup", Detail: "/title is sent but not in the contract"},
				{Kind: check.KindMissing, Operation: "retrieveGroup", Detail: "/name is promised"},
			},
		},
		{
			name: "a header changed",
			rule: fake.FaultRule{Method: "GET", Path: "/api/me/", Kind: fake.FaultStatus, Status: 200,
				Headers: map[string]string{"Content-Type": "application/json; version=2.0"},
				Body:    `{"flags":[]}`},
			want: []check.Finding{
				{Kind: check.KindDeviation, Operation: "retrieveMe", Detail: `Content-Type is "application/json; version=2.0"`},
			},
		},
		{
			name: "the anonymous me changed",
			rule: fake.FaultRule{Method: "GET", Path: "/api/me/", Kind: fake.FaultStatus, Status: 200, Body: `{"flags":null}`},
			want: []check.Finding{
				{Kind: check.KindDeviation, Operation: "retrieveMe", Detail: `no token answered 200 {"flags":null}`},
			},
		},
		{
			name: "a count changed",
			rule: fake.FaultRule{Method: "GET", Path: acme + "/groups/", Kind: fake.FaultStatus, Status: 200,
				Headers: map[string]string{"X-Total-Count": "9"}, Body: `[]`},
			want: []check.Finding{
				{Kind: check.KindHeader, Operation: "listGroups", Version: "1.0", Detail: "X-Total-Count is sent at version 1.0"},
				{Kind: check.KindHeader, Operation: "listGroups", Version: "2.0", Detail: "page 1 holds 0 of 9 items"},
			},
		},
		{
			name: "a status changed",
			rule: fake.FaultRule{Method: "GET", Path: "/api/memberships/{id}/", Kind: fake.FaultStatus, Status: 403},
			want: []check.Finding{
				{Kind: check.KindStatus, Operation: "retrieveOrganizationMembership", Detail: "answered 403, not 200"},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := fake.NewTestServer(t, fake.WithResponseValidation(false))
			if _, err := ts.InjectFault(tc.rule); err != nil {
				t.Fatal(err)
			}
			report := run(t, ts, "acme-admin-token", check.Options{PerList: 2})
			for _, want := range tc.want {
				found := false
				for _, f := range report.Findings {
					if f.Kind == want.Kind && f.Operation == want.Operation && (want.Version == "" || f.Version == want.Version) &&
						strings.HasPrefix(f.Detail, want.Detail) {
						found = true
					}
				}
				if !found {
					t.Errorf("no finding %+v in %+v", want, report.Findings)
				}
			}
			for _, f := range report.Findings {
				if f.Operation != tc.want[0].Operation {
					t.Errorf("a finding outside the drifted operation: %+v", f)
				}
			}
		})
	}
}

// TestEveryReadOperationIsChecked fails when openapi.yaml gains a GET
// operation that ReadOperations does not reach: check (and record, which
// reads the same resources) must learn it.
func TestEveryReadOperationIsChecked(t *testing.T) {
	ts := fake.NewTestServer(t)
	reads, err := check.ReadOperations(context.Background(), client(t, ts, "acme-admin-token"), 1)
	if err != nil {
		t.Fatal(err)
	}
	reached := map[string]bool{}
	for _, r := range reads {
		reached[r.Operation] = true
	}
	doc, err := openapi3.NewLoader().LoadFromData(pixiebrixfake.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	// Each read names the operation openapi.yaml has at its template (an
	// operation renamed there is renamed here).
	for _, r := range reads {
		item := doc.Paths.Value(r.Template)
		if item == nil || item.Get == nil || item.Get.OperationID != r.Operation {
			t.Errorf("check reads %s as %s, which is not the GET operation openapi.yaml has at that path", r.Template, r.Operation)
		}
	}
	for path, item := range doc.Paths.Map() {
		if item.Get != nil && !reached[item.Get.OperationID] {
			t.Errorf("GET %s (%s) is in openapi.yaml but check does not read it: add it to ReadOperations (reads.go), and to record if a fixture can hold it",
				path, item.Get.OperationID)
		}
	}
}
