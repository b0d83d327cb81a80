/* gpu_ops.GpuRowUpdate: the row-wise optimizer step of one embedding table on a GPU device,
   the twin of row_update.c. The kernel section is in libgpuarray's kernel dialect (cluda.h:
   KERNEL, GLOBAL_MEM, GID_0, LID_0, ga_size, ...), so the same text compiles for CUDA (NVRTC)
   and OpenCL; gpu_ops.py puts before it the #defines RULE (0 sgd, 1 adagrad, 2 adam), TABLE_T
   (the float type) and INDEX_T (the index type). The code section is the op's host C code
   (string.Template: $table, $slot, $idx, $grads, $hyper, $out_table, $out_slot, $ctx, $inplace,
   $has_slot, $name, $fail).

   Two kernels, no table-sized buffer, no sort, no atomics:
   1. a2v_row_chain: for every batch position i, chain[i] = the next position with the same row
      (-1 at the last) and chain[k + i] = 1 when i is the row's first position. One thread per
      position; each scans the batch (O(k) each, O(k^2) a batch, in parallel).
   2. a2v_row_update: one work group per first position, one thread per column: the row's
      gradient is summed along the chain, in batch order (bit for bit the rows of Theano's dense
      gradient of the gather), then the rule updates the row of the table and of its slot. Every
      touched row is written by one group only, so the updates need no atomics.
   Rows out of range are skipped: the forward pass's gather of the same indices checked them. */

#section kernel
#include "cluda.h"
#define A2V_ROW(x) ((x) < 0 ? (ga_ssize)(x) + rows : (ga_ssize)(x))

KERNEL void a2v_row_chain(const ga_size k, const ga_ssize rows,
                          GLOBAL_MEM INDEX_T *idx, const ga_size idx_off, const ga_ssize idx_step,
                          GLOBAL_MEM ga_int *chain, const ga_size chain_off)
{
    idx = (GLOBAL_MEM INDEX_T *)(((GLOBAL_MEM char *)idx) + idx_off);
    chain = (GLOBAL_MEM ga_int *)(((GLOBAL_MEM char *)chain) + chain_off);
    for (ga_size i = GID_0 * LDIM_0 + LID_0; i < k; i += GDIM_0 * LDIM_0) {
        const ga_ssize r = A2V_ROW(idx[i * idx_step]);
        ga_int first = 1, next = -1;
        for (ga_size j = 0; j < i; j++) {
            if (A2V_ROW(idx[j * idx_step]) == r) { first = 0; break; }
        }
        for (ga_size j = i + 1; j < k; j++) {
            if (A2V_ROW(idx[j * idx_step]) == r) { next = (ga_int)j; break; }
        }
        chain[i] = next;
        chain[k + i] = first;
    }
}

KERNEL void a2v_row_update(const ga_size k, const ga_size d, const ga_ssize rows,
                           GLOBAL_MEM TABLE_T *P, const ga_size p_off,
                           const ga_ssize p0, const ga_ssize p1,
                           GLOBAL_MEM TABLE_T *S, const ga_size s_off,
                           const ga_ssize s0, const ga_ssize s1, const ga_ssize s2,
                           GLOBAL_MEM INDEX_T *idx, const ga_size idx_off, const ga_ssize idx_step,
                           GLOBAL_MEM TABLE_T *G, const ga_size g_off,
                           const ga_ssize g0, const ga_ssize g1,
                           GLOBAL_MEM ga_int *chain, const ga_size chain_off,
                           GLOBAL_MEM TABLE_T *H, const ga_size h_off, const ga_ssize h0)
{
    P = (GLOBAL_MEM TABLE_T *)(((GLOBAL_MEM char *)P) + p_off);
    S = (GLOBAL_MEM TABLE_T *)(((GLOBAL_MEM char *)S) + s_off);
    idx = (GLOBAL_MEM INDEX_T *)(((GLOBAL_MEM char *)idx) + idx_off);
    G = (GLOBAL_MEM TABLE_T *)(((GLOBAL_MEM char *)G) + g_off);
    chain = (GLOBAL_MEM ga_int *)(((GLOBAL_MEM char *)chain) + chain_off);
    H = (GLOBAL_MEM TABLE_T *)(((GLOBAL_MEM char *)H) + h_off);
    const TABLE_T lr = H[0];
    for (ga_size i = GID_0; i < k; i += GDIM_0) {
        if (!chain[k + i]) continue;
        const ga_ssize r = A2V_ROW(idx[i * idx_step]);
        if (r < 0 || r >= rows) continue;
        for (ga_size c = LID_0; c < d; c += LDIM_0) {
            TABLE_T g = G[i * g0 + c * g1];
            for (ga_int j = chain[i]; j >= 0; j = chain[j]) g += G[j * g0 + c * g1];
            GLOBAL_MEM TABLE_T *p = P + r * p0 + c * p1;
#if RULE == 0
            *p = *p - lr * g;
#elif RULE == 1
            const TABLE_T eps = H[h0];
            GLOBAL_MEM TABLE_T *a = S + r * s0 + c * s1;
            const TABLE_T acc = *a + g * g;
            *a = acc;
            *p = *p - lr * g / (sqrt(acc) + eps);
#else
            const TABLE_T beta_1 = H[h0], beta_2 = H[2 * h0], eps = H[3 * h0];
            GLOBAL_MEM TABLE_T *m = S + r * s0 + c * s2;
            GLOBAL_MEM TABLE_T *v = S + r * s0 + s1 + c * s2;
            const TABLE_T mj = beta_1 * *m + ((TABLE_T)1 - beta_1) * g;
            const TABLE_T vj = beta_2 * *v + ((TABLE_T)1 - beta_2) * g * g;
            *m = mj;
            *v = vj;
            *p = *p - lr * mj / (sqrt(vj) + eps);
#endif
        }
    }
}

