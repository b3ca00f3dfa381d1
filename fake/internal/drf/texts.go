// Package drf holds what the fake copies from Django REST framework and needs
// no state for: the texts of its errors, which clients match on, and its
// negotiation of the API version from the Accept header.
package drf

import "fmt"

// The texts of DRF's errors, copied so that clients matching on them behave
// the same against the fake and the real server.
const (
	NotFound         = "Not found."
	InvalidPage      = "Invalid page."
	NotAuthenticated = "Authentication credentials were not provided."
	InvalidToken     = "Invalid token."
	NoCredentials    = "Invalid token header. No credentials provided."
	TokenSpaces      = "Invalid token header. Token string should not contain spaces."
	Forbidden        = "You do not have permission to perform this action."
	NotAcceptable    = "Could not satisfy the request Accept header."
	InvalidVersion   = `Invalid version in "Accept" header.`
	TooLarge         = "Request body exceeds the limit of 2.5 MiB."
	Internal         = "A server error occurred."
	Throttled        = "Request was throttled."
)

// MethodNotAllowed is DRF's text for a method the path does not serve.
func MethodNotAllowed(method string) string {
	return fmt.Sprintf("Method %q not allowed.", method)
}

// UnsupportedMediaType is DRF's text for a body of a type it cannot parse.
func UnsupportedMediaType(mediaType string) string {
	return fmt.Sprintf("Unsupported media type %q in request.", mediaType)
}

// ThrottledFor is DRF's text for a throttled request, with its singular for
// one second.
func ThrottledFor(seconds int) string {
	unit := "seconds"
	if seconds == 1 {
		unit = "second"
	}
	return fmt.Sprintf("Request was throttled. Expected available in %d %s.", seconds, unit)
}
