#!/usr/bin/env bash
# The tests need Debian's chromium (real browser), postgresql (real database server) and
# poppler-utils (to read the PDFs Osseo generates).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/lib/chromium/chromium ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)  # the tests read generated PDFs
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "osseo: the tests need these Debian packages: ${missing[*]}." >&2
  echo "       Run as root, or install them first: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "osseo: installing ${missing[*]} from Debian (about a minute)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
