// Package newcomer is code a newcomer wants to test against the fake: it
// reads the member emails of a PixieBrix team.
package newcomer

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// MemberEmails lists the emails of the members of team teamID.
func MemberEmails(client *http.Client, baseURL, token, teamID string) ([]string, error) {
	req, err := http.NewRequest("GET", baseURL+"/api/organizations/"+teamID+"/memberships/", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Token "+token)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("listing members: %s", resp.Status)
	}
	var members []struct {
		User struct {
			Email string `json:"email"`
		} `json:"user"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&members); err != nil {
		return nil, err
	}
	emails := make([]string, 0, len(members))
	for _, m := range members {
		emails = append(emails, m.User.Email)
	}
	return emails, nil
}
