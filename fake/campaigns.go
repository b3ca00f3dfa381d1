package fake

import (
	"net/http"
	"strings"
)

func campaignID(req *apiRequest, param string) string { return strings.ToLower(req.vars[param]) }

func (s *Server) listCampaigns(w http.ResponseWriter, req *apiRequest) error {
	return serveList(s, w, req, func(p pageRequest) ([]Campaign, pageResult, error) { return s.store.FindCampaigns(req.orgID, p) })
}

func (s *Server) createCampaign(w http.ResponseWriter, req *apiRequest) error {
	name := stringField(req.body, "name")
	c, err := s.store.CreateCampaign(req.actorID(), req.orgID, *name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) retrieveCampaign(w http.ResponseWriter, req *apiRequest) error {
	c, err := s.store.FindCampaign(req.orgID, campaignID(req, "id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) updateCampaign(w http.ResponseWriter, req *apiRequest) error {
	name := stringField(req.body, "name")
	c, err := s.store.UpdateCampaign(req.actorID(), req.orgID, campaignID(req, "id"), campaignUpdate{name: name})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) destroyCampaign(w http.ResponseWriter, req *apiRequest) error {
	if err := s.store.DeleteCampaign(req.actorID(), req.orgID, campaignID(req, "id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
