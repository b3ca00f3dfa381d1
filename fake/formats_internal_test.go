package fake

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestEmailFormatIsTheRegexp: emailFormat accepts and refuses what
// kin-openapi's regexp does, with the same error, on edge cases and on
// random strings over the characters that matter.
func TestEmailFormatIsTheRegexp(t *testing.T) {
	re := openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail)
	texts := []string{
		"", "@", "a@", "@b", "a@b", "a@@b", "a@b@c", "@@", "a b@c", "a@b c", "a@b\tc", "a@b\vc", "a@b\u00a0c",
		"a@b\nc", "a@b\rc", "a@b\fc", "a\n@b", "a@<b>", `a@"b"`, "a@b,c", "a@b;c", "a@b\x00", "\xff@\xfe", "a@\xff",
		"ada@acme.test", "Ada.Lovelace+x@acme.test", "é@ü.test", "a@b\u2028", " a@b", "a@b ", "a@b\u3000",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "@", " ", "\t", "\n", "\v", "<", ">", `"`, ",", ".", "é", "\xff", "\x00"}
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(7) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		texts = append(texts, b.String())
	}
	for _, text := range texts {
		want, got := re.Validate(text), emailFormat.Validate(text)
		if (want == nil) != (got == nil) || (want != nil && want.Error() != got.Error()) {
			t.Fatalf("%q: regexp says %v, emailFormat %v", text, want, got)
		}
	}
}

func BenchmarkEmailFormat(b *testing.B) {
	for _, v := range []struct {
		name string
		fv   openapi3.StringFormatValidator
	}{{"regexp", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail)}, {"emailFormat", emailFormat}} {
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				_ = v.fv.Validate("new.hire@acme.test")
			}
		})
	}
}
