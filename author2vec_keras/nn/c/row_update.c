/* ops.RowUpdate: the row-wise optimizer step of one embedding table (sgd, adagrad, adam).
   Sections as Theano's own C files mark them; ops.py fills in the $names (string.Template):
   $table, $idx, $grads: the inputs; $slot: the optimizer slot (adagrad, adam); $lr, $epsilon,
   $beta_1, $beta_2: the scalar inputs; $rule, $width (slot rows per table row), $inplace (0 or
   1); the sections slot_check, output and update_<rule>, filled in, where the code names them;
   $name, $fail: Theano's. The row loops are separate noinline functions with restrict
   arguments: GCC vectorises them there, not when they are inlined into the op's (large)
   function. */

#section support_code
#include <string.h>
#include <math.h>
#ifndef AUTHOR2VEC_ROW_LOOPS
#define AUTHOR2VEC_ROW_LOOPS
template <typename T>
__attribute__((noinline)) static void a2v_add(T* __restrict__ a, const T* __restrict__ g,
                                              npy_intp n) {
    for (npy_intp j = 0; j < n; j++) a[j] += g[j];
}
template <typename T>
__attribute__((noinline)) static void a2v_sgd(T* __restrict__ p, const T* __restrict__ g,
                                              npy_intp n, T lr) {
    for (npy_intp j = 0; j < n; j++) p[j] = p[j] - lr * g[j];
}
template <typename T>
__attribute__((noinline)) static void a2v_adagrad(T* __restrict__ p, T* __restrict__ a,
                                                  const T* __restrict__ g, npy_intp n, T lr,
                                                  T eps) {
    for (npy_intp j = 0; j < n; j++) {
        const T aj = a[j] + g[j] * g[j];
        a[j] = aj;
        p[j] = p[j] - lr * g[j] / (sqrt(aj) + eps);
    }
}
template <typename T>
__attribute__((noinline)) static void a2v_adam(T* __restrict__ p, T* __restrict__ m,
                                               T* __restrict__ v, const T* __restrict__ g,
                                               npy_intp n, T lr, T b1, T b2, T eps) {
    const T c1 = (T)1 - b1, c2 = (T)1 - b2;
    for (npy_intp j = 0; j < n; j++) {
        const T mj = b1 * m[j] + c1 * g[j];
        const T vj = b2 * v[j] + c2 * (g[j] * g[j]);
        m[j] = mj;
        v[j] = vj;
        p[j] = p[j] - lr * mj / (sqrt(vj) + eps);
    }
}
#endif

#section support_code_struct
/* Work buffers kept between calls (no allocation per batch): an open-addressing hash table
   row -> position, the unique rows, and their summed gradients. */
npy_intp a2v_hcap_$name;
npy_int64* a2v_keys_$name;
npy_intp* a2v_slot_$name;
npy_intp a2v_kcap_$name;
npy_int64* a2v_rows_$name;
npy_intp a2v_acap_$name;
void* a2v_acc_$name;

#section init_code_struct
a2v_hcap_$name = 0; a2v_keys_$name = NULL; a2v_slot_$name = NULL;
a2v_kcap_$name = 0; a2v_rows_$name = NULL;
a2v_acap_$name = 0; a2v_acc_$name = NULL;

#section cleanup_code_struct
free(a2v_keys_$name); free(a2v_slot_$name); free(a2v_rows_$name);
free(a2v_acc_$name);

