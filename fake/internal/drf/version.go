package drf

import (
	"mime"
	"strings"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/memo"
)

// Versions are the API versions the real server accepts.
var Versions = []string{"1.0", "1.1", "2.0"}

// AcceptedVersion returns the version parameter of the best Accept entry
// that a JSON response satisfies, and false when none does.
func AcceptedVersion(accept []string) (string, bool) {
	if len(accept) == 1 { // a client sends the same header every time
		v := acceptedVersions.Get(accept[0])
		return v.version, v.ok
	}
	return negotiate(accept)
}

// acceptedVersions remembers negotiate's answers for one Accept header:
// parsing the media types cost a request about a microsecond.
var acceptedVersions = memo.New(256, func(accept string) negotiated {
	version, ok := negotiate([]string{accept})
	return negotiated{version, ok}
})

type negotiated struct {
	version string
	ok      bool
}

// negotiate is AcceptedVersion, without the memo.
func negotiate(accept []string) (string, bool) {
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
