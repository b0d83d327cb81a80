/* ops.OneHot: (labels (n,), n, k) -> zeros (n, k) with a 1 at [i, labels[i]]. ops.py fills in
   the $names (string.Template): $labels, $n, $k: the inputs; $z: the output; $typenum: its
   numpy type number; $fail: Theano's. */

#section support_code
#include <string.h>

#section code
{
const npy_intp N = (npy_intp)((dtype_$n*)PyArray_DATA($n))[0];
const npy_intp K = (npy_intp)((dtype_$k*)PyArray_DATA($k))[0];
if (PyArray_DIMS($labels)[0] != N) {
    PyErr_Format(PyExc_ValueError, "shape mismatch: %lld labels for %lld rows",
                 (long long)PyArray_DIMS($labels)[0], (long long)N);
    $fail
}
npy_intp dims[2] = {N, K};
if ($z == NULL || !PyArray_IS_C_CONTIGUOUS($z) || PyArray_DIMS($z)[0] != N
        || PyArray_DIMS($z)[1] != K) {
    Py_XDECREF($z);
    $z = (PyArrayObject*)PyArray_EMPTY(2, dims, $typenum, 0);
    if (!$z) { $fail }
}
dtype_$z* out = (dtype_$z*)PyArray_DATA($z);
memset(out, 0, PyArray_NBYTES($z));
const char* lp = PyArray_BYTES($labels);
const npy_intp ls = PyArray_STRIDES($labels)[0];
for (npy_intp i = 0; i < N; i++) {
    npy_int64 c = (npy_int64)*(const dtype_$labels*)(lp + i * ls);
    if (c < -K || c >= K) {
        PyErr_Format(PyExc_IndexError, "index %lld is out of bounds for axis 1 with "
                     "size %lld", (long long)c, (long long)K);
        $fail
    }
    out[i * K + (c < 0 ? c + K : c)] = 1;
}
}
