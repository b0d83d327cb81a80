#!/bin/bash
# Entry point of the author2vec images.
#   notebook [jupyter args]   Jupyter serving ~/notebooks (the default), on all the container's
#                             addresses, port 8888; $JUPYTER_IP and $JUPYTER_PORT change them (Jupyter
#                             refuses --ip or --port given twice)
#   anything else             run it, e.g. `author2vec info` or `bash`
set -euo pipefail

# libgpuarray dlopens "libcuda.so"; the NVIDIA runtime (docker run --gpus all) mounts only
# libcuda.so.1 on some hosts. Link the unversioned name where the loader looks first.
links=/opt/author2vec/lib/cuda-links   # the GPU image's (docker/Dockerfile)
if [ -d "$links" ] && [ -w "$links" ] && ! ldconfig -p | grep -q 'libcuda\.so '; then
    target="$(ldconfig -p | awk '/libcuda\.so\.1 /{print $NF; exit}')"
    if [ -n "$target" ]; then
        ln -sf "$target" "$links/libcuda.so"
    fi
fi

if [ "${1:-notebook}" = notebook ]; then
    if [ $# -gt 0 ]; then shift; fi
    exec jupyter notebook --ip="${JUPYTER_IP:-0.0.0.0}" --port="${JUPYTER_PORT:-8888}" --no-browser \
        --notebook-dir="$HOME/notebooks" "$@"
fi
exec "$@"
