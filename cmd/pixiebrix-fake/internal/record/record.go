// Package record reads, through the public API only, everything a token can
// see of its teams and writes a fixture (fake.Fixture's format) that makes
// the fake answer every read operation as the server did. It streams: one
// page of one list is in memory at a time, and the fixture is written as the
// pages arrive; what it keeps grows with the number of people only (their
// emails, for the tokens and the one-user-per-email rule), never with the
// size of a body.
package record

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake/internal/apiclient"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// Options tune a recording.
type Options struct {
	// Anonymize replaces people's names and the local parts of their emails
	// with fake ones drawn from Seed: the same person gets the same fake
	// identity everywhere, and domains are kept, so verified domains stay
	// consistent.
	Anonymize bool
	Seed      int64
	// PageSize is the page_size asked of every list (version 2.0).
	PageSize int
	// Progress, if not nil, gets a line per page of a list longer than one
	// page, and a note per thing the token cannot read.
	Progress io.Writer
}

// Result is what a recording wrote.
type Result struct {
	// Tokens are the generated tokens, one per account, in the order the
	// accounts first appear in the fixture.
	Tokens                                   []Token
	Teams, Members, Groups, Campaigns, Users int
}

// Token is the generated token of one account of the fixture.
type Token struct{ Email, Token string }

