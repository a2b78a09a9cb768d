#!/usr/bin/env bash
# Runs an install command up to three times. Why: a registry download cut short fails pip's hash check
# (CI once got a gradio wheel whose sha256 did not match the index's), and a second try fetches it afresh.
set -uo pipefail
for attempt in 1 2 3; do
  "$@" && exit 0
  echo "install step failed (attempt $attempt of 3): $*" >&2
  [ "$attempt" -lt 3 ] && sleep $((attempt * 10))
done
echo "install step failed three times; see the pip output above" >&2
exit 1
