package fake

import (
	"slices"
	"strings"
	"time"
)

// Service accounts and deployment keys are team members whose user is made
// for them: a service account's user has service_account true, a deployment
// key's deployment_key_account true. Each one's id is its user's id, its
// name its user's name and its created_at its user's date_joined, so the
// memberships list, its filters, fixtures and the state hold them as they
// hold any member, and their tokens authenticate as any member's does.

// ServiceAccount is a team's service account, as it is listed: never with
// its token.
type ServiceAccount struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Role         Role       `json:"role"`
	CreatedAt    time.Time  `json:"created_at"`
	LastActiveAt *time.Time `json:"last_active_at"`
}

// ServiceAccountWithToken is a service account as its creation answers it:
// the one time its token is shown.
type ServiceAccountWithToken struct {
	ServiceAccount
	Token string `json:"token"`
}

// DeploymentKey is a team's deployment key, always with its token (the
// published document shows it on every read).
type DeploymentKey struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Token     string    `json:"token"`
	CreatedAt time.Time `json:"created_at"`
}

// keyKind says which of the two kinds of made-for-a-purpose account a
// write or read is about.
type keyKind int

const (
	kindServiceAccount keyKind = iota + 1
	kindDeploymentKey
)

// is reports whether u is an account of this kind.
func (k keyKind) is(u *user) bool {
	if k == kindServiceAccount {
		return u.serviceAccount
	}
	return u.deploymentKeyAccount
}

// auditName is the kind's object name in the audit vocabulary.
func (k keyKind) auditName() string {
	if k == kindServiceAccount {
		return "service_account"
	}
	return "deployment_key"
}

// emailDomain is the domain of the e-mail address the fake gives the
// kind's users: the published document says nothing of it, and a reserved
// top-level domain can never reach anyone.
func (k keyKind) emailDomain() string {
	if k == kindServiceAccount {
		return "service-accounts.pixiebrix.invalid"
	}
	return "deployment-keys.pixiebrix.invalid"
}

func (s *store) serviceAccountViewLocked(m *membership) ServiceAccount {
	return ServiceAccount{
		ID: m.user.id, Name: m.user.name, Role: m.role,
		CreatedAt: m.user.dateJoined, LastActiveAt: copyTime(m.lastActiveAt),
	}
}

func (s *store) deploymentKeyViewLocked(m *membership) DeploymentKey {
	return DeploymentKey{ID: m.user.id, Name: m.user.name, Token: m.user.token, CreatedAt: m.user.dateJoined}
}

// keyRef is the audit trail's name for such an account.
func (k keyKind) ref(u *user) auditRef {
	return auditRef{id: u.id, contentType: k.auditName(), label: u.name}
}

// keysOf lists a team's accounts of one kind, in membership order.
func (s *store) keysOf(orgID string, kind keyKind, p pageRequest) ([]*membership, pageResult, error) {
	org, ok := s.orgs[orgID]
	if !ok {
		return nil, pageResult{}, errNotFound()
	}
	return paginate(org.members, func(m *membership) bool { return kind.is(m.user) }, p, func(m *membership) *membership { return m })
}

// FindServiceAccounts lists a team's service accounts in membership order.
func (s *store) FindServiceAccounts(orgID string, p pageRequest) ([]ServiceAccount, pageResult, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	list, res, err := s.keysOf(orgID, kindServiceAccount, p)
	return viewAll(list, s.serviceAccountViewLocked), res, err
}

// FindDeploymentKeys lists a team's deployment keys in membership order.
func (s *store) FindDeploymentKeys(orgID string, p pageRequest) ([]DeploymentKey, pageResult, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	list, res, err := s.keysOf(orgID, kindDeploymentKey, p)
	return viewAll(list, s.deploymentKeyViewLocked), res, err
}

// keyLocked finds a team's account of one kind by its (user) id; another
// team's, or another kind's, is not found.
func (s *store) keyLocked(orgID, id string, kind keyKind) func() (*membership, error) {
	return func() (*membership, error) {
		org, ok := s.orgs[orgID]
		if !ok {
			return nil, errNotFound()
		}
		m, ok := org.memberByUser[strings.ToLower(id)]
		if !ok || !kind.is(m.user) {
			return nil, errNotFound()
		}
		return m, nil
	}
}

// FindServiceAccount returns one service account of a team.
func (s *store) FindServiceAccount(orgID, id string) (ServiceAccount, error) {
	return readOne(s, s.keyLocked(orgID, id, kindServiceAccount), s.serviceAccountViewLocked)
}

// FindDeploymentKey returns one deployment key of a team.
func (s *store) FindDeploymentKey(orgID, id string) (DeploymentKey, error) {
	return readOne(s, s.keyLocked(orgID, id, kindDeploymentKey), s.deploymentKeyViewLocked)
}

