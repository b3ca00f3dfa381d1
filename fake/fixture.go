package fake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Fixture is seed data in the fixture format (fixtures/README.md): teams
// with their members, groups and campaigns, and users who are in no team.
// Every id and time is optional; absent ones are generated from the seed.
type Fixture struct {
	Organizations []FixtureOrganization `yaml:"organizations" json:"organizations"`
	// Users are seeded before the teams. A user listed here and as a team
	// member is one user, as the same email in two teams is; the state lists
	// here only the users who are in no team.
	Users []FixtureUser `yaml:"users,omitempty" json:"users,omitempty"`
	// Outbox holds the e-mails the server would have sent (outbox.go),
	// oldest first.
	Outbox []OutboxMessage `yaml:"outbox,omitempty" json:"outbox,omitempty"`
}

// FixtureUser is a user account, in a team or not: a team member's details
// without the membership. It keeps its token, so a user removed from every
// team still authenticates.
type FixtureUser struct {
	Email                string     `yaml:"email" json:"email"`
	Name                 string     `yaml:"name,omitempty" json:"name,omitempty"`
	Token                string     `yaml:"token,omitempty" json:"token,omitempty"`
	UserID               string     `yaml:"user_id,omitempty" json:"user_id,omitempty"`
	DateJoined           *time.Time `yaml:"date_joined,omitempty" json:"date_joined,omitempty"`
	ServiceAccount       bool       `yaml:"service_account,omitempty" json:"service_account,omitempty"`
	DeploymentKeyAccount bool       `yaml:"deployment_key_account,omitempty" json:"deployment_key_account,omitempty"`
	// IsOnboarded is true when absent; TestAccount false.
	IsOnboarded *bool `yaml:"is_onboarded,omitempty" json:"is_onboarded,omitempty"`
	TestAccount bool  `yaml:"test_account,omitempty" json:"test_account,omitempty"`
	// UserScope is the user's own package scope (Me's scope); null when absent.
	UserScope *string `yaml:"user_scope,omitempty" json:"user_scope,omitempty"`
	// The user's own preferences (issue 11, "teams"): extension settings
	// over the defaults, and the milestones reached, in order.
	ExtensionSettings *ExtensionSettingsChange `yaml:"extension_settings,omitempty" json:"extension_settings,omitempty"`
	Milestones        []Milestone              `yaml:"milestones,omitempty" json:"milestones,omitempty"`
}

// FixtureOrganization is one team of a fixture.
type FixtureOrganization struct {
	ID              string            `yaml:"id,omitempty" json:"id,omitempty"`
	Name            string            `yaml:"name" json:"name"`
	Scope           *string           `yaml:"scope,omitempty" json:"scope,omitempty"`
	DefaultRole     Role              `yaml:"default_role,omitempty" json:"default_role,omitempty"`
	VerifiedDomains []string          `yaml:"verified_domains,omitempty" json:"verified_domains,omitempty"`
	Generate        *FixtureGenerate  `yaml:"generate,omitempty" json:"generate,omitempty"`
	Members         []FixtureMember   `yaml:"members,omitempty" json:"members,omitempty"`
	Groups          []FixtureGroup    `yaml:"groups,omitempty" json:"groups,omitempty"`
	Campaigns       []FixtureCampaign `yaml:"campaigns,omitempty" json:"campaigns,omitempty"`
	// Invitations are the team's pending invitations, in the order made.
	Invitations []FixtureInvitation `yaml:"invitations,omitempty" json:"invitations,omitempty"`

	// The team's settings (team_settings.go); absent ones take the defaults.
	EnforceUpdateMillis       *int                `yaml:"enforce_update_millis,omitempty" json:"enforce_update_millis,omitempty"`
	SessionIdleTimeoutMinutes *int                `yaml:"session_idle_timeout_minutes,omitempty" json:"session_idle_timeout_minutes,omitempty"`
	TrialEndTimestamp         *time.Time          `yaml:"trial_end_timestamp,omitempty" json:"trial_end_timestamp,omitempty"`
	EnableInvitations         *bool               `yaml:"enable_invitations,omitempty" json:"enable_invitations,omitempty"`
	AIDefaultChatCopilot      *bool               `yaml:"ai_default_chat_copilot,omitempty" json:"ai_default_chat_copilot,omitempty"`
	IsEnterprise              bool                `yaml:"is_enterprise,omitempty" json:"is_enterprise,omitempty"`
	Theme                     *FixtureTheme       `yaml:"theme,omitempty" json:"theme,omitempty"`
	ControlRoom               *FixtureControlRoom `yaml:"control_room,omitempty" json:"control_room,omitempty"`
}

