/* ops.FastTanh: float32 tanh of a whole array. ops.py fills in the $names (string.Template):
   $x: the input; $z: the output; $fail: Theano's. */

#section support_code
#include <math.h>
#ifndef AUTHOR2VEC_FAST_TANH
#define AUTHOR2VEC_FAST_TANH
/* Eigen's generic_fast_tanh_float: odd / even polynomials on [-7.9053, 7.9053]. A
   separate function without trapping math, so that GCC vectorises the loop (the
   comparisons become selects; NaN still gives NaN) */
__attribute__((noinline, optimize("no-trapping-math")))
static void a2v_tanh(float* __restrict__ out, const float* __restrict__ in, npy_intp n) {
    for (npy_intp i = 0; i < n; i++) {
        const float x = in[i];
        const float c = 7.90531110763549805f;
        float y = x < -c ? -c : x;  /* one comparison each (vectorisable); NaN stays */
        y = y > c ? c : y;
        const float y2 = y * y;
        float p = -2.76076847742355e-16f;
        p = p * y2 + 2.00018790482477e-13f;
        p = p * y2 + -8.60467152213735e-11f;
        p = p * y2 + 5.12229709037114e-08f;
        p = p * y2 + 1.48572235717979e-05f;
        p = p * y2 + 6.37261928875436e-04f;
        p = p * y2 + 4.89352455891786e-03f;
        p = p * y;
        float q = 1.19825839466702e-06f;
        q = q * y2 + 1.18534705686654e-04f;
        q = q * y2 + 2.26843463243900e-03f;
        q = q * y2 + 4.89352518554385e-03f;
        const float r = p / q;  /* computed for every value: a select, not a branch */
        out[i] = fabsf(x) < 0.0004f ? x : r;
    }
}
#endif

#section code
{
PyArrayObject* in = PyArray_GETCONTIGUOUS($x);
if (!in) { $fail }
int reuse = $z != NULL && PyArray_NDIM($z) == PyArray_NDIM(in)
            && PyArray_IS_C_CONTIGUOUS($z) && $z != in;
for (int d = 0; reuse && d < PyArray_NDIM(in); d++)
    reuse = PyArray_DIMS($z)[d] == PyArray_DIMS(in)[d];
if (!reuse) {
    Py_XDECREF($z);
    $z = (PyArrayObject*)PyArray_EMPTY(PyArray_NDIM(in), PyArray_DIMS(in), NPY_FLOAT32, 0);
    if (!$z) { Py_DECREF(in); $fail }
}
a2v_tanh((float*)PyArray_DATA($z), (const float*)PyArray_DATA(in), PyArray_SIZE(in));
Py_DECREF(in);
}
