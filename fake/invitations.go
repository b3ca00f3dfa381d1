package fake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

func (s *Server) listOrganizationInvitations(w http.ResponseWriter, req *apiRequest) error {
	p, err := s.pageRequestOf(req)
	if err != nil {
		return err
	}
	list, res, err := s.store.FindInvitations(req.orgID, p)
	if err != nil {
		return err
	}
	writeList(w, req, list, res)
	return nil
}

// inviteItemsOf reads the items of an invitation body: one PendingInvitation,
// or a list of them (the published description invites "one or more
// people"), as the group-membership writes read theirs.
func inviteItemsOf(req *apiRequest) ([]inviteItem, bool) {
	objects, asList := bodyItems(req.body)
	items := make([]inviteItem, len(objects))
	for i, object := range objects {
		items[i].schemaFailed = schemaFailed(req, i)
		if email := stringField(object, "email"); email != nil {
			items[i].Email = *email
		}
		if raw, ok := object["role"]; ok && raw != nil {
			if n, err := strconv.Atoi(fmt.Sprint(raw)); err == nil {
				items[i].Role = Role(n)
			} else {
				// 2.0 passes the schema's integer check; for DRF's
				// ChoiceField it is the text "2.0", no choice.
				items[i].badRole = pythonStr(raw)
			}
		}
	}
	return items, asList
}

// createOrganizationInvitation invites people; 201 with one invitation per
// item (a single object for a single-object body).
func (s *Server) createOrganizationInvitation(w http.ResponseWriter, req *apiRequest) error {
	items, asList := inviteItemsOf(req)
	list, itemErrs, err := s.store.CreateInvitations(req.orgID, req.caller.userID, items)
	if err != nil {
		return err
	}
	if itemErrs != nil {
		return itemsError(req, itemErrs, asList)
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
	p, err := s.pageRequestOf(req)
	if err != nil {
		return err
	}
	list, res, err := s.store.FindMyInvitations(*req.caller, p)
	if err != nil {
		return err
	}
	writeList(w, req, list, res)
	return nil
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