// FixtureTheme is a team's theme; absent keys keep PixieBrix's own.
type FixtureTheme struct {
	ShowSidebarLogo     *bool   `yaml:"show_sidebar_logo,omitempty" json:"show_sidebar_logo,omitempty"`
	Logo                *string `yaml:"logo,omitempty" json:"logo,omitempty"`
	ToolbarIcon         *string `yaml:"toolbar_icon,omitempty" json:"toolbar_icon,omitempty"`
	FabLogo             *string `yaml:"fab_logo,omitempty" json:"fab_logo,omitempty"`
	WhitelabelThemeName string  `yaml:"whitelabel_theme_name,omitempty" json:"whitelabel_theme_name,omitempty"`
}

// FixtureControlRoom is the Automation Anywhere Control Room a team is linked
// to; an absent id or url is made from the team's id or name.
type FixtureControlRoom struct {
	ID  string `yaml:"id,omitempty" json:"id,omitempty"`
	URL string `yaml:"url,omitempty" json:"url,omitempty"`
}

// FixtureGenerate asks for extra generated data in a team.
type FixtureGenerate struct {
	Members   int `yaml:"members,omitempty" json:"members,omitempty"`
	Groups    int `yaml:"groups,omitempty" json:"groups,omitempty"`
	Campaigns int `yaml:"campaigns,omitempty" json:"campaigns,omitempty"`
}

// FixtureMember is a member of a team. The same email in two teams is one
// user.
type FixtureMember struct {
	Email                string     `yaml:"email" json:"email"`
	Name                 string     `yaml:"name,omitempty" json:"name,omitempty"`
	Role                 Role       `yaml:"role,omitempty" json:"role,omitempty"`
	Token                string     `yaml:"token,omitempty" json:"token,omitempty"`
	ServiceAccount       bool       `yaml:"service_account,omitempty" json:"service_account,omitempty"`
	DeploymentKeyAccount bool       `yaml:"deployment_key_account,omitempty" json:"deployment_key_account,omitempty"`
	UserID               string     `yaml:"user_id,omitempty" json:"user_id,omitempty"`
	MembershipID         int        `yaml:"membership_id,omitempty" json:"membership_id,omitempty"`
	DateJoined           *time.Time `yaml:"date_joined,omitempty" json:"date_joined,omitempty"`
	LastActiveAt         *time.Time `yaml:"last_active_at,omitempty" json:"last_active_at,omitempty"`
	LastLoginAt          *time.Time `yaml:"last_login_at,omitempty" json:"last_login_at,omitempty"`
	IsOnboarded          *bool      `yaml:"is_onboarded,omitempty" json:"is_onboarded,omitempty"`
	TestAccount          bool       `yaml:"test_account,omitempty" json:"test_account,omitempty"`
	IsDeploymentManager  bool       `yaml:"is_deployment_manager,omitempty" json:"is_deployment_manager,omitempty"`
	UserScope            *string    `yaml:"user_scope,omitempty" json:"user_scope,omitempty"`
	// The user's own preferences (issue 11, "teams"), as in FixtureUser:
	// given once for a user listed in several teams.
	ExtensionSettings *ExtensionSettingsChange `yaml:"extension_settings,omitempty" json:"extension_settings,omitempty"`
	Milestones        []Milestone              `yaml:"milestones,omitempty" json:"milestones,omitempty"`
}

// FixtureGroup is a group of a team.
type FixtureGroup struct {
	ID        string               `yaml:"id,omitempty" json:"id,omitempty"`
	Name      string               `yaml:"name" json:"name"`
	CreatedAt *time.Time           `yaml:"created_at,omitempty" json:"created_at,omitempty"`
	Members   []FixtureGroupMember `yaml:"members,omitempty" json:"members,omitempty"`
}

