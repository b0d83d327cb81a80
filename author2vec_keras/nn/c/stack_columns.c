/* ops.StackColumns: the slice gradients x_k written straight into column c_k of a C-contiguous
   (b, w, d) output. ops.py fills in the $names (string.Template): $b, $d, $w: the scalar size
   inputs; $first: x_0; $z: the output; $n: the number of columns; $columns: one `column` section
   per x_k, with $c (the column) and $x (x_k); $fail: Theano's. */

#section support_code
#include <string.h>

#section code
{
const npy_intp B = (npy_intp)((dtype_$b*)PyArray_DATA($b))[0];
const npy_intp D = (npy_intp)((dtype_$d*)PyArray_DATA($d))[0];
const npy_intp W = (npy_intp)((dtype_$w*)PyArray_DATA($w))[0];
const int typenum = PyArray_TYPE($first);
npy_intp dims[3] = {B, W, D};
int reuse = $z != NULL && PyArray_IS_C_CONTIGUOUS($z)
            && PyArray_TYPE($z) == typenum && PyArray_DIMS($z)[0] == B
            && PyArray_DIMS($z)[1] == W && PyArray_DIMS($z)[2] == D;
if (!reuse) {
    Py_XDECREF($z);
    $z = (PyArrayObject*)PyArray_EMPTY(3, dims, typenum, 0);
    if (!$z) { $fail }
}
char* out = PyArray_BYTES($z);
const npy_intp item = PyArray_ITEMSIZE($z);
if (W != $n) memset(out, 0, PyArray_NBYTES($z));  /* columns not sliced: 0 */
$columns
}

#section column
{
const npy_intp c = $c < 0 ? $c + W : $c;
if (c < 0 || c >= W) {
    PyErr_Format(PyExc_IndexError, "index %d is out of bounds for axis 2 with size "
                 "%lld", $c, (long long)W);
    $fail
}
if (PyArray_NDIM($x) != 2 || PyArray_DIMS($x)[0] != B
        || PyArray_DIMS($x)[1] != D) {
    PyErr_Format(PyExc_ValueError, "StackColumns: a slice gradient of shape "
                 "(%lld, %lld) for slices of shape (%lld, %lld)",
                 (long long)PyArray_DIMS($x)[0],
                 (long long)PyArray_DIMS($x)[1], (long long)B, (long long)D);
    $fail
}
const npy_intp s0 = PyArray_STRIDES($x)[0], s1 = PyArray_STRIDES($x)[1];
const char* src = PyArray_BYTES($x);
for (npy_intp i = 0; i < B; i++) {
    char* dst = out + ((i * W + c) * D) * item;
    if (s1 == item) {
        memcpy(dst, src + i * s0, D * item);
    } else {
        for (npy_intp j = 0; j < D; j++)
            memcpy(dst + j * item, src + i * s0 + j * s1, item);
    }
}
}
