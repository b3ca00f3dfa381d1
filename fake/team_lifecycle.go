package fake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// A team's life through the API: created by any user (who becomes its
// admin), changed and deleted by its admins.

// orNull is a field a write may set to a value or to null: nil is null.
// An *orNull that is nil leaves the field alone.
type orNull[T any] struct {
	Value *T `json:"value"`
}

// teamChange is what a create or a PATCH of a team says; nil leaves a field
// as it is (a create: at its default).
type teamChange struct {
	Name                      *string            `json:"name,omitempty"`
	Scope                     *orNull[string]    `json:"scope,omitempty"`
	DefaultRole               *Role              `json:"default_role,omitempty"`
	EnforceUpdateMillis       *orNull[int]       `json:"enforce_update_millis,omitempty"`
	SessionIdleTimeoutMinutes *int               `json:"session_idle_timeout_minutes,omitempty"`
	TrialEndTimestamp         *orNull[time.Time] `json:"trial_end_timestamp,omitempty"`
	AIDefaultChatCopilot      *bool              `json:"ai_default_chat_copilot,omitempty"`
}

// maxTeamNameLength is the published Organization.name's maxLength.
const maxTeamNameLength = 128

// checkLocked applies the rules that need the data: a name and a scope
// are the team's own (self keeps its own). It trims the name as DRF's
// CharField does.
func (c *teamChange) checkLocked(s *store, self *organization) error {
	errs := fieldErrors{}
	if c.Name != nil {
		name := strings.TrimSpace(*c.Name)
		switch {
		case strings.ContainsRune(name, 0):
			errs.add("name", "Null characters are not allowed.")
		case name == "":
			errs.add("name", "This field may not be blank.")
		case len([]rune(name)) > maxTeamNameLength:
			errs.add("name", fmt.Sprintf("Ensure this field has no more than %d characters.", maxTeamNameLength))
		case s.teamNamedLocked(name, self):
			errs.add("name", "organization with this name already exists.")
		}
		c.Name = &name
	}
	if c.Scope != nil && c.Scope.Value != nil {
		for _, other := range s.orgs {
			if other != self && other.scope != nil && *other.scope == *c.Scope.Value {
				errs.add("scope", "organization with this scope already exists.")
				break
			}
		}
	}
	if len(errs) > 0 {
		return errInvalidFields(errs)
	}
	return nil
}

func (s *store) teamNamedLocked(name string, self *organization) bool {
	for _, other := range s.orgs {
		if other != self && other.name == name {
			return true
		}
	}
	return false
}

// applyLocked writes the change into org and returns what it changed, by
// field, as the audit event's data shows it.
func (c *teamChange) applyLocked(org *organization) map[string]any {
	changed := map[string]any{}
	if c.Name != nil && *c.Name != org.name {
		org.name = *c.Name
		changed["name"] = org.name
	}
	if c.Scope != nil && !equalPtr(c.Scope.Value, org.scope) {
		org.scope = copyString(c.Scope.Value)
		changed["scope"] = nullableValue(org.scope)
	}
	if c.DefaultRole != nil && *c.DefaultRole != org.defaultRole {
		org.defaultRole = *c.DefaultRole
		changed["default_role"] = int(org.defaultRole)
	}
	ts := &org.settings
	if c.EnforceUpdateMillis != nil && !equalPtr(c.EnforceUpdateMillis.Value, ts.enforceUpdateMillis) {
		ts.enforceUpdateMillis = copyInt(c.EnforceUpdateMillis.Value)
		changed["enforce_update_millis"] = nullableValue(ts.enforceUpdateMillis)
	}
	if c.SessionIdleTimeoutMinutes != nil && *c.SessionIdleTimeoutMinutes != ts.sessionIdleTimeoutMinutes {
		ts.sessionIdleTimeoutMinutes = *c.SessionIdleTimeoutMinutes
		changed["session_idle_timeout_minutes"] = ts.sessionIdleTimeoutMinutes
	}
	if c.TrialEndTimestamp != nil && !equalTime(c.TrialEndTimestamp.Value, ts.trialEndTimestamp) {
		ts.trialEndTimestamp = utcTime(c.TrialEndTimestamp.Value)
		changed["trial_end_timestamp"] = nil
		if t := ts.trialEndTimestamp; t != nil {
			changed["trial_end_timestamp"] = t.Format(time.RFC3339Nano)
		}
	}
	if c.AIDefaultChatCopilot != nil && *c.AIDefaultChatCopilot != ts.aiDefaultChatCopilot {
		ts.aiDefaultChatCopilot = *c.AIDefaultChatCopilot
		changed["ai_default_chat_copilot"] = ts.aiDefaultChatCopilot
	}
	return changed
}

func equalPtr[T comparable](a, b *T) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func equalTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

