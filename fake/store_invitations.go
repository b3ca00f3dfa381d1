package fake

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// invitation is a team's pending invitation of an e-mail address. It lives
// until the invitee accepts or rejects it, or a manager revokes it; an
// accepted, rejected or revoked invitation is gone (the audit trail keeps
// what happened to it).
type invitation struct {
	id        string
	org       *organization
	email     string // as the inviter wrote it
	role      Role
	inviter   UserRef // as the inviter was when inviting, so it outlives their account
	createdAt time.Time
}

// PendingInvitation is the published PendingInvitation resource.
type PendingInvitation struct {
	ID           string                 `json:"id"`
	Email        string                 `json:"email"`
	Inviter      UserRef                `json:"inviter"`
	Organization InvitationOrganization `json:"organization"`
	Role         Role                   `json:"role"`
}

// InvitationOrganization is the team an invitation is to.
type InvitationOrganization struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (s *store) invitationViewLocked(inv *invitation) PendingInvitation {
	return PendingInvitation{
		ID:           inv.id,
		Email:        inv.email,
		Inviter:      inv.inviter,
		Organization: InvitationOrganization{ID: inv.org.id, Name: inv.org.name},
		Role:         inv.role,
	}
}

// invitationRef is an invitation as an audit event names it: the target of
// its creation and revocation too, as the invitee may have no account.
func invitationRef(inv *invitation) auditRef {
	return auditRef{id: inv.id, contentType: "invitation", label: inv.email}
}

// invitationByEmailLocked is org's pending invitation of email, if any.
func (org *organization) invitationByEmailLocked(email string) *invitation {
	key := emailKey(email)
	for _, inv := range org.invitations {
		if emailKey(inv.email) == key {
			return inv
		}
	}
	return nil
}

// FindInvitations lists a team's pending invitations in the order they
// were made.
func (s *store) FindInvitations(orgID string, p pageRequest) ([]PendingInvitation, pageResult, error) {
	return readList(s, s.orgLocked(orgID), func(org *organization) []*invitation { return org.invitations }, p, s.invitationViewLocked)
}

// FindMyInvitations lists the invitations addressed to the caller's e-mail
// (compared without case), oldest first, ties by id.
func (s *store) FindMyInvitations(c caller, p pageRequest) ([]PendingInvitation, pageResult, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[c.userID]
	if !ok {
		return nil, pageResult{}, errNotFound()
	}
	return paginate(s.invitationsOfEmailLocked(u.email), nil, p, s.invitationViewLocked)
}

