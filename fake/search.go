package fake

import (
	"bytes"
	"slices"
	"strings"
)

// memberText is what q= searches in a team: for each membership, a NUL,
// then its user's pre-folded name and email (user.folded), one after the
// other in one buffer. A search is then one bytes.Index pass over the
// buffer rather than a case-folding comparison per member. The mutations
// keep it: a new member appends an entry, a removed one turns its bytes to
// NULs (which no search term without a NUL matches), and the buffer is
// rebuilt once half of it is such garbage.
type memberText struct {
	text       []byte
	starts     []int         // where each entry starts in text
	owners     []*membership // each entry's membership; nil once removed
	garbage    int           // bytes of removed entries
	outOfOrder bool          // entries are not in membership id order
}

// add appends m's entry.
func (t *memberText) add(m *membership) {
	if n := len(t.owners); n > 0 && t.owners[n-1] != nil && t.owners[n-1].id > m.id {
		t.outOfOrder = true
	}
	m.textAt = len(t.starts)
	t.starts = append(t.starts, len(t.text))
	t.owners = append(t.owners, m)
	t.text = append(t.text, 0)
	t.text = append(t.text, m.user.folded...)
}

// remove blanks m's entry.
func (t *memberText) remove(m *membership) {
	i := m.textAt
	if i < 0 || i >= len(t.owners) || t.owners[i] != m {
		return
	}
	end := len(t.text)
	if i+1 < len(t.starts) {
		end = t.starts[i+1]
	}
	clear(t.text[t.starts[i]:end])
	t.owners[i] = nil
	t.garbage += end - t.starts[i]
	if t.garbage > len(t.text)/2 {
		t.compact()
	}
}

// compact rebuilds the buffer from the live entries, in membership id order.
func (t *memberText) compact() {
	live := make([]*membership, 0, len(t.owners))
	for _, m := range t.owners {
		if m != nil {
			live = append(live, m)
		}
	}
	slices.SortFunc(live, func(a, b *membership) int { return a.id - b.id })
	*t = memberText{text: make([]byte, 0, len(t.text)-t.garbage)}
	for _, m := range live {
		t.add(m)
	}
}

// search returns, in id order, the memberships whose entry holds lower, a
// lower-cased term without a NUL.
func (t *memberText) search(lower string) []*membership {
	var found []*membership
	q := []byte(lower)
	entry := 0
	for off := 0; off < len(t.text); {
		i := bytes.Index(t.text[off:], q)
		if i < 0 {
			break
		}
		pos := off + i
		for entry+1 < len(t.starts) && t.starts[entry+1] <= pos {
			entry++
		}
		if m := t.owners[entry]; m != nil {
			found = append(found, m)
		}
		if entry+1 == len(t.starts) {
			break
		}
		off = t.starts[entry+1]
	}
	if t.outOfOrder {
		slices.SortFunc(found, func(a, b *membership) int { return a.id - b.id })
	}
	return found
}

// matches reports whether lower, a lower-cased search term, is a substring
// of the user's name or email in any case.
func (u *user) matches(lower string) bool {
	if strings.IndexByte(lower, 0) >= 0 { // could span the separator
		name, email, _ := strings.Cut(u.folded, "\x00")
		return strings.Contains(name, lower) || strings.Contains(email, lower)
	}
	return strings.Contains(u.folded, lower)
}

// setName changes the user's name and what a search reads of it.
func (u *user) setName(name string) {
	u.name = name
	u.folded = strings.ToLower(name) + "\x00" + strings.ToLower(u.email)
	for _, m := range u.memberships {
		m.org.text.remove(m)
		m.org.text.add(m)
	}
}
