package fake_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	pixiebrixfake "github.com/pixiebrix-fake/pixiebrix-fake"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// writeFixtureFile writes a fixture into the test's temporary directory.
func writeFixtureFile(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// fixtureHead is a team with one admin, for error cases to build on: its
// lines 1 to 5 are fixed.
const fixtureHead = `organizations:
  - name: Acme
    verified_domains: [acme.test]
    members:
      - {email: ada@acme.test, role: admin, token: ada-token}
`

func TestFixtureRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		file    string // the file's extension picks nothing: both parse alike
		fixture string
		want    string // the place and the reason
	}{
		// Parsing: a line, and a path where there is one.
		{name: "parse/unknown-key/top", fixture: "organisations: []\n",
			want: `line 1: unknown key "organisations" (known keys: organizations, users, outbox)`},
		{name: "parse/unknown-key/user", fixture: fixtureHead + "users:\n  - {email: ex@acme.test, role: admin}\n",
			want: `line 7: users[0] (ex@acme.test): unknown key "role" (known keys: email, name, token, user_id, date_joined, service_account, deployment_key_account, is_onboarded, test_account, user_scope, extension_settings, milestones)`},
		{name: "parse/unknown-key/user-membership-id", fixture: "users:\n  - name: Ex Member\n    email: ex@acme.test\n    membership_id: 3\n",
			want: `line 4: users[0] (ex@acme.test): unknown key "membership_id"`},
		{name: "parse/duplicate-key/user", fixture: "users:\n  - {email: ex@acme.test, token: a, token: b}\n",
			want: `line 2: users[0] (ex@acme.test): key "token" is repeated (first at line 2)`},
		{name: "parse/wrong-type/users", fixture: "users: {email: ex@acme.test}\n",
			want: `line 1: users: expected a list, found a mapping`},
		{name: "parse/wrong-type/user-flag", fixture: "users:\n  - {email: ex@acme.test, service_account: maybe}\n",
			want: "line 2: cannot unmarshal !!str `maybe` into bool"},
		{name: "parse/unknown-key/organization", fixture: fixtureHead + "    colour: red\n",
			want: `line 6: organizations[0] (Acme): unknown key "colour" (known keys: id, name, scope, default_role, verified_domains, generate, members, groups, campaigns, invitations, enforce_update_millis, session_idle_timeout_minutes, trial_end_timestamp, enable_invitations, ai_default_chat_copilot, is_enterprise, theme, control_room)`},
		{name: "parse/unknown-key/member", fixture: fixtureHead + "      - {email: bob@acme.test, rol: admin}\n",
			want: `line 6: organizations[0] (Acme): members[1] (bob@acme.test): unknown key "rol" (known keys: email, name, role, token, service_account, deployment_key_account, user_id, membership_id, date_joined, last_active_at, last_login_at, is_onboarded, test_account, is_deployment_manager, user_scope, extension_settings, milestones)`},
		{name: "parse/unknown-key/generate", fixture: fixtureHead + "    generate: {members: 3, teams: 2}\n",
			want: `line 6: organizations[0] (Acme): generate: unknown key "teams" (known keys: members, groups, campaigns)`},
		{name: "parse/unknown-key/group", fixture: fixtureHead + "    groups:\n      - {name: Sales, owner: ada@acme.test}\n",
			want: `line 7: organizations[0] (Acme): groups[0] (Sales): unknown key "owner"`},
		{name: "parse/unknown-key/group-member-object",
			fixture: fixtureHead + "    groups:\n      - name: Sales\n        members:\n          - ada@acme.test\n          - {email: x@acme.test, role: admin}\n",
			want:    `line 10: organizations[0] (Acme): groups[0] (Sales): members[1] (x@acme.test): unknown key "role" (known keys: email, id, created_at, last_active_at)`},
		{name: "parse/unknown-key/campaign-member",
			fixture: fixtureHead + "    campaigns:\n      - name: Q1\n        members:\n          - {email: ada@acme.test, date: {}}\n",
			want:    `line 9: organizations[0] (Acme): campaigns[0] (Q1): members[0] (ada@acme.test): unknown key "date" (known keys: email, data, id, created_at, updated_at, last_active_at)`},
		{name: "parse/unknown-key/json", fixture: "{\n  \"organizations\": [\n    {\"name\": \"Acme\",\n     \"Name\": \"Acme\"}\n  ]\n}\n",
			want: `line 4: organizations[0] (Acme): unknown key "Name"`},
		{name: "parse/duplicate-key/top", fixture: "organizations: []\norganizations: []\n",
			want: `line 2: key "organizations" is repeated (first at line 1)`},
		{name: "parse/duplicate-key/organization", fixture: fixtureHead + "    name: Acme Two\n",
			want: `line 6: organizations[0] (Acme): key "name" is repeated (first at line 2)`},
		{name: "parse/duplicate-key/group-member-object",
			fixture: fixtureHead + "    groups:\n      - name: Sales\n        members:\n          - {email: ada@acme.test, email: x@acme.test}\n",
			want:    `line 9: organizations[0] (Acme): groups[0] (Sales): members[0] (ada@acme.test): key "email" is repeated (first at line 9)`},
		{name: "parse/duplicate-key/data",
			fixture: fixtureHead + "    campaigns:\n      - name: Q1\n        members:\n          - email: ada@acme.test\n            data: {Location: NY, Location: LA}\n",
			want:    `line 10: organizations[0] (Acme): campaigns[0] (Q1): members[0] (ada@acme.test): data: key "Location" is repeated (first at line 10)`},
		{name: "parse/duplicate-key/json", fixture: "{\"organizations\": [],\n \"organizations\": []}\n",
			want: `line 2: key "organizations" is repeated (first at line 1)`},
		{name: "parse/unknown-role/name", fixture: fixtureHead + "      - {email: bob@acme.test, role: owner}\n",
			want: `line 6: unknown role "owner" (one of admin, manager, developer, member, restricted, or 1 to 5)`},
		{name: "parse/unknown-role/zero", fixture: fixtureHead + "      - {email: bob@acme.test, role: 0}\n",
			want: `line 6: unknown role "0"`},
		{name: "parse/unknown-role/six", fixture: fixtureHead + "      - {email: bob@acme.test, role: 6}\n",
			want: `line 6: unknown role "6"`},
		{name: "parse/unknown-role/default-role", fixture: fixtureHead + "    default_role: boss\n",
			want: `line 6: unknown role "boss"`},
		{name: "parse/wrong-type/count", fixture: fixtureHead + "    generate: {members: lots}\n",
			want: "line 6: cannot unmarshal !!str `lots` into int"},
		{name: "parse/wrong-type/list", fixture: "organizations: {name: Acme}\n",
			want: `line 1: organizations: expected a list, found a mapping`},
		{name: "parse/wrong-type/mapping", fixture: "organizations: [Acme]\n",
			want: `line 1: organizations[0] (Acme): expected a mapping, found "Acme"`},
		{name: "parse/data/infinity",
			fixture: fixtureHead + "    campaigns:\n      - name: Q1\n        members:\n          - {email: ada@acme.test, data: {Score: .inf}}\n",
			want:    `line 9: organizations[0] (Acme): campaigns[0] (Q1): members[0] (ada@acme.test): data.Score: .inf is not a number JSON can hold`},
		{name: "parse/data/list-key",
			fixture: fixtureHead + "    campaigns:\n      - name: Q1\n        members:\n          - {email: ada@acme.test, data: {[a, b]: 1}}\n",
			want:    `line 9: organizations[0] (Acme): campaigns[0] (Q1): members[0] (ada@acme.test): data: a data key is a string, found a list`},
		{name: "parse/two-documents", fixture: "organizations: []\n---\norganizations: []\n",
			want: `line 2: a second YAML document starts here; a fixture is one document`},
		{name: "parse/empty", fixture: "",
			want: "the fixture is empty (write `organizations: []` for a fake with no data)"},
		{name: "parse/only-comments", fixture: "# nothing yet\n",
			want: "the fixture is empty"},
		{name: "parse/null", fixture: "~\n",
			want: "the fixture is empty"},
		{name: "parse/syntax", fixture: "organizations:\n  - name: [Acme\n",
			want: "line 1: did not find expected ',' or ']'"},

		// Seeding: a path.
		{name: "seed/missing-name/organization", fixture: "organizations:\n  - scope: \"@acme\"\n",
			want: `organizations[0]: name is required`},
		{name: "seed/missing-name/group", fixture: fixtureHead + "    groups:\n      - members: [ada@acme.test]\n",
			want: `organizations[0] (Acme): groups[0]: name is required`},
		{name: "seed/missing-name/campaign", fixture: fixtureHead + "    campaigns:\n      - name: \"  \"\n",
			want: `organizations[0] (Acme): campaigns[0] (  ): name is required`},
		{name: "seed/missing-email/member", fixture: fixtureHead + "      - {name: Bob}\n",
			want: `organizations[0] (Acme): members[1]: email is required`},
		{name: "seed/missing-email/group-member", fixture: fixtureHead + "    groups:\n      - name: Sales\n        members: [{id: 0a000000-0000-4000-8000-0000000000b1}]\n",
			want: `organizations[0] (Acme): groups[0] (Sales): members[0]: email is required`},
		{name: "seed/missing-email/campaign-member", fixture: fixtureHead + "    campaigns:\n      - name: Q1\n        members: [{data: {}}]\n",
			want: `organizations[0] (Acme): campaigns[0] (Q1): members[0]: email is required`},
		{name: "seed/bad-email", fixture: fixtureHead + "      - {email: bob at acme.test}\n",
			want: `organizations[0] (Acme): members[1] (bob at acme.test): email "bob at acme.test" is not a valid address`},
		{name: "seed/duplicate-token/team", fixture: fixtureHead + "      - {email: bob@acme.test, token: ada-token}\n",
			want: `organizations[0] (Acme): members[1] (bob@acme.test): token "ada-token" is already the token of ada@acme.test`},
		{name: "seed/duplicate-token/teams", fixture: fixtureHead + "  - name: Globex\n    members:\n      - {email: hank@globex.test, token: ada-token}\n",
			want: `organizations[1] (Globex): members[0] (hank@globex.test): token "ada-token" is already the token of ada@acme.test`},
		{name: "seed/duplicate-token/same-user", fixture: fixtureHead + "  - name: Globex\n    members:\n      - {email: ada@acme.test, token: other-token}\n",
			want: `organizations[1] (Globex): members[0] (ada@acme.test): user ada@acme.test already has token "ada-token"`},
		{name: "seed/duplicate-member", fixture: fixtureHead + "      - {email: ADA@acme.test}\n",
			want: `organizations[0] (Acme): members[1] (ADA@acme.test): ADA@acme.test is listed twice in the team`},
		{name: "seed/duplicate-name/organization", fixture: fixtureHead + "  - name: Acme\n",
			want: `organizations[1] (Acme): another organization is named "Acme"`},
		{name: "seed/duplicate-name/group", fixture: fixtureHead + "    groups:\n      - name: Sales\n      - name: Support\n      - name: \" Sales\"\n",
			want: `organizations[0] (Acme): groups[2] ( Sales): name: A group with this name already exists in this team.`},
		{name: "seed/duplicate-name/campaign", fixture: fixtureHead + "    campaigns:\n      - name: Q1\n      - name: Q1\n",
			want: `organizations[0] (Acme): campaigns[1] (Q1): name: A campaign with this name already exists in this team.`},
		{name: "seed/duplicate-id/organization",
			fixture: "organizations:\n  - {name: Acme, id: 0a000000-0000-4000-8000-000000000001}\n  - {name: Globex, id: 0A000000-0000-4000-8000-000000000001}\n",
			want:    `organizations[1] (Globex): organization id 0a000000-0000-4000-8000-000000000001 is used twice`},
		{name: "seed/duplicate-id/group",
			fixture: fixtureHead + "    groups:\n      - {name: Sales, id: 0a000000-0000-4000-8000-00000000a001}\n      - {name: Support, id: 0a000000-0000-4000-8000-00000000a001}\n",
			want:    `organizations[0] (Acme): groups[1] (Support): group id 0a000000-0000-4000-8000-00000000a001 is used twice`},
		{name: "seed/duplicate-id/campaign",
			fixture: fixtureHead + "    campaigns:\n      - {name: Q1, id: 0a000000-0000-4000-8000-00000000c001}\n  - name: Globex\n    campaigns:\n      - {name: Q2, id: 0a000000-0000-4000-8000-00000000c001}\n",
			want:    `organizations[1] (Globex): campaigns[0] (Q2): campaign id 0a000000-0000-4000-8000-00000000c001 is used twice`},
		{name: "seed/duplicate-id/user",
			fixture: fixtureHead + "      - {email: bob@acme.test, user_id: 0a000000-0000-4000-8000-0000000000e1}\n      - {email: cy@acme.test, user_id: 0a000000-0000-4000-8000-0000000000e1}\n",
			want:    `organizations[0] (Acme): members[2] (cy@acme.test): user id 0a000000-0000-4000-8000-0000000000e1 is used twice`},
		{name: "seed/duplicate-id/membership",
			fixture: fixtureHead + "      - {email: bob@acme.test, membership_id: 7}\n      - {email: cy@acme.test, membership_id: 7}\n",
			want:    `organizations[0] (Acme): members[2] (cy@acme.test): membership id 7 is used twice`},
		{name: "seed/duplicate-id/group-membership",
			fixture: fixtureHead + "    groups:\n      - name: Sales\n        members:\n          - {email: ada@acme.test, id: 0a000000-0000-4000-8000-0000000000b1}\n          - {email: x@acme.test, id: 0a000000-0000-4000-8000-0000000000b1}\n",
			want:    `organizations[0] (Acme): groups[0] (Sales): members[1] (x@acme.test): group membership id 0a000000-0000-4000-8000-0000000000b1 is used twice`},
		{name: "seed/duplicate-id/campaign-member",
			fixture: fixtureHead + "    campaigns:\n      - name: Q1\n        members:\n          - {email: ada@acme.test, id: 0a000000-0000-4000-8000-0000000000d1}\n          - {email: x@acme.test, id: 0a000000-0000-4000-8000-0000000000d1}\n",
			want:    `organizations[0] (Acme): campaigns[0] (Q1): members[1] (x@acme.test): campaign member id 0a000000-0000-4000-8000-0000000000d1 is used twice`},
		{name: "seed/bad-uuid/organization", fixture: "organizations:\n  - {name: Acme, id: acme-1}\n",
			want: `organizations[0] (Acme): id "acme-1" is not a UUID`},
		{name: "seed/bad-uuid/user", fixture: fixtureHead + "      - {email: bob@acme.test, user_id: 42}\n",
			want: `organizations[0] (Acme): members[1] (bob@acme.test): user_id "42" is not a UUID`},
		{name: "seed/bad-uuid/group", fixture: fixtureHead + "    groups:\n      - {name: Sales, id: 0a000000-0000-4000-8000-00000000a0010}\n",
			want: `organizations[0] (Acme): groups[0] (Sales): id "0a000000-0000-4000-8000-00000000a0010" is not a UUID`},
		{name: "seed/bad-uuid/campaign", fixture: fixtureHead + "    campaigns:\n      - {name: Q1, id: \"{0a000000-0000-4000-8000-00000000c001}\"}\n",
			want: `organizations[0] (Acme): campaigns[0] (Q1): id "{0a000000-0000-4000-8000-00000000c001}" is not a UUID`},
		{name: "seed/ineligible/group-member", fixture: fixtureHead + "    groups:\n      - name: Sales\n        members: [ada@acme.test, eve@evil.test]\n",
			want: `organizations[0] (Acme): groups[0] (Sales): members[1] (eve@evil.test): eve@evil.test is not a member of the team and its domain is not one of the team's verified_domains`},
		// A campaign member need not be eligible (TestFixtureCampaignMemberOutsideTeam)
		// but must be an address.
		{name: "seed/bad-email/campaign-member", fixture: fixtureHead + "    campaigns:\n      - name: Q1\n        members: [{email: eve at evil.test}]\n",
			want: `organizations[0] (Acme): campaigns[0] (Q1): members[0] (eve at evil.test): email "eve at evil.test" is not a valid address`},
		{name: "seed/long-email/campaign-member", fixture: fixtureHead + "    campaigns:\n      - name: Q1\n        members: [{email: " + strings.Repeat("e", 129-len("@evil.test")) + "@evil.test}]\n",
			want: `organizations[0] (Acme): campaigns[0] (Q1): members[0] (` + strings.Repeat("e", 129-len("@evil.test")) + `@evil.test): email is longer than 128 characters`},
		{name: "seed/ineligible/member-of-another-team",
			fixture: fixtureHead + "  - name: Globex\n    members: [{email: hank@globex.test}]\n    groups:\n      - name: Ops\n        members: [ada@acme.test]\n",
			want:    `organizations[1] (Globex): groups[0] (Ops): members[0] (ada@acme.test): ada@acme.test is not a member of the team`},
		{name: "seed/group-member-twice", fixture: fixtureHead + "    groups:\n      - name: Sales\n        members: [ada@acme.test, Ada@Acme.test]\n",
			want: `organizations[0] (Acme): groups[0] (Sales): members[1] (Ada@Acme.test): Ada@Acme.test is listed twice in the group`},
		{name: "seed/campaign-member-twice", fixture: fixtureHead + "    campaigns:\n      - name: Q1\n        members: [{email: new@acme.test}, {email: NEW@acme.test}]\n",
			want: `organizations[0] (Acme): campaigns[0] (Q1): members[1] (NEW@acme.test): NEW@acme.test is listed twice in the campaign`},
		{name: "seed/generate/negative-members", fixture: fixtureHead + "    generate: {members: -1}\n",
			want: `organizations[0] (Acme): generate: members: -1 is negative`},
		{name: "seed/generate/negative-campaigns", fixture: fixtureHead + "    generate: {groups: 2, campaigns: -3}\n",
			want: `organizations[0] (Acme): generate: campaigns: -3 is negative`},
		{name: "seed/generate/too-many", fixture: fixtureHead + "    generate: {groups: 1000001}\n",
			want: `organizations[0] (Acme): generate: groups: 1000001 is more than 1000000`},
		{name: "seed/same-user/other-name", fixture: fixtureHead + "  - name: Globex\n    members:\n      - {email: ada@acme.test, name: Ada Admin}\n  - name: Initech\n    members:\n      - {email: ada@acme.test, name: Ada Lovelace}\n",
			want: `organizations[2] (Initech): members[0] (ada@acme.test): name "Ada Lovelace" differs from "Ada Admin", the name this user has in an earlier team (the same email is one user)`},
		{name: "seed/same-user/other-id", fixture: "organizations:\n  - name: Acme\n    members: [{email: ada@acme.test, user_id: 0a000000-0000-4000-8000-0000000000e1}]\n  - name: Globex\n    members: [{email: ada@acme.test, user_id: 0a000000-0000-4000-8000-0000000000e2}]\n",
			want: `organizations[1] (Globex): members[0] (ada@acme.test): user_id 0a000000-0000-4000-8000-0000000000e2 differs from 0a000000-0000-4000-8000-0000000000e1, the id this user has in an earlier team`},
		{name: "seed/users/missing-email", fixture: fixtureHead + "users:\n  - {name: Ex}\n",
			want: `users[0]: email is required`},
		{name: "seed/users/bad-email", fixture: "users:\n  - {email: ex at acme.test}\n",
			want: `users[0] (ex at acme.test): email "ex at acme.test" is not a valid address`},
		{name: "seed/users/bad-uuid", fixture: "users:\n  - {email: ex@acme.test, user_id: 42}\n",
			want: `users[0] (ex@acme.test): user_id "42" is not a UUID`},
		{name: "seed/users/white-space-token", fixture: "users:\n  - {email: ex@acme.test, token: \"ex token\"}\n",
			want: `users[0] (ex@acme.test): token may not contain white space`},
		{name: "seed/users/twice", fixture: "users:\n  - {email: ex@acme.test}\n  - {email: EX@acme.test}\n",
			want: `users[1] (EX@acme.test): EX@acme.test is listed twice in users`},
		{name: "seed/users/duplicate-token", fixture: "users:\n  - {email: ex@acme.test, token: t}\n  - {email: other@acme.test, token: t}\n",
			want: `users[1] (other@acme.test): token "t" is already the token of ex@acme.test`},
		{name: "seed/users/duplicate-id", fixture: "users:\n  - {email: ex@acme.test, user_id: 0a000000-0000-4000-8000-0000000000e1}\n  - {email: other@acme.test, user_id: 0a000000-0000-4000-8000-0000000000e1}\n",
			want: `users[1] (other@acme.test): user id 0a000000-0000-4000-8000-0000000000e1 is used twice`},
		{name: "seed/users/team-token-taken", fixture: fixtureHead + "users:\n  - {email: ex@acme.test, token: ada-token}\n",
			want: `organizations[0] (Acme): members[0] (ada@acme.test): token "ada-token" is already the token of ex@acme.test`},
		{name: "seed/users/team-other-token", fixture: fixtureHead + "users:\n  - {email: ada@acme.test, token: other-token}\n",
			want: `organizations[0] (Acme): members[0] (ada@acme.test): user ada@acme.test already has token "other-token"`},
		{name: "seed/users/team-other-name", fixture: "users:\n  - {email: ada@acme.test, name: Ada Lovelace}\n" + fixtureHead +
			"  - name: Globex\n    members: [{email: ada@acme.test, name: Ada Admin}]\n",
			want: `organizations[1] (Globex): members[0] (ada@acme.test): name "Ada Admin" differs from "Ada Lovelace", the name this user has in users[0] (the same email is one user)`},
		{name: "seed/users/team-other-id", fixture: "users:\n  - {email: ada@acme.test, user_id: 0a000000-0000-4000-8000-0000000000e1}\n" +
			"organizations:\n  - name: Acme\n    members: [{email: ada@acme.test, user_id: 0a000000-0000-4000-8000-0000000000e2}]\n",
			want: `organizations[0] (Acme): members[0] (ada@acme.test): user_id 0a000000-0000-4000-8000-0000000000e2 differs from 0a000000-0000-4000-8000-0000000000e1, the id this user has in users[0] (the same email is one user)`},
		{name: "seed/users/team-other-date", fixture: "users:\n  - {email: ada@acme.test, date_joined: 2024-01-02T03:04:05Z}\n" +
			"organizations:\n  - name: Acme\n    members: [{email: ada@acme.test, date_joined: 2024-01-02T03:04:05+01:00}]\n",
			want: `organizations[0] (Acme): members[0] (ada@acme.test): date_joined 2024-01-02T02:04:05Z differs from 2024-01-02T03:04:05Z, this user's date in users[0] (the same email is one user)`},
		{name: "seed/bad-scope", fixture: "organizations:\n  - {name: Acme, scope: acme}\n",
			want: `organizations[0] (Acme): scope "acme" does not match ^@[a-z0-9][a-z0-9._-]*$`},
		{name: "seed/bad-domain", fixture: "organizations:\n  - {name: Acme, verified_domains: [acme.test, \"@acme.test\"]}\n",
			want: `organizations[0] (Acme): verified_domains[1]: "@acme.test" is not a domain`},
		{name: "seed/white-space-token", fixture: fixtureHead + "      - {email: bob@acme.test, token: \"bob token\"}\n",
			want: `organizations[0] (Acme): members[1] (bob@acme.test): token may not contain white space`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := writeFixtureFile(t, "fixture.yaml", c.fixture)
			_, err := fake.New(fake.WithFixtureFile(path))
			if err == nil {
				t.Fatalf("fake.New took the fixture; want an error with %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error\n  %v\nwant it to hold\n  %s", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			if !strings.HasPrefix(c.name, "parse/") {
				return
			}
			// The parser alone finds these, with the same words.
			_, err = fake.ParseFixture([]byte(c.fixture))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ParseFixture: %v; want %q", err, c.want)
			}
		})
	}
}

