package fake

import (
	"net/http"
	"strings"
)

func (s *Server) listGroupMemberships(w http.ResponseWriter, req *apiRequest) error {
	return serveList(s, w, req, func(p pageRequest) ([]GroupMembership, pageResult, error) {
		return s.store.FindGroupMemberships(groupID(req, "group_pk"), p)
	})
}

func memberItemsOf(req *apiRequest) ([]memberItem, bool) {
	return bulkItemsOf(req, func(object map[string]any, schemaFailed bool) memberItem {
		return memberItem{UserID: stringValue(object, "user_id"), Email: stringValue(object, "email"), schemaFailed: schemaFailed}
	})
}

// createGroupMemberships adds people; 201 with one membership per item.
func (s *Server) createGroupMemberships(w http.ResponseWriter, req *apiRequest) error {
	items, asList := memberItemsOf(req)
	members, itemErrs, err := s.store.AddGroupMembers(req.actorID(), groupID(req, "group_pk"), items)
	if err := bulkWriteError(req, asList, itemErrs, err); err != nil {
		return err
	}
	writeItems(w, http.StatusCreated, members, asList)
	return nil
}

// replaceGroupMemberships replaces the group's people; 200 with the whole
// resulting list.
func (s *Server) replaceGroupMemberships(w http.ResponseWriter, req *apiRequest) error {
	items, asList := memberItemsOf(req)
	requireCampaign := booleanFilter(queryValue(req.query(), "require_campaign"))
	members, itemErrs, err := s.store.ReplaceGroupMembers(req.actorID(), groupID(req, "group_pk"), items, requireCampaign != nil && *requireCampaign)
	if err := bulkWriteError(req, asList, itemErrs, err); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, members)
	return nil
}

func (s *Server) destroyGroupMembership(w http.ResponseWriter, req *apiRequest) error {
	err := s.store.DeleteGroupMembership(req.actorID(), groupID(req, "group_pk"), strings.ToLower(req.vars["id"]))
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
