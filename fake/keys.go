package fake

import (
	"fmt"
	"net/http"
	"strconv"
)

// The service-account and deployment-key operations (store_keys.go holds
// their rules). Every one is for the team's admins.

// actorID is the caller's user id, for the audit trail of a write.
func (req *apiRequest) actorID() string {
	if req.caller == nil {
		return ""
	}
	return req.caller.userID
}

func (s *Server) listServiceAccounts(w http.ResponseWriter, req *apiRequest) error {
	return serveList(s, w, req, func(p pageRequest) ([]ServiceAccount, pageResult, error) {
		return s.store.FindServiceAccounts(req.orgID, p)
	})
}

func (s *Server) createServiceAccount(w http.ResponseWriter, req *apiRequest) error {
	var role Role // absent: the default
	if raw, ok := req.body.(map[string]any)["role"]; ok {
		n, err := strconv.Atoi(fmt.Sprint(raw))
		if err != nil || !Role(n).valid() {
			return errInvalidField("role", fmt.Sprintf("%q is not a valid choice.", pythonStr(raw)))
		}
		role = Role(n)
	}
	sa, err := s.store.CreateServiceAccount(req.actorID(), req.orgID, *stringField(req.body, "name"), role)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, sa)
	return nil
}

func (s *Server) retrieveServiceAccount(w http.ResponseWriter, req *apiRequest) error {
	sa, err := s.store.FindServiceAccount(req.orgID, req.vars["id"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sa)
	return nil
}

func (s *Server) destroyServiceAccount(w http.ResponseWriter, req *apiRequest) error {
	if err := s.store.DeleteServiceAccount(req.actorID(), req.orgID, req.vars["id"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listDeploymentKeys(w http.ResponseWriter, req *apiRequest) error {
	return serveList(s, w, req, func(p pageRequest) ([]DeploymentKey, pageResult, error) {
		return s.store.FindDeploymentKeys(req.orgID, p)
	})
}

func (s *Server) createDeploymentKey(w http.ResponseWriter, req *apiRequest) error {
	key, err := s.store.CreateDeploymentKey(req.actorID(), req.orgID, *stringField(req.body, "name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, key)
	return nil
}

func (s *Server) retrieveDeploymentKey(w http.ResponseWriter, req *apiRequest) error {
	key, err := s.store.FindDeploymentKey(req.orgID, req.vars["id"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, key)
	return nil
}

func (s *Server) destroyDeploymentKey(w http.ResponseWriter, req *apiRequest) error {
	if err := s.store.DeleteDeploymentKey(req.actorID(), req.orgID, req.vars["id"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// The audit trail's operations.

func (s *Server) listAuditEvents(w http.ResponseWriter, req *apiRequest) error {
	return serveList(s, w, req, func(p pageRequest) ([]AuditEvent, pageResult, error) { return s.store.FindAuditEvents(req.orgID, p) })
}

func (s *Server) listAuditGroups(w http.ResponseWriter, req *apiRequest) error {
	return serveList(s, w, req, func(p pageRequest) ([]AuditEvent, pageResult, error) {
		return s.store.FindGroupAuditEvents(groupID(req, "id"), p)
	})
}
