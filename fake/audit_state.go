package fake

import (
	"fmt"
	"strings"
	"time"
)

// FixtureAuditEvent is one event of a team's audit trail in a fixture or
// the state, as the API shows it. A fixture may write a trail by hand: only
// action_type is required; an absent id is drawn, an absent timestamp is
// the seeding time, an absent actor is null.
type FixtureAuditEvent struct {
	ID           string             `yaml:"id,omitempty" json:"id,omitempty"`
	Actor        *FixtureAuditActor `yaml:"actor,omitempty" json:"actor,omitempty"`
	TargetObject FixtureAuditObject `yaml:"target_object" json:"target_object"`
	ActionObject FixtureAuditObject `yaml:"action_object" json:"action_object"`
	ActionType   string             `yaml:"action_type" json:"action_type"`
	Data         map[string]any     `yaml:"data,omitempty" json:"data,omitempty"`
	Timestamp    *time.Time         `yaml:"timestamp,omitempty" json:"timestamp,omitempty"`
}

// FixtureAuditActor is who made an audited change, as they were then: the
// account may since have gone.
type FixtureAuditActor struct {
	ID                   string    `yaml:"id" json:"id"`
	Name                 string    `yaml:"name,omitempty" json:"name,omitempty"`
	Email                string    `yaml:"email" json:"email"`
	ServiceAccount       bool      `yaml:"service_account,omitempty" json:"service_account,omitempty"`
	DeploymentKeyAccount bool      `yaml:"deployment_key_account,omitempty" json:"deployment_key_account,omitempty"`
	DateJoined           time.Time `yaml:"date_joined" json:"date_joined"`
}

// FixtureAuditObject is an object an event is about.
type FixtureAuditObject struct {
	ID          string `yaml:"id" json:"id"`
	ContentType string `yaml:"content_type,omitempty" json:"content_type,omitempty"`
	Label       string `yaml:"label,omitempty" json:"label,omitempty"`
}

// auditFixture writes a team's trail, oldest first, for the state. An
// event is written as the API shows it (auditEventView), so the fixture's
// actor and objects are the API's, field for field.
func auditFixture(org *organization) []FixtureAuditEvent {
	if len(org.audit) == 0 {
		return nil
	}
	out := make([]FixtureAuditEvent, 0, len(org.audit))
	for _, ev := range org.audit {
		view := auditEventView(ev)
		fe := FixtureAuditEvent{
			ID:           view.ID,
			TargetObject: FixtureAuditObject(view.TargetObject),
			ActionObject: FixtureAuditObject(view.ActionObject),
			ActionType:   view.ActionType,
			Data:         view.Data,
			Timestamp:    &view.Timestamp,
		}
		if view.Actor != nil {
			actor := FixtureAuditActor(*view.Actor)
			fe.Actor = &actor
		}
		out = append(out, fe)
	}
	return out
}

// audit seeds a team's trail, oldest first; past maxAuditEvents, the
// oldest go, as they would have.
func (sd *seeder) audit(org *organization, events []FixtureAuditEvent) error {
	for i, fe := range events {
		if err := checkAuditFixture(fe); err != nil {
			return placed(err, "audit[%d]", i)
		}
		ev := &auditEvent{
			id:         strings.ToLower(fe.ID),
			org:        org,
			target:     auditRef{id: fe.TargetObject.ID, contentType: fe.TargetObject.ContentType, label: fe.TargetObject.Label},
			object:     auditRef{id: fe.ActionObject.ID, contentType: fe.ActionObject.ContentType, label: fe.ActionObject.Label},
			actionType: fe.ActionType,
		}
		if ev.id == "" {
			ev.id = sd.st.newIDLocked()
		}
		if fe.Data != nil {
			ev.data = copyJSONObject(fe.Data)
		}
		if fe.Timestamp != nil {
			ev.timestamp = fe.Timestamp.UTC()
		} else {
			ev.timestamp = sd.st.now()
		}
		if a := fe.Actor; a != nil {
			ev.actor = &auditActor{
				id: strings.ToLower(a.ID), name: a.Name, email: a.Email, serviceAccount: a.ServiceAccount,
				deploymentKeyAccount: a.DeploymentKeyAccount, dateJoined: a.DateJoined.UTC(),
			}
		}
		appendAuditLocked(org, ev)
	}
	return nil
}

// checkAuditFixture refuses an event the API could not show: the published
// AuditEvent requires the action type and the objects' ids, and its id and
// its actor's are UUIDs.
func checkAuditFixture(fe FixtureAuditEvent) error {
	switch {
	case strings.TrimSpace(fe.ActionType) == "":
		return fmt.Errorf("action_type is required")
	case len(fe.ActionType) > 256:
		return fmt.Errorf("action_type is longer than 256 characters")
	case fe.ID != "" && !isUUID(fe.ID):
		return fmt.Errorf("id %q is not a UUID", fe.ID)
	case fe.TargetObject.ID == "":
		return fmt.Errorf("target_object: id is required")
	case fe.ActionObject.ID == "":
		return fmt.Errorf("action_object: id is required")
	case fe.Actor != nil && !isUUID(fe.Actor.ID):
		return fmt.Errorf("actor: id %q is not a UUID", fe.Actor.ID)
	case fe.Actor != nil && checkEmail(fe.Actor.Email) != nil:
		return fmt.Errorf("actor: email %q is not valid", fe.Actor.Email)
	}
	return nil
}