// WriteTokens writes the tokens as one JSON line, {"tokens": {email: token}},
// the shape of the serve command's ready line.
func (r Result) WriteTokens(w io.Writer) error {
	var b strings.Builder
	b.WriteString(`{"tokens":{`)
	for i, t := range r.Tokens {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(jsonString(t.Email))
		b.WriteByte(':')
		b.WriteString(jsonString(t.Token))
	}
	b.WriteString("}}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// me is the part of GET /api/me/ a recording needs. Its organization and
// organization_memberships are kept as objects: besides ids and roles they
// show team settings the team's own resource does not (the primary team's
// is_enterprise and theme, every team's control_room) and the caller's
// per-team is_deployment_manager.
type me struct {
	ID                   string           `json:"id"`
	Email                string           `json:"email"`
	Name                 string           `json:"name"`
	ServiceAccount       bool             `json:"service_account"`
	DeploymentKeyAccount bool             `json:"deployment_key_account"`
	Organization         map[string]any   `json:"organization"`
	Memberships          []map[string]any `json:"organization_memberships"`
	// The caller's own flags, which no other resource shows.
	Scope       *string `json:"scope"`
	IsOnboarded *bool   `json:"is_onboarded"`
	TestAccount bool    `json:"test_account"`
}

// callerTeam is what Me shows of one of the caller's teams.
type callerTeam struct {
	role                fake.Role
	isDeploymentManager bool
	// settings are the keys of the fixture's team format that Me shows,
	// written after those of the team's own resource, which wins.
	settings map[string]any
}

type recorder struct {
	c    *apiclient.Client
	opts Options
	out  *bufio.Writer
	anon *anonymizer

	caller    me
	teams     map[string]*callerTeam // by team id, from Me
	teamID    string                 // the id of the team being written
	seen      map[string]bool        // lowercased emails of the accounts written
	res       Result
	skipped   map[string]bool // API fields the fixture format cannot hold, noted once
	callerTok string
	// memberGroups, while not nil, collects the groups that team members
	// show (id → group): how a token that cannot list groups still records
	// who is in which.
	memberGroups map[string]*seenGroup
	groupOrder   []string
}

// seenGroup is a group as the members of a team show it.
type seenGroup struct {
	name   string
	emails []string
}

// Record writes to out a fixture of everything the client's token can see.
func Record(ctx context.Context, c *apiclient.Client, out io.Writer, opts Options) (Result, error) {
	if opts.PageSize <= 0 {
		opts.PageSize = fake.MaxPageSize
	}
	r := &recorder{
		c: c, opts: opts, out: bufio.NewWriterSize(out, 64<<10),
		seen: map[string]bool{}, skipped: map[string]bool{},
	}
	if opts.Anonymize {
		r.anon = newAnonymizer(opts.Seed)
	}
	if err := r.record(ctx); err != nil {
		return Result{}, err
	}
	return r.res, r.out.Flush()
}

func (r *recorder) record(ctx context.Context) error {
	// /api/me/ first: it checks the URL, the token and the version at once.
	if err := r.c.GetJSON(ctx, "/api/me/", "1.0", &r.caller); err != nil {
		return err
	}
	if r.caller.ID == "" || r.caller.Email == "" {
		return fmt.Errorf("GET %s answered no user: the token was not accepted", r.c.URL("/api/me/"))
	}
	// Version 2.0 is where lists are paged; a server that refuses it cannot
	// be recorded page by page. (Not asked of a list: a team in a list
	// carries every member, which is not for holding whole.)
	var me2 struct{}
	if err := r.c.GetJSON(ctx, "/api/me/", "2.0", &me2); err != nil {
		return fmt.Errorf("version 2.0, which pages lists: %w", err)
	}
	fmt.Fprintln(r.out, "# Recorded through the API by `pixiebrix-fake record`. No real token is in this file:")
	fmt.Fprintln(r.out, "# every account has a generated one, printed once when the recording was made.")
	if r.opts.Anonymize {
		fmt.Fprintln(r.out, "# Anonymized: names and email local parts are fake (ids, times and team, group and campaign names are kept).")
	}
	fmt.Fprintln(r.out, "# verified_domains are inferred (the API does not show them): the domains of pending group and campaign members.")
	r.callerTok = newToken()
	fmt.Fprintln(r.out, "organizations:")
	// The team the caller joined first is its primary one (Me.organization):
	// the fake takes the order of the fixture for that.
	order := r.callerTeams()
	for _, id := range order {
		role := r.teams[id].role
		if err := r.team(ctx, id, role == fake.RoleAdmin || role == fake.RoleManager); err != nil {
			return err
		}
	}
	if len(order) == 0 {
		fmt.Fprintln(r.out, "  []")
	}
	// The caller is listed as a user too: its token is given there, and a
	// caller in no team still authenticates.
	fmt.Fprintln(r.out, "users:")
	u := orderedObject{}
	u.add("email", r.email(r.caller.Email))
	u.add("name", r.name(r.caller.Email, r.caller.Name))
	u.add("user_id", r.caller.ID)
	if r.caller.ServiceAccount {
		u.add("service_account", true)
	}
	if r.caller.DeploymentKeyAccount {
		u.add("deployment_key_account", true)
	}
	// The caller's own flags: other people's are not visible through the
	// API, and take the defaults in the recording.
	if r.caller.IsOnboarded != nil && !*r.caller.IsOnboarded {
		u.add("is_onboarded", false)
	}
	if r.caller.TestAccount {
		u.add("test_account", true)
	}
	if r.caller.Scope != nil {
		u.add("user_scope", r.userScope(r.caller.Email, *r.caller.Scope))
	}
	u.add("token", r.callerTok)
	// The caller's own preferences (issue 11, "teams"): the fixture holds
	// them on the user's entry. Decoded with UseNumber, so that numbers keep
	// their digits.
	var settings, milestones any
	if err := r.c.GetJSON(ctx, "/api/me/settings/webextension/", "1.0", &settings); err != nil {
		return err
	}
	if err := r.c.GetJSON(ctx, "/api/me/milestones/", "1.0", &milestones); err != nil {
		return err
	}
	u.add("extension_settings", settings)
	if list, _ := milestones.([]any); len(list) > 0 {
		u.add("milestones", milestones)
	}
	fmt.Fprintf(r.out, "  - %s\n", u.json())
	if !r.seen[strings.ToLower(r.caller.Email)] {
		r.seen[strings.ToLower(r.caller.Email)] = true
		r.res.Users++
	}
	r.res.Tokens = append([]Token{{Email: r.email(r.caller.Email), Token: r.callerTok}}, r.res.Tokens...)
	return nil
}

// callerTeams reads the caller's teams out of Me, primary team first, and
// keeps what Me shows of each.
func (r *recorder) callerTeams() []string {
	r.teams = map[string]*callerTeam{}
	var order []string
	get := func(id string) *callerTeam {
		t := r.teams[id]
		if t == nil {
			t = &callerTeam{settings: map[string]any{}}
			r.teams[id] = t
			order = append(order, id)
		}
		return t
	}
	if id, ok := r.caller.Organization["id"].(string); ok {
		get(id)
	}
	for _, m := range r.caller.Memberships {
		id, _ := m["organization"].(string)
		t := get(id)
		if role, ok := m["role"].(json.Number); ok {
			n, _ := role.Int64()
			t.role = fake.Role(n)
		}
		t.isDeploymentManager, _ = m["is_deployment_manager"].(bool)
		for k, v := range m {
			if isTeamSetting(k) {
				t.settings[k] = v
			}
		}
	}
	if id, ok := r.caller.Organization["id"].(string); ok {
		for k, v := range r.caller.Organization {
			if isTeamSetting(k) {
				r.teams[id].settings[k] = v
			}
		}
	}
	return order
}

// isTeamSetting says whether a key of a team (in its resource or in Me) is
// one the fixture's team format holds as a value: not the people, groups
// and campaigns, which are read from their own lists, and not what a
// recording infers or never writes.
func isTeamSetting(k string) bool {
	switch k {
	case "members", "groups", "campaigns", "generate", "verified_domains":
		return false
	}
	return orgKeys[k]
}

// team writes one team: its settings, members, groups and campaigns, and the
// verified domains its pending members need.
func (r *recorder) team(ctx context.Context, id string, canManage bool) error {
	esc := url.PathEscape(id)
	resp, err := r.c.Do(ctx, apiclient.Request{Path: "/api/organizations/" + esc + "/", Version: "1.0"})
	if err != nil {
		return err
	}
	if err := apiclient.Expect(resp, 200); err != nil {
		return err
	}
	r.res.Teams++
	first := true
	key := func(k string) string {
		if first {
			first = false
			return "  - " + k
		}
		return "    " + k
	}
	teamName := id
	r.teamID = id
	written := map[string]bool{}
	// The team's settings are copied key by key, every key the fixture
	// format knows, so that settings it learns later round-trip unchanged.
	setting := func(k string, v any) {
		if v = r.fixtureValue("team", orgFields[k], v); v != nil {
			fmt.Fprintf(r.out, "%s: %s\n", key(k), flow(v))
		}
		written[k] = true
	}
	if !canManage {
		r.memberGroups, r.groupOrder = map[string]*seenGroup{}, nil
		defer func() { r.memberGroups = nil }()
	}
	err = streamObject(resp.Body, func(k string, dec *json.Decoder) error {
		if k == "members" {
			if canManage { // read page by page below instead
				return skipValue(dec)
			}
			fmt.Fprintf(r.out, "%s:\n", key("members"))
			return streamArrayFrom(dec, func(raw json.RawMessage) error { return r.member(raw) })
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return err
		}
		if k == "name" {
			teamName = fmt.Sprint(v)
		}
		if !isTeamSetting(k) {
			r.skip("team", k)
			return nil
		}
		setting(k, v)
		return nil
	})
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("GET %s: %w", r.c.URL("/api/organizations/"+esc+"/"), err)
	}
	if first { // an empty object: keep the item well-formed
		setting("id", id)
	}
	// Then what only Me shows (the team's own resource wins where both do).
	if t := r.teams[id]; t != nil {
		keys := make([]string, 0, len(t.settings))
		for k := range t.settings {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !written[k] {
				setting(k, t.settings[k])
			}
		}
	}
	domains := map[string]bool{}
	if canManage {
		fmt.Fprintf(r.out, "%s:\n", key("members"))
		err := r.c.Each(ctx, "/api/organizations/"+esc+"/memberships/", r.opts.PageSize, r.member, r.progress(teamName, "members"))
		if err != nil {
			return err
		}
		if err := r.list(ctx, groupsOf(), esc, teamName, domains); err != nil {
			return err
		}
		if err := r.list(ctx, campaignsOf(esc), esc, teamName, domains); err != nil {
			return err
		}
		if err := r.invitations(ctx, esc, teamName); err != nil {
			return err
		}
	} else {
		r.notef("%s: the token's role cannot read groups or campaigns: the recording has the groups its members show (no pending members, no times) and no campaigns", teamName)
		r.writeMemberGroups()
	}
	if len(domains) > 0 {
		list := make([]string, 0, len(domains))
		for d := range domains {
			list = append(list, d)
		}
		slices.Sort(list)
		fmt.Fprintf(r.out, "    verified_domains: %s\n", flow(list))
	}
	return nil
}

// invitations writes a team's pending invitations. The inviter is kept when
// the recording already holds their account (so the fixture loads); else
// it is left out, and the fixture names the team's first admin.
func (r *recorder) invitations(ctx context.Context, org, teamName string) error {
	first := true
	return r.c.Each(ctx, "/api/organizations/"+org+"/invitations/", r.opts.PageSize, func(raw json.RawMessage) error {
		var inv struct {
			ID      string      `json:"id"`
			Email   string      `json:"email"`
			Role    json.Number `json:"role"`
			Inviter struct {
				Email string `json:"email"`
			} `json:"inviter"`
		}
		if err := decode(raw, &inv); err != nil {
			return err
		}
		if first {
			first = false
			fmt.Fprintln(r.out, "    invitations:")
		}
		o := orderedObject{}
		o.add("email", r.email(inv.Email))
		if n, err := inv.Role.Int64(); err == nil && n >= int64(fake.RoleMember) && n <= int64(fake.RoleManager) {
			o.add("role", fake.Role(n).String())
		}
		if key := strings.ToLower(inv.Inviter.Email); key != "" && (r.seen[key] || key == strings.ToLower(r.caller.Email)) {
			o.add("inviter", r.email(inv.Inviter.Email))
		}
		o.add("id", inv.ID)
		_, err := fmt.Fprintf(r.out, "      - %s\n", o.json())
		return err
	}, r.progress(teamName, "invitations"))
}

// member writes one team membership as a fixture member.
func (r *recorder) member(raw json.RawMessage) error {
	var m map[string]any
	if err := decode(raw, &m); err != nil {
		return err
	}
	user, _ := m["user"].(map[string]any)
	email, _ := user["email"].(string)
	if email == "" {
		return fmt.Errorf("a membership without user.email: %.200s", raw)
	}
	o := orderedObject{}
	o.add("email", r.email(email))
	if name, ok := user["name"].(string); ok {
		o.add("name", r.name(email, name))
	}
	if role, ok := m["role"].(json.Number); ok {
		// By name where the fixture knows it (it reads numbers too).
		if n, err := role.Int64(); err == nil && n >= int64(fake.RoleMember) && n <= int64(fake.RoleManager) {
			o.add("role", fake.Role(n).String())
		} else {
			o.add("role", role)
		}
	}
	o.add("user_id", user["id"])
	o.add("membership_id", m["id"])
	for _, k := range []string{"date_joined"} {
		if v, ok := user[k]; ok && v != nil {
			o.add(k, v)
		}
	}
	for _, k := range []string{"last_active_at", "last_login_at"} {
		if v, ok := m[k]; ok && v != nil {
			o.add(k, v)
		}
	}
	for _, k := range []string{"service_account", "deployment_key_account"} {
		if v, ok := user[k].(bool); ok && v {
			o.add(k, true)
		}
	}
	// Whatever else the fixture format can hold is copied through.
	handled := map[string]bool{"email": true, "name": true, "role": true, "id": true, "user": true, "groups": true,
		"date_joined": true, "last_active_at": true, "last_login_at": true, "service_account": true, "deployment_key_account": true}
	// A membership does not show is_deployment_manager; Me shows the
	// caller's own, team by team.
	if _, shown := m["is_deployment_manager"]; !shown && strings.EqualFold(email, r.caller.Email) {
		if t := r.teams[r.teamID]; t != nil && t.isDeploymentManager {
			o.add("is_deployment_manager", true)
			handled["is_deployment_manager"] = true
		}
	}
	copyKnown(&o, user, handled, memberKeys, func(k string) { r.skip("member user", k) })
	copyKnown(&o, m, handled, memberKeys, func(k string) { r.skip("membership", k) })
	if r.memberGroups != nil {
		groups, _ := m["groups"].([]any)
		for _, g := range groups {
			g, _ := g.(map[string]any)
			id, _ := g["id"].(string)
			name, _ := g["name"].(string)
			sg := r.memberGroups[id]
			if sg == nil {
				sg = &seenGroup{name: name}
				r.memberGroups[id] = sg
				r.groupOrder = append(r.groupOrder, id)
			}
			sg.emails = append(sg.emails, r.email(email))
		}
	}
	key := strings.ToLower(email)
	if !r.seen[key] {
		r.seen[key] = true
		r.res.Users++
		if key != strings.ToLower(r.caller.Email) {
			tok := newToken()
			o.add("token", tok)
			r.res.Tokens = append(r.res.Tokens, Token{Email: r.email(email), Token: tok})
		}
	}
	r.res.Members++
	_, err := fmt.Fprintf(r.out, "      - %s\n", o.json())
	return err
}

// writeMemberGroups writes the groups the team's members showed.
func (r *recorder) writeMemberGroups() {
	if len(r.groupOrder) == 0 {
		return
	}
	fmt.Fprintln(r.out, "    groups:")
	for _, id := range r.groupOrder {
		g := r.memberGroups[id]
		fmt.Fprintf(r.out, "      - name: %s\n        id: %s\n        members: %s\n", flow(g.name), flow(id), flow(g.emails))
		r.res.Groups++
	}
}

// head is a group or campaign as its list shows it, kept while its members
// are read.
type head map[string]any

// collection describes a list of a team whose items have members: groups or
// campaigns.
type collection struct {
	what        string // "group" or "campaign"
	key         string // the fixture's key: "groups" or "campaigns"
	keys        map[string]bool
	derived     map[string]bool // fields the fake derives (num_members)
	membersPath func(id string) string
	account     string          // the member field that is null for a pending email
	memberKeys  map[string]bool // the fixture's keys of a member
	handled     map[string]bool // member fields derived or written first
}

func groupsOf() collection {
	return collection{
		what: "group", key: "groups", keys: groupKeys, derived: map[string]bool{"num_members": true},
		membersPath: func(id string) string { return "/api/groups/" + id + "/memberships/" },
		account:     "user", memberKeys: groupMemberKeys,
		handled: map[string]bool{"email": true, "user": true, "campaigns": true},
	}
}

func campaignsOf(org string) collection {
	return collection{
		what: "campaign", key: "campaigns", keys: campaignKeys,
		membersPath: func(id string) string { return "/api/organizations/" + org + "/campaigns/" + id + "/members/" },
		account:     "account", memberKeys: campaignMemberKeys,
		handled: map[string]bool{"email": true, "data": true, "account": true, "groups": true,
			"assigned_deployments": true, "latest_client": true},
	}
}

// list writes the groups or campaigns of a team, each with its members read
// page by page. A pending member's domain goes into domains.
func (r *recorder) list(ctx context.Context, col collection, org, teamName string, domains map[string]bool) error {
	var heads []head
	err := r.c.Each(ctx, "/api/organizations/"+org+"/"+col.key+"/", r.opts.PageSize, func(raw json.RawMessage) error {
		var h head
		if err := decode(raw, &h); err != nil {
			return err
		}
		heads = append(heads, h)
		return nil
	}, r.progress(teamName, col.key))
	if err != nil || len(heads) == 0 {
		return err
	}
	fmt.Fprintf(r.out, "    %s:\n", col.key)
	for _, h := range heads {
		id, _ := h["id"].(string)
		r.writeHead(h, col.keys, col.derived, col.what)
		fmt.Fprintln(r.out, "        members:")
		name, _ := h["name"].(string)
		err := r.c.Each(ctx, col.membersPath(url.PathEscape(id)), r.opts.PageSize, func(raw json.RawMessage) error {
			var m map[string]any
			if err := decode(raw, &m); err != nil {
				return err
			}
			email, _ := m["email"].(string)
			if m[col.account] == nil {
				domains[domainOf(email)] = true
			}
			o := orderedObject{}
			o.add("email", r.email(email))
			if d, ok := m["data"]; ok && col.memberKeys["data"] {
				o.add("data", d)
			}
			copyKnown(&o, m, col.handled, col.memberKeys, func(k string) { r.skip(col.what+" member", k) })
			_, err := fmt.Fprintf(r.out, "          - %s\n", o.json())
			return err
		}, r.progress(teamName+": "+col.what+" "+name, "members"))
		if err != nil {
			return err
		}
		if col.what == "group" {
			r.res.Groups++
		} else {
			r.res.Campaigns++
		}
	}
	return nil
}

// writeHead writes the keys of a group or campaign that the fixture knows.
func (r *recorder) writeHead(h head, known, derived map[string]bool, what string) {
	o := orderedObject{}
	for _, k := range []string{"name", "id"} {
		if v, ok := h[k]; ok {
			o.add(k, v)
		}
	}
	handled := map[string]bool{"name": true, "id": true, "members": true}
	for k := range derived {
		handled[k] = true
	}
	copyKnown(&o, h, handled, known, func(k string) { r.skip(what, k) })
	for i, kv := range o {
		prefix := "        "
		if i == 0 {
			prefix = "      - "
		}
		fmt.Fprintf(r.out, "%s%s: %s\n", prefix, kv.key, flow(kv.value))
	}
}

func (r *recorder) progress(what, items string) func(apiclient.Page) {
	if r.opts.Progress == nil {
		return nil
	}
	return func(p apiclient.Page) {
		if p.Total > r.opts.PageSize {
			fmt.Fprintf(r.opts.Progress, "record: %s: %d of %d %s\n", what, p.Items, p.Total, items)
		}
	}
}

func (r *recorder) notef(format string, args ...any) {
	if r.opts.Progress != nil {
		fmt.Fprintf(r.opts.Progress, "record: "+format+"\n", args...)
	}
}

// skip notes, once per field, a field the API sent that the fixture format
// cannot hold (or derives from others).
func (r *recorder) skip(what, key string) {
	if r.skipped[what+"."+key] {
		return
	}
	r.skipped[what+"."+key] = true
	r.notef("a %s's %q is not something a fixture holds; not recorded", what, key)
}

func (r *recorder) email(email string) string {
	if r.anon == nil {
		return email
	}
	return r.anon.email(email)
}

// userScope is a user's own package scope; anonymized, one made from the
// person's fake email, since a scope usually names its owner.
func (r *recorder) userScope(email, scope string) string {
	if r.anon == nil {
		return scope
	}
	return r.anon.scope(email)
}

func (r *recorder) name(email, name string) string {
	if r.anon == nil || name == "" {
		return name
	}
	return r.anon.name(email)
}

// copyKnown adds the keys of src that the fixture type knows (known) and the
// recorder did not already handle; any other key is reported to unknown.
func copyKnown(o *orderedObject, src map[string]any, handled, known map[string]bool, unknown func(string)) {
	keys := make([]string, 0, len(src))
	for k := range src {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch {
		case handled[k]:
		case known[k]:
			if src[k] != nil {
				o.add(k, src[k])
			}
		default:
			unknown(k)
		}
	}
}

// fixtureValue is v as the fixture field of type t holds it: an object for
// a nested fixture type (a team's theme or control_room) keeps the keys that
// type knows, and any other is noted; nil stands for "leave the key out"
// (the fake then takes its default).
func (r *recorder) fixtureValue(what string, t reflect.Type, v any) any {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	obj, isObject := v.(map[string]any)
	if !isObject || t == nil || t.Kind() != reflect.Struct || t == reflect.TypeFor[time.Time]() {
		return v
	}
	fields := yamlFields(t)
	kept := map[string]any{}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		ft, known := fields[k]
		if !known {
			r.skip(what, k)
			continue
		}
		if fv := r.fixtureValue(what+" "+k, ft, obj[k]); fv != nil {
			kept[k] = fv
		}
	}
	return kept
}

