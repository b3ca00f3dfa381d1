package fake

import (
	"strconv"
	"time"
)

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

// auditLocked adds an event to org's audit trail, made by the actor of the
// write in progress (store.doAs), at the write's time. Mutations call it
// from apply, after their checks passed, once per change they make. The
// event waits until apply has succeeded (flushAuditLocked): a write that
// fails records nothing, and the event's id and time are drawn after the
// write's own, so that a write's objects get the ids and times they had
// before writes were audited (old state files replay to the same data).
func (s *store) auditLocked(org *organization, actionType string, target, object auditRef, data map[string]any) {
	ev := &auditEvent{
		org:        org,
		target:     target,
		object:     object,
		actionType: actionType,
		data:       data,
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
	s.auditPending = append(s.auditPending, ev)
}

// flushAuditLocked adds the events of a write that succeeded to their
// trails, all at one reading of the clock; dropAuditLocked forgets those
// of a write that failed.
func (s *store) flushAuditLocked() {
	if len(s.auditPending) == 0 {
		return
	}
	for _, ev := range s.auditPending {
		now := s.auditTimeLocked()
		ev.id, ev.timestamp = s.newIDLocked(), now
		appendAuditLocked(ev.org, ev)
	}
	s.dropAuditLocked()
}

// auditTimeLocked is the time of the write in progress: its own reading of
// the clock when it took one; else the stepping clock's present time, read
// without a step (so that auditing a delete moves no later write's times);
// else, with a clock of the caller's (WithClock), a reading of it.
func (s *store) auditTimeLocked() time.Time {
	switch {
	case s.wroteTime:
		return s.writeTime
	case s.step != nil:
		return s.step.now.UTC().Truncate(time.Second)
	}
	return s.now()
}

func (s *store) dropAuditLocked() {
	clear(s.auditPending)
	s.auditPending = s.auditPending[:0]
}

// maxAuditEvents bounds each team's trail, as the journal is bounded: past
// it, the oldest event goes. A long load test would otherwise grow the
// trail, the state and the state file without end.
const maxAuditEvents = 10000

// appendAuditLocked adds ev to its team's trail, dropping the oldest past
// the bound.
func appendAuditLocked(org *organization, ev *auditEvent) {
	if len(org.audit) >= maxAuditEvents {
		n := copy(org.audit, org.audit[len(org.audit)-maxAuditEvents+1:])
		clear(org.audit[n:])
		org.audit = org.audit[:n]
	}
	org.audit = append(org.audit, ev)
}

// The refs of the audit vocabulary's objects (DOCS: the vocabulary table).

func userRef(u *user) auditRef { return auditRef{id: u.id, contentType: "user", label: u.email} }

func membershipRef(m *membership) auditRef {
	return auditRef{id: strconv.Itoa(m.id), contentType: "membership", label: m.user.email}
}

func groupRef(g *group) auditRef { return auditRef{id: g.id, contentType: "group", label: g.name} }

func groupMembershipRef(gm *groupMembership) auditRef {
	return auditRef{id: gm.id, contentType: "group_membership", label: gm.email}
}

func campaignRef(c *campaign) auditRef {
	return auditRef{id: c.id, contentType: "campaign", label: c.name}
}

func campaignMemberRef(cm *campaignMember) auditRef {
	return auditRef{id: cm.id, contentType: "campaign_member", label: cm.email}
}

// AuditEvent is one event of a team's audit trail (the published
// AuditEvent). Actor is nil for a change made from Go or the control plane.
type AuditEvent struct {
	ID           string         `json:"id"`
	Actor        *UserRef       `json:"actor"`
	TargetObject AuditObject    `json:"target_object"`
	ActionObject AuditObject    `json:"action_object"`
	ActionType   string         `json:"action_type"`
	Data         map[string]any `json:"data"`
	Timestamp    time.Time      `json:"timestamp"`
}

// AuditObject is an object an audit event is about, labelled as it was then.
type AuditObject struct {
	ID          string `json:"id"`
	ContentType string `json:"content_type"`
	Label       string `json:"label"`
}

func (r auditRef) view() AuditObject {
	return AuditObject{ID: r.id, ContentType: r.contentType, Label: r.label}
}

func auditEventView(ev *auditEvent) AuditEvent {
	view := AuditEvent{
		ID:           ev.id,
		TargetObject: ev.target.view(),
		ActionObject: ev.object.view(),
		ActionType:   ev.actionType,
		Timestamp:    ev.timestamp,
	}
	if ev.data != nil {
		view.Data = copyJSONObject(ev.data)
	}
	if a := ev.actor; a != nil {
		view.Actor = &UserRef{
			ID: a.id, Name: a.name, Email: a.email, ServiceAccount: a.serviceAccount,
			DeploymentKeyAccount: a.deploymentKeyAccount, DateJoined: a.dateJoined,
		}
	}
	return view
}

// newestFirst is a trail (oldest first, as it is kept) in the order it is
// served; keep, when not nil, picks the events to serve.
func newestFirst(trail []*auditEvent, keep func(*auditEvent) bool) []*auditEvent {
	out := make([]*auditEvent, 0, len(trail))
	for i := len(trail) - 1; i >= 0; i-- {
		if keep == nil || keep(trail[i]) {
			out = append(out, trail[i])
		}
	}
	return out
}

// FindAuditEvents lists a team's audit trail, newest first.
func (s *store) FindAuditEvents(orgID string, p pageRequest) ([]AuditEvent, pageResult, error) {
	return readList(s, s.orgLocked(orgID), func(org *organization) []*auditEvent { return newestFirst(org.audit, nil) }, p, auditEventView)
}

// FindGroupAuditEvents lists the events of a group's team whose target is
// the group, newest first. They outlive neither the group nor its team: a
// deleted group's id is not found.
func (s *store) FindGroupAuditEvents(groupID string, p pageRequest) ([]AuditEvent, pageResult, error) {
	return readList(s, s.groupLocked(groupID), func(g *group) []*auditEvent {
		return newestFirst(g.org.audit, func(ev *auditEvent) bool { return ev.target.contentType == "group" && ev.target.id == g.id })
	}, p, auditEventView)
}