// longFixtureEmail is a valid address of 257 characters, over the limit.
var longFixtureEmail = strings.Repeat("a", 64) + "@" + strings.Repeat(strings.Repeat("b", 61)+".", 3) + "b.test"

func TestFixtureRefusedValues(t *testing.T) {
	t.Parallel()
	// A Fixture built in Go skips the parser; seeding checks what it can.
	team := func(edit func(*fake.FixtureOrganization)) fake.Fixture {
		o := fake.FixtureOrganization{Name: "Acme", Members: []fake.FixtureMember{{Email: "ada@acme.test", Role: fake.RoleAdmin}}}
		edit(&o)
		return fake.Fixture{Organizations: []fake.FixtureOrganization{o}}
	}
	cases := []struct {
		name    string
		fixture fake.Fixture
		want    string
	}{
		{"role/out-of-range", team(func(o *fake.FixtureOrganization) { o.Members[0].Role = 9 }),
			`organizations[0] (Acme): members[0] (ada@acme.test): role 9 is not a role (1 to 5)`},
		{"default-role/out-of-range", team(func(o *fake.FixtureOrganization) { o.DefaultRole = -1 }),
			`organizations[0] (Acme): default_role -1 is not a role (1 to 5)`},
		{"membership-id/negative", team(func(o *fake.FixtureOrganization) { o.Members[0].MembershipID = -4 }),
			`organizations[0] (Acme): members[0] (ada@acme.test): membership_id must be positive`},
		{"generate/negative", team(func(o *fake.FixtureOrganization) { o.Generate = &fake.FixtureGenerate{Members: -5} }),
			`organizations[0] (Acme): generate: members: -5 is negative`},
		{"data/not-json", team(func(o *fake.FixtureOrganization) {
			o.Campaigns = []fake.FixtureCampaign{{Name: "Q1", Members: []fake.FixtureCampaignMember{
				{Email: "ada@acme.test", Data: map[string]any{"when": make(chan int)}},
			}}}
		}), `organizations[0] (Acme): campaigns[0] (Q1): members[0] (ada@acme.test): data: json: unsupported type: chan int`},
		// openapi.yaml caps a user's and a group member's email at 254
		// characters and a scope at 128: a fixture may not serve more.
		{"email/member-too-long", team(func(o *fake.FixtureOrganization) { o.Members[0].Email = longFixtureEmail }),
			`organizations[0] (Acme): members[0] (` + longFixtureEmail + `): email is longer than 254 characters`},
		{"email/pending-group-member-too-long", team(func(o *fake.FixtureOrganization) {
			o.VerifiedDomains = []string{"b.test"}
			o.Groups = []fake.FixtureGroup{{Name: "G", Members: []fake.FixtureGroupMember{{Email: longFixtureEmail}}}}
		}), `organizations[0] (Acme): groups[0] (G): members[0] (` + longFixtureEmail + `): email is longer than 254 characters`},
		{"scope/too-long", team(func(o *fake.FixtureOrganization) { scope := "@" + strings.Repeat("a", 128); o.Scope = &scope }),
			`organizations[0] (Acme): scope is longer than 128 characters`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := fake.New(fake.WithFixtures(c.fixture))
			if err == nil || err.Error() != c.want {
				t.Errorf("fake.New: %v\nwant %s", err, c.want)
			}
		})
	}
}