// nullableValue is *p, or nil, for an audit event's data.
func nullableValue[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// orgRef names a team in an audit event.
func orgRef(org *organization) auditRef {
	return auditRef{id: org.id, contentType: "organization", label: org.name}
}

// createTeam makes a team whose one member, an admin, is Admin.
type createTeam struct {
	Admin  string     `json:"admin"` // the creator's user id
	Change teamChange `json:"change"`
	out    Organization
}

func (m *createTeam) apply(s *store) error {
	u, err := found(s.users, m.Admin)
	if err != nil {
		return err
	}
	if err := m.Change.checkLocked(s, nil); err != nil {
		return err
	}
	if err := s.checkTeamCapLocked(); err != nil {
		return err
	}
	org, err := s.addOrganizationLocked("", *m.Change.Name, nil, RoleRestricted, nil)
	if err != nil {
		return err
	}
	org.settings, _ = settingsFromFixture(org, &FixtureOrganization{}) // the defaults: nothing to refuse
	data := m.Change.applyLocked(org)
	data["name"] = org.name // named even when the change did not alter a default
	if _, err := s.addMemberLocked(org, u, RoleAdmin, 0, nil, nil); err != nil {
		s.removeOrganizationLocked(org) // cannot happen: the team is new
		return err
	}
	s.auditLocked(org, "organization.created", orgRef(org), orgRef(org), data)
	m.out = s.organizationViewLocked(org)
	return nil
}

// updateTeam changes a team's name, scope, default role and settings.
type updateTeam struct {
	Org    string     `json:"org"`
	Change teamChange `json:"change"`
	out    Organization
}

func (m *updateTeam) apply(s *store) error {
	org, err := found(s.orgs, m.Org)
	if err != nil {
		return err
	}
	if err := m.Change.checkLocked(s, org); err != nil {
		return err
	}
	if changed := m.Change.applyLocked(org); len(changed) > 0 {
		s.auditLocked(org, "organization.updated", orgRef(org), orgRef(org), changed)
	}
	m.out = s.organizationViewLocked(org)
	return nil
}

// detailEnterpriseTeam refuses the deletion of an enterprise team. The
// published description says deletion "is blocked" for such teams; DRF
// blocks with a permission's message, a 403.
const detailEnterpriseTeam = "Enterprise teams cannot be deleted."

// deleteTeam removes a team and everything in it (removeOrganizationLocked).
type deleteTeam struct {
	Org string `json:"org"`
}

func (m *deleteTeam) apply(s *store) error {
	org, err := found(s.orgs, m.Org)
	if err != nil {
		return err
	}
	if org.settings.isEnterprise {
		return &apiError{code: codeForbidden, detail: detailEnterpriseTeam}
	}
	// The team's audit trail goes with it: there is no trail left to
	// record the deletion in.
	s.removeOrganizationLocked(org)
	return nil
}

// CreateTeam makes a team with adminID as its admin (createTeam).
func (s *store) CreateTeam(adminID string, c teamChange) (Organization, error) {
	m := &createTeam{Admin: adminID, Change: c}
	return m.out, s.doAs(adminID, m)
}

// --- handlers ---

// teamChangeOf reads a create's or a PATCH's body, which the schema has
// checked: types, enums, bounds, the scope's pattern.
func teamChangeOf(body any) (teamChange, error) {
	object, _ := body.(map[string]any)
	var c teamChange
	errs := fieldErrors{}
	if raw, ok := object["name"].(string); ok {
		c.Name = &raw
	}
	if raw, ok := object["scope"]; ok {
		c.Scope = &orNull[string]{}
		if text, isText := raw.(string); isText {
			c.Scope.Value = &text
		}
	}
	if raw, ok := object["default_role"]; ok {
		n, err := strconv.Atoi(fmt.Sprint(raw))
		if err != nil {
			errs.add("default_role", fmt.Sprintf("%q is not a valid choice.", pythonStr(raw)))
		}
		role := Role(n)
		c.DefaultRole = &role
	}
	if raw, ok := object["enforce_update_millis"]; ok {
		c.EnforceUpdateMillis = &orNull[int]{}
		if raw != nil {
			n, err := strconv.Atoi(fmt.Sprint(raw))
			if err != nil {
				errs.add("enforce_update_millis", "A valid integer is required.")
			}
			c.EnforceUpdateMillis.Value = &n
		}
	}
	if raw, ok := object["session_idle_timeout_minutes"]; ok {
		n, err := strconv.Atoi(fmt.Sprint(raw))
		if err != nil {
			errs.add("session_idle_timeout_minutes", "A valid integer is required.")
		}
		c.SessionIdleTimeoutMinutes = &n
	}
	if raw, ok := object["trial_end_timestamp"]; ok {
		c.TrialEndTimestamp = &orNull[time.Time]{}
		if text, isText := raw.(string); isText {
			t, err := time.Parse(time.RFC3339Nano, text)
			if err != nil {
				errs.add("trial_end_timestamp", "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].")
			}
			t = t.UTC().Truncate(time.Microsecond) // what Django keeps
			c.TrialEndTimestamp.Value = &t
		}
	}
	if raw, ok := object["ai_default_chat_copilot"].(bool); ok {
		c.AIDefaultChatCopilot = &raw
	}
	if raw, ok := object["partner"]; ok {
		// The write-only partner, a slug of the partners' themes: the fake
		// knows one, and every team has it already.
		if theme := fmt.Sprint(raw); theme != defaultPartner.Theme {
			errs.add("partner", fmt.Sprintf("Object with theme=%s does not exist.", theme))
		}
	}
	if len(errs) > 0 {
		return c, errInvalidFields(errs)
	}
	return c, nil
}

func (s *Server) createOrganization(w http.ResponseWriter, req *apiRequest) error {
	c, err := teamChangeOf(req.body)
	if err != nil {
		return err
	}
	org, err := s.store.CreateTeam(req.caller.userID, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, org)
	return nil
}

func (s *Server) partialUpdateOrganization(w http.ResponseWriter, req *apiRequest) error {
	c, err := teamChangeOf(req.body)
	if err != nil {
		return err
	}
	m := &updateTeam{Org: req.orgID, Change: c}
	if err := s.store.doAs(req.caller.userID, m); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m.out)
	return nil
}

func (s *Server) destroyOrganization(w http.ResponseWriter, req *apiRequest) error {
	if err := s.store.doAs(req.caller.userID, &deleteTeam{Org: req.orgID}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
