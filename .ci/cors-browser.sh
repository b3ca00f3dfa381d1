#!/usr/bin/env bash
# CORS from a real browser: headless Chromium loads a page from one origin
# (a small server on 127.0.0.1:PORT1) whose script fetches memberships, with
# a token and the version 2.0 Accept, from the fake on another origin
# (127.0.0.1:PORT2). With --cors naming the page's origin the DOM lists the
# members and the exposed X-Total-Count; without it Chromium blocks the call.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "cors-browser.sh: $*" >&2; exit 1; }

if ! command -v chromium >/dev/null; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 chromium >/dev/null
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# waitline FILE: waits for a process's first line on stdout, up to 30 s.
waitline() {
  for _ in $(seq 1 300); do
    [ -s "$1" ] && { head -n 1 "$1"; return; }
    kill -0 "$2" 2>/dev/null || fail "process $2 exited: $(cat "$1" "$1.err" 2>/dev/null)"
    sleep 0.1
  done
  fail "no line from process $2 within 30 s"
}

go build -o "$work/pixiebrix-fake" ./cmd/pixiebrix-fake

# The page: its script reads the fake's URL from the page's query.
mkdir -p "$work/page"
cat > "$work/page/index.html" <<'HTML'
<!doctype html>
<title>memberships through CORS</title>
<p id="total">loading</p>
<ul id="members"></ul>
<script>
const fakeURL = new URLSearchParams(location.search).get("fake");
fetch(fakeURL + "/api/organizations/0a000000-0000-4000-8000-000000000001/memberships/?page_size=3", {
  headers: {Authorization: "Token acme-admin-token", Accept: "application/json; version=2.0"},
})
  .then(async (r) => {
    const items = await r.json();
    document.getElementById("total").textContent = "status " + r.status + ", total " + r.headers.get("X-Total-Count");
    for (const m of items) {
      const li = document.createElement("li");
      li.textContent = m.user.email;
      document.getElementById("members").append(li);
    }
  })
  .catch((e) => { document.getElementById("total").textContent = "failed: " + e; });
</script>
HTML
cat > "$work/page/serve.go" <<'GO'
// Serves the page's directory on a free loopback port and prints its origin.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
)

func main() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Printf("http://%s\n", l.Addr())
	panic(http.Serve(l, http.FileServer(http.Dir(os.Args[1]))))
}
GO
(cd "$work/page" && go build -o "$work/serve-page" serve.go)
"$work/serve-page" "$work/page" > "$work/page.out" 2> "$work/page.out.err" &
pids+=($!)
page_origin=$(waitline "$work/page.out" $!)

# browse FLAG...: starts a fake with those flags, loads the page in
# Chromium, leaves the DOM in $work/dom.html, stops the fake. (Not in a
# subshell, so that the trap stops the fake whatever happens.)
browse() {
  "$work/pixiebrix-fake" --addr 127.0.0.1:0 "$@" > "$work/fake.out" 2> "$work/fake.out.err" &
  local fake_pid=$!
  pids+=("$fake_pid")
  local fake_url
  fake_url=$(waitline "$work/fake.out" "$fake_pid" | sed 's/.*"url":"\([^"]*\)".*/\1/')
  timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d -p "$work")" --virtual-time-budget=10000 \
    --dump-dom "$page_origin/index.html?fake=$fake_url" > "$work/dom.html" 2> "$work/chromium.err" ||
    fail "chromium failed: $(tail -n 20 "$work/chromium.err")"
  kill "$fake_pid"
  wait "$fake_pid" || true
  : > "$work/fake.out"
}

echo "page on $page_origin; the fake with --cors $page_origin:"
browse --cors "$page_origin"
dom=$(cat "$work/dom.html")
echo "$dom" | grep -o '<p id="total">[^<]*</p>\|<li>[^<]*</li>' | tr '\n' ' '
echo
echo "$dom" | grep -q '<p id="total">status 200, total 32</p>' || fail "no status and total in the DOM: $dom"
echo "$dom" | grep -q '<li>ada@acme.test</li><li>max@acme.test</li><li>dev@acme.test</li>' || fail "no members in the DOM: $dom"
grep -q 'method=OPTIONS path=/api/organizations/0a000000-0000-4000-8000-000000000001/memberships/ status=204' "$work/fake.out.err" ||
  fail "Chromium sent no preflight that the fake answered 204: $(cat "$work/fake.out.err")"

echo "the same page, the fake without --cors:"
browse
dom=$(cat "$work/dom.html")
echo "$dom" | grep -o '<p id="total">[^<]*</p>'
echo "$dom" | grep -q '<p id="total">failed: TypeError: Failed to fetch</p>' || fail "Chromium did not block the call: $dom"
echo "cors-browser: ok"
