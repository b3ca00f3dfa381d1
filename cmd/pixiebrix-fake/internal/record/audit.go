package record

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// The keys of an audit event in the fixture format, read from its Go types.
var (
	auditKeys       = yamlKeys(reflect.TypeFor[fake.FixtureAuditEvent]())
	auditActorKeys  = yamlKeys(reflect.TypeFor[fake.FixtureAuditActor]())
	auditObjectKeys = yamlKeys(reflect.TypeFor[fake.FixtureAuditObject]())
)

// audit writes a team's audit trail, which only its admins can read, oldest
// first as the fixture holds it. An anonymized recording leaves it out: its
// labels and data name people in ways the recorder cannot tell apart from
// the names of groups and campaigns, which it keeps.
func (r *recorder) audit(ctx context.Context, org, teamName string) error {
	if r.anon != nil {
		r.notef("%s: the audit trail is not recorded in an anonymized recording (its labels and data name people)", teamName)
		return nil
	}
	var events []orderedObject
	err := r.c.Each(ctx, "/api/audit/organizations/"+org+"/", r.opts.PageSize, func(raw json.RawMessage) error {
		var ev map[string]any
		if err := decode(raw, &ev); err != nil {
			return err
		}
		o := orderedObject{}
		handled := map[string]bool{"actor": true, "target_object": true, "action_object": true}
		for _, k := range []string{"id", "actor", "target_object", "action_object"} {
			keys := auditObjectKeys
			if k == "actor" {
				keys = auditActorKeys
			}
			switch v := ev[k].(type) {
			case map[string]any:
				nested := orderedObject{}
				copyKnown(&nested, v, nil, keys, func(key string) { r.skip("audit event's "+k, key) })
				object := make(map[string]any, len(nested))
				for _, kv := range nested {
					object[kv.key] = kv.value
				}
				o.add(k, object)
			case nil:
			default:
				o.add(k, v)
			}
			handled[k] = true
		}
		copyKnown(&o, ev, handled, auditKeys, func(key string) { r.skip("audit event", key) })
		events = append(events, o)
		return nil
	}, r.progress(teamName, "audit events"))
	if err != nil || len(events) == 0 {
		return err
	}
	fmt.Fprintln(r.out, "    audit:")
	slices.Reverse(events) // the API lists newest first
	for _, o := range events {
		if _, err := fmt.Fprintf(r.out, "      - %s\n", o.json()); err != nil {
			return err
		}
	}
	r.res.AuditEvents += len(events)
	return nil
}
