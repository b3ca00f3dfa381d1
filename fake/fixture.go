package fake

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Fixture is seed data in the fixture format (README, "Fixtures"): teams
// with their members, groups and campaigns. Every id and time is optional;
// absent ones are generated from the seed.
type Fixture struct {
	Organizations []FixtureOrganization `yaml:"organizations" json:"organizations"`
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

// FixtureCampaign is a campaign of a team.
type FixtureCampaign struct {
	ID        string                  `yaml:"id,omitempty" json:"id,omitempty"`
	Name      string                  `yaml:"name" json:"name"`
	CreatedAt *time.Time              `yaml:"created_at,omitempty" json:"created_at,omitempty"`
	UpdatedAt *time.Time              `yaml:"updated_at,omitempty" json:"updated_at,omitempty"`
	Members   []FixtureCampaignMember `yaml:"members,omitempty" json:"members,omitempty"`
}

// FixtureCampaignMember is an email enrolled in a campaign.
type FixtureCampaignMember struct {
	Email        string         `yaml:"email" json:"email"`
	Data         map[string]any `yaml:"data,omitempty" json:"data,omitempty"`
	ID           string         `yaml:"id,omitempty" json:"id,omitempty"`
	CreatedAt    *time.Time     `yaml:"created_at,omitempty" json:"created_at,omitempty"`
	UpdatedAt    *time.Time     `yaml:"updated_at,omitempty" json:"updated_at,omitempty"`
	LastActiveAt *time.Time     `yaml:"last_active_at,omitempty" json:"last_active_at,omitempty"`
}

// ParseFixture reads a fixture in YAML or JSON (JSON is YAML). It is strict:
// an unknown key, a duplicate key, an unknown role or a value of the wrong
// type is an error that names its line.
func ParseFixture(data []byte) (*Fixture, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f Fixture
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the fixture is empty (write `organizations: []` for a fake with no data)")
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("the fixture holds more than one YAML document")
	}
	return &f, nil
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

// MarshalYAML writes a role by name.
func (r Role) MarshalYAML() (any, error) { return r.String(), nil }

// UnmarshalYAML accepts a bare email or the object form.
func (m *FixtureGroupMember) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind == yaml.ScalarNode {
		*m = FixtureGroupMember{Email: node.Value}
		return nil
	}
	type plain FixtureGroupMember
	if err := checkKnownKeys(node, "email", "id", "created_at", "last_active_at"); err != nil {
		return err
	}
	return node.Decode((*plain)(m))
}

// checkKnownKeys keeps custom unmarshalers as strict as the decoder, which
// does not pass KnownFields on to them.
func checkKnownKeys(node *yaml.Node, known ...string) error {
	if node.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i < len(node.Content); i += 2 {
		key := node.Content[i]
		found := false
		for _, k := range known {
			found = found || key.Value == k
		}
		if !found {
			return fmt.Errorf("line %d: field %s not found in a group member (one of %s)", key.Line, key.Value, strings.Join(known, ", "))
		}
	}
	return nil
}
