#!/usr/bin/env bash
# The TypeScript client scenario: types generated from openapi.yaml and from
# the control plane's fake/controlplane.yaml by openapi-typescript, requests
# by openapi-fetch, against the built binary.
# Run from anywhere as `bash .ci/clients/ts/run.sh`; it needs Go, Node 20+
# and npm, installs the pinned packages with `npm ci`, and exits non-zero
# when a check fails.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$here"

echo "-- npm ci"
npm ci --silent --no-audit --no-fund

echo "-- openapi-typescript: openapi.yaml -> api.gen.ts"
./node_modules/.bin/openapi-typescript "$root/openapi.yaml" --output api.gen.ts
echo "-- openapi-typescript: fake/controlplane.yaml -> control.gen.ts"
./node_modules/.bin/openapi-typescript "$root/fake/controlplane.yaml" --output control.gen.ts

echo "-- tsc --noEmit"
./node_modules/.bin/tsc --noEmit -p .

echo "-- build the binary"
(cd "$root" && go build -o "$work/pixiebrix-fake" ./cmd/pixiebrix-fake)

echo "-- scenario"
./node_modules/.bin/tsc -p . --outDir "$work/out"
# Node resolves openapi-fetch from the compiled file's directory.
printf '{"type": "module"}\n' >"$work/out/package.json"
ln -s "$here/node_modules" "$work/out/node_modules"
node "$work/out/scenario.js" "$work/pixiebrix-fake"
