package main

import (
	"flag"
	"fmt"
	"strings"
)

// envPrefix begins the name of every variable the command reads.
const envPrefix = "PIXIEBRIX_FAKE_"

// otherEnv are variables with the prefix that other programs of this
// repository read: not misspellings.
var otherEnv = []string{"PIXIEBRIX_FAKE_BENCH_BARE", "PIXIEBRIX_FAKE_BENCH_SERVE"}

// unknownEnvWarnings names each PIXIEBRIX_FAKE_* variable of environ that
// no flag reads, with the closest one that a flag does: a misspelt variable
// would otherwise be ignored without a word.
func unknownEnvWarnings(environ []string) []string {
	var known []string
	var o options
	newFlagSet(&o).VisitAll(func(f *flag.Flag) { known = append(known, envVar(f.Name)) })
	var warnings []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, envPrefix) || contains(known, name) || contains(otherEnv, name) {
			continue
		}
		closest, best := "", -1
		for _, k := range known {
			if d := editDistance(name, k); best < 0 || d < best {
				closest, best = k, d
			}
		}
		warnings = append(warnings, fmt.Sprintf("warning: %s is not a variable pixiebrix-fake reads (did you mean %s?); it is ignored", name, closest))
	}
	return warnings
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// acceptedValues says what a flag's variable takes, for the error of a value
// that does not parse: the flag package's own error says only "parse error".
func acceptedValues(f *flag.Flag, err error) string {
	getter, ok := f.Value.(flag.Getter)
	if !ok {
		return err.Error()
	}
	switch getter.Get().(type) {
	case bool:
		return "use true or false (also 1, 0, t, f, TRUE, FALSE, True, False)"
	case int, int64:
		return "use an integer such as 42"
	case float64:
		return "use a number such as 0.05"
	}
	return err.Error()
}
