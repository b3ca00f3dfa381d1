package fake

import "time"

// auditRef names an object an audit event is about: the published
// AuditEvent's target_object and action_object ({id, content_type, label}).
type auditRef struct {
	id          string
	contentType string // e.g. "organization", "user", "group", "campaign"
	label       string // the object's name or e-mail when the event happened
}

// auditEvent is one entry of a team's audit trail. The actor is copied as
// it was when the event happened, so a trail outlives the actor's account.
type auditEvent struct {
	id         string
	org        *organization
	actor      *auditActor // nil for a write made from Go or the control plane
	target     auditRef
	object     auditRef
	actionType string
	data       map[string]any
	timestamp  time.Time
}

// auditActor is the user who made a write, as the event shows them.
type auditActor struct {
	id                   string
	name                 string
	email                string
	serviceAccount       bool
	deploymentKeyAccount bool
	dateJoined           time.Time
}

// auditLocked appends an event to org's audit trail, made by the actor of
// the write in progress (store.doAs), at the write's time. Mutations call
// it from apply, after their checks passed, once per change they make: a
// write that fails records nothing, because apply returns before this.
func (s *store) auditLocked(org *organization, actionType string, target, object auditRef, data map[string]any) {
	ev := &auditEvent{
		id:         s.newIDLocked(),
		org:        org,
		target:     target,
		object:     object,
		actionType: actionType,
		data:       data,
		timestamp:  s.now(),
	}
	if u, ok := s.users[s.actor]; ok {
		ev.actor = &auditActor{
			id:                   u.id,
			name:                 u.name,
			email:                u.email,
			serviceAccount:       u.serviceAccount,
			deploymentKeyAccount: u.deploymentKeyAccount,
			dateJoined:           u.dateJoined,
		}
	}
	org.audit = append(org.audit, ev)
}
