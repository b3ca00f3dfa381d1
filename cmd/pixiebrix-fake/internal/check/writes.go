package check

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"

	"github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake/internal/apiclient"
	"github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake/internal/record"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// writeStep is one write (or the read that shows its effect) of the
// scenario. Path and body name the scenario's values in braces: {team},
// {me}, {email}, {group}, {campaign}, {gm} (a group membership), {target}
// (a membership whose role changes), {role}, {oldrole}, {name}.
type writeStep struct {
	name, method, path, body string
	// capture names the value the answer's first "id" becomes.
	capture string
	// needs names a value the step cannot run without (the role change
	// needs a member to change).
	needs string
}

var writeScenario = []writeStep{
	{name: "create a group", method: "POST", path: "/api/organizations/{team}/groups/", body: `{"name": "{name}"}`, capture: "group"},
	{name: "create a group with a taken name", method: "POST", path: "/api/organizations/{team}/groups/", body: `{"name": "{name}"}`},
	{name: "rename the group", method: "PUT", path: "/api/groups/{group}/", body: `{"name": "{name} (renamed)"}`},
	{name: "rename the group (PATCH)", method: "PATCH", path: "/api/groups/{group}/", body: `{"name": "{name}"}`},
	{name: "add the caller to the group", method: "POST", path: "/api/groups/{group}/memberships/", body: `[{"user_id": "{me}"}]`, capture: "gm"},
	{name: "add the caller again", method: "POST", path: "/api/groups/{group}/memberships/", body: `[{"user_id": "{me}"}]`},
	{name: "add an email of no verified domain", method: "POST", path: "/api/groups/{group}/memberships/", body: `[{"email": "someone@pixiebrix-fake-check.invalid"}]`},
	{name: "add an item with both user_id and email", method: "POST", path: "/api/groups/{group}/memberships/", body: `[{"user_id": "{me}", "email": "{email}"}]`},
	{name: "replace the group's members", method: "PUT", path: "/api/groups/{group}/memberships/", body: `[{"user_id": "{me}"}]`, capture: "gm"},
	{name: "read the group", method: "GET", path: "/api/groups/{group}/"},
	{name: "list the group's members", method: "GET", path: "/api/groups/{group}/memberships/"},
	{name: "remove the caller from the group", method: "DELETE", path: "/api/groups/{group}/memberships/{gm}/"},
	{name: "list the group's members after the removal", method: "GET", path: "/api/groups/{group}/memberships/"},
	{name: "delete the group", method: "DELETE", path: "/api/groups/{group}/"},
	{name: "read the deleted group", method: "GET", path: "/api/groups/{group}/"},
	{name: "create a campaign", method: "POST", path: "/api/organizations/{team}/campaigns/", body: `{"name": "{name}"}`, capture: "campaign"},
	{name: "enrol the caller", method: "POST", path: "/api/organizations/{team}/campaigns/{campaign}/members/", body: `[{"email": "{email}", "data": {"step": 1}}]`},
	{name: "upsert with changed data", method: "POST", path: "/api/organizations/{team}/campaigns/{campaign}/members/", body: `[{"email": "{email}", "data": {"step": 2}}]`},
	{name: "upsert with the same data", method: "POST", path: "/api/organizations/{team}/campaigns/{campaign}/members/", body: `[{"email": "{email}", "data": {"step": 2.0}}]`},
	{name: "upsert a bad email", method: "POST", path: "/api/organizations/{team}/campaigns/{campaign}/members/", body: `[{"email": "not an email", "data": {}}]`},
	{name: "replace the campaign's members", method: "PUT", path: "/api/organizations/{team}/campaigns/{campaign}/members/", body: `[{"email": "{email}", "data": {}}]`},
	{name: "list the campaign's members", method: "GET", path: "/api/organizations/{team}/campaigns/{campaign}/members/"},
	{name: "delete the campaign", method: "DELETE", path: "/api/organizations/{team}/campaigns/{campaign}/"},
	{name: "change a member's role", method: "PATCH", path: "/api/memberships/{target}/", body: `{"role": {role}}`, needs: "target"},
	{name: "change a role to no role", method: "PUT", path: "/api/memberships/{target}/", body: `{"role": 9}`, needs: "target"},
	{name: "restore the member's role", method: "PUT", path: "/api/memberships/{target}/", body: `{"role": {oldrole}}`, needs: "target"},
}

// side is one server the scenario runs on, with the values its answers gave.
type side struct {
	c      *apiclient.Client
	vars   map[string]string
	norm   *normalizer
	failed map[string]bool // captures that did not happen
}

