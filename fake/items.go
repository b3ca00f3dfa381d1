package fake

// listItem is one item of a list write (group memberships, campaign
// members).
type listItem interface {
	// failedSchema reports that openapi.yaml's schema refused the item: it
	// has its errors already, and its presence alone makes the write fail
	// (so such a write is never logged).
	failedSchema() bool
	// checkSyntax adds the item's data-free errors (the e-mail rule) to errs.
	checkSyntax(errs fieldErrors)
}

// itemList is what the list writes share: their items, and one error
// object per item ({} for a good one) that prepare starts before the write
// lock and checkLocked completes under it.
type itemList[T listItem] struct {
	Items []T `json:"items"`
	errs  []fieldErrors
}

func (l *itemList[T]) prepare() error {
	l.errs = make([]fieldErrors, len(l.Items))
	for i, item := range l.Items {
		l.errs[i] = fieldErrors{}
		if !item.failedSchema() {
			item.checkSyntax(l.errs[i])
		}
	}
	return nil
}

// checkLocked runs check, the checks that need the data, on each item that
// passed the others, and refuses the write (itemErrors) when any item
// failed, so that nothing is written.
func (l *itemList[T]) checkLocked(check func(i int, item T, errs fieldErrors)) error {
	failed := false
	for i, item := range l.Items {
		if !item.failedSchema() && len(l.errs[i]) == 0 {
			check(i, item, l.errs[i])
		}
		failed = failed || item.failedSchema() || len(l.errs[i]) > 0
	}
	if failed {
		return itemErrors(l.errs)
	}
	return nil
}
