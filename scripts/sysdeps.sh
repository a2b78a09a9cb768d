#!/usr/bin/env bash
# Installs the system packages the tests need (Debian chromium + a CJK font for the browser tests, PostgreSQL
# for the question-log tests, redis-server and nginx for the replicas test), only when missing.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
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