// FixtureGroupMember is a person in a group, by email: a team member, or an
// email of a verified domain with no account yet. In YAML it may be written
// as the bare email.
type FixtureGroupMember struct {
	Email        string     `yaml:"email" json:"email"`
	ID           string     `yaml:"id,omitempty" json:"id,omitempty"`
	CreatedAt    *time.Time `yaml:"created_at,omitempty" json:"created_at,omitempty"`
	LastActiveAt *time.Time `yaml:"last_active_at,omitempty" json:"last_active_at,omitempty"`
}

// FixtureInvitation is a team's pending invitation of an e-mail (which may
// be a user's or no one's yet). Inviter is the e-mail of a user (of any
// team, or none) named as the inviter; absent, the team's first admin.
// Role absent is the team's default role.
type FixtureInvitation struct {
	Email     string     `yaml:"email" json:"email"`
	Role      Role       `yaml:"role,omitempty" json:"role,omitempty"`
	Inviter   string     `yaml:"inviter,omitempty" json:"inviter,omitempty"`
	ID        string     `yaml:"id,omitempty" json:"id,omitempty"`
	CreatedAt *time.Time `yaml:"created_at,omitempty" json:"created_at,omitempty"`
}

// FixtureCampaign is a campaign of a team.
type FixtureCampaign struct {
	ID        string                  `yaml:"id,omitempty" json:"id,omitempty"`
	Name      string                  `yaml:"name" json:"name"`
	CreatedAt *time.Time              `yaml:"created_at,omitempty" json:"created_at,omitempty"`
	UpdatedAt *time.Time              `yaml:"updated_at,omitempty" json:"updated_at,omitempty"`
	Members   []FixtureCampaignMember `yaml:"members,omitempty" json:"members,omitempty"`
}

// FixtureCampaignMember is an email enrolled in a campaign. Data is free-form
// JSON; absent, it is {} (and JSON always writes it, as the API does).
type FixtureCampaignMember struct {
	Email        string         `yaml:"email" json:"email"`
	Data         map[string]any `yaml:"data,omitempty" json:"data"`
	ID           string         `yaml:"id,omitempty" json:"id,omitempty"`
	CreatedAt    *time.Time     `yaml:"created_at,omitempty" json:"created_at,omitempty"`
	UpdatedAt    *time.Time     `yaml:"updated_at,omitempty" json:"updated_at,omitempty"`
	LastActiveAt *time.Time     `yaml:"last_active_at,omitempty" json:"last_active_at,omitempty"`
}

// ParseFixture reads a fixture in YAML or JSON. It is strict: an unknown or
// repeated key, a value of the wrong type, an unknown role, a second YAML
// document or an empty file is an error that names its line and, where it
// can, its path (organizations[0] (Acme Corp): members[2] (x@acme.test): …).
// Absent campaign member data is {}; times are in UTC. A document that is
// valid JSON is read as JSON (ParseFixtureJSON), so that its numbers and
// keys stay as written; anything else is read as YAML.
func ParseFixture(data []byte) (*Fixture, error) {
	if json.Valid(data) {
		// JSON read as YAML would lose numbers (1e400, 2^64+1) and read a
		// "<<" key as a merge: a JSON fixture is read as JSON.
		return ParseFixtureJSON(data)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errEmptyFixture
		}
		return nil, yamlError(err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, fmt.Errorf("the fixture holds more than one YAML document: %w", yamlError(err))
	default:
		return nil, fmt.Errorf("line %d: a second YAML document starts here; a fixture is one document", extra.Line)
	}
	if len(doc.Content) == 0 || doc.Content[0].ShortTag() == "!!null" {
		return nil, errEmptyFixture
	}
	c := fixtureChecker{checked: map[*yaml.Node]bool{}}
	if err := c.check(doc.Content[0], fixtureType, ""); err != nil {
		return nil, err
	}
	var f Fixture
	if err := doc.Decode(&f); err != nil {
		return nil, yamlError(err)
	}
	if err := f.numbersAsJSON(); err != nil {
		return nil, err
	}
	f.normalize()
	return &f, nil
}

