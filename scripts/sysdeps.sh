#!/usr/bin/env bash
# Installs the system packages the browser tests need (Debian chromium + a CJK font), only when missing.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Browser tests need: ${need[*]} (apt-get install ${need[*]}); they will be skipped." >&2
  exit 0
fi
echo "Installing ${need[*]} for the browser tests..."
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
