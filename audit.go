package vigie

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// The actions the audit log records. Each names the noun, then the verb.
const (
	AuditPublish       = "objects.publish"      // one TAXII POST (an envelope)
	AuditDelete        = "objects.delete"       // a TAXII DELETE of an object's versions
	AuditOrgAdd        = "org.add"              // an organisation registered
	AuditKeyAdd        = "key.add"              // an API key created (its id, never the key)
	AuditKeyRevoke     = "key.revoke"           // an API key revoked
	AuditCommunityAdd  = "community.add"        // a community created with its members
	AuditMemberAdd     = "community.member.add" // an organisation joined a community
	AuditMemberRemove  = "community.member.rm"  // an organisation left a community
	AuditCollectionAdd = "collection.add"       // a collection (and maybe its API root) created
	AuditWatchAdd      = "watch.add"            // a watchlist entry added
	AuditWatchDelete   = "watch.delete"         // a watchlist entry deleted
	AuditWebhookAdd    = "webhook.add"          // a webhook registered
	AuditWebhookDelete = "webhook.delete"       // a webhook deleted
	AuditAlertState    = "alert.state"          // an alert acknowledged, resolved or reopened
	AuditProductAdd    = "product.add"          // a product version registered
	AuditAuthFailure   = "auth.failure"         // failed authentications of one key id and address in one minute
	AuditPeerAdd       = "peer.add"             // reserved: a federation peer added
	AuditUserAdd       = "user.add"             // a user account created (a sign-in link issued)
	AuditUserLink      = "user.link"            // a new sign-in link issued for a user (password reset)
	AuditUserPassword  = "user.password"        // a user set a password with a sign-in link
	AuditUserTOTP      = "user.totp"            // a user turned the second factor on or off
	AuditUserDisable   = "user.disable"         // a user account disabled: its sessions and links end
	AuditUserEnable    = "user.enable"          // a disabled user account enabled again
	AuditWebhookTest   = "webhook.test"         // a test delivery queued for a webhook
	AuditSignIn        = "user.signin"          // a sign-in to the dashboard, successful or not
	AuditPeerDelete    = "peer.delete"          // reserved: a federation peer removed
)

// The outcomes of audited actions.
const (
	OutcomeSuccess = "success" // done
	OutcomePartial = "partial" // done for some of its parts (a POST with refused objects)
	OutcomeFailure = "failure" // refused or failed: nothing changed
)

// AuditEntry is one record of the audit log: who did what, from where, to
// what, and how it ended. Entries are chained: each holds the SHA-256 of
// the canonical form of the entry before it, so that an entry edited or
// removed in the database is detected (AuditChain). An entry never holds
// an API key, only the key's public id.
type AuditEntry struct {
	Seq    int64     `json:"seq"`              // position in the log, from 1
	Time   time.Time `json:"time"`             // microsecond precision
	OrgID  string    `json:"org_id,omitempty"` // the acting organisation ("" for the console or an anonymous caller)
	KeyID  string    `json:"key_id,omitempty"`
	Role   Role      `json:"role,omitempty"`
	Addr   string    `json:"addr,omitempty"`   // the source address, or "console"
	Action string    `json:"action"`           // one of the Audit* constants
	Target string    `json:"target,omitempty"` // what was acted on, e.g. "collection 5f0c.../indicator--..."
	// TargetOrg is the organisation the target belongs to, when it is
	// not the actor's: its admins see the entry too.
	TargetOrg string          `json:"target_org,omitempty"`
	Outcome   string          `json:"outcome"`
	Reason    string          `json:"reason,omitempty"` // why (required of operators deleting others' objects), or why it failed
	Detail    json.RawMessage `json:"detail,omitempty"` // action-specific JSON: counts, object ids, ...
	Prev      string          `json:"prev"`             // hex SHA-256 of the previous entry ("" for the first)
	Hash      string          `json:"hash"`             // hex SHA-256 of this entry's canonical form
}

// auditTimeFormat is how times enter the canonical form.
const auditTimeFormat = "2006-01-02T15:04:05.000000Z07:00"