// numbersAsJSON writes the numbers of campaign member data as JSON bodies
// and ParseFixtureJSON hold them, json.Number, so that a fixture's data is
// the same Go value in either format. YAML has already read them as
// float64 or int: numbers past those are what YAML cannot carry exactly.
func (f *Fixture) numbersAsJSON() error {
	for i := range f.Organizations {
		for j := range f.Organizations[i].Campaigns {
			members := f.Organizations[i].Campaigns[j].Members
			for k := range members {
				if members[k].Data == nil {
					continue
				}
				data, err := jsonObject(members[k].Data)
				if err != nil {
					return fmt.Errorf("organizations[%d]: campaigns[%d]: members[%d]%s: data: %w", i, j, k, label(members[k].Email), err)
				}
				members[k].Data = data
			}
		}
	}
	return nil
}

var errEmptyFixture = errors.New("the fixture is empty (write `organizations: []` for a fake with no data)")

// yamlError puts yaml.v3's errors on one line, each with its line number.
func yamlError(err error) error {
	var typeErr *yaml.TypeError
	if errors.As(err, &typeErr) {
		return errors.New(strings.Join(typeErr.Errors, "; "))
	}
	return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
}

// normalize writes what absence means: data {} and times in UTC, so that a
// fixture survives a round trip through JSON or YAML unchanged.
func (f *Fixture) normalize() {
	for i := range f.Outbox {
		f.Outbox[i].SentAt = f.Outbox[i].SentAt.UTC()
	}
	for i := range f.Organizations {
		for j := range f.Organizations[i].Invitations {
			inv := &f.Organizations[i].Invitations[j]
			inv.CreatedAt = utcTime(inv.CreatedAt)
		}
	}
	for i := range f.Users {
		f.Users[i].DateJoined = utcTime(f.Users[i].DateJoined)
	}
	for i := range f.Organizations {
		o := &f.Organizations[i]
		o.TrialEndTimestamp = utcTime(o.TrialEndTimestamp)
		for j := range o.Members {
			m := &o.Members[j]
			m.DateJoined, m.LastActiveAt, m.LastLoginAt = utcTime(m.DateJoined), utcTime(m.LastActiveAt), utcTime(m.LastLoginAt)
		}
		for j := range o.Groups {
			g := &o.Groups[j]
			g.CreatedAt = utcTime(g.CreatedAt)
			for k := range g.Members {
				gm := &g.Members[k]
				gm.CreatedAt, gm.LastActiveAt = utcTime(gm.CreatedAt), utcTime(gm.LastActiveAt)
			}
		}
		for j := range o.Campaigns {
			c := &o.Campaigns[j]
			c.CreatedAt, c.UpdatedAt = utcTime(c.CreatedAt), utcTime(c.UpdatedAt)
			for k := range c.Members {
				cm := &c.Members[k]
				cm.CreatedAt, cm.UpdatedAt, cm.LastActiveAt = utcTime(cm.CreatedAt), utcTime(cm.UpdatedAt), utcTime(cm.LastActiveAt)
				if cm.Data == nil {
					cm.Data = map[string]any{}
				}
			}
		}
	}
}

// fixtureChecker walks a parsed document along the Go type it will decode
// into, before decoding, so that an unknown or repeated key is reported with
// its line and its path. yaml.v3 alone would miss keys under custom
// unmarshalers and name Go types instead of places.
type fixtureChecker struct {
	checked map[*yaml.Node]bool // alias targets already walked
}

var (
	fixtureType      = reflect.TypeFor[Fixture]()
	timeType         = reflect.TypeFor[time.Time]()
	roleType         = reflect.TypeFor[Role]()
	yamlUnmarshaler  = reflect.TypeFor[yaml.Unmarshaler]()
	freeFormDataType = reflect.TypeFor[map[string]any]()
)