func TestFixtureFileProblems(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	_, err := fake.New(fake.WithFixtureFile(missing))
	if err == nil || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	good := writeFixtureFile(t, "good.yaml", fixtureHead)
	_, err = fake.New(fake.WithFixtureFile(good), fake.WithFixtures(fake.Fixture{}))
	if err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("both options: %v", err)
	}
	bad := writeFixtureFile(t, "bad.yaml", "organizations: 3\n")
	_, err = fake.New(fake.WithFixtureFile(bad))
	if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "line 1: organizations: expected a list") {
		t.Errorf("a parse error names the file: %v", err)
	}
}

// formsFixture uses every short form and default of the format.
const formsFixture = `organizations:
  - id: 0e000000-0000-4000-8000-000000000001
    name: Roles Inc
    verified_domains: [Roles.test]
    members:
      - {email: admin@roles.test, role: admin, token: roles-admin}
      - {email: n1@roles.test, role: 1}
      - {email: n2@roles.test, role: 2}
      - {email: n3@roles.test, role: "3"}
      - {email: n4@roles.test, role: 4}
      - {email: n5@roles.test, role: 5}
      - {email: member@roles.test, role: Member}
      - {email: developer@roles.test, role: developer}
      - {email: restricted@roles.test, role: restricted}
      - {email: manager@roles.test, role: MANAGER}
      - {email: shared@both.test, name: Shared Person, token: shared-token}
      - {email: plain.person@roles.test}
    groups:
      - id: 0e000000-0000-4000-8000-00000000a001
        name: Mixed
        members:
          - n1@roles.test
          - {email: n2@roles.test}
          - {email: pending@roles.test, id: 0e000000-0000-4000-8000-00000000b001}
    campaigns:
      - id: 0e000000-0000-4000-8000-00000000c001
        name: Launch
        members:
          - {email: n1@roles.test}
          - {email: n2@roles.test, data: {Location: "New York, NY", Floor: 3, Tags: [a, b], Since: 2024-05-01}}
  - id: 0e000000-0000-4000-8000-000000000002
    name: Defaults Ltd
    default_role: manager
    members:
      - {email: boss@defaults.test, role: admin, token: defaults-admin}
      - {email: shared@both.test}
      - {email: other@defaults.test}
`

