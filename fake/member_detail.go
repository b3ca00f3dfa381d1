package fake

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// UserDetail is a member of a team as GET …/members/{user_id}/ shows it:
// the account, the membership and the member's groups in the team.
type UserDetail struct {
	ID            string               `json:"id"`
	Name          string               `json:"name"`
	Email         string               `json:"email"`
	Groups        []UserDetailGroup    `json:"groups"`
	LastUsedModAt *time.Time           `json:"last_used_mod_at"`
	LastLogin     *time.Time           `json:"last_login"`
	DateJoined    time.Time            `json:"date_joined"`
	Membership    UserDetailMembership `json:"membership"`
}

// UserDetailGroup is one of a member's groups: ID is the group
// membership's, CreatedAt when the member was put in the group.
type UserDetailGroup struct {
	ID        string    `json:"id"`
	GroupID   string    `json:"group_id"`
	GroupName string    `json:"group_name"`
	CreatedAt time.Time `json:"created_at"`
}

// UserDetailMembership is the member's team membership.
type UserDetailMembership struct {
	ID   int  `json:"id"`
	Role Role `json:"role"`
}

// memberLocked finds the membership of the user userID in org; a user who
// is not in the team is the API's 404, as an unknown id is.
func (s *store) memberLocked(orgID, userID string) func() (*membership, error) {
	return func() (*membership, error) {
		org, err := found(s.orgs, orgID)
		if err != nil {
			return nil, err
		}
		return found(org.memberByUser, strings.ToLower(userID))
	}
}

func (s *store) userDetailViewLocked(m *membership) UserDetail {
	u := m.user
	d := UserDetail{
		ID:            u.id,
		Name:          u.name,
		Email:         u.email,
		Groups:        []UserDetailGroup{},
		LastUsedModAt: copyTime(m.lastActiveAt),
		LastLogin:     copyTime(m.lastLoginAt),
		DateJoined:    u.dateJoined,
		Membership:    UserDetailMembership{ID: m.id, Role: m.role},
	}
	for g, gm := range m.groups { // the member's groups, not the team's (store.go)
		d.Groups = append(d.Groups, UserDetailGroup{ID: gm.id, GroupID: g.id, GroupName: g.name, CreatedAt: gm.createdAt})
	}
	slices.SortFunc(d.Groups, func(a, b UserDetailGroup) int { return compareByName(a.GroupName, a.GroupID, b.GroupName, b.GroupID) })
	return d
}

// FindUserDetail returns the member userID of the team orgID.
func (s *store) FindUserDetail(orgID, userID string) (UserDetail, error) {
	return readOne(s, s.memberLocked(orgID, userID), s.userDetailViewLocked)
}

func (s *Server) retrieveUserDetail(w http.ResponseWriter, req *apiRequest) error {
	d, err := s.store.FindUserDetail(req.orgID, req.vars["id"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// destroyOrganizationMemberCache clears what the real server caches of a
// member's permissions. The fake caches nothing, so it changes nothing; it
// still answers 404 for a user who is not in the team.
func (s *Server) destroyOrganizationMemberCache(w http.ResponseWriter, req *apiRequest) error {
	if _, err := readOne(s.store, s.store.memberLocked(req.orgID, req.vars["id"]), func(*membership) struct{} { return struct{}{} }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// UserDetail returns the member userID of the team teamID as
// GET /api/organizations/{teamID}/members/{userID}/ shows it.
func (s *Server) UserDetail(teamID, userID string) (UserDetail, error) {
	d, err := s.store.FindUserDetail(strings.ToLower(teamID), userID)
	return d, notFound(err, "member", teamID+"/"+userID)
}
