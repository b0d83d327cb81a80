#!/bin/bash
# Entry point of the author2vec images.
#   notebook [jupyter args]   Jupyter serving ~/notebooks on port 8888 (the default)
#   anything else             run it, e.g. `author2vec info` or `bash`
set -euo pipefail

# libgpuarray dlopens "libcuda.so"; the NVIDIA runtime (docker run --gpus all) mounts only
# libcuda.so.1 on some hosts. Link the unversioned name where the loader looks first.
if [ -d /opt/gpuarray-libs ] && [ -w /opt/gpuarray-libs ] && ! ldconfig -p | grep -q 'libcuda\.so '; then
    target="$(ldconfig -p | awk '/libcuda\.so\.1 /{print $NF; exit}')"
    if [ -n "$target" ]; then
        ln -sf "$target" /opt/gpuarray-libs/libcuda.so
    fi
fi

if [ "${1:-notebook}" = notebook ]; then
    if [ $# -gt 0 ]; then shift; fi
    exec jupyter notebook --ip=0.0.0.0 --port=8888 --no-browser \
        --notebook-dir="$HOME/notebooks" "$@"
fi
exec "$@"