const (
	rolesID    = "0e000000-0000-4000-8000-000000000001"
	defaultsID = "0e000000-0000-4000-8000-000000000002"
)

func TestFixtureForms(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, fake.WithFixtureFile(writeFixtureFile(t, "forms.yaml", formsFixture)))

	t.Run("roles/by-name-and-number", func(t *testing.T) {
		t.Parallel()
		want := map[string]fake.Role{
			"admin@roles.test": fake.RoleAdmin, "n1@roles.test": 1, "n2@roles.test": 2, "n3@roles.test": 3,
			"n4@roles.test": 4, "n5@roles.test": 5, "member@roles.test": fake.RoleMember,
			"developer@roles.test": fake.RoleDeveloper, "restricted@roles.test": fake.RoleRestricted,
			"manager@roles.test": fake.RoleManager,
			// no role, no default_role: restricted
			"shared@both.test": fake.RoleRestricted, "plain.person@roles.test": fake.RoleRestricted,
		}
		got := rolesByEmail(t, s, "roles-admin", rolesID)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("roles\n got %v\nwant %v", got, want)
		}
	})
	t.Run("roles/team-default", func(t *testing.T) {
		t.Parallel()
		want := map[string]fake.Role{"boss@defaults.test": fake.RoleAdmin, "shared@both.test": fake.RoleManager, "other@defaults.test": fake.RoleManager}
		if got := rolesByEmail(t, s, "defaults-admin", defaultsID); !reflect.DeepEqual(got, want) {
			t.Errorf("roles\n got %v\nwant %v", got, want)
		}
		for id, role := range map[string]fake.Role{rolesID: fake.RoleRestricted, defaultsID: fake.RoleManager} {
			var org fake.Organization
			s.do(t, call{method: "GET", path: "/api/organizations/" + id + "/", token: "shared-token"}).decode(t, &org)
			if org.DefaultRole != role {
				t.Errorf("%s: default_role %d, want %d", org.Name, org.DefaultRole, role)
			}
		}
	})
	t.Run("users/same-email-one-user", func(t *testing.T) {
		t.Parallel()
		var inRoles, inDefaults fake.UserRef
		for _, team := range []struct {
			token, id string
			ref       *fake.UserRef
		}{{"roles-admin", rolesID, &inRoles}, {"defaults-admin", defaultsID, &inDefaults}} {
			var ms []fake.Membership
			s.do(t, call{method: "GET", path: "/api/organizations/" + team.id + "/memberships/", token: team.token}).decode(t, &ms)
			for _, m := range ms {
				if m.User.Email == "shared@both.test" {
					*team.ref = m.User
				}
			}
		}
		if inRoles.ID == "" || inRoles != inDefaults {
			t.Errorf("shared@both.test is two users:\n%+v\n%+v", inRoles, inDefaults)
		}
		if inRoles.Name != "Shared Person" {
			t.Errorf("name %q, want the one the first team gave", inRoles.Name)
		}
		var me fake.Me
		s.do(t, call{method: "GET", path: "/api/me/", token: "shared-token"}).decode(t, &me)
		if len(me.OrganizationMemberships) != 2 || me.Organization == nil || me.Organization.ID != rolesID {
			t.Errorf("me: %+v", me)
		}
	})
	t.Run("users/name-from-email", func(t *testing.T) {
		t.Parallel()
		var ms []fake.Membership
		s.do(t, call{method: "GET", path: "/api/organizations/" + rolesID + "/memberships/?q=plain", token: "roles-admin"}).decode(t, &ms)
		if len(ms) != 1 || ms[0].User.Name != "Plain Person" {
			t.Errorf("memberships: %+v", ms)
		}
	})
	t.Run("groups/bare-and-object-members", func(t *testing.T) {
		t.Parallel()
		var gms []fake.GroupMembership
		s.do(t, call{method: "GET", path: "/api/groups/0e000000-0000-4000-8000-00000000a001/memberships/", token: "roles-admin"}).decode(t, &gms)
		var emails []string
		for _, gm := range gms {
			emails = append(emails, gm.Email)
		}
		if want := []string{"n1@roles.test", "n2@roles.test", "pending@roles.test"}; !reflect.DeepEqual(emails, want) {
			t.Fatalf("emails %v, want %v", emails, want)
		}
		if gms[0].User == nil || gms[0].User.Email != "n1@roles.test" || gms[1].User == nil {
			t.Errorf("members with accounts have no user: %+v", gms[:2])
		}
		if gms[2].User != nil || gms[2].ID != "0e000000-0000-4000-8000-00000000b001" {
			t.Errorf("pending member (verified domain, no account): %+v", gms[2])
		}
	})
	t.Run("campaigns/data", func(t *testing.T) {
		t.Parallel()
		r := s.do(t, call{method: "GET", path: "/api/organizations/" + rolesID + "/campaigns/0e000000-0000-4000-8000-00000000c001/members/", token: "roles-admin"})
		var members []struct {
			Email string          `json:"email"`
			Data  json.RawMessage `json:"data"`
		}
		r.decode(t, &members)
		got := map[string]string{}
		for _, m := range members {
			got[m.Email] = string(m.Data)
		}
		want := map[string]string{
			"n1@roles.test": `{}`, // absent data is {}
			// a plain date stays the text it was written as
			"n2@roles.test": `{"Floor":3,"Location":"New York, NY","Since":"2024-05-01","Tags":["a","b"]}`,
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("data\n got %v\nwant %v", got, want)
		}
	})
}

