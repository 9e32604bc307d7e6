# Shared by scripts/run, scripts/test, scripts/bench, scripts/package. Source it; do not run it.
set -euo pipefail

QRT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QRT_BUILD=${QRT_BUILD_DIR:-$QRT_ROOT/build}

# Debian 12 package names. On other systems install the same libraries yourself (README).
QRT_BUILD_PACKAGES=(cmake ninja-build g++ pkg-config
    qt6-base-dev qt6-base-dev-tools qt6-websockets-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
    qt6-qpa-plugins qt6-svg-dev libqt6svg6 libqt6sql6-psql libqt6sql6-sqlite qt6-translations-l10n
    qt6-charts-dev libqt6opengl6-dev libsqlite3-dev
    libzxing-dev libssl-dev libsodium-dev libpq-dev qtkeychain-qt6-dev libgl-dev fonts-dejavu-core
    qt6-multimedia-dev dpkg-dev)
# dbus and at-spi2-core: the check-in verdict read over the accessibility bus (door.verdicts_gui.atspi);
# libseccomp-dev and systemd (systemd-analyze): serve under the unit's system-call filter;
# lintian, man-db and bash-completion: the package test; poppler-utils (pdftotext, pdftoppm): the
# door-list PDF read back page by page (gui.exporter); gstreamer1.0-plugins-base and -good: QMediaPlayer
# plays the generated clip of QR codes (Motion JPEG in AVI) for the camera tests and `scripts/bench camera`.
QRT_TEST_PACKAGES=(postgresql xvfb xauth dbus at-spi2-core libseccomp-dev systemd lintian man-db bash-completion poppler-utils
    gstreamer1.0-plugins-base gstreamer1.0-plugins-good)

qrt_log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# qrt_install PACKAGE...: installs what is missing with apt-get; quick when all are there.
qrt_install() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        qrt_log "Not a Debian system: make sure Qt 6, zxing-cpp, OpenSSL and QtKeychain are installed (README)."
        return 0
    fi
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    qrt_log "Installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# qrt_build [TARGET...]: configures once, then builds incrementally.
qrt_build() {
    if [ ! -f "$QRT_BUILD/CMakeCache.txt" ]; then
        qrt_log "Configuring in $QRT_BUILD"
        cmake -S "$QRT_ROOT" -B "$QRT_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON >/dev/null
    fi
    qrt_log "Building"
    if [ $# -gt 0 ]; then
        cmake --build "$QRT_BUILD" -j"$(nproc)" --target "$@"
    else
        cmake --build "$QRT_BUILD" -j"$(nproc)"
    fi
}

# qrt_pg_start [durable]: a throwaway PostgreSQL on 127.0.0.1 and a free port, password auth.
# Exports QRT_TEST_PG_URL, QRT_TEST_PG_RESTART (a command that restarts it) and QRT_PG_DIR.
# Without "durable" it runs with fsync off: it is thrown away anyway.
qrt_pg_start() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$bin" ] && command -v pg_ctl >/dev/null 2>&1; then bin=$(dirname "$(command -v pg_ctl)"); fi
    [ -n "$bin" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)." >&2; return 1; }
    QRT_PG_DIR=$(mktemp -d /tmp/qrt-pg.XXXXXX)
    chmod 755 "$QRT_PG_DIR"
    local password port as=()
    password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    printf '%s\n' "$password" >"$QRT_PG_DIR/pwfile"
    if [ "$(id -u)" -eq 0 ]; then
        # initdb refuses to run as root: the server runs as the postgres user.
        chown -R postgres:postgres "$QRT_PG_DIR"
        as=(runuser -u postgres --)
    fi
    "${as[@]}" "$bin/initdb" -D "$QRT_PG_DIR/data" -U postgres --pwfile="$QRT_PG_DIR/pwfile" \
        -A scram-sha-256 -E UTF8 --no-locale --no-sync >"$QRT_PG_DIR/initdb.log" 2>&1 \
        || { cat "$QRT_PG_DIR/initdb.log" >&2; return 1; }
    # A port nobody listens on can still be taken (an outgoing connection's local port is in the
    # same range): when the server cannot bind, try the next one.
    local started=
    for port in $(seq 55432 55632); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
        local opts="-c listen_addresses=127.0.0.1 -p $port -k $QRT_PG_DIR -c max_connections=300"
        [ "${1:-}" = durable ] || opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        if "${as[@]}" "$bin/pg_ctl" -D "$QRT_PG_DIR/data" -l "$QRT_PG_DIR/server.log" -w -t 60 -o "$opts" start >/dev/null; then
            started=1
            break
        fi
        grep -q 'could not bind\|Address already in use' "$QRT_PG_DIR/server.log" 2>/dev/null || break
        "${as[@]}" truncate -s 0 "$QRT_PG_DIR/server.log"
    done
    [ -n "$started" ] || { cat "$QRT_PG_DIR/server.log" >&2; return 1; }
    cat >"$QRT_PG_DIR/restart.sh" <<SH
#!/usr/bin/env bash
exec ${as[*]} "$bin/pg_ctl" -D "$QRT_PG_DIR/data" -l "$QRT_PG_DIR/server.log" -w -t 60 -m fast -o "$opts" restart
SH
    chmod 755 "$QRT_PG_DIR/restart.sh"
    QRT_PG_STOP=("${as[@]}" "$bin/pg_ctl" -D "$QRT_PG_DIR/data" -w -t 60 -m fast stop)
    export QRT_TEST_PG_URL="postgresql://postgres:$password@127.0.0.1:$port/postgres"
    export QRT_TEST_PG_RESTART="$QRT_PG_DIR/restart.sh"
    export QRT_PG_DIR
    qrt_log "PostgreSQL running on 127.0.0.1:$port (data in $QRT_PG_DIR)"
}

qrt_pg_stop() {
    if [ -n "${QRT_PG_DIR:-}" ] && [ -d "$QRT_PG_DIR" ]; then
        "${QRT_PG_STOP[@]}" >/dev/null 2>&1 || true
        rm -rf "$QRT_PG_DIR"
    fi
}
