package fake

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/statefile"
)

// mutation is one change to the data, as a value: a Go type whose exported,
// JSON-tagged fields are the write's arguments. store.do applies it (and a
// state file's log records it and replays it) through its apply method, so
// every write, from the API, the Go helpers or a replayed log, runs the
// same code:
//
//   - apply runs under the store's write lock. It checks what needs the
//     data (existence, uniqueness, eligibility) before it changes anything:
//     a mutation that returns an error must leave the data as it found it,
//     and is neither logged nor answered as done. What it returns to its
//     caller (a view of what it made) goes in unexported fields.
//   - Clock readings go through store.now and new ids through
//     store.newIDLocked: the log records the former and the id source's
//     position, so a replay reads and draws the same.
//   - A mutation whose checks need no data (syntax, lengths) implements
//     preparer: those run before the lock is taken.
//
// To add a kind of write: declare its type beside the data it changes,
// write its apply method (and prepare, if it has data-free checks), and
// register it in mutationTypes under a name that is never reused. Its
// caller builds the value and calls store.do.
type mutation interface {
	apply(s *store) error
}

// preparer is a mutation with checks that need no data: prepare runs before
// the write lock is taken (and again on replay), and may keep what it
// worked out in unexported fields for apply.
type preparer interface {
	prepare() error
}

// mutationTypes names every kind of mutation in the state file's log: one
// line a kind. A name, once written to a file, keeps its meaning: a kind
// whose arguments change incompatibly takes a new name (the old one with
// "@2", "@3", …) and the old name moves to legacyMutations with a decoder.
// The names of the API writes are the ones files held before writes were
// values, and their arguments decode the old records as they are.
var mutationTypes = registry(
	entry[updateMembershipRole]("membership.role"),
	entry[deleteMembership]("membership.delete"),
	entry[createGroup]("group.create"),
	entry[updateGroup]("group.update"),
	entry[deleteGroup]("group.delete"),
	entry[addGroupMembers]("group.members.add"),
	entry[replaceGroupMembers]("group.members.replace"),
	entry[deleteGroupMembership]("group.membership.delete@2"),
	entry[createCampaign]("campaign.create"),
	entry[updateCampaign]("campaign.update"),
	entry[deleteCampaign]("campaign.delete"),
	entry[upsertCampaignMembers]("campaign.members.upsert"),
	entry[replaceCampaignMembers]("campaign.members.replace"),
	entry[addTeam]("helpers.add_team"),
	entry[addMember]("helpers.add_member"),
	entry[addGroup]("helpers.add_group"),
	// Teams' lifecycle and the caller's own account (issue 11, "teams").
	entry[createTeam]("team.create"),
	entry[updateTeam]("team.update"),
	entry[deleteTeam]("team.delete"),
	entry[deleteAccount]("me.delete"),
	entry[updateExtensionSettings]("me.extension_settings.update"),
	entry[putMilestone]("me.milestone.put"),
	// invitations, users in no team, the outbox, campaign e-mail jobs
	entry[createInvitations]("invitation.create"),
	entry[revokeInvitation]("invitation.revoke"),
	entry[answerInvitation]("invitation.answer"),
	entry[addUser]("helpers.add_user"),
	entry[clearOutbox]("outbox.clear"),
	entry[queueCampaignEmails]("campaign.emails.queue"),
)

// do applies a mutation: its data-free checks, then under the write lock
// its apply, and with a state file its record, appended and fsynced before
// do returns. An error from apply changes nothing and logs nothing.
func (s *store) do(m mutation) error { return s.doAs("", m) }

// doAs is do for a write that a user's request makes: actorID is the
// caller's user id, which the audit trail names and the state file's record
// keeps, so that a replay names the same actor.
func (s *store) doAs(actorID string, m mutation) error {
	if p, ok := m.(preparer); ok {
		if err := p.prepare(); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	start, err := s.beginWriteLocked()
	if err != nil {
		return err
	}
	s.actor = actorID
	defer func() { s.actor = "" }()
	if err := m.apply(s); err != nil {
		return err
	}
	return s.commitLocked(start, m)
}

// mutationKind is one registered kind: its log name and a new zero value.
type mutationKind struct {
	name  string
	typ   reflect.Type
	fresh func() mutation
}

// entry registers T, whose pointer is the mutation, under name.
func entry[T any, PT interface {
	*T
	mutation
}](name string) mutationKind {
	return mutationKind{name: name, typ: reflect.TypeFor[PT](), fresh: func() mutation { return PT(new(T)) }}
}

type mutationRegistry struct {
	byName map[string]mutationKind
	byType map[reflect.Type]string
}

func registry(kinds ...mutationKind) mutationRegistry {
	r := mutationRegistry{byName: map[string]mutationKind{}, byType: map[reflect.Type]string{}}
	for _, k := range kinds {
		if _, dup := r.byName[k.name]; dup {
			panic("mutation name registered twice: " + k.name) // a programming error, found at start
		}
		r.byName[k.name], r.byType[k.typ] = k, k.name
	}
	return r
}

// opOf is the log name of a mutation's kind.
func opOf(m mutation) string {
	name, ok := mutationTypes.byType[reflect.TypeOf(m)]
	if !ok {
		panic(fmt.Sprintf("mutation %T is not registered in mutationTypes", m)) // a programming error
	}
	return name
}

// decodeMutation makes the mutation a log record names, from its arguments;
// names retired from mutationTypes decode through legacyMutations.
func decodeMutation(op string, args json.RawMessage) (mutation, error) {
	if kind, ok := mutationTypes.byName[op]; ok {
		m := kind.fresh()
		if err := statefile.StrictJSON(args, m); err != nil {
			return nil, fmt.Errorf("bad arguments: %w", err)
		}
		return m, nil
	}
	if legacy, ok := legacyMutations[op]; ok {
		m, err := legacy(args)
		if err != nil {
			return nil, fmt.Errorf("bad arguments: %w", err)
		}
		return m, nil
	}
	return nil, fmt.Errorf("unknown operation %q (a file written by a newer version of the fake?)", op)
}

// itemErrors refuses a list write: one error object per item ({} for good
// ones), nothing written.
type itemErrors []fieldErrors

func (e itemErrors) Error() string {
	return "items refused: " + describeItemErrors(e)
}