// rolesByEmail lists a team's members' roles.
func rolesByEmail(t testing.TB, s *apiServer, token, orgID string) map[string]fake.Role {
	t.Helper()
	var ms []fake.Membership
	s.do(t, call{method: "GET", path: "/api/organizations/" + orgID + "/memberships/", token: token}).decode(t, &ms)
	roles := map[string]fake.Role{}
	for _, m := range ms {
		roles[m.User.Email] = m.Role
	}
	return roles
}

func TestParseFixtureForms(t *testing.T) {
	t.Parallel()
	f, err := fake.ParseFixture([]byte(formsFixture))
	if err != nil {
		t.Fatal(err)
	}
	roles := f.Organizations[0]
	if got := roles.Members[3].Role; got != fake.RoleDeveloper {
		t.Errorf(`role "3" is %d`, got)
	}
	if roles.DefaultRole != 0 || f.Organizations[1].DefaultRole != fake.RoleManager {
		t.Errorf("default roles %d, %d", roles.DefaultRole, f.Organizations[1].DefaultRole)
	}
	wantGroup := []fake.FixtureGroupMember{{Email: "n1@roles.test"}, {Email: "n2@roles.test"}, {Email: "pending@roles.test", ID: "0e000000-0000-4000-8000-00000000b001"}}
	if got := roles.Groups[0].Members; !reflect.DeepEqual(got, wantGroup) {
		t.Errorf("group members %+v", got)
	}
	if data := roles.Campaigns[0].Members[0].Data; data == nil || len(data) != 0 {
		t.Errorf("absent data is %#v, want {}", data)
	}
}

