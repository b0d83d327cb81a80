# Source on a GPU host, for a `make venv-gpu` virtualenv, before `author2vec ... --device cuda`:
#   . docker/gpu-env.sh [VENV]      VENV: default $VIRTUAL_ENV, $CONDA_PREFIX, else .venv-gpu; CUDA_HOME: default /usr/local/cuda
# libgpuarray dlopens libcuda.so, libnvrtc.so and libcublas.so by their unversioned names, which many hosts
# have only versioned (the driver's libcuda.so.1). This links the newest versioned file of each into
# VENV/lib/cuda-links, puts that on LD_LIBRARY_PATH, and sets CUDA's root and cuDNN's paths (when cudnn.h
# is found) in THEANO_FLAGS. NVIDIA's CUDA wheels in the venv (requirements-cuda.txt, which `make
# venv-gpu` installs; site-packages/nvidia/*/lib) come first, then CUDA_HOME and the system's: with the
# wheels a host needs only the driver. Adapted from the kit that ran on an NVIDIA H200 (docker/README.md).
_a2v_venv=$(cd "${1:-${VIRTUAL_ENV:-${CONDA_PREFIX:-.venv-gpu}}}" 2>/dev/null && pwd) \
    || { echo "gpu-env: ${1:-${VIRTUAL_ENV:-${CONDA_PREFIX:-.venv-gpu}}}: no such virtualenv (make venv-gpu)" >&2; return 2; }
_a2v_cuda=${CUDA_HOME:-/usr/local/cuda}
_a2v_links=$_a2v_venv/lib/cuda-links
mkdir -p "$_a2v_links"
# the CUDA wheels' directories in the venv, if any
_a2v_wheels=$(ls -d "$_a2v_venv"/lib/python3*/site-packages/nvidia 2>/dev/null | head -n 1)
_a2v_wheel_libs=
for _a2v_lib in cuda_nvrtc cublas cudnn cuda_runtime; do
    [ ! -d "$_a2v_wheels/$_a2v_lib/lib" ] || _a2v_wheel_libs=${_a2v_wheel_libs:+$_a2v_wheel_libs:}$_a2v_wheels/$_a2v_lib/lib
done
_a2v_find() {  # newest lib$1.so.N in the venv's wheels, the usual places, the loader's cache, then LD_LIBRARY_PATH
    local d f
    for d in ${_a2v_wheel_libs//:/ } "$_a2v_cuda/lib64" "$_a2v_cuda/lib" "$_a2v_cuda/targets/x86_64-linux/lib" \
             /usr/local/nvidia/lib64 /usr/lib/x86_64-linux-gnu /usr/lib64 ${LD_LIBRARY_PATH//:/ }; do
        f=$(ls "$d"/lib"$1".so.[0-9]* 2>/dev/null | sort -V | tail -n 1)
        if [ -n "$f" ]; then echo "$f"; return; fi
    done
    ldconfig -p 2>/dev/null | awk -v n="lib$1.so." 'index($1, n) == 1 {print $NF; exit}'
}
for _a2v_lib in cuda nvrtc cublas cudnn; do
    _a2v_file=$(_a2v_find "$_a2v_lib")
    if [ -n "$_a2v_file" ]; then
        ln -sf "$_a2v_file" "$_a2v_links/lib$_a2v_lib.so"
    else
        echo "gpu-env: lib$_a2v_lib.so.N not found (CUDA_HOME=$_a2v_cuda)" >&2
    fi
done
_a2v_cudnn_h=$(find ${_a2v_wheels:+"$_a2v_wheels/cudnn/include"} "$_a2v_cuda/include" /usr/include /usr/local/include -maxdepth 2 -name cudnn.h 2>/dev/null | head -n 1)
# the wheels' CUDA headers when the venv has them: cudnn.h includes cuda_runtime_api.h (runtime wheel),
# which includes crt/host_defines.h (nvcc wheel); Theano takes one cuda.include_path, so both are
# linked into VENV/lib/cuda-links/include
_a2v_cuda_inc=
if [ -f "$_a2v_wheels/cuda_runtime/include/cuda_runtime_api.h" ]; then
    _a2v_cuda_inc=$_a2v_links/include
    mkdir -p "$_a2v_cuda_inc"
    ln -sf "$_a2v_wheels"/cuda_runtime/include/* "$_a2v_cuda_inc"/
    if [ -d "$_a2v_wheels/cuda_nvcc/include/crt" ]; then
        ln -sfn "$_a2v_wheels/cuda_nvcc/include/crt" "$_a2v_cuda_inc/crt"
    else
        echo "gpu-env: crt/host_defines.h not found (pip install -r requirements-cuda.txt: nvidia-cuda-nvcc-cu12)" >&2
    fi
fi
export LD_LIBRARY_PATH=$_a2v_links:${_a2v_wheel_libs:+$_a2v_wheel_libs:}$_a2v_cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export THEANO_FLAGS="cuda.root=$_a2v_cuda${_a2v_cuda_inc:+,cuda.include_path=$_a2v_cuda_inc}${_a2v_cudnn_h:+,dnn.include_path=$(dirname "$_a2v_cudnn_h"),dnn.library_path=$_a2v_links}${THEANO_FLAGS:+,$THEANO_FLAGS}"
echo "gpu-env: libraries linked in $_a2v_links; THEANO_FLAGS=$THEANO_FLAGS"
unset -f _a2v_find
unset _a2v_venv _a2v_cuda _a2v_links _a2v_lib _a2v_file _a2v_cudnn_h _a2v_wheels _a2v_wheel_libs _a2v_cuda_inc
