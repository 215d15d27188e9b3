# Shared by scripts/run-demo and scripts/test: create a virtual environment and (re)install the
# project into it whenever pyproject.toml changed.
ensure_venv() {
    venv=$1
    target=$2
    python=${PYTHON:-python3}
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "AutoIR needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
        exit 1
    fi
    stamp="$venv/.autoir-installed"
    wanted="$(cksum pyproject.toml | cut -d' ' -f1)-$target"
    if [ ! -x "$venv/bin/python" ]; then
        echo "Creating $venv ..." >&2
        "$python" -m venv "$venv"
    fi
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
        echo "Installing AutoIR into $venv (first run takes a minute) ..." >&2
        "$venv/bin/python" -m pip install --quiet --upgrade pip >&2
        "$venv/bin/python" -m pip install --quiet -e "$target" >&2
        echo "$wanted" > "$stamp"
    fi
}
