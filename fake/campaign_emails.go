package fake

import (
	"fmt"
	"net/http"
)

// Campaign e-mail jobs: POST /api/campaigns/{campaign_pk}/emails/jobs/
// queues, for a campaign's members, either registration invitations or
// activation reminders. The published body and answer are untyped; ours:
// {"type": "registration" | "reminder"} → 201 CampaignEmailJob. Nothing is
// sent: each e-mail goes to the outbox.

// The job types of a campaign e-mail job.
const (
	CampaignEmailRegistration = "registration" // to members with no account in the team
	CampaignEmailReminder     = "reminder"     // to members with one who were never active
)

// CampaignEmailJob is the answer to a campaign e-mail job: what was queued,
// and to whom.
type CampaignEmailJob struct {
	ID         string   `json:"id"`
	Campaign   string   `json:"campaign"`
	Type       string   `json:"type"`
	Recipients []string `json:"recipients"`
}

func (s *Server) createCampaignEmailJob(w http.ResponseWriter, req *apiRequest) error {
	kind := stringField(req.body, "type") // one of the two, by the schema
	if kind == nil {
		return errInvalidField("type", "This field is required.")
	}
	job, err := s.store.QueueCampaignEmails(req.caller.userID, campaignID(req, "campaign_pk"), *kind)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, job)
	return nil
}

// queueCampaignEmails sends one e-mail of the job's type to each member of
// the campaign it is for, in enrolment order: a registration invitation to
// each e-mail with no account in the team, an activation reminder to each
// member of the team whose campaign membership was never active. Members
// that the type is not for get nothing; a job for nobody is still a job.
type queueCampaignEmails struct {
	Campaign string `json:"campaign"`
	Type     string `json:"type"`
	out      CampaignEmailJob
}

func (m *queueCampaignEmails) apply(s *store) error {
	c, err := found(s.campaigns, m.Campaign)
	if err != nil {
		return err
	}
	org := c.org
	kind, subject := OutboxCampaignReminder, fmt.Sprintf("Reminder: activate PixieBrix for %s", c.name)
	if m.Type == CampaignEmailRegistration {
		kind, subject = OutboxCampaignRegistration, fmt.Sprintf("%s invites you to register for %s", org.name, c.name)
	}
	job := CampaignEmailJob{ID: s.newIDLocked(), Campaign: c.id, Type: m.Type, Recipients: []string{}}
	for _, cm := range c.members {
		hasAccount := org.memberByEmailLocked(s, cm.email) != nil
		if (m.Type == CampaignEmailRegistration) == hasAccount || (hasAccount && cm.lastActiveAt != nil) {
			continue
		}
		s.sendLocked(outboxMessage{kind: kind, to: cm.email, subject: subject, org: org.id, campaign: c.id})
		job.Recipients = append(job.Recipients, cm.email)
	}
	ref := auditRef{id: c.id, contentType: "campaign", label: c.name}
	s.auditLocked(org, "campaign.email_job_queued", ref, ref,
		map[string]any{"job_id": job.ID, "type": m.Type, "recipients": len(job.Recipients)})
	m.out = job
	return nil
}

// QueueCampaignEmails queues a campaign e-mail job as actorID.
func (s *store) QueueCampaignEmails(actorID, campaignID, kind string) (CampaignEmailJob, error) {
	m := &queueCampaignEmails{Campaign: campaignID, Type: kind}
	return m.out, s.doAs(actorID, m)
}