func (c *fixtureChecker) check(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind == yaml.AliasNode {
		if c.checked[n.Alias] {
			return nil
		}
		c.checked[n.Alias] = true
		return c.check(n.Alias, t, path)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil
	}
	switch {
	case t == timeType, t == roleType:
		return nil // their decoders check their values
	case t == freeFormDataType:
		if n.Kind != yaml.MappingNode {
			return placeError(n, path, "expected a mapping, found %s", nodeKind(n))
		}
		return c.checkData(n, path)
	case t.Kind() == reflect.Struct:
		if n.Kind == yaml.ScalarNode && reflect.PointerTo(t).Implements(yamlUnmarshaler) {
			return nil // the short form, e.g. a group member's bare email
		}
		return c.checkStruct(n, t, path)
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return placeError(n, path, "expected a list, found %s", nodeKind(n))
		}
		for i, item := range n.Content {
			if err := c.check(item, t.Elem(), fmt.Sprintf("%s[%d]%s", path, i, itemLabel(item))); err != nil {
				return err
			}
		}
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return placeError(n, path, "expected a single value, found %s", nodeKind(n))
	}
	return nil
}

func (c *fixtureChecker) checkStruct(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind != yaml.MappingNode {
		return placeError(n, path, "expected a mapping, found %s", nodeKind(n))
	}
	fields := yamlFields(t)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		if key.ShortTag() == "!!merge" { // <<: *defaults
			if err := c.checkMerged(value, t, path); err != nil {
				return err
			}
			continue
		}
		if first, dup := seen[key.Value]; dup {
			return placeError(key, path, "key %q is repeated (first at line %d)", key.Value, first)
		}
		seen[key.Value] = key.Line
		field, ok := fields[key.Value]
		if !ok {
			return placeError(key, path, "unknown key %q (known keys: %s)", key.Value, strings.Join(fieldNames(t), ", "))
		}
		if err := c.check(value, field.Type, joinPath(path, key.Value)); err != nil {
			return err
		}
	}
	return nil
}

// checkMerged checks what a merge key brings in: a mapping, or a list of them.
func (c *fixtureChecker) checkMerged(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind == yaml.AliasNode {
		if c.checked[n.Alias] {
			return nil
		}
		c.checked[n.Alias] = true
		n = n.Alias
	}
	if n.Kind == yaml.SequenceNode {
		for _, item := range n.Content {
			if err := c.checkMerged(item, t, path); err != nil {
				return err
			}
		}
		return nil
	}
	return c.checkStruct(n, t, path)
}

// checkData keeps free-form data to what JSON can carry: string keys, no
// repeated keys, finite numbers. Plain dates stay the strings they were
// written as instead of turning into times.
func (c *fixtureChecker) checkData(n *yaml.Node, path string) error {
	switch n.Kind {
	case yaml.AliasNode:
		if c.checked[n.Alias] {
			return nil
		}
		c.checked[n.Alias] = true
		return c.checkData(n.Alias, path)
	case yaml.MappingNode:
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, value := n.Content[i], n.Content[i+1]
			if key.ShortTag() == "!!merge" {
				if err := c.checkData(value, path); err != nil {
					return err
				}
				continue
			}
			if key.Kind != yaml.ScalarNode {
				return placeError(key, path, "a data key is a string, found %s", nodeKind(key))
			}
			if first, dup := seen[key.Value]; dup {
				return placeError(key, path, "key %q is repeated (first at line %d)", key.Value, first)
			}
			seen[key.Value] = key.Line
			key.Tag = "!!str" // JSON keys are strings: 1: x is "1": x
			if err := c.checkData(value, path+"."+key.Value); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			if err := c.checkData(item, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!timestamp":
			n.Tag = "!!str"
		case "!!float":
			if v := strings.ToLower(n.Value); strings.Contains(v, "inf") || strings.Contains(v, "nan") {
				return placeError(n, path, "%s is not a number JSON can hold", n.Value)
			}
		}
	}
	return nil
}

func placeError(n *yaml.Node, path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	return fmt.Errorf("line %d: %s", n.Line, msg)
}

// joinPath extends a path by a key: "organizations[0] (Acme Corp): members".
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + ": " + key
}

