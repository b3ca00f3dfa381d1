package fake

import (
	"strings"
	"time"
)

// The outbox: the fake sends no e-mail. Every e-mail the real server would
// send (an invitation, a campaign's registration invitation or activation
// reminder) is kept here instead, for tests to read and clear. It is part
// of the data: writes put messages in it inside their mutation, so it is
// in the state (GET/PUT /__fake/state, the fixture's outbox key) and in the
// state file, and Reset empties it back to the fixture's.

// DefaultOutboxSize is how many messages the outbox keeps unless
// WithOutboxSize says otherwise; older ones drop out first.
const DefaultOutboxSize = 1000

// MaxOutboxSize is the most messages WithOutboxSize may ask the outbox to
// keep: a message takes at most about 1 KiB (an address, a subject naming
// the inviter and the team, ids), so a full outbox stays near 100 MiB.
const MaxOutboxSize = 100_000

// The kinds of outbox message.
const (
	OutboxInvitation           = "invitation"            // a team invitation (createOrganizationInvitation)
	OutboxCampaignRegistration = "campaign_registration" // a campaign's invitation to register (no account yet)
	OutboxCampaignReminder     = "campaign_reminder"     // a campaign's activation reminder (has an account)
)

// OutboxMessage is one e-mail the real server would have sent. In a
// fixture it is an entry of the top-level outbox key.
type OutboxMessage struct {
	ID      string    `yaml:"id" json:"id"`
	Kind    string    `yaml:"kind" json:"kind"`
	To      string    `yaml:"to" json:"to"`
	Subject string    `yaml:"subject" json:"subject"`
	SentAt  time.Time `yaml:"sent_at" json:"sent_at"`
	// Organization is the team the message is about.
	Organization string `yaml:"organization" json:"organization"`
	// Invitation is the invitation an invitation e-mail carries.
	Invitation string `yaml:"invitation,omitempty" json:"invitation,omitempty"`
	// Campaign is the campaign of a campaign e-mail.
	Campaign string `yaml:"campaign,omitempty" json:"campaign,omitempty"`
}

// outboxMessage is what a write sends; sendLocked stamps its id and time.
type outboxMessage struct {
	kind, to, subject, org, invitation, campaign string
}

// sendLocked puts a message in the outbox, dropping the oldest beyond the
// outbox's size.
func (s *store) sendLocked(msg outboxMessage) {
	s.outbox = append(s.outbox, OutboxMessage{
		ID:           s.newIDLocked(),
		Kind:         msg.kind,
		To:           msg.to,
		Subject:      msg.subject,
		SentAt:       s.now(),
		Organization: msg.org,
		Invitation:   msg.invitation,
		Campaign:     msg.campaign,
	})
	s.trimOutboxLocked()
}

// trimOutboxLocked drops the oldest messages beyond the outbox's size.
func (s *store) trimOutboxLocked() {
	if extra := len(s.outbox) - s.outboxSize; extra > 0 {
		s.outbox = append(s.outbox[:0:0], s.outbox[extra:]...)
	}
}

// OutboxFilter narrows Outbox; empty fields match everything.
type OutboxFilter struct {
	To   string // the recipient, compared without case
	Kind string // one of the Outbox… kinds
}

// Outbox returns the messages the filter keeps, oldest first.
func (s *Server) Outbox(filter OutboxFilter) []OutboxMessage {
	st := s.store
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := []OutboxMessage{}
	for _, msg := range st.outbox {
		if (filter.To == "" || strings.EqualFold(strings.TrimSpace(filter.To), msg.To)) &&
			(filter.Kind == "" || filter.Kind == msg.Kind) {
			out = append(out, msg)
		}
	}
	return out
}

// ClearOutbox empties the outbox (a write: with a state file it stays
// empty after a restart).
func (s *Server) ClearOutbox() error {
	err := s.store.do(&clearOutbox{})
	if sf := s.store.durable; err != nil && sf != nil && sf.Err != nil {
		return stateFileError(err)
	}
	return err
}

// clearOutbox is ClearOutbox's mutation.
type clearOutbox struct{}

func (m *clearOutbox) apply(s *store) error {
	s.outbox = nil
	return nil
}
