#!/bin/sh
# appstreamcli validate --pedantic on the configured metainfo ($1), which must also name the project version ($2) as
# its newest release. Skipped (77) where appstream is not installed.
command -v appstreamcli >/dev/null || { echo "appstreamcli not installed"; exit 77; }
out=$(appstreamcli validate --pedantic --strict --no-net "$1" 2>&1)
status=$?
echo "$out"
[ $status -eq 0 ] || exit 1
# The one pedantic hint kept: our id has capitals (io.eventscope.EventScope). The desktop file, the icon and the
# Wayland app id carry the same name; it stays as it is rather than changing all of them.
others=$(echo "$out" | grep -E '^[EWIP]: ' | grep -v 'cid-contains-uppercase-letter')
[ -z "$others" ] || { echo "issues besides cid-contains-uppercase-letter: $others"; exit 1; }
newest=$(sed -n 's/.*<release version="\([^"]*\)".*/\1/p' "$1" | head -n 1)
[ "$newest" = "$2" ] || { echo "the newest <release> is \"$newest\", the project version is $2"; exit 1; }