// YAML's anchors, aliases and merge keys work, and strictness reaches
// into what they bring in.
func TestFixtureAnchors(t *testing.T) {
	t.Parallel()
	const fixture = `organizations:
  - &acme
    name: Acme
    verified_domains: [acme.test]
    members:
      - &ada {email: ada@acme.test, role: admin, token: ada-token}
    campaigns:
      - name: Q1
        members:
          - {email: ada@acme.test, data: &where {Location: "New York, NY"}}
          - {email: new@acme.test, data: {<<: *where, Floor: 2}}
  - <<: *acme
    id: 0a000000-0000-4000-8000-000000000009
    name: Acme Two
    members: [*ada]
`
	s := newAPIServer(t, fake.WithFixtureFile(writeFixtureFile(t, "anchors.yaml", fixture)))
	if roles := rolesByEmail(t, s, "ada-token", "0a000000-0000-4000-8000-000000000009"); !reflect.DeepEqual(roles, map[string]fake.Role{"ada@acme.test": fake.RoleAdmin}) {
		t.Errorf("Acme Two roles %v", roles)
	}
	var campaigns []fake.Campaign
	s.do(t, call{method: "GET", path: "/api/organizations/0a000000-0000-4000-8000-000000000009/campaigns/", token: "ada-token"}).decode(t, &campaigns)
	if len(campaigns) != 1 || campaigns[0].Name != "Q1" {
		t.Fatalf("Acme Two campaigns %+v", campaigns)
	}
	r := s.do(t, call{method: "GET", path: "/api/organizations/0a000000-0000-4000-8000-000000000009/campaigns/" + campaigns[0].ID + "/members/", token: "ada-token"})
	if !strings.Contains(r.String(), `"data":{"Floor":2,"Location":"New York, NY"}`) {
		t.Errorf("merged data: %s", r)
	}

	const sneaky = `organizations:
  - name: Acme
    campaigns:
      - name: Q1
        members: [{email: ada@acme.test, data: &d {colour: red}}]
    members:
      - {<<: *d, email: ada@acme.test}
`
	_, err := fake.ParseFixture([]byte(sneaky))
	if want := `line 5: organizations[0] (Acme): members[0] (ada@acme.test): unknown key "colour"`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("merged unknown key: %v; want %s", err, want)
	}
}

func TestParseFixtureJSON(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		json string
		want fake.Fixture
	}{
		{"indented-with-tabs", "{\n\t\"organizations\": [\n\t\t{\"name\": \"Acme\", \"members\": [{\"email\": \"ada@acme.test\", \"role\": 2}]}\n\t]\n}\n",
			fake.Fixture{Organizations: []fake.FixtureOrganization{{Name: "Acme", Members: []fake.FixtureMember{{Email: "ada@acme.test", Role: fake.RoleAdmin}}}}}},
		{"compact", `{"organizations":[{"name":"Acme","scope":null,"default_role":"developer","generate":{"members":2}}]}`,
			fake.Fixture{Organizations: []fake.FixtureOrganization{{Name: "Acme", DefaultRole: fake.RoleDeveloper, Generate: &fake.FixtureGenerate{Members: 2}}}}},
		// Escapes YAML does not know: \/ and UTF-16 surrogate pairs.
		{"escapes", `{"organizations":[{"name":"Caf\u00e9 \/ Bar \ud83d\ude00 \"quoted\" \\ \t\u0001\u0085\u2028\ufeff","members":[{"email":"ada@acme.test","token":"a\/b"}]}]}`,
			fake.Fixture{Organizations: []fake.FixtureOrganization{{Name: "Café / Bar 😀 \"quoted\" \\ \t\u0001\u0085\u2028\ufeff", Members: []fake.FixtureMember{{Email: "ada@acme.test", Token: "a/b"}}}}}},
		{"raw-unicode", `{"organizations":[{"name":"Zürich 東京 😀"}]}`,
			fake.Fixture{Organizations: []fake.FixtureOrganization{{Name: "Zürich 東京 😀"}}}},
		{"empty-list", `{"organizations": []}`, fake.Fixture{Organizations: []fake.FixtureOrganization{}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f, err := fake.ParseFixture([]byte(c.json))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*f, c.want) {
				t.Errorf("\n got %#v\nwant %#v", *f, c.want)
			}
		})
	}
}

func TestFixtureExampleFiles(t *testing.T) {
	t.Parallel()
	t.Run("json", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t, fake.WithFixtureFile("../fixtures/example.json"))
		roles := rolesByEmail(t, s, "hooli-admin-token", "0d000000-0000-4000-8000-000000000004")
		if len(roles) != 14 || roles["gavin@hooli.test"] != fake.RoleAdmin || roles["jared@hooli.test"] != fake.RoleManager || roles["guest@partner.test"] != fake.RoleMember {
			t.Errorf("roles %v", roles)
		}
		r := s.do(t, call{method: "GET", path: "/api/organizations/0d000000-0000-4000-8000-000000000004/campaigns/0d000000-0000-4000-8000-00000000c001/members/", token: "hooli-manager-token"})
		if !strings.Contains(r.String(), `"data":{"Floor":3,"Location":"Palo Alto, CA"}`) {
			t.Errorf("campaign members %s", r)
		}
	})
	t.Run("large", func(t *testing.T) {
		t.Parallel()
		if testing.Short() {
			t.Skip("seeds 100,000 members")
		}
		s := newAPIServer(t, fake.WithFixtureFile("../fixtures/large.yaml"))
		r := s.do(t, call{method: "GET", path: "/api/organizations/0c000000-0000-4000-8000-000000000003/memberships/?page_size=1", token: "initech-admin-token", accept: v2})
		if got := r.Header.Get("X-Total-Count"); got != "100001" {
			t.Errorf("X-Total-Count %q, want 100001", got)
		}
	})
}

