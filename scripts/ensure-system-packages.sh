#!/usr/bin/env bash
# Debian packages the suite needs: chromium (browser tests, chart export), poppler-utils (the PDF
# page check), a Java 17 runtime (the Spark engine). Install what is missing when we can.
set -u
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
java -version 2>&1 | grep -q 'version "17' || missing+=(openjdk-17-jre-headless)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's ${missing[*]} for the test suite ..." >&2
    apt-get update -qq >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
        || { echo "apt-get install ${missing[*]} failed" >&2; exit 1; }
    exit 0
fi
echo "missing Debian packages: run 'sudo apt-get install -y ${missing[*]}' for the whole suite." >&2
exit 0