// The keys of the fixture format, read from its Go types, so that a key the
// format gains is copied through without a change here.
var (
	orgFields          = yamlFields(reflect.TypeFor[fake.FixtureOrganization]())
	orgKeys            = yamlKeys(reflect.TypeFor[fake.FixtureOrganization]())
	memberKeys         = yamlKeys(reflect.TypeFor[fake.FixtureMember]())
	groupKeys          = yamlKeys(reflect.TypeFor[fake.FixtureGroup]())
	groupMemberKeys    = yamlKeys(reflect.TypeFor[fake.FixtureGroupMember]())
	campaignKeys       = yamlKeys(reflect.TypeFor[fake.FixtureCampaign]())
	campaignMemberKeys = yamlKeys(reflect.TypeFor[fake.FixtureCampaignMember]())
)

func yamlKeys(t reflect.Type) map[string]bool {
	keys := map[string]bool{}
	for k := range yamlFields(t) {
		keys[k] = true
	}
	return keys
}

// yamlFields maps the YAML keys of a fixture struct to their Go types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			fields[name] = t.Field(i).Type
		}
	}
	return fields
}

func domainOf(email string) string {
	_, domain, _ := strings.Cut(email, "@")
	return strings.ToLower(domain)
}

// newToken is a fresh random token: 40 hex digits, like DRF's.
func newToken() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
