package fake

// What the bulk writes share (group memberships, campaign members,
// invitations): a body of one object or a list of them, read item by item,
// and an answer that is the store's error, else the items' errors in the
// body's shape, else the written items.

// bulkItemsOf reads the items of a bulk body with read, which gets each
// object and whether it failed openapi.yaml's schema (schemaFailed); asList
// tells a list body from a single object.
func bulkItemsOf[T any](req *apiRequest, read func(object map[string]any, schemaFailed bool) T) (items []T, asList bool) {
	objects, asList := bodyItems(req.body)
	items = make([]T, len(objects))
	for i, object := range objects {
		items[i] = read(object, schemaFailed(req, i))
	}
	return items, asList
}

// bulkWriteError is what a bulk write answers when it did not succeed: the
// store's error, or, when any item failed, every item's errors in the shape
// of the body (itemsError); nil when the write is done.
func bulkWriteError(req *apiRequest, asList bool, itemErrs []fieldErrors, err error) error {
	if err != nil {
		return err
	}
	if itemErrs != nil {
		return itemsError(req, itemErrs, asList)
	}
	return nil
}

// stringValue is a string field of a body object, "" when it is absent or
// not a string (the schema's errors speak of that).
func stringValue(object map[string]any, name string) string {
	if s := stringField(object, name); s != nil {
		return *s
	}
	return ""
}
