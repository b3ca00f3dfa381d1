#!/usr/bin/env bash
# Runs the tests on the oldest Go release that go.mod's go directive allows,
# fetched through the module proxy (GOTOOLCHAIN), so that the directive
# stays true: a module that embeds the fake inherits it as its own minimum.
set -euo pipefail
cd "$(dirname "$0")/.."
oldest=$(go list -m -f '{{.GoVersion}}')
# "go 1.26" means the same release as "go 1.26.0", which is the toolchain's name.
[[ "$oldest" =~ ^[0-9]+\.[0-9]+$ ]] && oldest="$oldest.0"
export GOTOOLCHAIN="go$oldest"
go version
go vet ./...
go test ./...
