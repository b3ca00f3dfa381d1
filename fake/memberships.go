package fake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

func (s *Server) listMemberships(w http.ResponseWriter, req *apiRequest) error {
	filter, err := membershipFilterOf(req)
	if err != nil {
		return err
	}
	return serveList(s, w, req, func(p pageRequest) ([]Membership, pageResult, error) {
		return s.store.FindMemberships(req.orgID, filter, p)
	})
}

// membershipFilterOf reads the list's filters as django-filter would: the
// account-kind filters take true or false and ignore anything else; a bad
// role or id is a 400 naming the parameter.
func membershipFilterOf(req *apiRequest) (membershipFilter, error) {
	query := req.query()
	var f membershipFilter
	f.serviceAccount = booleanFilter(queryValue(query, "user__service_account"))
	f.deploymentKeyAccount = booleanFilter(queryValue(query, "user__deployment_key_account"))
	if raw := queryValue(query, "role"); raw != "" {
		role, err := parseRoleFilter("role", raw)
		if err != nil {
			return f, err
		}
		f.role = &role
	}
	if raw := queryValue(query, "role__in"); raw != "" {
		f.roleIn = []Role{}
		for _, part := range strings.Split(raw, ",") {
			role, err := parseRoleFilter("role__in", strings.TrimSpace(part))
			if err != nil {
				return f, err
			}
			f.roleIn = append(f.roleIn, role)
		}
	}
	if raw := queryValue(query, "user__id"); raw != "" {
		if !isUUID(raw) {
			return f, errInvalidField("user__id", "Enter a valid UUID.")
		}
		f.userID = raw
	}
	if raw := queryValue(query, "groups"); raw != "" {
		f.groupIDs = []string{}
		for _, part := range strings.Split(raw, ",") {
			part = strings.ToLower(strings.TrimSpace(part))
			if !isUUID(part) {
				return f, errInvalidField("groups", "Enter a valid UUID.")
			}
			f.groupIDs = append(f.groupIDs, part)
		}
	}
	f.query = strings.ToLower(strings.TrimSpace(queryValue(query, "q")))
	return f, nil
}

func booleanFilter(raw string) *bool {
	var b bool
	switch strings.ToLower(raw) {
	case "true", "1":
		b = true
	case "false", "0":
		b = false
	default:
		return nil
	}
	return &b
}

// parseRoleFilter reads a role of the role filters; a bad one is
// django-filter's choice error on that parameter.
func parseRoleFilter(param, raw string) (Role, error) {
	n, err := strconv.Atoi(raw)
	if err != nil || !Role(n).valid() {
		return 0, errInvalidField(param, fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", raw))
	}
	return Role(n), nil
}

func (s *Server) membershipID(req *apiRequest) int {
	id, _ := strconv.Atoi(req.vars["id"]) // checked by the visibility step
	return id
}

func (s *Server) retrieveMembership(w http.ResponseWriter, req *apiRequest) error {
	m, err := s.store.FindMembership(s.membershipID(req))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// updateMembership serves PUT and PATCH: role is the one writable field, and
// the schema has already made it required for PUT.
func (s *Server) updateMembership(w http.ResponseWriter, req *apiRequest) error {
	var role *Role
	if raw, ok := req.body.(map[string]any)["role"]; ok {
		n, err := strconv.Atoi(fmt.Sprint(raw))
		if err != nil {
			// 2.0 passes the schema's integer check; for DRF's
			// ChoiceField it is the text "2.0", no choice.
			return errInvalidField("role", fmt.Sprintf("%q is not a valid choice.", pythonStr(raw)))
		}
		r := Role(n)
		role = &r
	}
	m, err := s.store.UpdateMembershipRole(req.actorID(), s.membershipID(req), role)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) destroyMembership(w http.ResponseWriter, req *apiRequest) error {
	if err := s.store.DeleteMembership(req.actorID(), s.membershipID(req)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
