package fake

import "time"

// Role is a team role, numbered as the real API numbers it.
type Role int

// The five team roles. Only admins and managers have team-management rights.
const (
	RoleMember     Role = 1
	RoleAdmin      Role = 2
	RoleDeveloper  Role = 3
	RoleRestricted Role = 4
	RoleManager    Role = 5
)

var roleNames = map[Role]string{
	RoleMember:     "member",
	RoleAdmin:      "admin",
	RoleDeveloper:  "developer",
	RoleRestricted: "restricted",
	RoleManager:    "manager",
}

// String returns the role's name as fixtures spell it.
func (r Role) String() string {
	if name, ok := roleNames[r]; ok {
		return name
	}
	return "invalid"
}

func (r Role) valid() bool { _, ok := roleNames[r]; return ok }

// The resource types below are the JSON bodies of the API, field for field.
// Values of them are copies: changing one never changes the fake's state.

// UserRef is a user as nested in other resources.
type UserRef struct {
	ID                   string    `json:"id"`
	Name                 string    `json:"name"`
	Email                string    `json:"email"`
	ServiceAccount       bool      `json:"service_account"`
	DeploymentKeyAccount bool      `json:"deployment_key_account"`
	DateJoined           time.Time `json:"date_joined"`
}

// GroupRef names a group.
type GroupRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Membership is a user's membership of a team.
type Membership struct {
	ID           int        `json:"id"`
	User         UserRef    `json:"user"`
	Role         Role       `json:"role"`
	Groups       []GroupRef `json:"groups"`
	LastActiveAt *time.Time `json:"last_active_at"`
	LastLoginAt  *time.Time `json:"last_login_at"`
}

// Organization is a team.
type Organization struct {
	ID                        string       `json:"id"`
	Name                      string       `json:"name"`
	Scope                     *string      `json:"scope"`
	DefaultRole               Role         `json:"default_role"`
	Members                   []Membership `json:"members"`
	EnforceUpdateMillis       *int         `json:"enforce_update_millis"`
	SessionIdleTimeoutMinutes int          `json:"session_idle_timeout_minutes"`
	TrialEndTimestamp         *time.Time   `json:"trial_end_timestamp"`
	EnableInvitations         bool         `json:"enable_invitations"`
	AIDefaultChatCopilot      bool         `json:"ai_default_chat_copilot"`
}

// ControlRoom is the Automation Anywhere Control Room a team is linked to.
type ControlRoom struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// TeamTheme is a team's branding of the browser extension. The image
// fields are URLs, null when the team uses PixieBrix's own.
type TeamTheme struct {
	ShowSidebarLogo     bool    `json:"show_sidebar_logo"`
	Logo                *string `json:"logo"`
	ToolbarIcon         *string `json:"toolbar_icon"`
	FabLogo             *string `json:"fab_logo"`
	WhitelabelThemeName string  `json:"whitelabel_theme_name"`
}

// Partner is the partner through whom the caller's primary team came.
type Partner struct {
	ID               string  `json:"id"`
	Name             string  `json:"name"`
	Theme            string  `json:"theme"`
	DocumentationURL *string `json:"documentation_url"`
}

// Group is a group as listed and created.
type Group struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	NumMembers int       `json:"num_members"`
	CreatedAt  time.Time `json:"created_at"`
}

// DeploymentRef names a deployment. The fake has none; the type keeps the
// field's shape.
type DeploymentRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// GroupDetail is a group as retrieved and updated.
type GroupDetail struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	CreatedAt   time.Time       `json:"created_at"`
	Deployments []DeploymentRef `json:"deployments"`
}

// CampaignRef is a campaign as nested in a group membership.
type CampaignRef struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// GroupMembership is a person's membership of a group. User is nil while the
// email belongs to no member of the team yet.
type GroupMembership struct {
	ID           string        `json:"id"`
	User         *UserRef      `json:"user"`
	Email        string        `json:"email"`
	CreatedAt    time.Time     `json:"created_at"`
	Campaigns    []CampaignRef `json:"campaigns"`
	LastActiveAt *time.Time    `json:"last_active_at"`
}

// Campaign is a campaign of a team.
type Campaign struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CampaignMember is an email enrolled in a campaign, with its reporting data.
type CampaignMember struct {
	ID                  string          `json:"id"`
	Email               string          `json:"email"`
	Data                map[string]any  `json:"data"`
	Account             *UserRef        `json:"account"`
	Groups              []string        `json:"groups"`
	AssignedDeployments []DeploymentRef `json:"assigned_deployments"`
	LatestClient        *struct{}       `json:"latest_client"`
	CreatedAt           time.Time       `json:"created_at"`
	UpdatedAt           time.Time       `json:"updated_at"`
	LastActiveAt        *time.Time      `json:"last_active_at"`
}

// MeOrganization is the caller's primary team in Me.
type MeOrganization struct {
	ID                   string      `json:"id"`
	Name                 string      `json:"name"`
	Scope                *string     `json:"scope"`
	IsEnterprise         bool        `json:"is_enterprise"`
	ControlRoom          ControlRoom `json:"control_room"`
	Theme                TeamTheme   `json:"theme"`
	AIDefaultChatCopilot bool        `json:"ai_default_chat_copilot"`
}

// MeOrganizationMembership is one of the caller's teams in Me.
type MeOrganizationMembership struct {
	Organization        string      `json:"organization"`
	OrganizationName    string      `json:"organization_name"`
	Role                Role        `json:"role"`
	Scope               *string     `json:"scope"`
	IsDeploymentManager bool        `json:"is_deployment_manager"`
	ControlRoom         ControlRoom `json:"control_room"`
}

// Me is the caller's own account.
type Me struct {
	ID                      string                     `json:"id"`
	Email                   string                     `json:"email"`
	Name                    string                     `json:"name"`
	ServiceAccount          bool                       `json:"service_account"`
	DeploymentKeyAccount    bool                       `json:"deployment_key_account"`
	Organization            *MeOrganization            `json:"organization"`
	OrganizationMemberships []MeOrganizationMembership `json:"organization_memberships"`
	GroupMemberships        []GroupRef                 `json:"group_memberships"`
	// Scope is the user's own package scope, null for most people.
	Scope       *string  `json:"scope"`
	IsOnboarded bool     `json:"is_onboarded"`
	TestAccount bool     `json:"test_account"`
	Partner     *Partner `json:"partner"`
	// EnforceUpdateMillis is the primary team's, null when it sets none.
	EnforceUpdateMillis *int     `json:"enforce_update_millis"`
	Flags               []string `json:"flags"`
}