#section code
{
    const size_t k = PyGpuArray_DIMS($idx)[0];
    const size_t d = PyGpuArray_DIMS($table)[1];
    const ssize_t rows = (ssize_t)PyGpuArray_DIMS($table)[0];
    if (PyGpuArray_DIMS($grads)[0] != k || PyGpuArray_DIMS($grads)[1] != d) {
        PyErr_Format(PyExc_ValueError, "GpuRowUpdate: grads of shape (%llu, %llu) for %llu "
                     "indices and a table of %llu columns",
                     (unsigned long long)PyGpuArray_DIMS($grads)[0],
                     (unsigned long long)PyGpuArray_DIMS($grads)[1],
                     (unsigned long long)k, (unsigned long long)d);
        $fail
    }
    if ($inplace) {
        Py_XDECREF($out_table);
        $out_table = $table;
        Py_INCREF($out_table);
    } else {
        $out_table = theano_try_copy($out_table, $table);
        if (!$out_table) { $fail }
    }
#if $has_slot
    if ($inplace) {
        Py_XDECREF($out_slot);
        $out_slot = $slot;
        Py_INCREF($out_slot);
    } else {
        $out_slot = theano_try_copy($out_slot, $slot);
        if (!$out_slot) { $fail }
    }
    PyGpuArrayObject *a2v_slot = $out_slot;
    const size_t s_item = GpuArray_ITEMSIZE(&a2v_slot->ga);
    const ssize_t s0 = PyGpuArray_STRIDES(a2v_slot)[0] / (ssize_t)s_item;
    const ssize_t s1 = PyGpuArray_STRIDES(a2v_slot)[1] / (ssize_t)s_item;
    const ssize_t s2 = PyGpuArray_NDIM(a2v_slot) > 2 ?
        PyGpuArray_STRIDES(a2v_slot)[2] / (ssize_t)s_item : 0;
#else
    PyGpuArrayObject *a2v_slot = $out_table;
    const ssize_t s0 = 0, s1 = 0, s2 = 0;
#endif
    if (k > 0 && d > 0) {
        size_t two_k = 2 * k;
        PyGpuArrayObject *chain = pygpu_empty(1, &two_k, GA_INT, GA_C_ORDER, $ctx, Py_None);
        if (!chain) { $fail }
        const size_t t_item = GpuArray_ITEMSIZE(&$out_table->ga);
        const size_t i_item = GpuArray_ITEMSIZE(&$idx->ga);
        const size_t g_item = GpuArray_ITEMSIZE(&$grads->ga);
        const size_t h_item = GpuArray_ITEMSIZE(&$hyper->ga);
        size_t local = 64, groups = (k + local - 1) / local;
        if (groups > 4096) groups = 4096;
        int err = a2v_row_chain_call(
            1, &groups, &local, 0, k, rows,
            $idx->ga.data, $idx->ga.offset, PyGpuArray_STRIDES($idx)[0] / (ssize_t)i_item,
            chain->ga.data, chain->ga.offset);
        if (err == GA_NO_ERROR) {
            size_t columns = d < 256 ? d : 256, blocks = k < 4096 ? k : 4096;
            err = a2v_row_update_call(
                1, &blocks, &columns, 0, k, d, rows,
                $out_table->ga.data, $out_table->ga.offset,
                PyGpuArray_STRIDES($out_table)[0] / (ssize_t)t_item,
                PyGpuArray_STRIDES($out_table)[1] / (ssize_t)t_item,
                a2v_slot->ga.data, a2v_slot->ga.offset, s0, s1, s2,
                $idx->ga.data, $idx->ga.offset, PyGpuArray_STRIDES($idx)[0] / (ssize_t)i_item,
                $grads->ga.data, $grads->ga.offset,
                PyGpuArray_STRIDES($grads)[0] / (ssize_t)g_item,
                PyGpuArray_STRIDES($grads)[1] / (ssize_t)g_item,
                chain->ga.data, chain->ga.offset,
                $hyper->ga.data, $hyper->ga.offset,
                PyGpuArray_STRIDES($hyper)[0] / (ssize_t)h_item);
        }
        Py_DECREF(chain);
        if (err != GA_NO_ERROR) {
            PyErr_Format(PyExc_RuntimeError, "GpuRowUpdate: gpuarray error %d", err);
            $fail
        }
    }
}