// Canonical returns the bytes the entry's hash covers: every field but
// Hash, in a fixed order, as a JSON array.
func (e *AuditEntry) Canonical() []byte {
	b, _ := json.Marshal([]any{ // strings and numbers always encode
		e.Seq, e.Time.UTC().Format(auditTimeFormat), e.OrgID, e.KeyID, string(e.Role), e.Addr,
		e.Action, e.Target, e.TargetOrg, e.Outcome, e.Reason, string(e.Detail), e.Prev,
	})
	return b
}

// Seal makes e the entry after one whose position and hash are prevSeq
// and prevHash: it sets Seq, Prev and Hash (and rounds Time down to the
// microsecond, as stores keep it). Stores call it while they hold the
// log's lock, so that entries form one chain.
func (e *AuditEntry) Seal(prevSeq int64, prevHash string) {
	e.Seq, e.Prev = prevSeq+1, prevHash
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	e.Hash = e.sum()
}

func (e *AuditEntry) sum() string {
	h := sha256.Sum256(e.Canonical())
	return hex.EncodeToString(h[:])
}

// AuditChain checks entries fed to it in log order, from the first. The
// zero value is ready to use.
type AuditChain struct {
	seq  int64
	hash string
}

// StartAt makes the chain start after the entry at seq with hash, the
// checkpoint of a pruned log (OpsStore.AuditCheckpoint), instead of the
// beginning.
func (c *AuditChain) StartAt(seq int64, hash string) { c.seq, c.hash = seq, hash }

// Next checks the entry after the last one checked. EINVALID, naming the
// entry, when it is not the next position (an entry before it was
// removed), does not name the previous entry's hash (an entry before it
// was edited or removed), or does not match its own hash (it was edited).
func (c *AuditChain) Next(e *AuditEntry) error {
	switch {
	case e.Seq != c.seq+1:
		return Errorf(EINVALID, "audit entry %d follows entry %d: entries %d to %d are missing", e.Seq, c.seq, c.seq+1, e.Seq-1)
	case e.Prev != c.hash:
		return Errorf(EINVALID, "audit entry %d does not chain to entry %d (its prev hash differs): entry %d was edited, or replaced", e.Seq, c.seq, c.seq)
	case e.sum() != e.Hash:
		return Errorf(EINVALID, "audit entry %d does not match its hash: it was edited", e.Seq)
	}
	c.seq, c.hash = e.Seq, e.Hash
	return nil
}

// End checks that the log ends where its head says: the position and
// hash of the last entry appended. EINVALID when entries were removed from
// the end.
func (c *AuditChain) End(headSeq int64, headHash string) error {
	if headSeq != c.seq || headHash != c.hash {
		return Errorf(EINVALID, "the audit log ends at entry %d but its head names entry %d: entries %d to %d were removed", c.seq, headSeq, c.seq+1, headSeq)
	}
	return nil
}

// AuditQuery selects audit entries, in log order.
type AuditQuery struct {
	After int64     // entries after this position (0 for the first)
	Since time.Time // entries at or after this time (zero for any)
	OrgID string    // entries whose actor or target organisation it is ("" for all)
	Limit int       // at most this many (the store's caller caps it)
}

// AuditStore keeps the audit log, append-only.
type AuditStore interface {
	// AppendAudit seals entries (AuditEntry.Seal) after the last one and
	// stores them, in one transaction; appends are serialised, also
	// across processes sharing the database.
	AppendAudit(ctx context.Context, entries ...*AuditEntry) error
	// AuditEntries returns the entries q selects, in log order.
	AuditEntries(ctx context.Context, q *AuditQuery) ([]*AuditEntry, error)
	// AuditHead returns the position and hash of the last entry appended
	// (0 and "" for an empty log), as the store keeps them apart from the
	// entries.
	AuditHead(ctx context.Context) (seq int64, hash string, err error)
}

// String returns the entry on one line, for logs and the command line.
func (e *AuditEntry) String() string {
	return fmt.Sprintf("#%d %s %s org=%s key=%s role=%s addr=%s target=%s outcome=%s reason=%q",
		e.Seq, e.Time.UTC().Format(time.RFC3339), e.Action, e.OrgID, e.KeyID, e.Role, e.Addr, e.Target, e.Outcome, e.Reason)
}
