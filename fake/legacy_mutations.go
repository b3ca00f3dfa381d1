package fake

import (
	"encoding/json"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/statefile"
)

// legacyMutations decodes the records of retired names (see mutationTypes):
// each old name, with its old arguments, becomes the mutation that makes
// the same change, so that a state file written before the change still
// replays.
var legacyMutations = map[string]func(args json.RawMessage) (mutation, error){
	// Before writes were values, its "org" argument held the group's id.
	"group.membership.delete": legacy(func(a struct {
		Org string `json:"org"`
		ID  string `json:"id"`
	}) mutation {
		return &deleteGroupMembership{Group: a.Org, ID: a.ID}
	}),
}

// legacy decodes old arguments of type A strictly and converts them.
func legacy[A any](convert func(A) mutation) func(json.RawMessage) (mutation, error) {
	return func(raw json.RawMessage) (mutation, error) {
		var a A
		if err := statefile.StrictJSON(raw, &a); err != nil {
			return nil, err
		}
		return convert(a), nil
	}
}
