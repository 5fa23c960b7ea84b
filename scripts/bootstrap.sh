# Sourced by scripts/quickstart and .ci/run: what both need before qtfix runs
# on a fresh Debian or Ubuntu machine, as root (no sudo there) or as a user
# with sudo, with a distribution Python that refuses `pip install` (PEP 668).
# Each step does nothing when its work is already done, so reruns are fast.

# need_packages PKG...: install the Debian packages that are missing, through
# sudo only when not root; without dpkg, assume they are there.
need_packages() {
    local missing=() pkg
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "qtfix setup: no dpkg here; assuming $* (or their equivalents) are installed" >&2
        return 0
    fi
    for pkg in "$@"; do
        if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]]; then
            missing+=("$pkg")
        fi
    done
    ((${#missing[@]})) || return 0
    echo "qtfix setup: installing ${missing[*]}" >&2
    local as_root=()
    if [[ $(id -u) -ne 0 ]]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "qtfix setup: error: missing packages (${missing[*]}) and no root or sudo to install them" >&2
            exit 2
        fi
        as_root=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${as_root[@]}" apt-get update -q </dev/null
    "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
}

# install_qtfix [EXTRAS]: qtfix (editable, from this checkout) into a Python
# that may take it, and that Python first on PATH, so `python3` and `qtfix`
# are the ones with qtfix. An active virtualenv is used as it is; a CI
# machine's own Python is used even when it is distribution-managed (the
# machine is thrown away); anywhere else a distribution-managed Python is
# left alone and ./.venv is made (and reused) instead.
install_qtfix() {
    local spec="." managed
    [[ -n "${1:-}" ]] && spec=".[$1]"
    export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1
    managed=$(python3 -c 'import os, sys, sysconfig
in_venv = sys.prefix != sys.base_prefix
marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
print("no" if in_venv or not os.path.exists(marker) else "yes")')
    if [[ "$managed" == "yes" && "${CI:-}" == "true" ]]; then
        export PIP_BREAK_SYSTEM_PACKAGES=1
    elif [[ "$managed" == "yes" ]]; then
        [[ -x .venv/bin/python3 ]] || python3 -m venv .venv
        export PATH="$PWD/.venv/bin:$PATH" VIRTUAL_ENV="$PWD/.venv"
        echo "qtfix setup: using the virtualenv ./.venv (the system Python is distribution-managed)" >&2
    fi
    python3 -m pip install -q -e "$spec" </dev/null
}
