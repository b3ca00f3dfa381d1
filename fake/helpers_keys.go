package fake

import "strings"

// Typed helpers for service accounts, deployment keys and the audit trail.
// Their writes follow the API's rules and are audited with no actor: the
// event's actor is null, as no user made the change.

// CreateServiceAccount adds a service account named name to the team
// teamID with role (0: the default, restricted) and returns it with its
// token, which authenticates at once.
func (s *Server) CreateServiceAccount(teamID, name string, role Role) (ServiceAccountWithToken, error) {
	if role != 0 && !role.valid() {
		return ServiceAccountWithToken{}, errInvalidField("role", "not a role (1 to 5)")
	}
	sa, err := s.store.CreateServiceAccount("", strings.ToLower(teamID), name, role)
	return sa, notFound(err, "team", teamID)
}

// DeleteServiceAccount deletes a service account of the team teamID and
// revokes its token.
func (s *Server) DeleteServiceAccount(teamID, id string) error {
	return notFound(s.store.DeleteServiceAccount("", strings.ToLower(teamID), id), "service account", teamID+"/"+id)
}

// ServiceAccounts returns the service accounts of the team teamID, in the
// order they joined; the tokens are not shown, as the API never shows them
// again.
func (s *Server) ServiceAccounts(teamID string) ([]ServiceAccount, error) {
	list, _, err := s.store.FindServiceAccounts(strings.ToLower(teamID), pageRequest{})
	return list, notFound(err, "team", teamID)
}

// CreateDeploymentKey adds a deployment key named name to the team teamID
// and returns it with its token.
func (s *Server) CreateDeploymentKey(teamID, name string) (DeploymentKey, error) {
	key, err := s.store.CreateDeploymentKey("", strings.ToLower(teamID), name)
	return key, notFound(err, "team", teamID)
}

// DeleteDeploymentKey deletes a deployment key of the team teamID and
// revokes its token.
func (s *Server) DeleteDeploymentKey(teamID, id string) error {
	return notFound(s.store.DeleteDeploymentKey("", strings.ToLower(teamID), id), "deployment key", teamID+"/"+id)
}

// DeploymentKeys returns the deployment keys of the team teamID, with their
// tokens, in the order they were made.
func (s *Server) DeploymentKeys(teamID string) ([]DeploymentKey, error) {
	list, _, err := s.store.FindDeploymentKeys(strings.ToLower(teamID), pageRequest{})
	return list, notFound(err, "team", teamID)
}

// AuditEvents returns the audit trail of the team teamID, newest first, as
// GET /api/audit/organizations/{id}/ lists it.
func (s *Server) AuditEvents(teamID string) ([]AuditEvent, error) {
	list, _, err := s.store.FindAuditEvents(strings.ToLower(teamID), pageRequest{})
	return list, notFound(err, "team", teamID)
}
