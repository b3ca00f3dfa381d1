#!/usr/bin/env bash
# Cross-builds the release: a static pixiebrix-fake for linux, darwin and
# windows on amd64 and arm64, each in an archive (tar.gz; zip for windows)
# with the README, and SHA256SUMS over the archives. --version prints the
# version given here (default: git describe, else "devel").
#
#   bash .ci/release.sh [VERSION] [OUT_DIR]    # OUT_DIR defaults to dist
#
# It also leaves the linux binaries in OUT_DIR/image/, the build context of
# the Containerfile:  podman build -f Containerfile OUT_DIR/image
# The same commit and version give byte-identical archives (-trimpath, no
# build id, file times from the commit).
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-$(git describe --tags --always --dirty 2>/dev/null || echo devel)}"
out="${2:-dist}"
# Archive entries carry the commit's time, not the build's.
epoch="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}"
targets="linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64"

command -v zip >/dev/null || { echo "release.sh: needs zip (apt-get install zip)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/image"
out=$(cd "$out" && pwd)
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT

for target in $targets; do
  goos=${target%/*} goarch=${target#*/}
  name="pixiebrix-fake_${version}_${goos}_${goarch}"
  exe=pixiebrix-fake
  [ "$goos" = windows ] && exe=pixiebrix-fake.exe
  mkdir -p "$staging/$name"
  CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -buildvcs=false \
    -ldflags "-s -w -buildid= -X main.version=$version" \
    -o "$staging/$name/$exe" ./cmd/pixiebrix-fake
  cp README.md "$staging/$name/"
  touch -d "@$epoch" "$staging/$name" "$staging/$name"/*
  if [ "$goos" = windows ]; then
    (cd "$staging" && TZ=UTC zip -q -X -r "$out/$name.zip" "$name")
  else
    tar -C "$staging" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
      -cf - "$name" | gzip -n -9 > "$out/$name.tar.gz"
  fi
  [ "$goos" = linux ] && cp "$staging/$name/$exe" "$out/image/pixiebrix-fake-linux-$goarch"
  echo "built $out/$name"
done

(cd "$out" && { command -v sha256sum >/dev/null && sha256sum -- *.tar.gz *.zip || shasum -a 256 -- *.tar.gz *.zip; } > SHA256SUMS)
echo "checksums in $out/SHA256SUMS"
