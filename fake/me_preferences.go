package fake

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"

	"gopkg.in/yaml.v3"
)

// A user's own preferences: the browser extension's settings and the
// onboarding milestones reached. They belong to the account, not to a team:
// fixtures give them on the user's entry (users:, or a member entry), and
// the state writes them on the entry of the user's primary team.

// UserExtensionSettings are a user's browser-extension preferences.
type UserExtensionSettings struct {
	IsTextSelectionMenuEnabled       bool     `json:"is_text_selection_menu_enabled"`
	IsFloatingActionButtonEnabled    bool     `json:"is_floating_action_button_enabled"`
	TextSelectionMenuOrientation     string   `json:"text_selection_menu_orientation"`
	TextSelectionMenuSiteDenylist    []string `json:"text_selection_menu_site_denylist"`
	FloatingActionButtonSiteDenylist []string `json:"floating_action_button_site_denylist"`
}

// defaultExtensionSettings are a user's settings until changed: both
// features on (they are what the extension is for), the menu horizontal.
func defaultExtensionSettings() UserExtensionSettings {
	return UserExtensionSettings{
		IsTextSelectionMenuEnabled:       true,
		IsFloatingActionButtonEnabled:    true,
		TextSelectionMenuOrientation:     "horizontal",
		TextSelectionMenuSiteDenylist:    []string{},
		FloatingActionButtonSiteDenylist: []string{},
	}
}

func (e UserExtensionSettings) clone() UserExtensionSettings {
	e.TextSelectionMenuSiteDenylist = append([]string{}, e.TextSelectionMenuSiteDenylist...)
	e.FloatingActionButtonSiteDenylist = append([]string{}, e.FloatingActionButtonSiteDenylist...)
	return e
}

// extensionSettingsOf is u's settings, a copy.
func extensionSettingsOf(u *user) UserExtensionSettings {
	if u.extensionSettings == nil {
		return defaultExtensionSettings()
	}
	return u.extensionSettings.clone()
}

// ExtensionSettingsChange is a partial update of UserExtensionSettings: nil
// fields stay as they are; a denylist given replaces the list.
type ExtensionSettingsChange struct {
	IsTextSelectionMenuEnabled       *bool     `json:"is_text_selection_menu_enabled,omitempty" yaml:"is_text_selection_menu_enabled,omitempty"`
	IsFloatingActionButtonEnabled    *bool     `json:"is_floating_action_button_enabled,omitempty" yaml:"is_floating_action_button_enabled,omitempty"`
	TextSelectionMenuOrientation     *string   `json:"text_selection_menu_orientation,omitempty" yaml:"text_selection_menu_orientation,omitempty"`
	TextSelectionMenuSiteDenylist    *[]string `json:"text_selection_menu_site_denylist,omitempty" yaml:"text_selection_menu_site_denylist,omitempty"`
	FloatingActionButtonSiteDenylist *[]string `json:"floating_action_button_site_denylist,omitempty" yaml:"floating_action_button_site_denylist,omitempty"`
}

// check holds a change to the published schema's choices, for fixtures
// and the Go API (the API's schema checks its bodies first).
func (c ExtensionSettingsChange) check() error {
	if o := c.TextSelectionMenuOrientation; o != nil && *o != "horizontal" && *o != "vertical" {
		return fmt.Errorf("text_selection_menu_orientation %q is not horizontal or vertical", *o)
	}
	return nil
}

// applyTo returns e changed by c.
func (c ExtensionSettingsChange) applyTo(e UserExtensionSettings) UserExtensionSettings {
	if c.IsTextSelectionMenuEnabled != nil {
		e.IsTextSelectionMenuEnabled = *c.IsTextSelectionMenuEnabled
	}
	if c.IsFloatingActionButtonEnabled != nil {
		e.IsFloatingActionButtonEnabled = *c.IsFloatingActionButtonEnabled
	}
	if c.TextSelectionMenuOrientation != nil {
		e.TextSelectionMenuOrientation = *c.TextSelectionMenuOrientation
	}
	if c.TextSelectionMenuSiteDenylist != nil {
		e.TextSelectionMenuSiteDenylist = append([]string{}, *c.TextSelectionMenuSiteDenylist...)
	}
	if c.FloatingActionButtonSiteDenylist != nil {
		e.FloatingActionButtonSiteDenylist = append([]string{}, *c.FloatingActionButtonSiteDenylist...)
	}
	return e
}

