package fake

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// What groups and campaigns share: each has a name unique in its team, the
// team lists them by name (then id), and a name follows DRF's CharField
// rules. A team keeps one namedSet of each.

const maxNameLength = 256

// namedItem is an object a namedSet holds: a group or a campaign.
type namedItem interface {
	comparable
	nameAndID() (name, id string)
}

func (g *group) nameAndID() (string, string)    { return g.name, g.id }
func (c *campaign) nameAndID() (string, string) { return c.name, c.id }

// namedSet is a team's groups or campaigns: in name order for lists, and by
// name for the uniqueness check, so that neither costs the team's count.
type namedSet[T namedItem] struct {
	sorted []T // by name, then id: the list index
	byName map[string]T
}

func compareByName(aName, aID, bName, bID string) int {
	if c := cmp.Compare(aName, bName); c != 0 {
		return c
	}
	return cmp.Compare(aID, bID)
}

func compareNamed[T namedItem](a, b T) int {
	an, ai := a.nameAndID()
	bn, bi := b.nameAndID()
	return compareByName(an, ai, bn, bi)
}

// insert places item by its name; the name must be free.
func (ns *namedSet[T]) insert(item T) {
	if ns.byName == nil {
		ns.byName = map[string]T{}
	}
	i, _ := slices.BinarySearchFunc(ns.sorted, item, compareNamed[T])
	ns.sorted = slices.Insert(ns.sorted, i, item)
	name, _ := item.nameAndID()
	ns.byName[name] = item
}

// remove takes item out; call it before the item's name changes.
func (ns *namedSet[T]) remove(item T) {
	if i, found := slices.BinarySearchFunc(ns.sorted, item, compareNamed[T]); found {
		ns.sorted = slices.Delete(ns.sorted, i, i+1)
	}
	name, _ := item.nameAndID()
	delete(ns.byName, name)
}

// checkName applies DRF's CharField rules (trimmed, no NUL character, not
// blank, at most maxNameLength characters) and the per-team uniqueness
// (self may keep its own name), for the API and fixtures alike; what names
// the kind in the message.
func (ns *namedSet[T]) checkName(name string, self T, what string) (string, error) {
	name, err := validateName(name)
	if err != nil {
		return "", err
	}
	if other, taken := ns.byName[name]; taken && other != self {
		return "", errInvalidField("name", fmt.Sprintf("A %s with this name already exists in this team.", what))
	}
	return name, nil
}

// addNamedLocked admits a new group or campaign: its name must pass
// checkName in the team's set, and its id claimID in the store's index (a
// fixture's id, else a new one); build makes the item of both, which then
// stands in the set and the index. what names the kind in errors.
func addNamedLocked[T namedItem](s *store, set *namedSet[T], index map[string]T, what, id, name string, build func(id, name string) T) (T, error) {
	var none T
	name, err := set.checkName(name, none, what)
	if err != nil {
		return none, err
	}
	if id, err = claimID(s, index, id, what); err != nil {
		return none, err
	}
	item := build(id, name)
	set.insert(item)
	index[id] = item
	return item, nil
}

// removeNamedLocked takes an item out of its team's set and the store's
// index: addNamedLocked undone (what the item holds is the caller's).
func removeNamedLocked[T namedItem](set *namedSet[T], index map[string]T, item T) {
	set.remove(item)
	_, id := item.nameAndID()
	delete(index, id)
}

// newNamed is what creating a group or a campaign says: the team and the
// name (checked by checkName under the lock).
type newNamed struct {
	Org  string `json:"org"`
	Name string `json:"name"`
}

// validateName applies DRF's CharField rules to a name.
func validateName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case strings.ContainsRune(name, 0): // DRF's ProhibitNullCharactersValidator
		return "", errInvalidField("name", "Null characters are not allowed.")
	case name == "":
		return "", errInvalidField("name", "This field may not be blank.")
	case len([]rune(name)) > maxNameLength:
		return "", errInvalidField("name", fmt.Sprintf("Ensure this field has no more than %d characters.", maxNameLength))
	}
	return name, nil
}

// uniqueName is base, or base followed by the first number from 2 that
// makes a name the set does not hold. next remembers, per base, where the
// last search ended, so that generating many items of the same base costs
// one lookup each, not one per earlier item.
func (ns *namedSet[T]) uniqueName(base string, next map[string]int) string {
	name := base
	n := max(next[base], 2)
	if _, taken := ns.byName[name]; !taken && next[base] == 0 {
		next[base] = 2
		return name
	}
	for {
		name = fmt.Sprintf("%s %d", base, n)
		n++
		if _, taken := ns.byName[name]; !taken {
			next[base] = n
			return name
		}
	}
}

// rename gives item the name a PUT or PATCH asks for (nil leaves it), once
// checkName passes, and moves it to its new place; set changes the name.
func (ns *namedSet[T]) rename(item T, name *string, what string, set func(string)) error {
	if name == nil {
		return nil
	}
	checked, err := ns.checkName(*name, item, what)
	if err != nil {
		return err
	}
	ns.remove(item)
	set(checked)
	ns.insert(item)
	return nil
}
