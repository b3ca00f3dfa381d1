#!/usr/bin/env bash
# Runs every quick start of README.md exactly as printed, and fails if one
# fails. Usage: bash .ci/quickstarts.sh (from anywhere; .ci/run calls it after
# the TypeScript client, whose installed packages the TypeScript quick start
# reuses).
#
# README.md marks each code block of a quick start with an HTML comment on the
# line before its fence:
#   <!-- quickstart: NAME -->            a shell block, run with bash -euo pipefail
#   <!-- quickstart: NAME file=PATH -->  saved as PATH before the blocks after it run
#   <!-- quickstart: NAME output -->     the exact stdout of NAME's shell block before it
#   <!-- quickstart: NAME install -->    npm packages: not run; their versions must be the
#                                        ones .ci/clients/ts pins, whose node_modules is
#                                        linked instead
# Each quick start runs in a directory of its own beside a link named
# pixiebrix-fake to this checkout, as the README tells its reader to do (the
# Go module's replace line points there); "ci" runs from the checkout's root.
#
# curl, python and typescript call a fake that the README tells the reader to
# start with `go run ./cmd/pixiebrix-fake`, on 127.0.0.1:8080. Other servers may
# hold that port on this machine, so they run in a network namespace of their
# own (unshare), against the built binary on its default address, reset
# between quick starts.
set -euo pipefail

served="curl python typescript" # the quick starts that call the fake on 127.0.0.1:8080

if [ "${1:-}" = "--served" ]; then
  # Second phase, inside the network namespace: $2 is the work directory.
  tmp=$2
  ip link set lo up 2>/dev/null || true # outside a namespace lo is up already
  "$tmp/bin/pixiebrix-fake" >"$tmp/served-ready.json" 2>"$tmp/served.log" &
  pid=$!
  trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
  until grep -q '"ready":true' "$tmp/served-ready.json"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "the fake did not start on 127.0.0.1:8080:" >&2
      cat "$tmp/served.log" >&2
      exit 1
    fi
    sleep 0.05
  done
  source "$tmp/run.sh"
  for name in $served; do
    curl -sS --fail-with-body -X POST http://127.0.0.1:8080/__fake/reset
    run_quickstart "$name"
  done
  kill "$pid"
  wait "$pid"
  trap - EXIT
  exit 0
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
ln -s "$root" "$tmp/pixiebrix-fake"
mkdir "$tmp/blocks" "$tmp/bin"

# Extract the marked blocks into $tmp/blocks/NNN, listed in $tmp/blocks/index
# as "NNN NAME KIND [ARG]" in README order.
awk -v dir="$tmp/blocks" '
  /^<!-- quickstart: / {
    if (want) { print "README.md:" NR ": a quickstart marker with no code block after it" > "/dev/stderr"; exit 1 }
    line = $0
    sub(/^<!-- quickstart: /, "", line); sub(/ *-->$/, "", line)
    n = split(line, f, " ")
    name = f[1]; kind = "sh"; arg = ""
    if (n >= 2 && f[2] ~ /^file=/) { kind = "file"; arg = substr(f[2], 6) }
    else if (n >= 2) kind = f[2]
    want = 1; next
  }
  want && /^```/ {
    count++; file = sprintf("%s/%03d", dir, count)
    printf "" > file
    print sprintf("%03d", count), name, kind, arg > (dir "/index")
    want = 0; inblock = 1; next
  }
  want { print "README.md:" NR ": a quickstart marker must be followed by a fence" > "/dev/stderr"; exit 1 }
  inblock && /^```/ { inblock = 0; close(file); next }
  inblock { print > file }
' "$root/README.md"
[ -s "$tmp/blocks/index" ] || { echo "README.md has no quickstart blocks" >&2; exit 1; }

