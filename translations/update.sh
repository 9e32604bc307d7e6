#!/bin/sh
# Refreshes the .ts files from every source file and form, then counts what is left to translate.
# German, Spanish and French carry every string; English carries only the plural forms
# ("%n order(s)" -> "1 order" / "2 orders"). Fill in each new entry (Qt Linguist or by hand): the
# gui.dialogs test fails while any de/es/fr entry is unfinished.
set -eu
cd "$(dirname "$0")/.."
LUPDATE=${LUPDATE:-$(command -v lupdate6 || command -v lupdate || echo /usr/lib/qt6/bin/lupdate)}
for lang in de es fr; do
    "$LUPDATE" -silent -no-obsolete -locations none -source-language en -target-language "$lang" src ui \
        -ts "translations/qrtickets_$lang.ts"
done
"$LUPDATE" -silent -no-obsolete -pluralonly -locations none -source-language en -target-language en src ui \
    -ts translations/qrtickets_en.ts
for lang in de es fr en; do
    printf '%s: %s messages, %s unfinished\n' "$lang" \
        "$(grep -c '<message' "translations/qrtickets_$lang.ts")" \
        "$(grep -c 'type="unfinished"' "translations/qrtickets_$lang.ts" || true)"
done
