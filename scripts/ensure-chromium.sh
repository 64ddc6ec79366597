#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (/usr/bin/chromium). Install it when it is missing and we can.
set -u
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests ..." >&2
    apt-get update -qq >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null 2>&1 \
        || { echo "apt-get install chromium failed" >&2; exit 1; }
    exit 0
fi
echo "Debian's chromium is missing: run 'sudo apt-get install -y chromium' for the browser tests." >&2
exit 0
