package fake

import (
	"crypto/sha1"
	"encoding/binary"
	"net/http"
	"slices"
)

// The caller's account: its token, its Control Room principals, and its
// deletion.

// AuthToken is the body of GET /api/me/token/.
type AuthToken struct {
	Token string `json:"token"`
}

// ControlRoomPrincipal is the caller as a user of one Control Room.
type ControlRoomPrincipal struct {
	ControlRoomUserID int64  `json:"control_room_user_id"`
	ControlRoomURL    string `json:"control_room_url"`
}

// controlRoomUserID is the user's id in a Control Room: derived from both,
// like derivedUUID, so that it is stable and draws nothing from the seed.
// Control Room user ids are small positive numbers.
func controlRoomUserID(userID, controlRoomID string) int64 {
	h := sha1.Sum([]byte(userID + "\x00" + controlRoomID))
	return int64(binary.BigEndian.Uint32(h[:4])%1_000_000) + 1
}

// principalsLocked lists u's principals: one for each distinct Control Room
// of its teams, in the order it joined them.
func principalsLocked(u *user) []ControlRoomPrincipal {
	out := []ControlRoomPrincipal{}
	for _, m := range u.memberships {
		cr := m.org.settings.controlRoom
		if slices.ContainsFunc(out, func(p ControlRoomPrincipal) bool { return p.ControlRoomURL == cr.URL }) {
			continue
		}
		out = append(out, ControlRoomPrincipal{ControlRoomUserID: controlRoomUserID(u.id, cr.ID), ControlRoomURL: cr.URL})
	}
	return out
}

// FindPrincipals lists one page of the caller's Control Room principals.
func (s *store) FindPrincipals(c caller, p pageRequest) ([]ControlRoomPrincipal, pageResult, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, err := found(s.users, c.userID)
	if err != nil {
		return nil, pageResult{}, err
	}
	return paginate(principalsLocked(u), nil, p, func(p ControlRoomPrincipal) ControlRoomPrincipal { return p })
}

// deleteAccount deletes a user: it leaves every team, as a membership
// delete does (group places in those teams go too; campaign members, kept
// by e-mail, stay), and its token stops working. Each team it leaves
// records user.deleted in its audit trail.
type deleteAccount struct {
	User string `json:"user"`
}

func (m *deleteAccount) apply(s *store) error {
	u, err := found(s.users, m.User)
	if err != nil {
		return err
	}
	userRef := auditRef{id: u.id, contentType: "user", label: u.email}
	for _, ms := range slices.Clone(u.memberships) {
		s.auditLocked(ms.org, "user.deleted", userRef, orgRef(ms.org), map[string]any{"role": int(ms.role)})
		s.removeMembershipLocked(ms)
	}
	s.removeInvitationsByLocked(u)
	s.removeUserLocked(u)
	return nil
}

func (s *Server) destroyMe(w http.ResponseWriter, req *apiRequest) error {
	if err := s.store.doAs(req.caller.userID, &deleteAccount{User: req.caller.userID}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) retrieveAuthToken(w http.ResponseWriter, req *apiRequest) error {
	token, err := readOne(s.store, func() (*user, error) { return found(s.store.users, req.caller.userID) },
		func(u *user) AuthToken { return AuthToken{Token: u.token} })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, token)
	return nil
}

func (s *Server) listControlRoomPrincipals(w http.ResponseWriter, req *apiRequest) error {
	p, err := s.pageRequestOf(req)
	if err != nil {
		return err
	}
	list, res, err := s.store.FindPrincipals(*req.caller, p)
	if err != nil {
		return err
	}
	writeList(w, req, list, res)
	return nil
}
