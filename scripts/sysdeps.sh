#!/usr/bin/env bash
# Installs the system packages the tests need, only when missing: Debian chromium + a CJK font for the browser
# tests, PostgreSQL for the question-log tests, redis-server and nginx for the replicas test, and axe-core's single
# axe.min.js (the accessibility scan) fetched from the npm registry into .cache/axe/ (not committed).
set -euo pipefail
AXE_VERSION=4.14.1
AXE_DIR="$(cd "$(dirname "$0")/.." && pwd)/.cache/axe"
fetch_axe() {
  [ -f "$AXE_DIR/axe.min.js" ] && return 0
  if ! command -v npm >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
    else
      echo "The accessibility scan needs npm (apt-get install npm); it will be skipped." >&2
      return 0
    fi
  fi
  mkdir -p "$AXE_DIR"
  tmp=$(mktemp -d)
  if (cd "$tmp" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null && tar -xzf "axe-core-$AXE_VERSION.tgz"); then
    cp "$tmp/package/axe.min.js" "$tmp/package/LICENSE" "$AXE_DIR/"
  else  # the browser test then says so (and fails in CI, where the registry is reachable)
    echo "Could not fetch axe-core $AXE_VERSION from the npm registry; the accessibility scan will not run." >&2
  fi
  rm -rf "$tmp"
}
fetch_axe
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || need+=(fonts-noto-cjk)  # no -q: with pipefail, SIGPIPE
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)  # question-log tests (issue 14)
command -v redis-server >/dev/null || need+=(redis-server)  # replicas test (issue 15)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)  # replicas test (issue 15)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Tests need: ${need[*]} (apt-get install ${need[*]}); the tests that use them will be skipped." >&2
  exit 0
fi
echo "Installing ${need[*]} for the tests..."
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
