package record

import (
	"encoding/binary"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/brianvoe/gofakeit/v6/data"
)

// anonymizer gives each person (an email, case aside) a fake name and email
// local part, drawn from a hash of the seed and the email: the same person
// gets the same identity wherever they appear, in this recording and in any
// other with the same seed. The domain is kept, so a team's verified domains
// still cover its people.
type anonymizer struct {
	seed   int64
	emails map[string]string // lowercased original → fake
	names  map[string]string // lowercased original email → fake name
	used   map[string]bool   // lowercased fake emails given
}

func newAnonymizer(seed int64) *anonymizer {
	return &anonymizer{seed: seed, emails: map[string]string{}, names: map[string]string{}, used: map[string]bool{}}
}

func (a *anonymizer) identity(email string) {
	key := strings.ToLower(email)
	if _, ok := a.emails[key]; ok {
		return
	}
	h := fnv.New64a()
	var seed [8]byte
	binary.LittleEndian.PutUint64(seed[:], uint64(a.seed))
	h.Write(seed[:])
	h.Write([]byte(key))
	sum := h.Sum64()
	firsts, lasts := data.Person["first"], data.Person["last"]
	first := firsts[sum%uint64(len(firsts))]
	last := lasts[(sum>>32)%uint64(len(lasts))]
	local := strings.ToLower(first + "." + last)
	_, domain, _ := strings.Cut(email, "@")
	fakeEmail := local + "@" + domain
	for n := 2; a.used[strings.ToLower(fakeEmail)]; n++ {
		fakeEmail = local + "." + strconv.Itoa(n) + "@" + domain
	}
	a.used[strings.ToLower(fakeEmail)] = true
	a.emails[key] = fakeEmail
	a.names[key] = first + " " + last
}

func (a *anonymizer) email(email string) string {
	a.identity(email)
	return a.emails[strings.ToLower(email)]
}

func (a *anonymizer) name(email string) string {
	a.identity(email)
	return a.names[strings.ToLower(email)]
}

// scope is a package scope made from the person's fake email's local part:
// "@" and the part in lower case, every character a scope does not take
// (^@[a-z0-9][a-z0-9._-]*$) replaced by "-".
func (a *anonymizer) scope(email string) string {
	local, _, _ := strings.Cut(a.email(email), "@")
	b := []byte(strings.ToLower(local))
	for i, c := range b {
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '.' && c != '_' && c != '-') {
			b[i] = '-'
			if i == 0 {
				b[i] = 'x'
			}
		}
	}
	if len(b) > 127 {
		b = b[:127]
	}
	return "@" + string(b)
}
