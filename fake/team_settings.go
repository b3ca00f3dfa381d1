package fake

import (
	"crypto/sha1"
	"fmt"
	"net/url"
	"time"
)

// The published schema gives a team, a membership and a user fields that no
// operation the fake serves writes: a team's settings, theme and Control
// Room, a member's deployment-manager flag, a user's onboarding. Fixtures set
// them (README, "Fixtures"), the state exports them, and the views show them,
// so that a client reading the published Organization and Me finds every
// property it declares.

// teamSettings are a team's fields of the published Organization and Me
// schemas beyond its name, scope, default role and people.
type teamSettings struct {
	enforceUpdateMillis       *int // null: the team forces no extension update
	sessionIdleTimeoutMinutes int
	trialEndTimestamp         *time.Time
	enableInvitations         bool
	aiDefaultChatCopilot      bool
	isEnterprise              bool
	theme                     TeamTheme
	controlRoom               ControlRoom
}

// Bounds of the published Organization schema.
const (
	maxSessionIdleTimeoutMinutes = 20160 // two weeks
	maxEnforceUpdateMillis       = 2147483647
	maxURLLength                 = 200 // Django's URLField
	maxThemeNameLength           = 128
)

// Defaults of a team whose fixture leaves its settings out: what a new team
// gets on the real server (invitations on, the AI copilot on as the schema's
// default says, PixieBrix's own theme) and a day's idle timeout.
const (
	defaultSessionIdleTimeoutMinutes = 1440
	defaultThemeName                 = "default"
)

// defaultPartner is the partner Me names: PixieBrix is part of Automation
// Anywhere, whose Control Rooms the teams are linked to.
var defaultPartner = Partner{
	ID:               derivedUUID("partner", "automation-anywhere"),
	Name:             "Automation Anywhere",
	Theme:            "automation-anywhere",
	DocumentationURL: new("https://docs.automationanywhere.com/"),
}

// derivedUUID makes a stable (version 5 style) UUID out of names, for the
// objects whose ids are implied by others. Drawing them from the seed's id
// stream would move every id drawn after them.
func derivedUUID(names ...string) string {
	h := sha1.New()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0})
	}
	b := h.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// defaultControlRoom is the Control Room of a team whose fixture names none:
// one on Automation Anywhere's cloud, named after the team.
func defaultControlRoom(org *organization) ControlRoom {
	slug := emailWord(org.name)
	if slug == "" {
		slug = "team"
	}
	return ControlRoom{ID: derivedUUID("control-room", org.id), URL: "https://" + slug + ".my.automationanywhere.digital"}
}

// settingsFromFixture reads a fixture team's settings over the defaults, or
// says which one is out of the published schema's bounds.
func settingsFromFixture(org *organization, o *FixtureOrganization) (teamSettings, error) {
	ts := teamSettings{
		enforceUpdateMillis:       o.EnforceUpdateMillis,
		sessionIdleTimeoutMinutes: defaultSessionIdleTimeoutMinutes,
		trialEndTimestamp:         utcTime(o.TrialEndTimestamp),
		enableInvitations:         true,
		aiDefaultChatCopilot:      true,
		isEnterprise:              o.IsEnterprise,
		theme:                     TeamTheme{ShowSidebarLogo: true, WhitelabelThemeName: defaultThemeName},
		controlRoom:               defaultControlRoom(org),
	}
	if n := o.EnforceUpdateMillis; n != nil && (*n < 0 || *n > maxEnforceUpdateMillis) {
		return ts, fmt.Errorf("enforce_update_millis %d is not between 0 and %d", *n, maxEnforceUpdateMillis)
	}
	if n := o.SessionIdleTimeoutMinutes; n != nil {
		if *n < 1 || *n > maxSessionIdleTimeoutMinutes {
			return ts, fmt.Errorf("session_idle_timeout_minutes %d is not between 1 and %d", *n, maxSessionIdleTimeoutMinutes)
		}
		ts.sessionIdleTimeoutMinutes = *n
	}
	if o.EnableInvitations != nil {
		ts.enableInvitations = *o.EnableInvitations
	}
	if o.AIDefaultChatCopilot != nil {
		ts.aiDefaultChatCopilot = *o.AIDefaultChatCopilot
	}
	if t := o.Theme; t != nil {
		if t.ShowSidebarLogo != nil {
			ts.theme.ShowSidebarLogo = *t.ShowSidebarLogo
		}
		for _, image := range []struct {
			key string
			src *string
			dst **string
		}{{"logo", t.Logo, &ts.theme.Logo}, {"toolbar_icon", t.ToolbarIcon, &ts.theme.ToolbarIcon}, {"fab_logo", t.FabLogo, &ts.theme.FabLogo}} {
			if image.src == nil {
				continue
			}
			if err := checkURL(*image.src); err != nil {
				return ts, fmt.Errorf("theme: %s: %w", image.key, err)
			}
			*image.dst = copyString(image.src)
		}
		if t.WhitelabelThemeName != "" {
			if len([]rune(t.WhitelabelThemeName)) > maxThemeNameLength {
				return ts, fmt.Errorf("theme: whitelabel_theme_name is longer than %d characters", maxThemeNameLength)
			}
			ts.theme.WhitelabelThemeName = t.WhitelabelThemeName
		}
	}
	if cr := o.ControlRoom; cr != nil {
		if cr.ID != "" {
			if !isUUID(cr.ID) {
				return ts, fmt.Errorf("control_room: id %q is not a UUID", cr.ID)
			}
			ts.controlRoom.ID = cr.ID
		}
		if cr.URL != "" {
			if err := checkURL(cr.URL); err != nil {
				return ts, fmt.Errorf("control_room: url: %w", err)
			}
			ts.controlRoom.URL = cr.URL
		}
	}
	return ts, nil
}

