package fake

import "testing"

// TestParseFixtureFile: start-up and --watch read a file by its name, so a
// .json file with a trailing comma is refused on a reload as at start.
func TestParseFixtureFile(t *testing.T) {
	const trailingComma = `{"organizations": [{"name": "Acme", "members": [{"email": "ada@acme.test", "role": 2},]}]}`
	for _, c := range []struct {
		name    string
		wantErr bool
	}{
		{"fixture.json", true},
		{"FIXTURE.JSON", true},
		{"fixture.yaml", false}, // YAML's flow style allows the comma
		{"fixture", false},
	} {
		_, err := parseFixtureFile(c.name, []byte(trailingComma))
		if (err != nil) != c.wantErr {
			t.Errorf("%s: error %v, want an error: %v", c.name, err, c.wantErr)
		}
	}
}
