/* ops.TakeRows: x[idx] along the first axis, one memcpy per row after checking every index.
   ops.py fills in the $names (string.Template): $x, $idx: the inputs; $z: the output;
   $fail: Theano's. */

#section support_code
#include <string.h>

#section code
{
const npy_intp N = PyArray_DIMS($x)[0];
const npy_intp K = PyArray_DIMS($idx)[0];
const int nd = PyArray_NDIM($x);
const char* ip = PyArray_BYTES($idx);
const npy_intp is = PyArray_STRIDES($idx)[0];
for (npy_intp i = 0; i < K; i++) {
    npy_int64 r = (npy_int64)*(const dtype_$idx*)(ip + i * is);
    if (r < -N || r >= N) {
        PyErr_Format(PyExc_IndexError, "index %lld is out of bounds for axis 0 with "
                     "size %lld", (long long)r, (long long)N);
        $fail
    }
}
npy_intp dims[NPY_MAXDIMS];
dims[0] = K;
for (int d = 1; d < nd; d++) dims[d] = PyArray_DIMS($x)[d];
int reuse = $z != NULL && PyArray_NDIM($z) == nd
            && PyArray_TYPE($z) == PyArray_TYPE($x)
            && PyArray_IS_C_CONTIGUOUS($z);
for (int d = 0; reuse && d < nd; d++) reuse = PyArray_DIMS($z)[d] == dims[d];
if (!reuse) {
    Py_XDECREF($z);
    $z = (PyArrayObject*)PyArray_EMPTY(nd, dims, PyArray_TYPE($x), 0);
    if (!$z) { $fail }
}
if (PyArray_IS_C_CONTIGUOUS($x)) {
    const npy_intp row = N ? PyArray_NBYTES($x) / N : 0;
    const char* src = PyArray_BYTES($x);
    char* dst = PyArray_BYTES($z);
    for (npy_intp i = 0; i < K; i++) {
        if (i + 4 < K) {
            npy_int64 q = (npy_int64)*(const dtype_$idx*)(ip + (i + 4) * is);
            q = q < 0 ? q + N : q;
            for (npy_intp b = 0; b < row; b += 64) __builtin_prefetch(src + q * row + b);
        }
        npy_int64 r = (npy_int64)*(const dtype_$idx*)(ip + i * is);
        r = r < 0 ? r + N : r;
        memcpy(dst + i * row, src + r * row, row);
    }
} else {
    PyArrayObject* ind = (PyArrayObject*)PyArray_Cast($idx, NPY_INTP);
    if (!ind) { $fail }
    PyObject* taken = PyArray_TakeFrom($x, (PyObject*)ind, 0, NULL, NPY_RAISE);
    Py_DECREF(ind);
    if (!taken) { $fail }
    int err = PyArray_CopyInto($z, (PyArrayObject*)taken);
    Py_DECREF(taken);
    if (err) { $fail }
}
}
