package fake

import "net/http"

func (s *Server) listCampaignMembers(w http.ResponseWriter, req *apiRequest) error {
	p, err := s.pageRequestOf(req)
	if err != nil {
		return err
	}
	members, res, err := s.store.FindCampaignMembers(req.orgID, campaignID(req, "campaign_pk"), p)
	if err != nil {
		return err
	}
	writeList(w, req, members, res)
	return nil
}

func campaignItemsOf(req *apiRequest) ([]campaignMemberItem, bool) {
	objects, asList := bodyItems(req.body)
	items := make([]campaignMemberItem, len(objects))
	for i, object := range objects {
		items[i].schemaFailed = schemaFailed(req, i)
		if email := stringField(object, "email"); email != nil {
			items[i].Email = *email
		}
		items[i].Data, _ = object["data"].(map[string]any)
	}
	return items, asList
}

// upsertCampaignMembers adds or updates members by email; 201 with one
// member per item.
func (s *Server) upsertCampaignMembers(w http.ResponseWriter, req *apiRequest) error {
	items, asList := campaignItemsOf(req)
	members, itemErrs, err := s.store.UpsertCampaignMembers(req.actorID(), req.orgID, campaignID(req, "campaign_pk"), items)
	if err != nil {
		return err
	}
	if itemErrs != nil {
		return itemsError(req, itemErrs, asList)
	}
	writeItems(w, http.StatusCreated, members, asList)
	return nil
}

// replaceCampaignMembers replaces the campaign's members; 200 with the whole
// resulting list.
func (s *Server) replaceCampaignMembers(w http.ResponseWriter, req *apiRequest) error {
	items, _ := campaignItemsOf(req)
	members, itemErrs, err := s.store.ReplaceCampaignMembers(req.actorID(), req.orgID, campaignID(req, "campaign_pk"), items)
	if err != nil {
		return err
	}
	if itemErrs != nil {
		_, asList := bodyItems(req.body)
		return itemsError(req, itemErrs, asList)
	}
	writeJSON(w, http.StatusOK, members)
	return nil
}
