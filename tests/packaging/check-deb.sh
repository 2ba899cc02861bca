#!/bin/sh
# Builds the Debian package of the build folder $1 with cpack and checks what it holds and depends on.
# Skipped (77) where dpkg-shlibdeps (dpkg-dev) is not installed.
set -u
build=$1
version=$2
command -v dpkg-shlibdeps >/dev/null || { echo "dpkg-shlibdeps (dpkg-dev) not installed"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$out" >"$out/cpack.log" 2>&1 || { cat "$out/cpack.log"; fail cpack; }
deb="$out/eventscope_${version}_$(dpkg --print-architecture).deb"
[ -f "$deb" ] || { ls "$out"; fail "no $deb"; }
dpkg-deb -I "$deb"
dpkg-deb -c "$deb" | awk '{ print $6 }' >"$out/files"

for path in /usr/bin/eventscope /usr/bin/eventscope-cli \
    /usr/share/applications/io.eventscope.EventScope.desktop \
    /usr/share/metainfo/io.eventscope.EventScope.metainfo.xml \
    /usr/share/icons/hicolor/scalable/apps/io.eventscope.EventScope.svg \
    /usr/share/man/man1/eventscope.1.gz /usr/share/man/man1/eventscope-cli.1.gz \
    /usr/share/bash-completion/completions/eventscope-cli /usr/share/zsh/vendor-completions/_eventscope-cli \
    /usr/share/eventscope/reducers/accounts.js /usr/share/doc/eventscope/copyright; do
    grep -qx ".$path" "$out/files" || fail "$path is not in the package"
done
outside=$(grep -v -e '^\./$' -e '^\./usr/$' -e '^\./usr/bin/' -e '^\./usr/share/' "$out/files")
[ -z "$outside" ] || fail "files outside /usr/bin and /usr/share: $outside"
build_only=$(grep -E '\.(a|h|cmake)$|_tests$|/bench_|docgen|/include/' "$out/files")
[ -z "$build_only" ] || fail "build-only files in the package: $build_only"

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for package in libc6 libstdc++6 libqt6core6 libqt6gui6 libqt6widgets6 libqt6charts6 libqt6qml6 libqt6svg6 \
    libsqlite3-0 libpqxx-6.4 qt6-qpa-plugins; do
    case ", $depends," in
    *", $package "* | *", $package,"*) ;;
    *) fail "Depends lacks $package" ;;
    esac
done
for field in Maintainer Description Section Homepage; do
    [ -n "$(dpkg-deb -f "$deb" "$field")" ] || fail "no $field"
done
