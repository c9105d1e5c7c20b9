#!/usr/bin/env bash
# Build the self-contained app bundle with PyInstaller: dist/Albumen/albumen (one folder).
#
#   packaging/build.sh [--distpath DIR] [--workpath DIR]
#
# Uses the project's .venv (made by `python3 dev.py app` or `python3 dev.py test`), or the
# Python in $PYTHON; installs PyInstaller into it when it is missing. Safe to run again: the old
# bundle is replaced, PyInstaller's work folder (build/pyinstaller by default) is reused.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
DISTPATH="$ROOT/dist"
WORKPATH="$ROOT/build/pyinstaller"
while [ $# -gt 0 ]; do
    case "$1" in
        --distpath) DISTPATH="$2"; shift 2 ;;
        --workpath) WORKPATH="$2"; shift 2 ;;
        *) echo "usage: packaging/build.sh [--distpath DIR] [--workpath DIR]" >&2; exit 2 ;;
    esac
done

if [ ! -x "$PYTHON" ]; then
    echo "no Python at $PYTHON: run 'python3 dev.py app' first, or set PYTHON" >&2
    exit 2
fi
if ! "$PYTHON" -c "import albumen, albumen_server" 2>/dev/null; then
    "$PYTHON" -m pip install --quiet -e "$ROOT"
fi
if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
    "$PYTHON" -m pip install --quiet "pyinstaller>=6.10"
fi

"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DISTPATH" --workpath "$WORKPATH" \
    "$ROOT/packaging/albumen.spec"

echo "built $DISTPATH/Albumen/albumen ($(du -sh "$DISTPATH/Albumen" | cut -f1))"