// checkURL holds a fixture's URL to what the published schema's URLField
// takes: absolute http(s), at most 200 characters.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	case len(raw) > maxURLLength:
		return fmt.Errorf("%q is longer than %d characters", raw, maxURLLength)
	}
	return nil
}

// exportSettings writes a team's settings into its fixture, every one spelled
// out, so that a state loaded back shows the same values.
func (ts teamSettings) export(fo *FixtureOrganization) {
	fo.EnforceUpdateMillis = copyInt(ts.enforceUpdateMillis)
	fo.SessionIdleTimeoutMinutes = new(ts.sessionIdleTimeoutMinutes)
	fo.TrialEndTimestamp = copyTime(ts.trialEndTimestamp)
	fo.EnableInvitations = new(ts.enableInvitations)
	fo.AIDefaultChatCopilot = new(ts.aiDefaultChatCopilot)
	fo.IsEnterprise = ts.isEnterprise
	fo.Theme = &FixtureTheme{
		ShowSidebarLogo:     new(ts.theme.ShowSidebarLogo),
		Logo:                copyString(ts.theme.Logo),
		ToolbarIcon:         copyString(ts.theme.ToolbarIcon),
		FabLogo:             copyString(ts.theme.FabLogo),
		WhitelabelThemeName: ts.theme.WhitelabelThemeName,
	}
	fo.ControlRoom = &FixtureControlRoom{ID: ts.controlRoom.ID, URL: ts.controlRoom.URL}
}

// view adds a team's settings to its Organization resource.
func (ts teamSettings) view(o *Organization) {
	o.EnforceUpdateMillis = copyInt(ts.enforceUpdateMillis)
	o.SessionIdleTimeoutMinutes = ts.sessionIdleTimeoutMinutes
	o.TrialEndTimestamp = copyTime(ts.trialEndTimestamp)
	o.EnableInvitations = ts.enableInvitations
	o.AIDefaultChatCopilot = ts.aiDefaultChatCopilot
}

// theme copies the team's theme, so that a view never shares its pointers.
func (ts teamSettings) themeCopy() TeamTheme {
	t := ts.theme
	t.Logo, t.ToolbarIcon, t.FabLogo = copyString(t.Logo), copyString(t.ToolbarIcon), copyString(t.FabLogo)
	return t
}

// completeMeLocked adds what Me shows of u's teams and account beyond its
// memberships: the primary team's settings, each team's Control Room, and
// the user's own flags. A user in no team has no partner and no update rule.
func (s *store) completeMeLocked(u *user, me *Me) {
	me.IsOnboarded = !u.notOnboarded
	me.TestAccount = u.testAccount
	me.Scope = copyString(u.scope)
	for i, m := range u.memberships {
		ts := m.org.settings
		me.OrganizationMemberships[i].IsDeploymentManager = m.isDeploymentManager
		me.OrganizationMemberships[i].ControlRoom = ts.controlRoom
		if i == 0 {
			me.Organization.IsEnterprise = ts.isEnterprise
			me.Organization.ControlRoom = ts.controlRoom
			me.Organization.Theme = ts.themeCopy()
			me.Organization.AIDefaultChatCopilot = ts.aiDefaultChatCopilot
			me.EnforceUpdateMillis = copyInt(ts.enforceUpdateMillis)
			partner := defaultPartner
			partner.DocumentationURL = copyString(partner.DocumentationURL)
			me.Partner = &partner
		}
	}
}

func copyInt(n *int) *int {
	if n == nil {
		return nil
	}
	c := *n
	return &c
}

// checkUserScope holds a user's scope to the published Me.scope: a package
// scope, at most 128 characters.
func checkUserScope(scope string) error {
	switch {
	case len(scope) > 128:
		return fmt.Errorf("user_scope is longer than 128 characters")
	case !scopePattern.MatchString(scope):
		return fmt.Errorf("user_scope %q does not match %s", scope, scopePattern)
	}
	return nil
}

// onboardedFlag is a user's is_onboarded as the state writes it: only the
// exception, false, is spelled out.
func onboardedFlag(u *user) *bool {
	if u.notOnboarded {
		return new(false)
	}
	return nil
}