// writes runs the scenario on the live team and on a fake seeded from a
// recording of the live server, and reports each answer that differs. It
// restores the live team: what it creates it deletes, the role it changes
// it changes back, even when a step fails.
// caller is the part of GET /api/me/ the write scenario needs.
type caller struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	Memberships []struct {
		Organization string      `json:"organization"`
		Role         json.Number `json:"role"`
	} `json:"organization_memberships"`
}

// adminOf returns the caller, or an error unless it is an admin of team:
// the scenario deletes a group and changes a role, which only admins may.
func adminOf(ctx context.Context, c *apiclient.Client, team string) (caller, error) {
	var me caller
	if err := c.GetJSON(ctx, "/api/me/", "1.0", &me); err != nil {
		return me, err
	}
	for _, m := range me.Memberships {
		if n, _ := m.Role.Int64(); strings.EqualFold(m.Organization, team) && fake.Role(n) == fake.RoleAdmin {
			return me, nil
		}
	}
	return me, fmt.Errorf("--writes %s: the token is not an admin of that team", team)
}

func (ch *checker) writes(ctx context.Context, team string, me caller) error {
	vars := map[string]string{"team": url.PathEscape(team), "me": me.ID, "email": me.Email, "name": "pixiebrix-fake check " + randomSuffix()}
	if err := ch.pickRoleTarget(ctx, team, me.ID, vars); err != nil {
		return err
	}

	var recording bytes.Buffer
	res, err := record.Record(ctx, ch.c, &recording, record.Options{})
	if err != nil {
		return fmt.Errorf("recording the server for --writes: %w", err)
	}
	fixture, err := fake.ParseFixture(recording.Bytes())
	if err != nil {
		return fmt.Errorf("the recording of the server does not load: %w", err)
	}
	srv, err := fake.New(fake.WithFixtures(*fixture), fake.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		return fmt.Errorf("the recording of the server does not load: %w", err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	defer srv.Close()
	replay, err := apiclient.New(hs.URL, res.Tokens[0].Token, hs.Client())
	if err != nil {
		return err
	}

	live := &side{c: ch.c, vars: copyVars(vars), norm: newNormalizer(), failed: map[string]bool{}}
	sim := &side{c: replay, vars: copyVars(vars), norm: newNormalizer(), failed: map[string]bool{}}
	defer ch.restore(ctx, live)
	for _, step := range writeScenario {
		if step.needs != "" && vars[step.needs] == "" {
			ch.add(Finding{Kind: KindWrite, Operation: step.name, Detail: "skipped: the team has no member but the caller whose role could change and change back"})
			continue
		}
		a, err := ch.writeStep(ctx, live, step)
		if err != nil {
			return err
		}
		b, err := ch.writeStep(ctx, sim, step)
		if err != nil {
			return err
		}
		if a != b {
			ch.add(Finding{Kind: KindWrite, Operation: step.name, Path: step.method + " " + step.path,
				Detail: fmt.Sprintf("the live server answered %s; the fake %s", clip(a), clip(b))})
		}
	}
	return nil
}

// pickRoleTarget chooses the membership whose role the scenario changes and
// restores: the first of the team that is not the caller, an admin or an
// API account.
func (ch *checker) pickRoleTarget(ctx context.Context, team, me string, vars map[string]string) error {
	stop := errors.New("found")
	err := ch.c.Each(ctx, "/api/organizations/"+url.PathEscape(team)+"/memberships/", fake.MaxPageSize, func(raw json.RawMessage) error {
		var m struct {
			ID   json.Number `json:"id"`
			Role json.Number `json:"role"`
			User struct {
				ID                   string `json:"id"`
				ServiceAccount       bool   `json:"service_account"`
				DeploymentKeyAccount bool   `json:"deployment_key_account"`
			} `json:"user"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			return err
		}
		role, _ := m.Role.Int64()
		if m.User.ID == me || fake.Role(role) == fake.RoleAdmin || m.User.ServiceAccount || m.User.DeploymentKeyAccount {
			return nil
		}
		vars["target"], vars["oldrole"] = m.ID.String(), m.Role.String()
		vars["role"] = "4" // restricted
		if fake.Role(role) == fake.RoleRestricted {
			vars["role"] = "1" // member
		}
		return stop
	}, nil)
	if errors.Is(err, stop) {
		return nil
	}
	return err
}

// writeStep runs one step on one side and returns its answer, normalized.
func (ch *checker) writeStep(ctx context.Context, s *side, step writeStep) (string, error) {
	for name := range s.failed {
		if strings.Contains(step.path+step.body, "{"+name+"}") {
			return "not run: an earlier step did not create the " + name, nil
		}
	}
	path, body := expand(step.path, s.vars), expand(step.body, s.vars)
	req := apiclient.Request{Method: step.method, Path: path, Version: "2.0"}
	if step.body != "" {
		req.Body = []byte(body)
	}
	ch.report.Calls++
	resp, err := s.c.Do(ctx, req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return "", err
	}
	if step.capture != "" {
		if id := firstID(raw); id != "" && resp.StatusCode < 300 {
			s.vars[step.capture] = id
			delete(s.failed, step.capture)
		} else {
			s.failed[step.capture] = true
		}
	}
	if step.method == http.MethodDelete && resp.StatusCode == http.StatusNoContent {
		for _, name := range []string{"group", "campaign"} {
			if strings.HasSuffix(step.path, "/{"+name+"}/") {
				s.vars["deleted-"+name] = "yes"
			}
		}
	}
	return fmt.Sprintf("%d %s", resp.StatusCode, s.norm.normalize(raw)), nil
}

// restore undoes on the live team what the scenario did and did not undo
// itself (a step failed, or the check was interrupted).
func (ch *checker) restore(ctx context.Context, live *side) {
	ctx = context.WithoutCancel(ctx)
	undo := func(method, path, body string) {
		req := apiclient.Request{Method: method, Path: expand(path, live.vars)}
		if body != "" {
			req.Body = []byte(expand(body, live.vars))
		}
		resp, err := live.c.Do(ctx, req)
		if err != nil {
			ch.add(Finding{Kind: KindWrite, Operation: "restore", Path: method + " " + path, Detail: "could not restore: " + err.Error()})
			return
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 && resp.StatusCode != http.StatusNotFound {
			ch.add(Finding{Kind: KindWrite, Operation: "restore", Path: method + " " + path, Detail: fmt.Sprintf("could not restore: %d", resp.StatusCode)})
		}
	}
	if live.vars["group"] != "" && live.vars["deleted-group"] == "" {
		undo(http.MethodDelete, "/api/groups/{group}/", "")
	}
	if live.vars["campaign"] != "" && live.vars["deleted-campaign"] == "" {
		undo(http.MethodDelete, "/api/organizations/{team}/campaigns/{campaign}/", "")
	}
	if live.vars["target"] != "" {
		undo(http.MethodPatch, "/api/memberships/{target}/", `{"role": {oldrole}}`)
	}
}

func expand(s string, vars map[string]string) string {
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

func copyVars(vars map[string]string) map[string]string {
	out := make(map[string]string, len(vars))
	for k, v := range vars {
		out[k] = v
	}
	return out
}

// firstID is the "id" of an object answer or of the first item of a list.
func firstID(raw []byte) string {
	var one struct {
		ID json.RawMessage `json:"id"`
	}
	var many []struct {
		ID json.RawMessage `json:"id"`
	}
	switch {
	case json.Unmarshal(raw, &one) == nil && one.ID != nil:
	case json.Unmarshal(raw, &many) == nil && len(many) > 0:
		one.ID = many[0].ID
	default:
		return ""
	}
	var s string
	if json.Unmarshal(one.ID, &s) == nil {
		return s
	}
	return string(one.ID)
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func clip(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}

// normalizer makes two servers' answers comparable: the ids and times a
// server makes up are its own, so each UUID and each time becomes a
// placeholder numbered by its first appearance on that server. Answers that
// mean the same then read the same, keys sorted.
type normalizer struct {
	uuids, times map[string]string
}

func newNormalizer() *normalizer {
	return &normalizer{uuids: map[string]string{}, times: map[string]string{}}
}

var timePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)

func (n *normalizer) normalize(raw []byte) string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if len(bytes.TrimSpace(raw)) == 0 {
		return ""
	}
	if err := dec.Decode(&v); err != nil {
		return string(raw)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(n.walk(v))
	return strings.TrimSpace(out.String())
}

func (n *normalizer) walk(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(v) { // numbered in one order on both servers
			v[k] = n.walk(v[k])
		}
	case []any:
		for i, x := range v {
			v[i] = n.walk(x)
		}
	case string:
		switch {
		case uuidPattern.MatchString(v):
			return placeholder(n.uuids, strings.ToLower(v), "uuid")
		case timePattern.MatchString(v):
			return placeholder(n.times, v, "time")
		}
	}
	return v
}

func placeholder(seen map[string]string, value, kind string) string {
	if p, ok := seen[value]; ok {
		return p
	}
	p := fmt.Sprintf("<%s-%d>", kind, len(seen)+1)
	seen[value] = p
	return p
}