// fullFixture sets every field of the format.
func fullFixture() fake.Fixture {
	at := func(day int) *time.Time {
		t := time.Date(2025, time.March, day, 9, 30, 15, 0, time.UTC)
		return &t
	}
	scope := "@acme"
	return fake.Fixture{Organizations: []fake.FixtureOrganization{{
		ID: "0a000000-0000-4000-8000-000000000001", Name: "Acme", Scope: &scope, DefaultRole: fake.RoleMember,
		VerifiedDomains: []string{"acme.test"},
		Generate:        &fake.FixtureGenerate{Members: 3, Groups: 2, Campaigns: 1},
		Members: []fake.FixtureMember{
			{Email: "ada@acme.test", Name: "Ada", Role: fake.RoleAdmin, Token: "ada-token", UserID: "0a000000-0000-4000-8000-0000000000e1",
				MembershipID: 10, DateJoined: at(1), LastActiveAt: at(2), LastLoginAt: at(3)},
			{Email: "bot@acme.test", Role: fake.RoleManager, ServiceAccount: true},
			{Email: "key@acme.test", DeploymentKeyAccount: true},
		},
		Groups: []fake.FixtureGroup{{
			ID: "0a000000-0000-4000-8000-00000000a001", Name: "Sales", CreatedAt: at(4),
			Members: []fake.FixtureGroupMember{
				{Email: "ada@acme.test"},
				{Email: "new@acme.test", ID: "0a000000-0000-4000-8000-0000000000b1", CreatedAt: at(5), LastActiveAt: at(6)},
			},
		}},
		Campaigns: []fake.FixtureCampaign{{
			ID: "0a000000-0000-4000-8000-00000000c001", Name: "Q1", CreatedAt: at(7), UpdatedAt: at(8),
			Members: []fake.FixtureCampaignMember{
				{Email: "ada@acme.test", Data: map[string]any{}},
				{Email: "new@acme.test", ID: "0a000000-0000-4000-8000-0000000000d1", CreatedAt: at(9), UpdatedAt: at(10), LastActiveAt: at(11),
					Data: map[string]any{"Location": "New York, NY", "Floor": json.Number("3"), "Ratio": json.Number("1.5"), "Remote": false, "Tags": []any{"a", json.Number("2")}, "Desk": map[string]any{"Row": "B"}, "Note": nil}},
			},
		}},
	}, {Name: "Globex", Scope: new(""), Generate: &fake.FixtureGenerate{}}},
		Users: []fake.FixtureUser{
			{Email: "ex@acme.test", Name: "Ex Member", Token: "ex-token", UserID: "0a000000-0000-4000-8000-0000000000e9", DateJoined: at(12),
				ServiceAccount: true, DeploymentKeyAccount: true},
			{Email: "ada@acme.test"},
		},
	}
}

func TestFixtureRoundTrip(t *testing.T) {
	t.Parallel()
	defaultFixture, err := fake.ParseFixture(pixiebrixfake.DefaultFixture)
	if err != nil {
		t.Fatal(err)
	}
	encoders := map[string]func(any) ([]byte, error){
		"json":        json.Marshal,
		"json-indent": func(v any) ([]byte, error) { return json.MarshalIndent(v, "", "\t") },
		"yaml":        yaml.Marshal,
	}
	for fixtureName, f := range map[string]fake.Fixture{"full": fullFixture(), "default": *defaultFixture} {
		for encoderName, encode := range encoders {
			t.Run(fixtureName+"/"+encoderName, func(t *testing.T) {
				t.Parallel()
				data, err := encode(f)
				if err != nil {
					t.Fatal(err)
				}
				back, err := fake.ParseFixture(data)
				if err != nil {
					t.Fatalf("%v\n%s", err, data)
				}
				if !reflect.DeepEqual(*back, f) {
					t.Errorf("changed in a round trip\n got %#v\nwant %#v\n%s", *back, f, data)
				}
			})
		}
	}
	t.Run("yaml/short-forms", func(t *testing.T) {
		t.Parallel()
		data, err := yaml.Marshal(fullFixture())
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"role: admin\n", "default_role: member\n", "- ada@acme.test\n", "email: new@acme.test\n"} {
			if !strings.Contains(string(data), want) {
				t.Errorf("YAML lacks %q:\n%s", want, data)
			}
		}
	})
	t.Run("json/direct", func(t *testing.T) {
		t.Parallel()
		// encoding/json reads what it writes: roles stay numbers in JSON.
		data, err := json.Marshal(defaultFixture)
		if err != nil {
			t.Fatal(err)
		}
		var back fake.Fixture
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, *defaultFixture) {
			t.Errorf("changed in a round trip through encoding/json")
		}
	})
	t.Run("serves-the-same", func(t *testing.T) {
		t.Parallel()
		data, err := json.Marshal(defaultFixture)
		if err != nil {
			t.Fatal(err)
		}
		a := newAPIServer(t)
		b := newAPIServer(t, fake.WithFixtureFile(writeFixtureFile(t, "default.json", string(data))))
		for _, path := range []string{
			"/api/me/", "/api/organizations/", "/api/organizations/" + acmeID + "/memberships/",
			"/api/groups/" + supportGroupID + "/memberships/", "/api/organizations/" + acmeID + "/campaigns/" + q1CampaignID + "/members/",
		} {
			ra := a.do(t, call{method: "GET", path: path, token: acmeAdmin, accept: v2})
			rb := b.do(t, call{method: "GET", path: path, token: acmeAdmin, accept: v2})
			if ra.Status != 200 || ra.String() != rb.String() {
				t.Errorf("%s: %d %s\nvs %d %s", path, ra.Status, ra, rb.Status, rb)
			}
		}
	})
}

// A later listing of the same email fills in what the first left out.
func TestFixtureSameUserFillsIn(t *testing.T) {
	t.Parallel()
	const fixture = `organizations:
  - name: First
    members:
      - {email: admin@first.test, role: admin, token: first-admin}
      - {email: bot@shared.test}
  - name: Second
    members:
      - {email: admin@second.test, role: admin, token: second-admin}
      - {email: bot@shared.test, name: Sync Bot, service_account: true, date_joined: 2024-02-03T04:05:06Z, token: bot-token}
`
	s := newAPIServer(t, fake.WithFixtureFile(writeFixtureFile(t, "fill.yaml", fixture)))
	var orgs []fake.Organization
	s.do(t, call{method: "GET", path: "/api/organizations/", token: "bot-token"}).decode(t, &orgs)
	if len(orgs) != 2 {
		t.Fatalf("bot is in %d teams, want 2", len(orgs))
	}
	var refs []fake.UserRef
	for _, o := range orgs {
		for _, m := range o.Members {
			if m.User.Email == "bot@shared.test" {
				refs = append(refs, m.User)
			}
		}
	}
	if len(refs) != 2 || refs[0] != refs[1] {
		t.Fatalf("bot is not one user: %+v", refs)
	}
	if u := refs[0]; u.Name != "Sync Bot" || !u.ServiceAccount || u.DateJoined.Format(time.RFC3339) != "2024-02-03T04:05:06Z" {
		t.Errorf("bot %+v: want the second listing's name, flag and date", u)
	}
}

