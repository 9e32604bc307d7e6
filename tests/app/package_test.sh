#!/usr/bin/env bash
# Builds the .deb from this build tree, unpacks it into a temporary root (dpkg -x) and runs the
# installed binary from there: --version, and migrate against a temporary database.
set -euo pipefail
build=$1
version=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "package test: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log" >&2; fail "cpack failed"; }
deb=$(ls "$tmp"/pkg/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "no .deb was produced"
info=$(dpkg-deb -I "$deb")
for dep in libqt6sql6-psql libqt6sql6-sqlite libqt6websockets6 libzxing2 libqt6keychain1 libssl3; do
    grep -q "Depends:.*$dep" <<<"$info" || fail "the .deb does not declare a dependency on $dep"
done
dpkg -x "$deb" "$tmp/root"
for f in usr/bin/qrtickets usr/share/applications/qrtickets.desktop \
    usr/share/metainfo/app.qrtickets.QRTickets.metainfo.xml usr/share/icons/hicolor/48x48/apps/qrtickets.png \
    usr/share/icons/hicolor/256x256/apps/qrtickets.png usr/share/icons/hicolor/scalable/apps/qrtickets.svg \
    usr/lib/systemd/system/qrtickets-serve.service; do
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
echo "package test: $(basename "$deb") installs and runs"
