#!/usr/bin/env bash
# Builds the .deb from this build tree, checks it with lintian (errors fail), unpacks it into a
# temporary root (dpkg -x) and runs the installed files from there: --version, migrate against a
# temporary database, the manual page, bash completion, and serve under the packaged unit's
# system-call filter (tst_serve_unit). Needs dpkg-dev, lintian, man-db, bash-completion
# (scripts/lib.sh installs them).
set -euo pipefail
build=$1
version=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp" # serve under the unit runs as nobody when the tests run as root (DynamicUser=yes)
fail() { echo "package test: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log" >&2; fail "cpack failed"; }
deb=$(ls "$tmp"/pkg/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "no .deb was produced"
info=$(dpkg-deb -I "$deb")
for dep in libc6 libqt6sql6-psql libqt6sql6-sqlite libqt6websockets6 libzxing2 libqt6keychain1 libssl3 fonts-dejavu-core; do
    grep -q "Depends:.*$dep" <<<"$info" || fail "the .deb does not declare a dependency on $dep"
done

# lintian: no errors; warnings are shown (README lists the ones that are expected).
command -v lintian >/dev/null || fail "lintian is not installed (apt-get install lintian)"
lintian --fail-on error "$deb" >"$tmp/lintian.txt" 2>&1 || { cat "$tmp/lintian.txt" >&2; fail "lintian reports errors on $(basename "$deb")"; }
grep -q '^W:' "$tmp/lintian.txt" && { echo "package test: lintian warnings:"; grep '^W:' "$tmp/lintian.txt"; }

dpkg -x "$deb" "$tmp/root"
for f in usr/bin/qrtickets usr/share/applications/qrtickets.desktop \
    usr/share/metainfo/app.qrtickets.QRTickets.metainfo.xml usr/share/icons/hicolor/48x48/apps/qrtickets.png \
    usr/share/icons/hicolor/256x256/apps/qrtickets.png usr/share/icons/hicolor/scalable/apps/qrtickets.svg \
    usr/lib/systemd/system/qrtickets-serve.service usr/share/doc/qrtickets/copyright \
    usr/share/doc/qrtickets/changelog.gz usr/share/man/man1/qrtickets.1.gz \
    usr/share/bash-completion/completions/qrtickets; do
    [ -e "$tmp/root/$f" ] || fail "the package does not install /$f"
done
grep -q "version=\"$version\"" "$tmp/root/usr/share/metainfo/app.qrtickets.QRTickets.metainfo.xml" \
    || fail "the AppStream metainfo does not name version $version"
out=$(QT_QPA_PLATFORM=offscreen "$tmp/root/usr/bin/qrtickets" --version)
[ "$out" = "qrtickets $version" ] || fail "installed qrtickets --version printed '$out'"
export QRTICKETS_LOG_DIR="$tmp/logs" HOME="$tmp/home"
QT_QPA_PLATFORM=offscreen "$tmp/root/usr/bin/qrtickets" migrate --database "sqlite://$tmp/data/qr.db" \
    || fail "installed qrtickets migrate failed"
[ -s "$tmp/data/qr.db" ] || fail "migrate did not create the database file"
if [ -n "${QRT_TEST_PG_URL:-}" ]; then
    QT_QPA_PLATFORM=offscreen "$tmp/root/usr/bin/qrtickets" migrate --database "$QRT_TEST_PG_URL" \
        || fail "installed qrtickets migrate against PostgreSQL failed"
fi

# The manual page: found where `man qrtickets` looks, formatted without groff warnings.
page=$(MANPATH="$tmp/root/usr/share/man" man -w qrtickets) || fail "man -w qrtickets does not find the installed page"
[ "$page" = "$tmp/root/usr/share/man/man1/qrtickets.1.gz" ] || fail "man qrtickets finds $page, not the package's page"
text=$(MANWIDTH=80 man -l "$page" 2>/dev/null) || fail "man -l cannot format the installed qrtickets.1.gz"
for word in serve sync migrate --mode QRTICKETS_GHL_TOKEN "EXIT STATUS" "qrtickets $version"; do
    grep -qF -- "$word" <<<"$text" || fail "the manual page does not mention '$word'"
done
warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
[ -z "$warnings" ] || fail "groff warns about the manual page: $warnings"

# bash completion: sub-commands, and the values of --mode.
if [ -f /usr/share/bash-completion/bash_completion ]; then
    complete_words() {
        bash -c 'source /usr/share/bash-completion/bash_completion; source "$1"; shift
            COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
            _qrtickets qrtickets "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; printf "%s\n" "${COMPREPLY[@]}"' \
            _ "$tmp/root/usr/share/bash-completion/completions/qrtickets" "$@"
    }
    [ "$(complete_words qrtickets s | sort | tr '\n' ' ')" = "serve sync " ] \
        || fail "bash completion of 'qrtickets s' gives '$(complete_words qrtickets s | tr '\n' ' ')', not 'serve sync'"
    [ "$(complete_words qrtickets sync --mode '' | sort | tr '\n' ' ')" = "full incremental " ] \
        || fail "bash completion of 'qrtickets sync --mode' does not offer full and incremental"
    complete_words qrtickets sync --o | grep -qx -- --orders-file || fail "bash completion does not offer --orders-file after sync"
else
    fail "bash-completion is not installed (apt-get install bash-completion)"
fi

# serve under the packaged unit's system-call filter, with the packaged binary.
if [ -x "$build/tests/app/tst_serve_unit" ] && [ -x "$build/tests/app/seccomp_launcher" ]; then
    QRT_SECCOMP_LAUNCHER="$build/tests/app/seccomp_launcher" QRT_QRTICKETS_BIN="$tmp/root/usr/bin/qrtickets" \
        QRT_SERVE_UNIT="$tmp/root/usr/lib/systemd/system/qrtickets-serve.service" QT_QPA_PLATFORM=offscreen \
        "$build/tests/app/tst_serve_unit" >"$tmp/serve-unit.log" 2>&1 \
        || { cat "$tmp/serve-unit.log" >&2; fail "the installed qrtickets serve does not run under the installed unit's filter"; }
else
    fail "tests/app/tst_serve_unit is not built (libseccomp-dev missing?): serve under the unit was not checked"
fi
echo "package test: $(basename "$deb") passes lintian, installs and runs"