# run_quickstart NAME runs NAME's blocks in README order; written to a file so
# that the second phase, in another process, has it too.
cat >"$tmp/run.sh" <<'EOF'
run_quickstart() {
  local name=$1 work num bname kind arg last=""
  if [ "$name" = ci ]; then work="$tmp/pixiebrix-fake"; else work="$tmp/$name"; mkdir -p "$work"; fi
  echo "-- quick start: $name"
  while read -r num bname kind arg; do
    [ "$bname" = "$name" ] || continue
    case "$kind" in
      sh)
        last="$tmp/blocks/$num.out"
        if ! (cd "$work" && bash -euo pipefail "$tmp/blocks/$num") >"$last" 2>"$tmp/blocks/$num.err"; then
          echo "FAIL quick start $name: its block $num failed:" >&2
          sed 's/^/  | /' "$tmp/blocks/$num" >&2
          echo "stdout:" >&2; cat "$last" >&2
          echo "stderr:" >&2; cat "$tmp/blocks/$num.err" >&2
          return 1
        fi
        cat "$last"
        ;;
      file) cp "$tmp/blocks/$num" "$work/$arg" ;;
      output)
        if [ -z "$last" ] || ! diff -u "$tmp/blocks/$num" "$last" >&2; then
          echo "FAIL quick start $name: the README's output (above, -) is not what it printed (+)" >&2
          return 1
        fi
        ;;
      install)
        # Run here, npm install would fetch what .ci/clients/ts installed
        # already; the versions must be the same for its node_modules to stand in.
        local pkg version
        for spec in $(grep -oE '(@[a-z0-9-]+/)?[a-z0-9.-]+@[0-9][0-9.]*' "$tmp/blocks/$num"); do
          pkg=${spec%@*}; version=${spec##*@}
          if ! grep -qF "\"$pkg\": \"$version\"" "$tmp/pixiebrix-fake/.ci/clients/ts/package.json"; then
            echo "FAIL quick start $name: $spec is not the version .ci/clients/ts/package.json pins" >&2
            return 1
          fi
        done
        ln -sfn "$tmp/pixiebrix-fake/.ci/clients/ts/node_modules" "$work/node_modules"
        ;;
      *) echo "FAIL quick start $name: unknown block kind $kind" >&2; return 1 ;;
    esac
  done <"$tmp/blocks/index"
}
EOF
export tmp
source "$tmp/run.sh"

if [ ! -d "$root/.ci/clients/ts/node_modules" ]; then
  (cd "$root/.ci/clients/ts" && npm ci --silent --no-audit --no-fund)
fi
(cd "$root" && go build -o "$tmp/bin/pixiebrix-fake" ./cmd/pixiebrix-fake)

names=$(awk '{print $2}' "$tmp/blocks/index" | awk '!seen[$0]++')
for name in $names; do
  case " $served " in *" $name "*) continue ;; esac
  run_quickstart "$name"
done

# The CI script's promise: a fake that cannot start fails the job at once.
echo "-- quick start: ci, with a broken fixture"
printf 'organizations: [{name: Acme, members: [{email: a@acme.test, role: boss}]}]\n' >"$tmp/broken.yaml"
if (cd "$root" && FIXTURE="$tmp/broken.yaml" timeout 60 bash -euo pipefail "$tmp/blocks/$(awk '$2 == "ci" && $3 == "sh" {print $1; exit}' "$tmp/blocks/index")") >"$tmp/broken.out" 2>&1; then
  echo "FAIL quick start ci: it passed with a broken fixture" >&2
  exit 1
fi
grep -q 'pixiebrix-fake did not start' "$tmp/broken.out" || {
  echo "FAIL quick start ci: with a broken fixture it did not say why:" >&2
  cat "$tmp/broken.out" >&2
  exit 1
}
cat "$tmp/broken.out"

# The namespace starts with its loopback down: ip (iproute2) brings it up.
if command -v ip >/dev/null && unshare --user --map-root-user --net true 2>/dev/null; then
  unshare --user --map-root-user --net bash "$0" --served "$tmp"
elif ! curl -s -o /dev/null http://127.0.0.1:8080/ 2>/dev/null; then
  echo "(no network namespace here: the served quick starts use this machine's free port 8080)"
  bash "$0" --served "$tmp"
else
  echo "FAIL: cannot run the curl, Python and TypeScript quick starts: port 8080 is taken and unshare is not allowed" >&2
  exit 1
fi

count=$(awk '!seen[$2]++' "$tmp/blocks/index" | wc -l)
echo "quickstarts: $count passed, 0 failed"
