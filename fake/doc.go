// Package fake is an in-memory, stateful fake of PixieBrix's Team Management
// REST API, for developing and testing code that syncs PixieBrix with a
// workforce system or an identity provider.
//
// What it emulates: the 27 operations of openapi.yaml (health, me, teams,
// team memberships, groups, group memberships, campaigns, campaign members)
// with the real API's paths, fields, status codes, DRF error bodies, Accept
// header versioning, Link/X-Total-Count pagination, token authentication,
// role rules and membership semantics. Every request body is validated
// against openapi.yaml with kin-openapi.
//
// What it does not: the rest of PixieBrix (mods, deployments, databases,
// invitations, service-account and deployment-key management), logins and
// form request bodies. State lives in memory unless WithStateFile keeps it
// in a crash-safe file.
//
// The fake's own additions live under /__fake/: health, reset, state
// snapshots, fault rules, a request journal with counts and expectations
// (Server.ExpectRequests from Go), all described by ControlPlaneOpenAPI,
// which GET /__fake/openapi.yaml serves. New returns a Server, an
// http.Handler seeded from a fixture (the embedded default unless WithFixtures
// or WithFixtureFile names another); one seed decides every generated name,
// email, id and time.
//
// Where the public record of the real API is silent, the fake chooses; the
// README's "Deviations from the real API" lists every such choice.
package fake