// addKeyLocked makes the user of a new account of kind and adds it to org
// with role, now.
func (s *store) addKeyLocked(org *organization, kind keyKind, name string, role Role) (*membership, error) {
	name, err := validateName(name)
	if err != nil {
		return nil, err
	}
	id := s.newIDLocked()
	u, err := s.putUserLocked(user{
		id: id, name: name, email: id + "@" + kind.emailDomain(), token: s.newTokenLocked(),
		serviceAccount: kind == kindServiceAccount, deploymentKeyAccount: kind == kindDeploymentKey,
		dateJoined: s.now(),
	})
	if err != nil {
		return nil, err
	}
	m, err := s.addMemberLocked(org, u, role, 0, nil, nil)
	if err != nil {
		s.removeUserLocked(u)
		return nil, err
	}
	s.auditLocked(org, kind.auditName()+".created", kind.ref(u), membershipRef(m), map[string]any{"role": int(role)})
	return m, nil
}

// removeKeyLocked deletes an account: its membership, its group places and
// its token. A user the fixture also placed in another team stays there,
// without a token.
func (s *store) removeKeyLocked(m *membership, kind keyKind) {
	s.auditLocked(m.org, kind.auditName()+".deleted", kind.ref(m.user), membershipRef(m), map[string]any{"role": int(m.role)})
	s.removeKeyAccountLocked(m)
}

// removeKeyAccountLocked is removeKeyLocked without the event.
func (s *store) removeKeyAccountLocked(m *membership) {
	u := m.user
	s.removeMembershipLocked(m)
	if len(u.memberships) == 0 {
		s.removeUserLocked(u)
		return
	}
	if u.token != "" {
		delete(s.usersByToken, u.token)
		u.token = ""
	}
}

// createServiceAccount adds a service account to a team.
type createServiceAccount struct {
	newNamed
	Role Role `json:"role"`
	out  ServiceAccountWithToken
}

func (m *createServiceAccount) prepare() error {
	_, err := validateName(m.Name)
	return err
}

func (m *createServiceAccount) apply(s *store) error {
	org, err := found(s.orgs, m.Org)
	if err != nil {
		return err
	}
	if err := s.checkKeyCapLocked(); err != nil {
		return err
	}
	ms, err := s.addKeyLocked(org, kindServiceAccount, m.Name, m.Role)
	if err != nil {
		return err
	}
	m.out = ServiceAccountWithToken{ServiceAccount: s.serviceAccountViewLocked(ms), Token: ms.user.token}
	return nil
}

// CreateServiceAccount adds a service account to a team and returns it
// with its token; role 0 is the default, restricted.
func (s *store) CreateServiceAccount(actor, orgID, name string, role Role) (ServiceAccountWithToken, error) {
	if role == 0 {
		role = RoleRestricted
	}
	m := &createServiceAccount{newNamed: newNamed{Org: orgID, Name: name}, Role: role}
	return m.out, s.doAs(actor, m)
}

// createDeploymentKey adds a deployment key to a team.
type createDeploymentKey struct {
	newNamed
	out DeploymentKey
}

func (m *createDeploymentKey) prepare() error {
	_, err := validateName(m.Name)
	return err
}

func (m *createDeploymentKey) apply(s *store) error {
	org, err := found(s.orgs, m.Org)
	if err != nil {
		return err
	}
	if err := s.checkKeyCapLocked(); err != nil {
		return err
	}
	// Restricted: a deployment key only reads what it deploys, and the
	// published document gives it no role to choose.
	ms, err := s.addKeyLocked(org, kindDeploymentKey, m.Name, RoleRestricted)
	if err != nil {
		return err
	}
	m.out = s.deploymentKeyViewLocked(ms)
	return nil
}

// CreateDeploymentKey adds a deployment key to a team.
func (s *store) CreateDeploymentKey(actor, orgID, name string) (DeploymentKey, error) {
	m := &createDeploymentKey{newNamed: newNamed{Org: orgID, Name: name}}
	return m.out, s.doAs(actor, m)
}

// deleteKey deletes a service account or a deployment key and revokes its
// token.
type deleteKey struct {
	Org  string  `json:"org"`
	ID   string  `json:"id"`
	Kind keyKind `json:"kind"`
}

func (m *deleteKey) apply(s *store) error {
	if m.Kind != kindServiceAccount && m.Kind != kindDeploymentKey {
		return errNotFound()
	}
	ms, err := s.keyLocked(m.Org, m.ID, m.Kind)()
	if err == nil {
		s.removeKeyLocked(ms, m.Kind)
	}
	return err
}

// DeleteServiceAccount deletes a service account and revokes its token.
func (s *store) DeleteServiceAccount(actor, orgID, id string) error {
	return s.doAs(actor, &deleteKey{Org: orgID, ID: id, Kind: kindServiceAccount})
}

// DeleteDeploymentKey deletes a deployment key and revokes its token.
func (s *store) DeleteDeploymentKey(actor, orgID, id string) error {
	return s.doAs(actor, &deleteKey{Org: orgID, ID: id, Kind: kindDeploymentKey})
}

// removeKeysOfOrgLocked deletes every service account and deployment key
// of a team being deleted, and revokes their tokens: the team-delete
// cascade (removeOrganizationLocked) calls it before it removes the
// memberships, as it removes the team's other collections. No event: the
// trail goes with the team.
func (s *store) removeKeysOfOrgLocked(org *organization) {
	for _, m := range slices.Clone(org.members) {
		for _, kind := range []keyKind{kindServiceAccount, kindDeploymentKey} {
			if kind.is(m.user) {
				s.removeKeyAccountLocked(m)
				break
			}
		}
	}
}
