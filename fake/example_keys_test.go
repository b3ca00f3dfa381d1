package fake_test

import (
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// A service account made from Go authenticates at once; deleting it
// revokes its token. The audit trail holds both changes, with no actor:
// no user made them.
func ExampleServer_CreateServiceAccount() {
	srv, err := fake.New()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	const acme = "0a000000-0000-4000-8000-000000000001"

	sa, err := srv.CreateServiceAccount(acme, "Nightly sync", fake.RoleManager)
	if err != nil {
		log.Fatal(err)
	}
	me := func() int {
		req := httptest.NewRequest("GET", "/api/me/", nil)
		req.Header.Set("Authorization", "Token "+sa.Token)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code
	}
	fmt.Println(sa.Name, sa.Role, len(sa.Token), me())
	if err := srv.DeleteServiceAccount(acme, sa.ID); err != nil {
		log.Fatal(err)
	}
	fmt.Println(me())
	events, _ := srv.AuditEvents(acme)
	for _, ev := range events {
		fmt.Println(ev.ActionType, ev.TargetObject.Label, ev.Actor == nil)
	}
	// Output:
	// Nightly sync manager 40 200
	// 401
	// service_account.deleted Nightly sync true
	// service_account.created Nightly sync true
}
