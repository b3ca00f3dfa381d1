package fake

import "net/http"

func (s *Server) retrieveHealth(w http.ResponseWriter, _ *apiRequest) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

// retrieveMe answers an anonymous caller with the feature flags alone, as the
// real server does.
func (s *Server) retrieveMe(w http.ResponseWriter, req *apiRequest) error {
	if req.caller == nil {
		writeJSON(w, http.StatusOK, map[string][]string{"flags": {}})
		return nil
	}
	me, err := s.store.Me(*req.caller)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, me)
	return nil
}

func (s *Server) listOrganizations(w http.ResponseWriter, req *apiRequest) error {
	return serveList(s, w, req, func(p pageRequest) ([]Organization, pageResult, error) {
		return s.store.FindOrganizations(*req.caller, p)
	})
}

func (s *Server) retrieveOrganization(w http.ResponseWriter, req *apiRequest) error {
	org, err := s.store.FindOrganization(req.orgID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, org)
	return nil
}
