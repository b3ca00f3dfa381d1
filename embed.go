// Package pixiebrixfake holds the files that the fake embeds from the
// repository root: the OpenAPI contract and the default fixture. It exists
// because go:embed cannot reach a parent directory from package fake.
package pixiebrixfake

import _ "embed"

// OpenAPI is openapi.yaml, the contract every API response of the fake keeps.
//
//go:embed openapi.yaml
var OpenAPI []byte

// DefaultFixture is fixtures/default.yaml, the data the fake serves when it
// is given no fixture of its own.
//
//go:embed fixtures/default.yaml
var DefaultFixture []byte
