package fake_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// ExpectRequests checks what the code under test sent; a miss names the
// requests that came close, and a filter that can match nothing (a
// misspelt operation id) is an error rather than a count of zero.
func ExampleServer_ExpectRequests() {
	srv, err := fake.New()
	if err != nil {
		log.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	// The code under test renames a group, with PUT where it meant PATCH.
	req, _ := http.NewRequest("PUT", ts.URL+"/api/groups/0a000000-0000-4000-8000-00000000a001/", strings.NewReader(`{"name": "Support"}`))
	req.Header.Set("Authorization", "Token acme-admin-token")
	req.Header.Set("Content-Type", "application/json")
	resp, err := ts.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()

	n, _ := srv.RequestCount(fake.JournalFilter{Path: "/api/groups/{id}/"})
	fmt.Println(n, "request to a group")
	fmt.Println(srv.ExpectRequests(fake.JournalFilter{Method: "PATCH", Path: "/api/groups/{id}/"}, fake.Exactly(1)))
	fmt.Println(srv.ExpectRequests(fake.JournalFilter{OperationID: "updateGroups"}, fake.AtLeast(1)) != nil)
	// Output:
	// 1 request to a group
	// Expected exactly 1 request with method PATCH and path /api/groups/{id}/, found 0.
	//   near miss: #1 PUT /api/groups/0a000000-0000-4000-8000-00000000a001/ → 200 (updateGroup): method differs
	// true
}
