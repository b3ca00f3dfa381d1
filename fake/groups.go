package fake

import (
	"net/http"
	"strings"
)

func groupID(req *apiRequest, param string) string { return strings.ToLower(req.vars[param]) }

func (s *Server) listGroups(w http.ResponseWriter, req *apiRequest) error {
	return serveList(s, w, req, func(p pageRequest) ([]Group, pageResult, error) { return s.store.FindGroups(req.orgID, p) })
}

func (s *Server) createGroup(w http.ResponseWriter, req *apiRequest) error {
	name := stringField(req.body, "name")
	g, err := s.store.CreateGroup(req.actorID(), req.orgID, *name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, g)
	return nil
}

func (s *Server) retrieveGroup(w http.ResponseWriter, req *apiRequest) error {
	g, err := s.store.FindGroup(groupID(req, "id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

// updateGroup serves PUT and PATCH; the schema makes name required for PUT.
func (s *Server) updateGroup(w http.ResponseWriter, req *apiRequest) error {
	name := stringField(req.body, "name")
	g, err := s.store.UpdateGroup(req.actorID(), groupID(req, "id"), groupUpdate{name: name})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

func (s *Server) destroyGroup(w http.ResponseWriter, req *apiRequest) error {
	if err := s.store.DeleteGroup(req.actorID(), groupID(req, "id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
