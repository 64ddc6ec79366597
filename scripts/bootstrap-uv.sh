#!/usr/bin/env bash
# Prints the path of a uv binary, installing uv first when the machine has none.
# A fresh machine may have only python3 and make: uv goes into .tools/ (a venv),
# or, where Debian's python3-venv is missing, into the user site with pip.
set -euo pipefail
if command -v uv >/dev/null 2>&1; then command -v uv; exit 0; fi
if [ -x .tools/bin/uv ]; then echo .tools/bin/uv; exit 0; fi
if python3 -m venv .tools >/dev/null 2>&1 && [ -x .tools/bin/pip ]; then
    .tools/bin/pip install --quiet --disable-pip-version-check uv >&2
    echo .tools/bin/uv; exit 0
fi
rm -rf .tools
python3 -m pip install --quiet --user --disable-pip-version-check uv >&2 \
    || python3 -m pip install --quiet --user --break-system-packages --disable-pip-version-check uv >&2
python3 -c 'import site, os; print(os.path.join(site.USER_BASE, "bin", "uv"))'
