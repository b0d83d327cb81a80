#!/usr/bin/env bash
# libgpuarray + pygpu 0.7.6 built from source into a virtualenv: Theano 1.0.5's route to CUDA on hosts
# without Docker (most HPC clusters). Used by `make venv-gpu` and CI (.ci/gpu); docker/README.md.
#   docker/build-gpuarray.sh VENV            build; install libgpuarray into VENV/lib and VENV/include
#                                            (where Theano 1.0.5 looks) and pygpu into VENV's Python
#   docker/build-gpuarray.sh --check-source  resolve and verify the source only; print its path
# The source, a v0.7.6 tarball, is verified against its sha256 before anything is unpacked:
#   (default)           third_party/libgpuarray/libgpuarray-0.7.6.tar.gz, shipped (PROVENANCE.md there)
#   LIBGPUARRAY_SRC=F   a local copy of a tarball
#   LIBGPUARRAY_URL=U   fetch U, e.g. the upstream release (docker/README.md)
# Accepted digests: KNOWN_SHA256 below, or exactly LIBGPUARRAY_SHA256 when set (a tarball you trust).
# Needs CMake 3 (on PATH, or CMAKE=path) and a C compiler; in VENV numpy and requirements-gpu.txt's build tools (Cython<3, wheel).
# pygpu imports Mako at run time (requirements-gpu.txt). Bad source: one line on stderr, exit status 2.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VERSION=0.7.6
# sha256 of v0.7.6 tarballs: `git archive --prefix=libgpuarray-0.7.6/` of tag v0.7.6 (commit
# f036aef3a425560161de362f390d238f4e7c1721; the shipped copy), and the GitHub release asset
# libgpuarray-0.7.6.tar.gz (digest as pinned by conda-forge's libgpuarray-feedstock recipe).
KNOWN_SHA256="03c25e184d1f3dc5b61da754aa9f3d3ea6c3860aa2893ed9a0aa755972018041
887b6433a30282cb002117da89b05812c770fd9469f93950ff3866ddd02bfc64"
PY=${PYTHON:-python3}
CMAKE=${CMAKE:-cmake}  # CMake 3: CMake 4 refuses libgpuarray 0.7.6's CMakeLists.txt

die() { echo "build-gpuarray: error: $*" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/build-gpuarray.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# The verified tarball's path on stdout.
source_tarball() {
    local src
    if [ -n "${LIBGPUARRAY_URL:-}" ]; then
        src=$WORK/libgpuarray-$VERSION.tar.gz
        "$PY" - "$LIBGPUARRAY_URL" "$src" <<'EOF' || exit 2
import shutil, sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=60) as response, open(sys.argv[2], 'wb') as out:
        shutil.copyfileobj(response, out)
except Exception as error:
    sys.exit('build-gpuarray: error: LIBGPUARRAY_URL=%s: download failed: %s' % (sys.argv[1], error))
EOF
    else
        src=${LIBGPUARRAY_SRC:-$ROOT/third_party/libgpuarray/libgpuarray-$VERSION.tar.gz}
        [ -f "$src" ] || die "LIBGPUARRAY_SRC=$src: no such file (a libgpuarray v$VERSION tarball)"
    fi
    local sha
    sha=$("$PY" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$src")
    if [ -n "${LIBGPUARRAY_SHA256:-}" ]; then
        [ "$sha" = "$LIBGPUARRAY_SHA256" ] || die "${LIBGPUARRAY_URL:-$src}: sha256 $sha is not LIBGPUARRAY_SHA256=$LIBGPUARRAY_SHA256"
    else
        grep -qx "$sha" <<<"$KNOWN_SHA256" || die "${LIBGPUARRAY_URL:-$src}: sha256 $sha is not that of a known libgpuarray v$VERSION tarball (set LIBGPUARRAY_SHA256 to accept it)"
    fi
    echo "$src"
}

if [ "${1:-}" = --check-source ]; then
    src=$(source_tarball)
    [ -z "${LIBGPUARRAY_URL:-}" ] || src=${LIBGPUARRAY_URL}
    echo "$src: sha256 verified"
    exit 0
fi
[ $# -eq 1 ] || { echo 'usage:' >&2; sed -n '4,6p' "$0" >&2; exit 2; }
VENV=$(cd "$1" 2>/dev/null && pwd) || die "$1: no such virtualenv (create it first: make venv-gpu)"
VPY=$VENV/bin/python
[ -x "$VPY" ] || die "$VENV/bin/python: not a virtualenv"
command -v "$CMAKE" >/dev/null || die "$CMAKE not found: install CMake 3 (apt-get install cmake, module load cmake, or pip install 'cmake<4')"
cmake_version=$("$CMAKE" --version | awk 'NR == 1 {print $3}')
case $cmake_version in
    3.*) ;;
    *) die "$CMAKE is CMake $cmake_version: libgpuarray 0.7.6 needs CMake 3 (CMake 4 refuses its cmake_policy(SET CMP0063 OLD)); set CMAKE=/path/to/cmake3 or pip install 'cmake<4'" ;;
esac
"$VPY" -c 'import numpy, Cython, wheel; assert Cython.__version__ < "3", Cython.__version__' 2>/dev/null \
    || die "$VPY needs numpy, Cython<3 and wheel to build pygpu: pip install -r requirements-gpu.txt"

tarball=$(source_tarball)
# Unpacked as libgpuarray-0.7.6/ whatever the tarball's top folder: versioneer falls back to that name.
SRC=$WORK/libgpuarray-$VERSION
mkdir -p "$SRC"
tar -xzf "$tarball" -C "$SRC" --strip-components=1

# libgpuarray (C, CMake)
"$CMAKE" -S "$SRC" -B "$WORK/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$VENV" -Wno-dev \
    >"$WORK/cmake.log" 2>&1 || { cat "$WORK/cmake.log" >&2; exit 1; }
"$CMAKE" --build "$WORK/build" -j "${JOBS:-2}" >"$WORK/build.log" 2>&1 || { tail -50 "$WORK/build.log" >&2; exit 1; }
"$CMAKE" --install "$WORK/build" >/dev/null

# pygpu (Cython) against the venv's numpy and that libgpuarray, with an rpath to VENV/lib so that
# `import pygpu` needs no LD_LIBRARY_PATH.
CFLAGS="-I$VENV/include${CFLAGS:+ $CFLAGS}" LDFLAGS="-L$VENV/lib -Wl,-rpath,$VENV/lib${LDFLAGS:+ $LDFLAGS}" \
    "$VPY" -m pip install --quiet --disable-pip-version-check --no-build-isolation --no-deps \
    --no-cache-dir --force-reinstall "$SRC" >"$WORK/pygpu.log" 2>&1 || { tail -50 "$WORK/pygpu.log" >&2; exit 1; }
cd "$WORK"  # not the source tree: import the installed pygpu
"$VPY" -c 'import pygpu; print("build-gpuarray: pygpu %s, libgpuarray in %s" % (pygpu.__version__, pygpu.__file__))'
