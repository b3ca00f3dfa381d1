package fake

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// The control plane's users and outbox: POST /__fake/users makes an account
// in no team (an invitee), GET and DELETE /__fake/outbox read and empty the
// e-mails the server would have sent.

// NewUser is the answer to POST /__fake/users: the account and its token.
type NewUser struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Token string `json:"token"`
}

// controlAddUser creates a user in no team; 201 with its token.
func (s *Server) controlAddUser(w http.ResponseWriter, r *http.Request, _ string) error {
	data, err := readControlBody(r, maxRuleBytes)
	if err != nil {
		return err
	}
	body, err := decodeJSON(data)
	if err != nil {
		return &apiError{code: codeInvalid, detail: "JSON parse error - " + err.Error()}
	}
	object, ok := body.(map[string]any)
	if !ok {
		return errInvalidField("non_field_errors", "Invalid data. Expected a dictionary, but got "+pythonTypeName(body)+".")
	}
	errs := fieldErrors{}
	for key := range object {
		if key != "email" && key != "name" {
			errs.add(key, "Unknown field.")
		}
	}
	email, _ := object["email"].(string)
	name, nameOK := object["name"].(string)
	switch {
	case object["email"] == nil:
		errs.add("email", "This field is required.")
	case checkEmail(strings.TrimSpace(email)) != nil:
		errs.add("email", messageInvalidEmail)
	}
	if object["name"] != nil && !nameOK {
		errs.add("name", "Not a valid string.")
	}
	if len(errs) > 0 {
		return errInvalidFields(errs)
	}
	u, token, err := s.AddUser(email, name)
	switch {
	case errors.Is(err, ErrUserExists):
		return errUserExists(strings.TrimSpace(email))
	case err != nil:
		return err
	}
	writeJSON(w, http.StatusCreated, NewUser{ID: u.ID, Email: u.Email, Name: u.Name, Token: token})
	return nil
}

// outboxKinds are the kinds an outbox filter may name.
var outboxKinds = []string{OutboxInvitation, OutboxCampaignRegistration, OutboxCampaignReminder}

// controlListOutbox answers the outbox, oldest first, filtered by to and kind.
func (s *Server) controlListOutbox(w http.ResponseWriter, r *http.Request, _ string) error {
	q := r.URL.Query()
	f := OutboxFilter{To: q.Get("to"), Kind: q.Get("kind")}
	if f.Kind != "" && !slices.Contains(outboxKinds, f.Kind) {
		return errInvalidField("kind", fmt.Sprintf("%q is not a valid choice; known kinds: %s.", f.Kind, strings.Join(outboxKinds, ", ")))
	}
	writeJSON(w, http.StatusOK, s.Outbox(f))
	return nil
}

func (s *Server) controlClearOutbox(w http.ResponseWriter, _ *http.Request, _ string) error {
	if err := s.ClearOutbox(); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