// usersFixture lists users outside the teams: one in no team, one also
// listed as a member (one user, details merged), one whose team listing
// comes first in the file but is seeded after.
const usersFixture = `organizations:
  - id: 0a000000-0000-4000-8000-000000000001
    name: Acme
    members:
      - {email: ada@acme.test, role: admin, token: ada-token}
      - {email: Bot@acme.test, token: bot-token, date_joined: 2024-02-03T04:05:06Z}
users:
  - email: ex@acme.test
    name: Ex Member
    token: ex-token
    user_id: 0A000000-0000-4000-8000-0000000000E9
    date_joined: 2023-05-06T07:08:09+02:00
    deployment_key_account: true
  - {email: bot@acme.test, name: Sync Bot, service_account: true, user_id: 0a000000-0000-4000-8000-0000000000e8}
  - {email: quiet@acme.test}
`

func TestFixtureUsers(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, fake.WithFixtureFile(writeFixtureFile(t, "users.yaml", usersFixture)))

	t.Run("no-team/token-works", func(t *testing.T) {
		t.Parallel()
		var me fake.Me
		r := s.do(t, call{method: "GET", path: "/api/me/", token: "ex-token"})
		wantStatus(t, r, 200)
		r.decode(t, &me)
		want := fake.Me{
			ID: "0a000000-0000-4000-8000-0000000000e9", Email: "ex@acme.test", Name: "Ex Member", DeploymentKeyAccount: true, IsOnboarded: true,
			OrganizationMemberships: []fake.MeOrganizationMembership{}, GroupMemberships: []fake.GroupRef{}, Flags: []string{},
		}
		if !reflect.DeepEqual(me, want) {
			t.Errorf("me\n got %+v\nwant %+v", me, want)
		}
		var orgs []fake.Organization
		s.do(t, call{method: "GET", path: "/api/organizations/", token: "ex-token"}).decode(t, &orgs)
		if len(orgs) != 0 {
			t.Errorf("a user in no team sees %d teams", len(orgs))
		}
		wantStatus(t, s.do(t, call{method: "GET", path: "/api/organizations/0a000000-0000-4000-8000-000000000001/", token: "ex-token"}), 404)
	})
	t.Run("no-team/not-a-member", func(t *testing.T) {
		t.Parallel()
		roles := rolesByEmail(t, s, "ada-token", "0a000000-0000-4000-8000-000000000001")
		if want := map[string]fake.Role{"ada@acme.test": fake.RoleAdmin, "bot@acme.test": fake.RoleRestricted}; !reflect.DeepEqual(roles, want) {
			t.Errorf("roles %v, want %v", roles, want)
		}
	})
	t.Run("merged/one-user", func(t *testing.T) {
		t.Parallel()
		var me fake.Me
		s.do(t, call{method: "GET", path: "/api/me/", token: "bot-token"}).decode(t, &me)
		// users gave the id, name and flag; the team listing the token and
		// the date; the first listing (users) the email's spelling.
		if me.ID != "0a000000-0000-4000-8000-0000000000e8" || me.Name != "Sync Bot" || !me.ServiceAccount || me.Email != "bot@acme.test" ||
			len(me.OrganizationMemberships) != 1 || me.Organization == nil {
			t.Errorf("bot %+v", me)
		}
		var ms []fake.Membership
		s.do(t, call{method: "GET", path: "/api/organizations/0a000000-0000-4000-8000-000000000001/memberships/?q=bot", token: "ada-token"}).decode(t, &ms)
		if len(ms) != 1 || ms[0].User.DateJoined.Format(time.RFC3339) != "2024-02-03T04:05:06Z" || ms[0].User.ID != me.ID {
			t.Errorf("bot's membership %+v", ms)
		}
	})
	t.Run("parse", func(t *testing.T) {
		t.Parallel()
		f, err := fake.ParseFixture([]byte(usersFixture))
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Users) != 3 || f.Users[0].DateJoined.Format(time.RFC3339) != "2023-05-06T05:08:09Z" || !reflect.DeepEqual(f.Users[2], fake.FixtureUser{Email: "quiet@acme.test"}) {
			t.Errorf("users %+v", f.Users)
		}
	})
	t.Run("state", func(t *testing.T) {
		t.Parallel()
		// Only users in no team are listed, by email, spelled out.
		users := s.Server.State().Users
		if len(users) != 2 || users[0].Email != "ex@acme.test" || users[1].Email != "quiet@acme.test" {
			t.Fatalf("users %+v", users)
		}
		ex := users[0]
		if ex.UserID != "0a000000-0000-4000-8000-0000000000e9" || ex.Token != "ex-token" || ex.Name != "Ex Member" || !ex.DeploymentKeyAccount ||
			ex.ServiceAccount || ex.DateJoined == nil || ex.DateJoined.Format(time.RFC3339) != "2023-05-06T05:08:09Z" {
			t.Errorf("ex %+v", ex)
		}
		if q := users[1]; q.Name != "Quiet" || q.UserID == "" || q.DateJoined == nil || q.Token != "" {
			t.Errorf("quiet %+v: want a name from the email and a generated id and date", q)
		}
	})
}

// TestFixtureCampaignMemberOutsideTeam: a campaign member need not be a
// member of the team nor of a verified domain, as after its person leaves
// the team through the API; it loads with no account.
func TestFixtureCampaignMemberOutsideTeam(t *testing.T) {
	t.Parallel()
	const fixture = fixtureHead + `    campaigns:
      - id: 0a000000-0000-4000-8000-00000000c001
        name: Q1
        members:
          - {email: ada@acme.test}
          - {email: Eve@Elsewhere.test, data: {Location: Remote}}
`
	s := newAPIServer(t, fake.WithFixtureFile(writeFixtureFile(t, "outside.yaml", fixture)))
	var orgs []fake.Organization
	s.do(t, call{method: "GET", path: "/api/organizations/", token: "ada-token"}).decode(t, &orgs)
	if len(orgs) != 1 {
		t.Fatalf("organizations %+v", orgs)
	}
	var members []fake.CampaignMember
	s.do(t, call{method: "GET", path: "/api/organizations/" + orgs[0].ID + "/campaigns/0a000000-0000-4000-8000-00000000c001/members/", token: "ada-token"}).decode(t, &members)
	if len(members) != 2 || members[0].Account == nil || members[0].Account.Email != "ada@acme.test" {
		t.Fatalf("members %+v", members)
	}
	if eve := members[1]; eve.Email != "Eve@Elsewhere.test" || eve.Account != nil || eve.Data["Location"] != "Remote" {
		t.Errorf("eve %+v: want her email as written, no account, her data", eve)
	}
}