// settingsChangeOf is what a full settings object says, as a change that
// sets every field (the state's form of a user's settings).
func settingsChangeOf(e UserExtensionSettings) *ExtensionSettingsChange {
	e = e.clone()
	return &ExtensionSettingsChange{
		IsTextSelectionMenuEnabled:       &e.IsTextSelectionMenuEnabled,
		IsFloatingActionButtonEnabled:    &e.IsFloatingActionButtonEnabled,
		TextSelectionMenuOrientation:     &e.TextSelectionMenuOrientation,
		TextSelectionMenuSiteDenylist:    &e.TextSelectionMenuSiteDenylist,
		FloatingActionButtonSiteDenylist: &e.FloatingActionButtonSiteDenylist,
	}
}

// updateExtensionSettings changes a user's settings.
type updateExtensionSettings struct {
	User   string                  `json:"user"`
	Change ExtensionSettingsChange `json:"change"`
	out    UserExtensionSettings
}

func (m *updateExtensionSettings) prepare() error { return m.Change.check() }

func (m *updateExtensionSettings) apply(s *store) error {
	u, err := found(s.users, m.User)
	if err != nil {
		return err
	}
	changed := m.Change.applyTo(extensionSettingsOf(u))
	u.extensionSettings = &changed
	m.out = changed.clone()
	return nil
}

// Milestone is an onboarding milestone a user reached: a key, with
// free-form metadata or null.
type Milestone struct {
	Key      string         `json:"key" yaml:"key"`
	Metadata map[string]any `json:"metadata" yaml:"metadata"`
}

// MarshalYAML writes null metadata as null: yaml.v3 would write a nil map
// as {}, which reads back as an empty object.
func (m Milestone) MarshalYAML() (any, error) {
	if m.Metadata == nil {
		return struct {
			Key      string    `yaml:"key"`
			Metadata *struct{} `yaml:"metadata"`
		}{Key: m.Key}, nil
	}
	// The metadata as campaign data is written (yamlData): JSON's numbers as
	// YAML numbers, every key a string.
	return struct {
		Key      string     `yaml:"key"`
		Metadata *yaml.Node `yaml:"metadata"`
	}{Key: m.Key, Metadata: yamlData(m.Metadata)}, nil
}

type milestone struct {
	key      string
	metadata map[string]any // nil is null
}

func (m *milestone) view() Milestone {
	out := Milestone{Key: m.key}
	if m.metadata != nil {
		out.Metadata = copyJSONObject(m.metadata)
	}
	return out
}

// milestoneKeyPattern is the published Milestone.key's pattern, unanchored
// as Django's RegexValidator applies it (with search).
var milestoneKeyPattern = regexp.MustCompile(`[a-z\d]+(?:_[a-z\d]+)*`)

// maxMilestoneKeyLength is the published Milestone.key's maxLength.
const maxMilestoneKeyLength = 128

// putMilestone records a milestone, replacing the metadata of a key the
// user has already reached (which keeps its place in the list).
type putMilestone struct {
	User      string `json:"user"`
	Milestone `json:"milestone"`
}

func (m *putMilestone) prepare() error {
	return checkMilestone(m.Milestone)
}

// checkMilestone holds a milestone to the published schema, for fixtures
// and the Go API (the API's schema checks its bodies first).
func checkMilestone(m Milestone) error {
	switch {
	case len([]rune(m.Key)) > maxMilestoneKeyLength:
		return fmt.Errorf("milestone key is longer than %d characters", maxMilestoneKeyLength)
	case !milestoneKeyPattern.MatchString(m.Key):
		return fmt.Errorf("milestone key %q does not match %s", m.Key, milestoneKeyPattern)
	}
	return nil
}

func (m *putMilestone) apply(s *store) error {
	u, err := found(s.users, m.User)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(u.milestones, func(ms *milestone) bool { return ms.key == m.Key }) {
		if err := s.checkMilestoneCapLocked(u); err != nil {
			return err
		}
	}
	setMilestoneLocked(u, m.Milestone)
	m.Milestone = Milestone{Key: m.Key, Metadata: copyJSONObjectOrNil(m.Metadata)}
	return nil
}

