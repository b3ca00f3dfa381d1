package fake

import (
	"errors"
	"net/netip"
	"strings"
)

// The e-mail rule: the fake's one check of an address's syntax, for API
// items and fixtures alike, following Django's EmailValidator (which DRF's
// EmailField runs): a local part that is a dot-atom of ASCII characters or
// a quoted string, and a domain of dot-separated labels ending in a label
// of at least two characters, "localhost", or a bracketed IP literal.

// messageInvalidEmail is EmailValidator's message: the schema's email format
// lets through addresses Django refuses ("a b@x.test").
const messageInvalidEmail = "Enter a valid email address."

// maxEmailLength is the longest email openapi.yaml lets a user or a group
// membership have (Django's EmailField).
const maxEmailLength = 254

// maxValidatorLength is the length over which EmailValidator refuses an
// address before reading it.
const maxValidatorLength = 320

var errInvalidEmail = errors.New("not a valid email address")

// emailChecks holds the verdicts of checkEmail on the emails a mutation
// carries, reached in its prepare, before the write lock.
type emailChecks map[string]error

func checkEmails(emails ...string) emailChecks {
	checks := make(emailChecks, len(emails))
	for _, e := range emails {
		checks[e] = checkEmail(e)
	}
	return checks
}

// check is the verdict on email: the one reached before, else checkEmail's.
func (c emailChecks) check(email string) error {
	if err, ok := c[email]; ok {
		return err
	}
	return checkEmail(email)
}

// checkEmail applies EmailValidator to email as given (DRF trims it first).
func checkEmail(email string) error {
	if email == "" || len(email) > maxValidatorLength {
		return errInvalidEmail
	}
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return errInvalidEmail
	}
	local, domain := email[:at], email[at+1:]
	if !validLocalPart(local) || !(domain == "localhost" || validDomainPart(domain)) {
		return errInvalidEmail
	}
	return nil
}

// atomChar is one of the characters of EmailValidator's dot-atom:
// [-!#$%&'*+/=?^_`{}|~0-9A-Z], in any case.
func atomChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-!#$%&'*+/=?^_`{}|~", c) >= 0
}

func validLocalPart(local string) bool {
	if len(local) >= 2 && local[0] == '"' && local[len(local)-1] == '"' {
		return validQuotedString(local[1 : len(local)-1])
	}
	if local == "" {
		return false
	}
	for atom := range strings.SplitSeq(local, ".") {
		if atom == "" {
			return false
		}
		for i := 0; i < len(atom); i++ {
			if !atomChar(atom[i]) {
				return false
			}
		}
	}
	return true
}

// validQuotedString checks the inside of a quoted local part:
// ([\001-\010\013\014\016-\037!#-\[\]-\177]|\\[\001-\011\013\014\016-\177])*
func validQuotedString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' {
			i++
			if i == len(s) {
				return false
			}
			if e := s[i]; e == 0 || e == '\n' || e == '\r' || e > 0x7f {
				return false
			}
			continue
		}
		switch {
		case c == 0, c == '\t', c == '\n', c == '\r', c == ' ', c == '"', c > 0x7f:
			return false
		}
	}
	return true
}

// validDomainPart is EmailValidator's domain_regex, or its literal_regex
// holding an IPv4 or IPv6 address.
func validDomainPart(domain string) bool {
	if len(domain) >= 2 && domain[0] == '[' && domain[len(domain)-1] == ']' {
		literal := domain[1 : len(domain)-1]
		if literal == "" || strings.Trim(literal, "0123456789abcdefABCDEF:.") != "" {
			return false
		}
		addr, err := netip.ParseAddr(literal)
		return err == nil && addr.Zone() == ""
	}
	dot := strings.LastIndexByte(domain, '.')
	if dot < 0 {
		return false // one label
	}
	for label := range strings.SplitSeq(domain[:dot], ".") {
		if len(label) < 1 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' || !labelChars(label) {
			return false
		}
	}
	// The last label: [A-Z0-9-]{2,63}, not ending in a hyphen.
	tld := domain[dot+1:]
	return len(tld) >= 2 && len(tld) <= 63 && tld[len(tld)-1] != '-' && labelChars(tld)
}

func labelChars(label string) bool {
	for i := 0; i < len(label); i++ {
		c := label[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
