#!/usr/bin/env bash
# Debian packages the suite needs: chromium (browser tests, chart export), poppler-utils (the PDF
# page check), a Java runtime for the Spark engine (17 on Debian 12; Debian 13 has 21, which
# Spark 4.0 supports too). Install what is missing when we can.
set -u
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
need_java=0
java -version 2>&1 | grep -qE 'version "(17|21)' || need_java=1
if [ ${#missing[@]} -eq 0 ] && [ $need_java -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1
    if [ $need_java -eq 1 ]; then
        for jre in openjdk-17-jre-headless openjdk-21-jre-headless; do
            if apt-cache policy "$jre" 2>/dev/null | grep -q 'Candidate: [0-9]'; then missing+=("$jre"); break; fi
        done
    fi
    [ ${#missing[@]} -eq 0 ] && exit 0
    echo "installing Debian's ${missing[*]} for the test suite ..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
        || { echo "apt-get install ${missing[*]} failed" >&2; exit 1; }
    exit 0
fi
echo "missing Debian packages: install chromium, poppler-utils and openjdk-17-jre-headless (or -21-) for the whole suite." >&2
exit 0
