#!/usr/bin/env bash
# Adds Debian's bookworm-backports suite as an apt source, from the mirror this machine already
# uses for bookworm: the repository names no mirror of its own. Reads the deb822 files
# (/etc/apt/sources.list.d/*.sources) and the one-line lists (/etc/apt/sources.list and
# *.list), takes the first URI that serves the suite `bookworm`, and writes
# /etc/apt/sources.list.d/bookworm-backports.sources with it.
#   bash .ci/backports.sh          # prints the source it would write, and writes it (as root)
#   DRY_RUN=1 bash .ci/backports.sh
set -euo pipefail

mirror_of_bookworm() {
  # deb822: a stanza's URIs and Suites fields; stanzas are separated by blank lines.
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '
      function flush() { if (deb && uris != "" && (" " suites " ") ~ / bookworm /) { print uris; exit } uris = ""; suites = ""; deb = 0 }
      /^[[:space:]]*$/ { flush(); next }
      /^Types:/ { deb = ($0 ~ /(^|[[:space:]])deb([[:space:]]|$)/) }
      /^URIs:/ { sub(/^URIs:[[:space:]]*/, ""); split($0, u, /[[:space:]]+/); uris = u[1] }
      /^Suites:/ { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
      END { flush() }' "$f"
  done
  # One-line form: deb [options] URI SUITE COMPONENTS...
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -E 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }'
  done
}

uri=$(mirror_of_bookworm | head -n 1)
[ -n "$uri" ] || { echo "backports: no apt source serves bookworm on this machine" >&2; exit 1; }
source="Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
echo "backports: the source, from this machine's bookworm mirror:"
echo "$source" | sed 's/^/  /'
[ -n "${DRY_RUN:-}" ] && exit 0
if [ "$(id -u)" = 0 ]; then tee=(tee); else tee=(sudo tee); fi
echo "$source" | "${tee[@]}" /etc/apt/sources.list.d/bookworm-backports.sources > /dev/null
