package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is the release's version, stamped by .ci/release.sh with
// -ldflags "-X main.version=v1.2.3". Other builds (go run, go install,
// go build) leave it empty and fall back on what the toolchain recorded.
var version string

// versionLine is what --version prints, such as
// "pixiebrix-fake v1.2.3 (go1.26.8 linux/amd64)".
func versionLine() string {
	info, _ := debug.ReadBuildInfo()
	return fmt.Sprintf("pixiebrix-fake %s (%s %s/%s)", versionOf(version, info), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// versionOf picks the version to show: the stamped one; else the module's
// version as go install module@version records it, or the pseudo-version a
// build in a git checkout gets; else the commit the toolchain recorded;
// else "devel".
func versionOf(stamped string, info *debug.BuildInfo) string {
	if stamped != "" {
		return stamped
	}
	if info == nil {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if revision == "" {
		return "devel"
	}
	v := "devel-" + revision[:min(12, len(revision))]
	if modified == "true" {
		v += "-dirty"
	}
	return strings.TrimSpace(v)
}