#section code
{
typedef dtype_$table real;
const npy_intp N = PyArray_DIMS($table)[0];
const npy_intp D = PyArray_DIMS($table)[1];
const npy_intp K = PyArray_DIMS($idx)[0];
const int width = $width;
if (PyArray_DIMS($grads)[0] != K || PyArray_DIMS($grads)[1] != D) {
    PyErr_Format(PyExc_ValueError, "RowUpdate: gradients of shape (%lld, %lld) for "
                 "%lld indices into a table of width %lld",
                 (long long)PyArray_DIMS($grads)[0],
                 (long long)PyArray_DIMS($grads)[1], (long long)K, (long long)D);
    $fail
}
$slot_check
/* work buffers */
npy_intp H = 16;
int shift = 60;
while (H < 2 * K) { H <<= 1; shift -= 1; }
if (H > a2v_hcap_$name) {
    free(a2v_keys_$name); free(a2v_slot_$name);
    a2v_keys_$name = (npy_int64*)malloc(H * sizeof(npy_int64));
    a2v_slot_$name = (npy_intp*)malloc(H * sizeof(npy_intp));
    a2v_hcap_$name = (a2v_keys_$name && a2v_slot_$name) ? H : 0;
}
if (K > a2v_kcap_$name) {
    free(a2v_rows_$name);
    a2v_rows_$name = (npy_int64*)malloc(K * sizeof(npy_int64));
    a2v_kcap_$name = a2v_rows_$name ? K : 0;
}
if (K * D > a2v_acap_$name) {
    free(a2v_acc_$name);
    a2v_acc_$name = malloc(K * D * sizeof(real));
    a2v_acap_$name = a2v_acc_$name ? K * D : 0;
}
if ((K && (!a2v_hcap_$name || !a2v_kcap_$name)) || (K * D && !a2v_acap_$name)) {
    PyErr_NoMemory();
    $fail
}
npy_int64* keys = a2v_keys_$name;
npy_intp* slot_of = a2v_slot_$name;
npy_int64* rows = a2v_rows_$name;
real* acc = (real*)a2v_acc_$name;
for (npy_intp h = 0; h < H && K; h++) keys[h] = -1;

/* 1. unique rows in order of first occurrence; gradients summed in batch order */
npy_intp U = 0;
{
    const char* ip = PyArray_BYTES($idx);
    const npy_intp is = PyArray_STRIDES($idx)[0];
    const char* gp = PyArray_BYTES($grads);
    const npy_intp gs0 = PyArray_STRIDES($grads)[0];
    const npy_intp gs1 = PyArray_STRIDES($grads)[1];
    const npy_uint64 mask = (npy_uint64)(H - 1);
    for (npy_intp i = 0; i < K; i++) {
        npy_int64 r0 = (npy_int64)*(const dtype_$idx*)(ip + i * is);
        npy_int64 r = r0 < 0 ? r0 + N : r0;
        if (r < 0 || r >= N) {
            PyErr_Format(PyExc_IndexError, "index %lld is out of bounds for axis 0 "
                         "with size %lld", (long long)r0, (long long)N);
            $fail
        }
        npy_uint64 h = (((npy_uint64)r * 0x9E3779B97F4A7C15ULL) >> shift) & mask;
        while (keys[h] != -1 && keys[h] != r) h = (h + 1) & mask;
        const char* g = gp + i * gs0;
        real* __restrict__ a;
        const int first = keys[h] == -1;
        if (first) {
            keys[h] = r;
            slot_of[h] = U;
            rows[U] = r;
            a = acc + U * D;
            U++;
        } else {
            a = acc + slot_of[h] * D;
        }
        if (gs1 == (npy_intp)sizeof(real)) {  /* a contiguous row: vectorised */
            const real* __restrict__ gr = (const real*)g;
            if (first) memcpy(a, gr, D * sizeof(real));
            else a2v_add<real>(a, gr, D);
        } else if (first) {
            for (npy_intp j = 0; j < D; j++) a[j] = *(const real*)(g + j * gs1);
        } else {
            for (npy_intp j = 0; j < D; j++) a[j] += *(const real*)(g + j * gs1);
        }
    }
}

/* 2. outputs: the inputs themselves (inplace) or C-contiguous copies */
real* P = NULL;
real* S = NULL;
$table_output
$slot_output
/* 3. the update of each touched row, in place */
const npy_intp ahead = 4;  /* rows prefetched ahead: random rows of a large table */
for (npy_intp u = 0; u < U; u++) {
    if (u + ahead < U) {
        const char* q = (const char*)(P + rows[u + ahead] * D);
        for (npy_intp b = 0; b < D * (npy_intp)sizeof(real); b += 64)
            __builtin_prefetch(q + b, 1);
        if (width) {
            q = (const char*)(S + rows[u + ahead] * width * D);
            for (npy_intp b = 0; b < width * D * (npy_intp)sizeof(real); b += 64)
                __builtin_prefetch(q + b, 1);
        }
    }
    real* p = P + rows[u] * D;
    const real* g = acc + u * D;
    $update
}
}

#section slot_check
/* adagrad, adam: the slot has the table's rows (adagrad: (N, D); adam: (N, 2, D)) */
{
    PyArrayObject* s = $slot;
    int ok = PyArray_DIMS(s)[0] == N;
    if (width == 1) ok = ok && PyArray_NDIM(s) == 2 && PyArray_DIMS(s)[1] == D;
    else ok = ok && PyArray_NDIM(s) == 3 && PyArray_DIMS(s)[1] == width
                 && PyArray_DIMS(s)[2] == D;
    if (!ok) {
        PyErr_Format(PyExc_ValueError, "RowUpdate($rule): the optimizer slot does "
                     "not match the table (%lld, %lld)", (long long)N, (long long)D);
        $fail
    }
}

#section output
/* the output $dst of the input $src (the table or the slot), and $data its data */
Py_XDECREF($dst);
if ($inplace && PyArray_IS_C_CONTIGUOUS($src)) {
    $dst = $src;
    Py_INCREF($dst);
} else {
    $dst = (PyArrayObject*)PyArray_NewCopy($src, NPY_CORDER);
    if (!$dst) { $fail }
}
$data = (real*)PyArray_DATA($dst);

#section update_sgd
a2v_sgd<real>(p, g, D, ((real*)PyArray_DATA($lr))[0]);

#section update_adagrad
a2v_adagrad<real>(p, S + rows[u] * D, g, D, ((real*)PyArray_DATA($lr))[0],
                  ((real*)PyArray_DATA($epsilon))[0]);

#section update_adam
a2v_adam<real>(p, S + rows[u] * 2 * D, S + rows[u] * 2 * D + D, g, D,
               ((real*)PyArray_DATA($lr))[0], ((real*)PyArray_DATA($beta_1))[0],
               ((real*)PyArray_DATA($beta_2))[0], ((real*)PyArray_DATA($epsilon))[0]);
