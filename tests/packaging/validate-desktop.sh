#!/bin/sh
# desktop-file-validate on the desktop entry: fails on any error, warning or hint it prints.
# Skipped (77) where desktop-file-utils is not installed.
command -v desktop-file-validate >/dev/null || { echo "desktop-file-validate not installed"; exit 77; }
out=$(desktop-file-validate "$1" 2>&1)
status=$?
[ -n "$out" ] && echo "$out"
[ $status -eq 0 ] && [ -z "$out" ]