// itemLabel names a list item as seeding errors do: a person by email, a
// team, group or campaign by name.
func itemLabel(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return label(n.Value)
	}
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for _, key := range []string{"email", "name"} {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key && n.Content[i+1].Kind == yaml.ScalarNode {
				return label(n.Content[i+1].Value)
			}
		}
	}
	return ""
}

// label is " (text)", or nothing for an empty text.
func label(text string) string {
	if text == "" {
		return ""
	}
	return " (" + text + ")"
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("%q", n.Value)
}

// yamlFields maps the YAML keys of a struct type to its fields.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	fields := map[string]reflect.StructField{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			fields[name] = f
		}
	}
	return fields
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for f := range t.Fields() {
		if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}

// UnmarshalYAML reads a role by name (admin, manager, developer, member,
// restricted) or by number (1 to 5).
func (r *Role) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: a role is a name or a number from 1 to 5", node.Line)
	}
	value := strings.ToLower(strings.TrimSpace(node.Value))
	if n, err := strconv.Atoi(value); err == nil && Role(n).valid() {
		*r = Role(n)
		return nil
	}
	for role, name := range roleNames {
		if name == value {
			*r = role
			return nil
		}
	}
	return fmt.Errorf("line %d: unknown role %q (one of admin, manager, developer, member, restricted, or 1 to 5)", node.Line, node.Value)
}

// MarshalYAML writes a role by name. In JSON a role stays the API's number,
// which a fixture accepts as well.
func (r Role) MarshalYAML() (any, error) { return r.String(), nil }

// UnmarshalYAML accepts a bare email or the object form.
func (m *FixtureGroupMember) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind == yaml.ScalarNode {
		*m = FixtureGroupMember{Email: node.Value}
		return nil
	}
	// The decoder does not pass its strictness on to custom unmarshalers.
	c := fixtureChecker{checked: map[*yaml.Node]bool{}}
	if err := c.checkStruct(node, reflect.TypeFor[FixtureGroupMember](), "group member"); err != nil {
		return err
	}
	type plain FixtureGroupMember
	return node.Decode((*plain)(m))
}

// MarshalYAML writes a group member that is only an email as the bare email.
func (m FixtureGroupMember) MarshalYAML() (any, error) {
	if m.ID == "" && m.CreatedAt == nil && m.LastActiveAt == nil {
		return m.Email, nil
	}
	type plain FixtureGroupMember
	return plain(m), nil
}

// MarshalYAML writes a campaign member's data with its numbers as YAML
// numbers (json.Number, as the data holds them, would be written as
// strings) and its keys as strings: a "<<" key written plain would read
// back as a merge.
func (m FixtureCampaignMember) MarshalYAML() (any, error) {
	type plain FixtureCampaignMember
	p := plain(m)
	p.Data = nil
	var n yaml.Node
	if err := n.Encode(p); err != nil {
		return nil, err
	}
	if m.Data != nil && len(n.Content) >= 2 { // after the email, where the field is
		data := []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: "data"}, yamlData(m.Data)}
		n.Content = slices.Insert(n.Content, 2, data...)
	}
	return &n, nil
}

// yamlData writes free-form data as a YAML node, every key tagged a string
// so that the encoder quotes the ones YAML would read otherwise ("yes").
func yamlData(v any) *yaml.Node {
	switch v := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}
			if k == "<<" { // the encoder writes it plain, which reads as a merge
				key.Style = yaml.DoubleQuotedStyle
			}
			n.Content = append(n.Content, key, yamlData(v[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, item := range v {
			n.Content = append(n.Content, yamlData(item))
		}
		return n
	}
	var n yaml.Node
	if err := n.Encode(yamlValue(v)); err != nil {
		n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"} // cannot happen: JSON values encode
	}
	return &n
}

// yamlValue turns the json.Numbers of decoded JSON into the int64, uint64
// or float64 they stand for; a number none of them holds (1e400) stays its
// text, which YAML then writes as a string.
func yamlValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, item := range v {
			out[k] = yamlValue(item)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = yamlValue(item)
		}
		return out
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n
		}
		if n, err := strconv.ParseUint(string(v), 10, 64); err == nil {
			return n
		}
		if n, err := v.Float64(); err == nil {
			return n
		}
		return string(v)
	default:
		return v
	}
}
