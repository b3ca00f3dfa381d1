package fake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

func (s *Server) listOrganizationInvitations(w http.ResponseWriter, req *apiRequest) error {
	return serveList(s, w, req, func(p pageRequest) ([]PendingInvitation, pageResult, error) {
		return s.store.FindInvitations(req.orgID, p)
	})
}

// inviteItemsOf reads the items of an invitation body: one PendingInvitation,
// or a list of them (the published description invites "one or more
// people"), as the group-membership writes read theirs.
func inviteItemsOf(req *apiRequest) ([]inviteItem, bool) {
	return bulkItemsOf(req, func(object map[string]any, schemaFailed bool) inviteItem {
		item := inviteItem{Email: stringValue(object, "email"), schemaFailed: schemaFailed}
		if raw, ok := object["role"]; ok && raw != nil {
			if n, err := strconv.Atoi(fmt.Sprint(raw)); err == nil {
				item.Role = Role(n)
			} else {
				// 2.0 passes the schema's integer check; for DRF's
				// ChoiceField it is the text "2.0", no choice.
				item.badRole = pythonStr(raw)
			}
		}
		return item
	})
}

// createOrganizationInvitation invites people; 201 with one invitation per
// item (a single object for a single-object body).
func (s *Server) createOrganizationInvitation(w http.ResponseWriter, req *apiRequest) error {
	items, asList := inviteItemsOf(req)
	list, itemErrs, err := s.store.CreateInvitations(req.orgID, req.caller.userID, items)
	if err := bulkWriteError(req, asList, itemErrs, err); err != nil {
		return err
	}
	writeItems(w, http.StatusCreated, list, asList)
	return nil
}

func (s *Server) destroyOrganizationInvitation(w http.ResponseWriter, req *apiRequest) error {
	if err := s.store.RevokeInvitation(req.caller.userID, req.orgID, strings.ToLower(req.vars["id"])); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listMeInvitations(w http.ResponseWriter, req *apiRequest) error {
	return serveList(s, w, req, func(p pageRequest) ([]PendingInvitation, pageResult, error) {
		return s.store.FindMyInvitations(*req.caller, p)
	})
}

// acceptMeInvitation and rejectMeInvitation answer 201 with the invitation
// as it was; the body (a PendingInvitation, per the published document) is
// validated and otherwise ignored.
func (s *Server) acceptMeInvitation(w http.ResponseWriter, req *apiRequest) error {
	return s.answerInvitation(w, req, true)
}

func (s *Server) rejectMeInvitation(w http.ResponseWriter, req *apiRequest) error {
	return s.answerInvitation(w, req, false)
}

func (s *Server) answerInvitation(w http.ResponseWriter, req *apiRequest, accept bool) error {
	inv, err := s.store.AnswerInvitation(req.caller.userID, strings.ToLower(req.vars["id"]), accept)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, inv)
	return nil
}
