package fake

import "net/http"

func (s *Server) listCampaignMembers(w http.ResponseWriter, req *apiRequest) error {
	return serveList(s, w, req, func(p pageRequest) ([]CampaignMember, pageResult, error) {
		return s.store.FindCampaignMembers(req.orgID, campaignID(req, "campaign_pk"), p)
	})
}

func campaignItemsOf(req *apiRequest) ([]campaignMemberItem, bool) {
	return bulkItemsOf(req, func(object map[string]any, schemaFailed bool) campaignMemberItem {
		data, _ := object["data"].(map[string]any)
		return campaignMemberItem{Email: stringValue(object, "email"), Data: data, schemaFailed: schemaFailed}
	})
}

// upsertCampaignMembers adds or updates members by email; 201 with one
// member per item.
func (s *Server) upsertCampaignMembers(w http.ResponseWriter, req *apiRequest) error {
	items, asList := campaignItemsOf(req)
	members, itemErrs, err := s.store.UpsertCampaignMembers(req.actorID(), req.orgID, campaignID(req, "campaign_pk"), items)
	if err := bulkWriteError(req, asList, itemErrs, err); err != nil {
		return err
	}
	writeItems(w, http.StatusCreated, members, asList)
	return nil
}

// replaceCampaignMembers replaces the campaign's members; 200 with the whole
// resulting list.
func (s *Server) replaceCampaignMembers(w http.ResponseWriter, req *apiRequest) error {
	items, asList := campaignItemsOf(req)
	members, itemErrs, err := s.store.ReplaceCampaignMembers(req.actorID(), req.orgID, campaignID(req, "campaign_pk"), items)
	if err := bulkWriteError(req, asList, itemErrs, err); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, members)
	return nil
}