// setMilestoneLocked records ms for u, replacing the metadata of its key.
func setMilestoneLocked(u *user, ms Milestone) {
	metadata := copyJSONObjectOrNil(ms.Metadata)
	if i := slices.IndexFunc(u.milestones, func(m *milestone) bool { return m.key == ms.Key }); i >= 0 {
		u.milestones[i].metadata = metadata
		return
	}
	u.milestones = append(u.milestones, &milestone{key: ms.Key, metadata: metadata})
}

func copyJSONObjectOrNil(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return copyJSONObject(m)
}

func milestonesOf(u *user) []Milestone {
	return viewAll(u.milestones, (*milestone).view)
}

// preferencesOf is what the state writes of u's preferences: its settings
// when ever changed, its milestones when it has any.
func preferencesOf(u *user) (*ExtensionSettingsChange, []Milestone) {
	var settings *ExtensionSettingsChange
	if u.extensionSettings != nil {
		settings = settingsChangeOf(*u.extensionSettings)
	}
	var milestones []Milestone
	if len(u.milestones) > 0 {
		milestones = milestonesOf(u)
	}
	return settings, milestones
}

// --- handlers ---

// userLocked finds the caller's account.
func (s *store) userLocked(id string) func() (*user, error) {
	return func() (*user, error) { return found(s.users, id) }
}

func (s *Server) retrieveUserExtensionSettings(w http.ResponseWriter, req *apiRequest) error {
	settings, err := readOne(s.store, s.store.userLocked(req.caller.userID), extensionSettingsOf)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, settings)
	return nil
}

func (s *Server) partialUpdateUserExtensionSettings(w http.ResponseWriter, req *apiRequest) error {
	object, _ := req.body.(map[string]any)
	var c ExtensionSettingsChange
	if v, ok := object["is_text_selection_menu_enabled"].(bool); ok {
		c.IsTextSelectionMenuEnabled = &v
	}
	if v, ok := object["is_floating_action_button_enabled"].(bool); ok {
		c.IsFloatingActionButtonEnabled = &v
	}
	c.TextSelectionMenuOrientation = stringField(object, "text_selection_menu_orientation")
	c.TextSelectionMenuSiteDenylist = stringListField(object, "text_selection_menu_site_denylist")
	c.FloatingActionButtonSiteDenylist = stringListField(object, "floating_action_button_site_denylist")
	m := &updateExtensionSettings{User: req.caller.userID, Change: c}
	if err := s.store.doAs(req.caller.userID, m); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m.out)
	return nil
}

// stringListField returns a list-of-strings field of an object body (the
// schema checked the items), nil when absent.
func stringListField(object map[string]any, name string) *[]string {
	items, ok := object[name].([]any)
	if !ok {
		return nil
	}
	list := make([]string, 0, len(items))
	for _, item := range items {
		list = append(list, fmt.Sprint(item))
	}
	return &list
}

func (s *Server) listMilestones(w http.ResponseWriter, req *apiRequest) error {
	list, err := readOne(s.store, s.store.userLocked(req.caller.userID), milestonesOf)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) createMilestone(w http.ResponseWriter, req *apiRequest) error {
	object, _ := req.body.(map[string]any)
	ms := Milestone{Key: *stringField(object, "key")}
	ms.Metadata, _ = object["metadata"].(map[string]any)
	m := &putMilestone{User: req.caller.userID, Milestone: ms}
	if err := s.store.doAs(req.caller.userID, m); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m.Milestone)
	return nil
}

// --- Go API ---

// userByEmailLocked finds a user by e-mail, for the helpers.
func (s *store) userByEmailLocked(email string) func() (*user, error) {
	return func() (*user, error) {
		u, ok := s.usersByEmail[emailKey(email)]
		if !ok {
			return nil, fmt.Errorf("no user %s: %w", email, ErrNotFound)
		}
		return u, nil
	}
}

// Milestones returns the milestones the user with this e-mail reached, in
// the order first reached.
func (s *Server) Milestones(email string) ([]Milestone, error) {
	return readOne(s.store, s.store.userByEmailLocked(email), milestonesOf)
}

// ExtensionSettings returns the browser-extension settings of the user
// with this e-mail (the defaults until changed).
func (s *Server) ExtensionSettings(email string) (UserExtensionSettings, error) {
	return readOne(s.store, s.store.userByEmailLocked(email), extensionSettingsOf)
}
