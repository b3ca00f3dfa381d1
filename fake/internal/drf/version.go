package drf

import (
	"mime"
	"strings"
)

// Versions are the API versions the real server accepts.
var Versions = []string{"1.0", "1.1", "2.0"}

// AcceptedVersion returns the version parameter of the best Accept entry
// that a JSON response satisfies, and false when none does.
func AcceptedVersion(accept []string) (string, bool) {
	var ranges []string
	for _, header := range accept {
		ranges = append(ranges, strings.Split(header, ",")...)
	}
	if len(ranges) == 0 || strings.TrimSpace(strings.Join(ranges, "")) == "" {
		return "", true
	}
	bestPrecedence, version := -1, ""
	for _, raw := range ranges {
		mediaType, params, err := mime.ParseMediaType(strings.TrimSpace(raw))
		if err != nil {
			continue
		}
		var precedence int
		switch mediaType {
		case "application/json", "application/vnd.pixiebrix.api+json":
			precedence = 2
		case "application/*":
			precedence = 1
		case "*/*":
			precedence = 0
		default:
			continue
		}
		if len(params) > 0 && !(len(params) == 1 && params["q"] != "") {
			precedence += 3 // DRF ranks media types with parameters first
		}
		if precedence > bestPrecedence {
			bestPrecedence, version = precedence, params["version"]
		}
	}
	return version, bestPrecedence >= 0
}
