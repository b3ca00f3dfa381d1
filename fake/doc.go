// Package fake is an in-memory, stateful fake of PixieBrix's Team Management
// REST API, for developing and testing code that syncs PixieBrix with a
// workforce system or an identity provider.
//
// What it emulates: all 56 published team-management operations, in
// openapi.yaml (health, me and the caller's own account, teams and their
// lifecycle, team memberships and member detail, groups, group memberships,
// campaigns, campaign members and their e-mail jobs, invitations, service
// accounts, deployment keys and the audit trail) with the real API's paths,
// fields, status codes, DRF error bodies, Accept header versioning, Link/X-Total-Count pagination, token authentication,
// role rules and membership semantics. openapi.yaml follows PixieBrix's
// published OpenAPI document, and every request body (JSON, form or
// multipart, as DRF's parsers take them) is validated against it with
// kin-openapi.
//
// What it does not: the rest of PixieBrix (mods, deployments, databases),
// logins, and real e-mail: every e-mail the real server would send goes to
// an outbox that tests read ([Server.Outbox]). State lives in memory unless
// [WithStateFile] keeps it in a crash-safe file.
//
// The fake's own additions live under /__fake/: health, reset, state
// snapshots, fault rules, a request journal with counts and expectations
// ([Server.ExpectRequests] from Go), users in no team, the outbox, all described by [ControlPlaneOpenAPI],
// which GET /__fake/openapi.yaml serves. [New] returns a [Server], an
// http.Handler seeded from a fixture (the embedded default unless
// [WithFixtures] or [WithFixtureFile] names another); one seed decides every
// generated name, email, id and time. Each Server is independent, with its
// own data, faults and journal, so a test may start as many as it likes, in
// parallel.
//
// The module is not published: a module that uses the package requires it at
// v0.0.0 and points at a checkout with a replace directive, for example
//
//	go mod edit -require=github.com/pixiebrix-fake/pixiebrix-fake@v0.0.0 \
//	  -replace=github.com/pixiebrix-fake/pixiebrix-fake=../pixiebrix-fake
//
// The command, the control plane's HTTP form, the fixture format and the API
// as the fake serves it are described in the repository: cmd/pixiebrix-fake/README.md,
// fixtures/README.md and fake/README.md. Where the public record of the real API
// is silent, the fake chooses; fake/README.md's "Deviations from the real API"
// lists every such choice.
//
// # In a test: NewTestServer
//
// [NewTestServer](t, opts...) listens on 127.0.0.1 (with net/http/httptest)
// and is closed by t.Cleanup when the test ends: first [Server.Close], which
// ends requests held by a delay or hang fault, then the listener. URL has no
// trailing slash; Client() is an *http.Client for it. A [TestServer] embeds
// the *Server, so every method below is reachable from it. An option that
// makes New fail fails the test (t.Fatal). Strict mode is on (see below).
// Parallel subtests each get a server of their own:
//
//	for _, tt := range tests {
//		t.Run(tt.name, func(t *testing.T) {
//			t.Parallel()
//			ts := fake.NewTestServer(t, fake.WithFixtures(tt.fixture))
//			// ...
//		})
//	}
//
// # As an http.Handler: New
//
// A [Server] has no listener: serve it with httptest.NewServer(srv), an
// http.Server, or call ServeHTTP. Call [Server.Close] before shutting the
// http.Server down (see "Closing" below). Strict mode is off.
//
// # Fixtures and determinism
//
// The same seed and fixture give the same ids, names and times in every
// process. The default clock starts at 2026-01-01T00:00:00Z and moves one
// second per write; [WithClock] replaces it. [WithFixtures] takes a [Fixture]
// value, and [WithFixtureFile] reads a fixture file: YAML, or JSON (a .json
// file as strict JSON, where a trailing comma is an error with its line and
// column). [ParseFixtureJSON] parses strict JSON, [ParseFixture] valid JSON
// the same way and anything else as YAML; either way campaign member data
// holds its numbers as json.Number, so JSON keeps every number as written.
// A fixture may hold at most 1,000,000 memberships and generate at most
// 1,000,000 groups and as many campaigns over all its teams.
// [Server.WatchFixtureFile] reloads the file of WithFixtureFile when it
// changes, and [Server.ReplaceFixture] replaces the data (and what Reset goes
// back to) in one step. [WithContext] stops a long seeding (a large
// generate:) once its context is done.
//
// # Faults, the journal and the state from Go
//
// Every call of the control plane has a method, and every method is safe
// while requests are in flight (the race detector checks this in the tests):
//
//	srv, _ := fake.New(fake.WithSeed(42),
//		fake.WithFaults(fake.FaultRule{Kind: fake.FaultStatus, Status: 503, Path: "/api/me/", Times: 1}),
//		fake.WithThrottle("100/min"), fake.WithJournalSize(200))
//	ts := httptest.NewServer(srv)
//	defer ts.Close()
//	defer srv.Close() // runs first: ends hanging and delayed requests, so ts.Close does not wait
//
//	remove, err := srv.InjectFault(fake.FaultRule{
//		Method: "POST", Path: "/api/groups/{group_pk}/memberships/", Kind: fake.FaultReset, Probability: 0.5})
//	defer remove()
//
//	srv.Faults()                                    // copies, in order, with Matched/Fired
//	srv.ClearFaults()
//	srv.Journal(fake.JournalFilter{Method: "POST", Status: 400, Limit: 10})
//	srv.ClearJournal()
//	state := srv.State()                            // a fake.Fixture
//	err = srv.LoadState(state)                      // invalid: an error, nothing changed
//	srv.Reset()
//
// [FaultRule], [JournalEntry] and [Fixture] values are copies. FaultRule and
// JournalEntry encode to the JSON of the control plane's /__fake/faults and
// /__fake/requests. [WithFaults] installs rules at start, and Reset brings
// them back. Rules, toggles and strict mode may change while requests are in
// flight. The reset, close, hang and truncate faults take over the TCP
// connection; behind a writer with no connection of its own
// (httptest.ResponseRecorder, HTTP/2) they write what they can and then panic
// with http.ErrAbortHandler, which net/http turns into an aborted response: a
// test that calls ServeHTTP with a recorder sees that panic.
//
// What clients grow is capped: at most [MaxFaultRules] rules of
// [MaxFaultRuleBytes] together (InjectFault past them returns an error,
// WithFaults makes New fail), a journal of at most [MaxJournalSize] entries
// and [MaxJournalBytes] (the oldest drop out), an outbox of at most
// [MaxOutboxSize] messages, a throttle that remembers at most
// [MaxThrottleRecords] request times, and at most [MaxTeams], [MaxGroups],
// [MaxCampaigns], [MaxGroupMemberships], [MaxCampaignMembers],
// [MaxInvitations], [MaxKeys], [MaxUsers], [MaxMemberships] (on accepting
// an invitation) and [MaxMilestonesPerUser] created through the API, the
// control plane, Invite or AddUser: past a cap the write is a 400 naming
// it (an error from Go) and changes nothing. The journal and
// the request log never show an API token, escaped or not; with
// [WithControlToken], the X-Fake-Fault header needs the token in
// X-Fake-Admin-Token.
//
// # Verification
//
// [Server.RequestCount] and [Server.ExpectRequests] check what the code under
// test sent, with the journal's filters:
//
//	if err := srv.ExpectRequests(fake.JournalFilter{Method: "PATCH", Path: "/api/groups/{id}/"}, fake.Exactly(1)); err != nil {
//		t.Error(err) // Expected exactly 1 request with method PATCH and path /api/groups/{id}/, found 0.
//		//   near miss: #1 PUT /api/groups/0a00…a001/ → 200 (updateGroup): method differs
//	}
//	n, err := srv.RequestCount(fake.JournalFilter{Unmatched: true}) // the 404s and 405s
//
// [Exactly], [AtLeast], [AtMost] and [Between] say how many; an unmet
// expectation is an *[ExpectationError] (Found, NearMisses, Matches), and a
// filter that can match nothing (an unknown operation id, a path no route
// has) another error, never a silent zero.
//
// # Options
//
//   - [WithSeed]: seed of every generated name, email, id and time (default 1).
//   - [WithFixtures], [WithFixtureFile]: the start data (default: the embedded
//     default fixture).
//   - [WithClock]: the clock that stamps writes.
//   - [WithLogger]: log each request (default: nothing).
//   - [WithFaults]: fault rules at start.
//   - [WithResponseValidation]: strict mode (off in New, on in NewTestServer).
//   - [WithStateFile]: keep the data in a file across restarts and crashes.
//   - [WithCORS]: let pages on these origins call the server from a browser.
//   - [WithContext]: stop seeding, and New, once the context is done.
//   - [WithPageSize], [WithLatency], [WithErrorRate], [WithThrottle],
//     [WithJournalSize] (where 0 keeps no request), [WithControlToken],
//     [WithoutControlPlane], [WithoutFaultHeader]: as the command's flags.
//
// # Strict mode
//
// With WithResponseValidation(true), the default of NewTestServer, every API
// response is checked against openapi.yaml (kin-openapi: declared status,
// headers, body schema and formats) before it is sent. A response that breaks
// it becomes 500 {"detail": "Response breaks openapi.yaml: …"} naming the
// violation, for example
//
//	Response breaks openapi.yaml: response body doesn't match schema: /1/user/email: maximum string length is 254
//
// and the same text is in the X-Fake-Validation header and the journal
// entry's validation_error. Not checked, because they are off the contract on
// purpose: the answers of fault injection (a delay fault aside, which serves
// the real answer late), the fake's 400 for a bad X-Fake-Fault header, HEAD
// answers, paths outside openapi.yaml (404, 301) and the control plane.
// [Server.SetResponseValidation] switches it while requests are in flight. It
// costs about half a millisecond to a millisecond a response
// (BenchmarkResponseValidation: a page of 20 memberships 0.10 ms → 0.63 ms,
// the default team's 32 in version 1.0 0.12 ms → 0.97 ms), which a test does
// not notice and a load test should turn off.
//
// # Typed helpers: seed and inspect without HTTP
//
//	team, err := srv.AddTeam(fake.FixtureOrganization{Name: "Initech", VerifiedDomains: []string{"initech.test"}})
//	m, err := srv.AddMember(team.ID, fake.FixtureMember{Email: "bill@initech.test", Role: fake.RoleAdmin, Token: "bill-token"})
//	g, err := srv.AddGroup(team.ID, "TPS Reports", "bill@initech.test", "new.hire@initech.test")
//	members, err := srv.GroupMembers(g.ID)                  // []fake.GroupMembership, pending ones with a nil User
//	cm, err := srv.CampaignMembers(teamID, campaignID)      // []fake.CampaignMember
//	teams := srv.Teams()                                    // []fake.Organization, by name
//	// also Team(id), Memberships(teamID), Groups(teamID), Campaigns(teamID), Tokens()
//
//	u, token, err := srv.AddUser("new.hire@initech.test", "New Hire") // an account in no team: an invitee
//	inv, err := srv.Invite(team.ID, fake.FixtureInvitation{Email: u.Email, Role: fake.RoleManager})
//	pending, err := srv.Invitations(team.ID)                // []fake.PendingInvitation, in the order made
//	mail := srv.Outbox(fake.OutboxFilter{To: u.Email, Kind: fake.OutboxInvitation})
//	err = srv.ClearOutbox()
//	d, err := srv.UserDetail(team.ID, m.User.ID)            // what GET …/members/{user_id}/ answers
//	ms, err := srv.Milestones("bill@initech.test")          // a user's onboarding milestones
//	es, err := srv.ExtensionSettings("bill@initech.test")   // and browser-extension settings
//
//	sa, err := srv.CreateServiceAccount(team.ID, "Nightly sync", fake.RoleManager) // sa.Token: this once
//	accounts, err := srv.ServiceAccounts(team.ID)           // []fake.ServiceAccount, without tokens
//	err = srv.DeleteServiceAccount(team.ID, sa.ID)          // revokes sa.Token
//	key, err := srv.CreateDeploymentKey(team.ID, "CI")      // key.Token, role 4 (restricted)
//	keys, err := srv.DeploymentKeys(team.ID)                // with their tokens
//	err = srv.DeleteDeploymentKey(team.ID, key.ID)          // revokes key.Token
//	events, err := srv.AuditEvents(team.ID)                 // []fake.AuditEvent, newest first
//
// Service accounts and deployment keys are team members with a token that
// authenticates at once; the create, delete and the API's writes follow the
// same rules (a service account's role 0 is the default, restricted). The
// four key helpers are recorded in the audit trail as the API's writes are,
// with a null actor, since no user made the change; the seeding helpers
// (AddTeam, AddMember, AddGroup) record nothing, as a fixture does not.
//
// Invite names the team's first admin as the inviter unless Inviter gives a
// user's e-mail, and puts the invitation e-mail in the outbox as the API does;
// the invitee accepts with the token AddUser returned. The outbox keeps the
// latest 1,000 messages ([WithOutboxSize]). FixtureMember and FixtureUser take
// ExtensionSettings and Milestones, so AddMember and AddTeam can give a
// user's preferences. An unknown e-mail, like an unknown team, is
// [ErrNotFound].
//
// A write takes what a fixture entry would have and follows the fixture's
// rules: a refused write is an error naming the rule (AddMember
// "ada@acme.test": ada@acme.test is listed twice in the team) and changes
// nothing; an email that is already a user's adds that user (and may not
// contradict its name, id or date_joined). What a write leaves out is drawn as
// a fixture's is; AddGroup stamps the group with the server's clock. Values
// returned are copies. An unknown team, group or campaign is an error that
// errors.Is(err, [ErrNotFound]). Reset forgets what helpers added, as it
// forgets API writes. A helper write is a mutation like an API write: it
// changes only what it adds (a refused one is taken back), so it costs about
// the same on a team of 100,000 members as on the default data, tens of
// microseconds, and with a state file it appends one record rather than
// rewriting the file. A loop of helper calls is fine for seeding; generate:
// in a fixture is still the fastest way to a large team.
//
// # Closing
//
// [Server.Close] ends, at once and with no answer, every request that is
// waiting on a delay or hang fault or on WithLatency, and makes later ones end
// at once. Other requests are served as before. Call it before shutting down
// the http.Server (or httptest.Server), which otherwise waits for those
// requests. No goroutine of the fake outlives Close plus the end of the
// requests in flight.
//
// A graceful stop, as the command's on SIGTERM, lets finite waits end first:
//
//	srv.Drain(deadline)                // delays and latency ending by deadline are answered;
//	                                   // hang faults and longer waits end at once
//	err := httpServer.Shutdown(ctx)    // ctx's deadline a little after deadline
//	srv.Close()                        // ends whatever still waits
//	err = srv.CloseStateFile()         // the last snapshot's error, or the file's earlier failure
//
// Without a state file CloseStateFile does nothing; with one, a write after it
// answers 500 rather than being lost.
//
// # Costs
//
// Measured on a 2-core AMD EPYC
// (go test ./fake -run '^$' -bench 'BenchmarkNew|BenchmarkHelperWrites' -benchmem;
// the helpers' figures on a machine shared with other jobs):
//
//	                                        time            memory
//	New(), default data                     0.87–0.89 ms    180 kB, 2,179 allocs
//	New, 10,000 generated members           36–38 ms        5.3 MB, 96,440 allocs
//	New, 100,000 generated members          336–371 ms      48 MB
//	AddMember, team of 100                  19 µs
//	AddMember, team of 100,000              39 µs
//	AddGroup, team of 100                   25 µs
//	AddGroup, team of 100,000               54 µs
package fake
