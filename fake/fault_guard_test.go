package fake_test

import (
	"net/http"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// TestFaultHeaderNeedsControlToken: with a control-plane token, X-Fake-Fault
// acts only beside that token in X-Fake-Admin-Token; without it the request
// is refused at once (no anonymous client can hold a connection with a
// hang). Without a control plane the header is ignored.
func TestFaultHeaderNeedsControlToken(t *testing.T) {
	t.Parallel()
	const refused = `{"detail": "X-Fake-Fault needs the control plane's token: send X-Fake-Admin-Token: <token> with it."}`
	guarded := newAPIServer(t, fake.WithControlToken("s3cret"))
	open := newAPIServer(t)
	noControl := newAPIServer(t, fake.WithoutControlPlane())
	orgPath := "/api/organizations/" + acmeID + "/"
	tests := []struct {
		name    string
		server  *apiServer
		path    string
		token   string
		headers map[string]string
		status  int
		body    string
	}{
		{"hang on health, no admin token", guarded, healthPath, "", map[string]string{"X-Fake-Fault": "kind=hang"}, 403, refused},
		{"hang with the API token only", guarded, orgPath, acmeAdmin, map[string]string{"X-Fake-Fault": "kind=hang"}, 403, refused},
		{"wrong admin token", guarded, healthPath, "", map[string]string{"X-Fake-Fault": "kind=hang", "X-Fake-Admin-Token": "guess"}, 403, refused},
		{"admin token as Bearer is not enough", guarded, healthPath, "", map[string]string{"X-Fake-Fault": "kind=hang", "Authorization": "Bearer s3cret"}, 403, refused},
		{"bad header, no admin token: still refused first", guarded, healthPath, "", map[string]string{"X-Fake-Fault": "kind=explode"}, 403, refused},
		{"with the admin token", guarded, healthPath, "", map[string]string{"X-Fake-Fault": "kind=status; status=503", "X-Fake-Admin-Token": "s3cret"}, 503,
			`{"detail": "Service temporarily unavailable, try again later."}`},
		{"no token configured: open", open, healthPath, "", map[string]string{"X-Fake-Fault": "kind=status; status=503"}, 503, ""},
		{"no control plane: ignored", noControl, healthPath, "", map[string]string{"X-Fake-Fault": "kind=hang"}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tt.server.plain(t, call{method: "GET", path: tt.path, token: tt.token, headers: tt.headers})
			wantStatus(t, r, tt.status)
			if tt.body != "" {
				wantJSON(t, r, tt.body)
			}
		})
	}
	t.Run("journal names the refusal", func(t *testing.T) {
		s := newAPIServer(t, fake.WithControlToken("s3cret"))
		wantStatus(t, s.plain(t, call{method: "GET", path: healthPath, headers: map[string]string{"X-Fake-Fault": "kind=hang"}}), http.StatusForbidden)
		entries := s.Server.Journal(fake.JournalFilter{})
		if len(entries) != 1 || entries[0].Fault != nil || entries[0].Status != 403 {
			t.Errorf("journal %+v", entries)
		}
	})
}