func (s *store) invitationsOfEmailLocked(email string) []*invitation {
	key := emailKey(email)
	var mine []*invitation
	for _, inv := range s.invitations {
		if emailKey(inv.email) == key {
			mine = append(mine, inv)
		}
	}
	slices.SortFunc(mine, func(a, b *invitation) int {
		if c := a.createdAt.Compare(b.createdAt); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return mine
}

// inviteItem is one person of an invitation write.
type inviteItem struct {
	Email string `json:"email"`
	Role  Role   `json:"role,omitempty"` // 0: the team's default role
	// schemaFailed: see memberItem.
	schemaFailed bool
	badRole      string // a role the schema let through that is no choice ("2.0")
}

func (item inviteItem) failedSchema() bool { return item.schemaFailed }

func (item inviteItem) checkSyntax(errs fieldErrors) {
	if checkEmail(strings.TrimSpace(item.Email)) != nil {
		errs.add("email", messageInvalidEmail)
	}
	if item.badRole != "" {
		errs.add("role", fmt.Sprintf("%q is not a valid choice.", item.badRole))
	}
}

const (
	detailInvitationsDisabled = "Invitations are disabled for this team."
	messageAlreadyMember      = "This user is already a member of the team."
	messageAlreadyInvited     = "This email has already been invited to the team."
)

// createInvitations invites people to a team: one pending invitation and
// one invitation e-mail in the outbox per item. Inviting a member of the
// team, an e-mail with a pending invitation, or one e-mail twice in the
// same list refuses the write for that item, and nothing is written.
type createInvitations struct {
	Org string `json:"org"`
	// Inviter is the user named as the invitation's inviter: the caller,
	// or for a write from Go, the one the helper chose.
	Inviter string `json:"inviter"`
	itemList[inviteItem]
	out []PendingInvitation
}

func (m *createInvitations) apply(s *store) error {
	org, err := found(s.orgs, m.Org)
	if err != nil {
		return err
	}
	if s.actor != "" && !org.settings.enableInvitations {
		// The published Organization's read-only enable_invitations: a team
		// that has them off (an SSO-provisioned one, say) takes none from
		// the API. Invite (Go), like a fixture, seeds them all the same.
		return &apiError{code: codeForbidden, detail: detailInvitationsDisabled}
	}
	inviter, err := found(s.users, m.Inviter)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	err = m.checkLocked(func(_ int, item inviteItem, errs fieldErrors) {
		key := emailKey(item.Email)
		switch {
		case org.memberByEmailLocked(s, item.Email) != nil:
			errs.add("email", messageAlreadyMember)
		case org.invitationByEmailLocked(item.Email) != nil || seen[key]:
			errs.add("email", messageAlreadyInvited)
		}
		seen[key] = true
	})
	if err == nil {
		err = s.checkInvitationCapLocked(len(m.Items)) // every item is a new invitation
	}
	if err != nil {
		return err
	}
	m.out = make([]PendingInvitation, 0, len(m.Items))
	for _, item := range m.Items {
		role := item.Role
		if role == 0 {
			role = org.defaultRole
		}
		inv := s.addInvitationLocked(org, strings.TrimSpace(item.Email), role, s.userRefLocked(inviter), s.now(), "")
		s.sendLocked(outboxMessage{
			kind:       OutboxInvitation,
			to:         inv.email,
			subject:    fmt.Sprintf("%s invited you to join %s", inviter.name, org.name),
			org:        org.id,
			invitation: inv.id,
		})
		s.auditLocked(org, "invitation.created", invitationRef(inv), invitationRef(inv),
			map[string]any{"email": inv.email, "role": int(inv.role)})
		m.out = append(m.out, s.invitationViewLocked(inv))
	}
	return nil
}

// addInvitationLocked adds a pending invitation to org (id "" draws one).
func (s *store) addInvitationLocked(org *organization, email string, role Role, inviter UserRef, at time.Time, id string) *invitation {
	if id == "" {
		id = s.newIDLocked()
	}
	inv := &invitation{id: id, org: org, email: email, role: role, inviter: inviter, createdAt: at}
	org.invitations = append(org.invitations, inv)
	s.invitations[id] = inv
	return inv
}

func (s *store) removeInvitationLocked(inv *invitation) {
	inv.org.invitations = removeItem(inv.org.invitations, inv)
	delete(s.invitations, inv.id)
}

// removeInvitationsOfOrgLocked forgets a team's invitations, for the
// team's deletion.
func (s *store) removeInvitationsOfOrgLocked(org *organization) {
	for _, inv := range org.invitations {
		delete(s.invitations, inv.id)
	}
	org.invitations = nil
}

// removeInvitationsByLocked forgets the pending invitations u sent, for the
// deletion of u's account: the inviter is a user the invitation points at
// (a fixture's inviter must be a user), so they go with the account, as a
// Django foreign key with on_delete=CASCADE takes them. The invitations sent
// TO u's address stay: they are addressed by e-mail.
func (s *store) removeInvitationsByLocked(u *user) {
	for _, inv := range s.invitations {
		if inv.inviter.ID == u.id {
			s.removeInvitationLocked(inv)
		}
	}
}

// CreateInvitations invites people to a team as inviterID (createInvitations).
func (s *store) CreateInvitations(orgID, inviterID string, items []inviteItem) ([]PendingInvitation, []fieldErrors, error) {
	return s.createInvitationsAs(inviterID, orgID, inviterID, items)
}

// createInvitationsAs is CreateInvitations made by actorID ("" from Go).
func (s *store) createInvitationsAs(actorID, orgID, inviterID string, items []inviteItem) ([]PendingInvitation, []fieldErrors, error) {
	m := &createInvitations{Org: orgID, Inviter: inviterID, itemList: itemList[inviteItem]{Items: items}}
	return listWriteResult(m.out, s.doAs(actorID, m))
}

// revokeInvitation deletes a team's pending invitation.
type revokeInvitation struct {
	Org string `json:"org"`
	ID  string `json:"id"`
}

func (m *revokeInvitation) apply(s *store) error {
	inv, ok := s.invitations[m.ID]
	if !ok || inv.org.id != m.Org {
		return errNotFound()
	}
	s.removeInvitationLocked(inv)
	s.auditLocked(inv.org, "invitation.revoked", invitationRef(inv), invitationRef(inv),
		map[string]any{"email": inv.email, "role": int(inv.role)})
	return nil
}

// RevokeInvitation deletes a team's pending invitation as actorID.
func (s *store) RevokeInvitation(actorID, orgID, id string) error {
	return s.doAs(actorID, &revokeInvitation{Org: orgID, ID: id})
}

// answerInvitation is the invitee's answer: accepting makes them a member
// of the team with the invited role (linking the pending group places of
// their e-mail; campaign places follow the e-mail by themselves), rejecting
// only ends the invitation. An invitation addressed to another e-mail is a
// 404, as if it did not exist.
type answerInvitation struct {
	ID     string `json:"id"`
	User   string `json:"user"`
	Accept bool   `json:"accept"`
	out    PendingInvitation
}

const messageAlreadyInTeam = "You are already a member of this team."

func (m *answerInvitation) apply(s *store) error {
	inv, ok := s.invitations[m.ID]
	u, known := s.users[m.User]
	if !ok || !known || emailKey(inv.email) != emailKey(u.email) {
		return errNotFound()
	}
	org := inv.org
	m.out = s.invitationViewLocked(inv)
	if !m.Accept {
		s.removeInvitationLocked(inv)
		s.auditLocked(org, "invitation.rejected", userRef(u), invitationRef(inv), map[string]any{"email": inv.email, "role": int(inv.role)})
		return nil
	}
	if org.memberByUser[u.id] != nil {
		return errInvalidField("non_field_errors", messageAlreadyInTeam)
	}
	if err := s.checkMembershipCapLocked(); err != nil {
		return err
	}
	ms, err := s.addMemberLocked(org, u, inv.role, 0, nil, nil)
	if err != nil {
		return err
	}
	s.removeInvitationLocked(inv)
	s.auditLocked(org, "invitation.accepted", userRef(u), invitationRef(inv),
		map[string]any{"email": inv.email, "role": int(inv.role), "membership_id": ms.id})
	return nil
}

// AnswerInvitation accepts or rejects, as the user userID, an invitation
// addressed to their e-mail.
func (s *store) AnswerInvitation(userID, id string, accept bool) (PendingInvitation, error) {
	m := &answerInvitation{ID: id, User: userID, Accept: accept}
	return m.out, s.doAs(userID, m)
}

// --- fixtures ---

// orgByName finds a seeded team by its (unique) name.
func (sd *seeder) orgByName(name string) *organization {
	for _, org := range sd.st.orgs {
		if org.name == name {
			return org
		}
	}
	return nil
}

// invitation seeds one pending invitation of org.
func (sd *seeder) invitation(org *organization, fi *FixtureInvitation) error {
	switch {
	case fi.Email == "":
		return fmt.Errorf("email is required")
	case sd.emails.check(fi.Email) != nil:
		return fmt.Errorf("email %q is not a valid address", fi.Email)
	case fi.Role != 0 && !fi.Role.valid():
		return fmt.Errorf("role %d is not a role (1 to 5)", fi.Role)
	case fi.ID != "" && !isUUID(fi.ID):
		return fmt.Errorf("id %q is not a UUID", fi.ID)
	case org.memberByEmailLocked(sd.st, fi.Email) != nil:
		return fmt.Errorf("%s is a member of the team already", fi.Email)
	case org.invitationByEmailLocked(fi.Email) != nil:
		return fmt.Errorf("%s is invited twice", fi.Email)
	}
	inviter, err := sd.inviter(org, fi.Inviter)
	if err != nil {
		return err
	}
	id, err := claimID(sd.st, sd.st.invitations, strings.ToLower(fi.ID), "invitation")
	if err != nil {
		return err
	}
	role := fi.Role
	if role == 0 {
		role = org.defaultRole
	}
	at := epoch
	if fi.CreatedAt != nil {
		at = fi.CreatedAt.UTC()
	}
	inv := sd.st.addInvitationLocked(org, fi.Email, role, sd.st.userRefLocked(inviter), at, id)
	sd.onUndo(func() { sd.st.removeInvitationLocked(inv) })
	return nil
}

// inviter is the user an invitation names by email, or the team's first
// admin when it names none.
func (sd *seeder) inviter(org *organization, email string) (*user, error) {
	if email != "" {
		u, ok := sd.st.usersByEmail[emailKey(email)]
		if !ok {
			return nil, fmt.Errorf("inviter %s is no user", email)
		}
		return u, nil
	}
	for _, m := range org.members {
		if m.role == RoleAdmin {
			return m.user, nil
		}
	}
	return nil, fmt.Errorf("the team has no admin to be the inviter: give inviter")
}

// outboxMessage seeds one message of the outbox.
func (sd *seeder) outboxMessage(msg OutboxMessage) error {
	switch {
	case msg.Kind != OutboxInvitation && msg.Kind != OutboxCampaignRegistration && msg.Kind != OutboxCampaignReminder:
		return fmt.Errorf("kind %q is not one of %s, %s, %s", msg.Kind, OutboxInvitation, OutboxCampaignRegistration, OutboxCampaignReminder)
	case msg.To == "":
		return fmt.Errorf("to is required")
	case msg.ID != "" && !isUUID(msg.ID):
		return fmt.Errorf("id %q is not a UUID", msg.ID)
	case !isUUID(msg.Organization):
		// The team's id is what the outbox serves; the team itself may be
		// gone since, so it is not looked up.
		return fmt.Errorf("organization %q is not a team id (a UUID)", msg.Organization)
	case msg.Invitation != "" && !isUUID(msg.Invitation):
		return fmt.Errorf("invitation %q is not a UUID", msg.Invitation)
	case msg.Campaign != "" && !isUUID(msg.Campaign):
		return fmt.Errorf("campaign %q is not a UUID", msg.Campaign)
	}
	if msg.ID == "" {
		msg.ID = sd.st.newIDLocked()
	}
	if msg.SentAt.IsZero() {
		msg.SentAt = epoch
	}
	sd.st.outbox = append(sd.st.outbox, msg)
	return nil
}

// Invite invites people to the team teamID as a fixture's invitations
// entry would, made now by the server's clock, with an invitation e-mail in
// the outbox: Inviter names the inviting user by e-mail (the team's first
// admin when empty). A member of the team or an e-mail already invited is
// an error, and nothing changes. A team whose enable_invitations is off
// takes the invitation, as a fixture does (the API refuses it).
func (s *Server) Invite(teamID string, inv FixtureInvitation) (PendingInvitation, error) {
	st := s.store
	st.mu.RLock()
	var inviterID string
	org, ok := st.orgs[strings.ToLower(teamID)]
	if ok {
		sd := &seeder{st: st}
		if u, err := sd.inviter(org, inv.Inviter); err == nil {
			inviterID = u.id
		} else {
			st.mu.RUnlock()
			return PendingInvitation{}, fmt.Errorf("Invite %q: %w", inv.Email, err)
		}
	}
	st.mu.RUnlock()
	if !ok {
		return PendingInvitation{}, fmt.Errorf("Invite %q: no team %s: %w", inv.Email, teamID, ErrNotFound)
	}
	list, itemErrs, err := st.createInvitationsAs("", strings.ToLower(teamID), inviterID, []inviteItem{{Email: inv.Email, Role: inv.Role}})
	if err == nil && itemErrs != nil {
		err = itemErrors(itemErrs)
	}
	if err != nil {
		return PendingInvitation{}, fmt.Errorf("Invite %q: %w", inv.Email, err)
	}
	return list[0], nil
}

// Invitations returns the pending invitations of the team teamID in the
// order they were made.
func (s *Server) Invitations(teamID string) ([]PendingInvitation, error) {
	list, _, err := s.store.FindInvitations(strings.ToLower(teamID), pageRequest{})
	return list, notFound(err, "team", teamID)
}
