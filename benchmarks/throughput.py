"""Training throughput of the Author2Vec link model: keras+Theano (stock Adam, row-wise RowAdam)
against the same model in PyTorch (dense Adam, sparse embedding + SparseAdam), in one run.

    python benchmarks/throughput.py                      # 1k, 10k, 100k, 1M nodes
    python benchmarks/throughput.py --nodes 100000 --seconds 10

The model (the paper's link model, `models.paper_model`): Embedding(N, d) -> pair features
h = tanh((u*v) W_p + |u-v| W_m + b) -> Dense(2, softmax), sparse categorical cross-entropy.
Every measurement runs in its own child process (so peak memory is per method and methods do
not share a Theano process), one after the other, on pre-generated random int32 batches.
Compile time (building and compiling the Theano train function plus the first call) is timed
separately and never counted as training time; so are a few warm-up batches.

Keras loops measured for each Keras model:
- `train_on_batch`: `model.train_on_batch(x, y)` per batch (what a user's loop does);
- `train_function`: the compiled Theano function called directly (`model.model.train_function`
  with inputs, targets and sample weights), i.e. without Keras' per-batch input checks;
- `fit`: `model.fit(x, y, batch_size, epochs=1, shuffle=False, verbose=0)` over the same batches.

PyTorch is skipped with a note when torch is not installed (`pip install torch==2.13.0`).
The last lines are one per size: `nodes=N ours=<pairs/s> pytorch_sparse=<pairs/s> ratio=<r>`,
where `ours` is RowAdam with `train_on_batch`.
"""
import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

KERAS_METHODS = ('keras_adam', 'keras_rowadam', 'keras_rowadam_tuned')
TORCH_METHODS = ('torch_dense_adam', 'torch_sparse_adam', 'torch_sparse_adam_1t')
# Settings per method, applied in the child's environment before numpy/theano/torch load.
# `_tuned`: single-threaded BLAS (numpy's OpenBLAS serves Theano's Dot22 here: for 512x128 by
# 128x32 products one thread beats two, more so on a loaded machine) and Theano allow_gc=False
# (keeps intermediate buffers between calls). `_1t`: PyTorch with one thread, for fairness:
# on a loaded 2-core machine one thread can beat two.
METHOD_ENV = {
    'keras_rowadam_tuned': {'OPENBLAS_NUM_THREADS': '1', 'OMP_NUM_THREADS': '1',
                            'MKL_NUM_THREADS': '1', '+THEANO_FLAGS': 'allow_gc=False'},
    'torch_sparse_adam_1t': {'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1'},
}


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _batches(nodes, batch_size, count, seed):
    import numpy as np
    rng = np.random.RandomState(seed)
    x = rng.randint(0, nodes, size=(count, batch_size, 2)).astype('int32')
    y = rng.randint(0, 2, size=(count, batch_size, 1)).astype('float32')
    return x, y


WINDOWS = 5


def _timed_loop(step, count, seconds, batch_size, min_batches=2):
    """Call `step(i % count)` for `seconds`, in WINDOWS equal windows of at least `min_batches`
    calls each; returns pairs/s of every window (the machine is shared: report best and median)."""
    rates, i = [], 0
    for _ in range(WINDOWS):
        n, start = 0, time.perf_counter()
        while True:
            step(i % count)
            n += 1
            i += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds / WINDOWS and n >= min_batches:
                break
        rates.append(n * batch_size / elapsed)
    return rates


def _summary(rates):
    import statistics
    return {'best': max(rates), 'median': statistics.median(rates), 'windows': rates}


def fix_count_params(keras):
    """keras 2.0.9's Theano `K.count_params` compiles a Theano function per weight per call, and
    `train_on_batch` calls it for every weight on every batch (`_check_trainable_weights_consistency`):
    about 0.3 s per batch here. Read the shape of a shared variable instead. Returns where the fix
    came from: 'backend' when author2vec_keras.backend already fixes it, else 'benchmark'."""
    import numpy as np
    import keras.backend.theano_backend as tb
    if getattr(keras.backend.count_params, '_author2vec_fixed', False):
        return 'backend'
    original = tb.count_params

    def count_params(x):
        if hasattr(x, 'get_value'):
            return np.prod(x.get_value(borrow=True, return_internal_type=True).shape)
        return original(x)
    count_params._author2vec_fixed = True
    tb.count_params = keras.backend.count_params = count_params
    return 'benchmark'


def run_keras(args):
    sys.path.insert(0, ROOT)
    t0 = time.perf_counter()
    from author2vec_keras.backend import keras  # noqa: F401  configures Theano
    from author2vec_keras.models import paper_model
    from author2vec_keras.optimizers import RowAdam
    import numpy as np
    import theano
    import_s = time.perf_counter() - t0
    count_params_fix = fix_count_params(keras) if not args.no_count_params_fix else 'none'
    optimizer = RowAdam() if args.method.startswith('keras_rowadam') else keras.optimizers.Adam()
    np.random.seed(args.seed)
    x, y = _batches(args.nodes, args.batch_size, args.pool, args.seed)
    t0 = time.perf_counter()
    model = paper_model(args.nodes, args.dim, args.hidden_dim, optimizer=optimizer)
    inner = model.model
    inner._make_train_function()
    model.train_on_batch(x[0], y[0])
    compile_s = time.perf_counter() - t0
    for i in range(3):  # warm-up, not timed
        model.train_on_batch(x[i % args.pool], y[i % args.pool])
    res = {'compile_s': compile_s, 'import_s': import_s, 'loops': {},
           'count_params_fix': count_params_fix}

    res['loops']['train_on_batch'] = _summary(_timed_loop(
        lambda i: model.train_on_batch(x[i], y[i]), args.pool, args.seconds, args.batch_size))

    f = inner.train_function
    w = np.ones(args.batch_size, dtype='float32')
    ins = [[x[i], y[i], w] for i in range(args.pool)]
    res['loops']['train_function'] = _summary(_timed_loop(
        lambda i: f(ins[i]), args.pool, args.seconds, args.batch_size))

    # fit over as many pool batches as fill about `seconds` at the train_on_batch rate
    rate = res['loops']['train_on_batch']['median']
    nb = int(max(2, min(args.pool, rate * args.seconds / WINDOWS / args.batch_size)))
    xs, ys = x[:nb].reshape(-1, 2), y[:nb].reshape(-1, 1)
    rates = []
    for _ in range(WINDOWS):
        t0 = time.perf_counter()
        model.fit(xs, ys, batch_size=args.batch_size, epochs=1, shuffle=False, verbose=0)
        rates.append(nb * args.batch_size / (time.perf_counter() - t0))
    res['loops']['fit'] = _summary(rates)

    res['peak_rss_mb'] = _peak_rss_mb()  # before profiling, which builds a second function
    if args.profile:
        inner._function_kwargs = {'profile': True}
        inner.train_function = None
        inner._make_train_function()
        pf = inner.train_function
        for i in range(min(args.pool, 50)):
            pf(ins[i])
        import io
        buf = io.StringIO()
        pf.function.profile.summary(file=buf, n_ops_to_print=15, n_apply_to_print=15)
        res['profile'] = buf.getvalue()
    res['theano_flags'] = os.environ.get('THEANO_FLAGS', '')
    res['theano'] = theano.__version__
    res['keras'] = keras.__version__
    return res


def run_torch(args):
    import numpy as np
    import torch
    torch.manual_seed(args.seed)
    sparse = args.method.startswith('torch_sparse_adam')
    if args.method.endswith('_1t'):
        torch.set_num_threads(1)

    class LinkModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = torch.nn.Embedding(args.nodes, args.dim, sparse=sparse)
            self.w_p = torch.nn.Linear(args.dim, args.hidden_dim, bias=False)
            self.w_m = torch.nn.Linear(args.dim, args.hidden_dim, bias=True)
            self.out = torch.nn.Linear(args.hidden_dim, 2)

        def forward(self, pairs):
            e = self.emb(pairs)
            u, v = e[:, 0], e[:, 1]
            return self.out(torch.tanh(self.w_p(u * v) + self.w_m((u - v).abs())))

    model = LinkModel()
    if sparse:
        opts = [torch.optim.SparseAdam([model.emb.weight], lr=1e-3),
                torch.optim.Adam([p for n, p in model.named_parameters() if n != 'emb.weight'],
                                 lr=1e-3)]
    else:
        opts = [torch.optim.Adam(model.parameters(), lr=1e-3)]
    x, y = _batches(args.nodes, args.batch_size, args.pool, args.seed)
    xs = [torch.from_numpy(x[i].astype('int64')) for i in range(args.pool)]
    ys = [torch.from_numpy(y[i, :, 0].astype('int64')) for i in range(args.pool)]
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(i):
        for o in opts:
            o.zero_grad()
        loss = loss_fn(model(xs[i]), ys[i])
        loss.backward()
        for o in opts:
            o.step()

    for i in range(3):
        step(i % args.pool)
    return {'loops': {'train_step': _summary(_timed_loop(step, args.pool, args.seconds,
                                                         args.batch_size))},
            'torch': torch.__version__,
            'torch_threads': torch.get_num_threads()}


def worker(args):
    res = run_torch(args) if args.method in TORCH_METHODS else run_keras(args)
    res.setdefault('peak_rss_mb', _peak_rss_mb())
    print('RESULT ' + json.dumps(res))


def child(args, method, nodes, extra_env=None):
    cmd = [sys.executable, os.path.abspath(__file__), '--worker', method, '--nodes', str(nodes),
           '--dim', str(args.dim), '--hidden-dim', str(args.hidden_dim),
           '--batch-size', str(args.batch_size), '--seconds', str(args.seconds),
           '--pool', str(args.pool), '--seed', str(args.seed)]
    if args.profile and method == 'keras_rowadam_tuned':
        cmd.append('--profile')
    if args.no_count_params_fix:
        cmd.append('--no-count-params-fix')
    env = dict(os.environ)
    env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
    if args.theano_flags:
        env['THEANO_FLAGS'] = ','.join(f for f in (env.get('THEANO_FLAGS', ''), args.theano_flags) if f)
    for k, v in list(METHOD_ENV.get(method, {}).items()) + list((extra_env or {}).items()):
        if k.startswith('+'):
            env[k[1:]] = ','.join(f for f in (env.get(k[1:], ''), v) if f)
        else:
            env[k] = v
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    for line in proc.stdout.splitlines():
        if line.startswith('RESULT '):
            res = json.loads(line[7:])
            res['process_wall_s'] = wall
            return res
    return {'error': (proc.stderr or proc.stdout)[-2000:]}


def torch_available():
    try:
        import importlib.util
        return importlib.util.find_spec('torch') is not None
    except Exception:
        return False


def machine():
    cpu = platform.processor()
    try:
        with open('/proc/cpuinfo') as f:
            names = [l.split(':', 1)[1].strip() for l in f if l.startswith('model name')]
        cpu = '%s x%d' % (names[0], len(names)) if names else cpu
    except OSError:
        pass
    return {'cpu': cpu, 'cores': os.cpu_count(), 'python': platform.python_version(),
            'platform': platform.platform(), 'loadavg_start': os.getloadavg()}


def fmt(v):
    return '-' if v is None else '{:,.0f}'.format(v)


def plot(out, sizes, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    series = [('ours', 'keras+Theano, RowAdam (ours)', 'C0', 'o'),
              ('stock_adam', 'keras+Theano, stock Adam', 'C1', 's'),
              ('torch_sparse', 'PyTorch, sparse embedding + SparseAdam', 'C2', '^'),
              ('torch_dense', 'PyTorch, dense Adam', 'C3', 'v')]
    for key, label, color, marker in series:
        xs = [n for n in sizes if out['summary'][str(n)].get(key)]
        if xs:
            ax.plot(xs, [out['summary'][str(n)][key] for n in xs], marker=marker, color=color,
                    label=label)
    previous = (out.get('run1') or {}).get('summary')
    if previous:  # an earlier run of the same command: the run-to-run spread
        for key, label, color, marker in [('ours', 'RowAdam (ours), earlier run', 'C0', 'o'),
                                          ('torch_sparse', 'PyTorch SparseAdam, earlier run',
                                           'C2', '^')]:
            xs = [n for n in sizes if (previous.get(str(n)) or {}).get(key)]
            ax.plot(xs, [previous[str(n)][key] for n in xs], marker=marker, color=color,
                    linestyle='--', alpha=0.45, label=label)
    ax.set_xscale('log')
    ax.set_yscale('log')
    ax.set_xlabel('nodes (rows of the embedding table)')
    ax.set_ylabel('training pairs / s')
    a = out['args']
    load = out['machine'].get('loadavg_start', [float('nan')])[0]
    ax.set_title('Author2Vec link model, d=%d, n_h=%d, batch %d\n%s, %d cores, load average %.0f '
                 '(shared machine)' % (a['dim'], a['hidden_dim'], a['batch_size'],
                                       out['machine']['cpu'], out['machine']['cores'], load),
                 fontsize=9)
    ax.grid(True, which='both', alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    sys.path.insert(0, ROOT)
    from author2vec_keras.io import save_figure
    save_figure(fig, path, dpi=120)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--nodes', default='1000,10000,100000,1000000',
                   help='comma-separated graph sizes (rows of the embedding table)')
    p.add_argument('--dim', type=int, default=128, help='embedding size d')
    p.add_argument('--hidden-dim', type=int, default=32, help='pair representation size n_h')
    p.add_argument('--batch-size', type=int, default=512)
    p.add_argument('--seconds', type=float, default=5.0, help='time per measurement')
    p.add_argument('--pool', type=int, default=64, help='pre-generated batches per measurement')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--methods', default=','.join(KERAS_METHODS + TORCH_METHODS))
    p.add_argument('--theano-flags', default='',
                   help='extra THEANO_FLAGS for the Keras children, e.g. allow_gc=False')
    p.add_argument('--cold-compile', action='store_true',
                   help='also time a cold compile (empty Theano cache) of RowAdam at the first size')
    p.add_argument('--profile', action='store_true', help='Theano profile of RowAdam per size')
    p.add_argument('--no-count-params-fix', action='store_true',
                   help="measure train_on_batch with keras 2.0.9's own count_params (slow)")
    p.add_argument('--json', help='write all results to this JSON file')
    p.add_argument('--plot', help='write a PNG plot of pairs/s against nodes')
    p.add_argument('--worker', help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        args.method = args.worker
        args.nodes = int(args.nodes)
        return worker(args)

    sizes = [int(s) for s in args.nodes.split(',') if s.strip()]
    methods = [m for m in args.methods.split(',') if m]
    have_torch = torch_available()
    if not have_torch:
        print('NOTE: torch is not installed: skipping the PyTorch columns '
              '(pip install torch==2.13.0 for the CPU wheel).')
        methods = [m for m in methods if m not in TORCH_METHODS]
    out = {'command': ' '.join([os.path.basename(sys.executable)] + sys.argv),
           'machine': machine(), 'args': {k: v for k, v in vars(args).items() if k != 'worker'},
           'results': {}}
    if args.cold_compile:
        tmp = tempfile.mkdtemp(prefix='theano_cold_')
        flags = ','.join(f for f in (os.environ.get('THEANO_FLAGS', ''), 'base_compiledir=' + tmp) if f)
        print('cold compile (empty Theano cache %s) ...' % tmp, flush=True)
        r = child(args, 'keras_rowadam', sizes[0], {'THEANO_FLAGS': flags})
        out['cold_compile'] = {'nodes': sizes[0], 'compile_s': r.get('compile_s'),
                               'import_s': r.get('import_s'), 'error': r.get('error')}
        shutil.rmtree(tmp, ignore_errors=True)
        print('  cold compile: %.1f s' % (r.get('compile_s') or float('nan')), flush=True)
    for n in sizes:
        out['results'][str(n)] = {}
        for m in methods:
            print('nodes=%d %s ...' % (n, m), end=' ', flush=True)
            r = child(args, m, n)
            out['results'][str(n)][m] = r
            if 'error' in r:
                print('ERROR\n' + r['error'])
            else:
                print(', '.join('%s %s (median %s) pairs/s' % (k, fmt(v['best']), fmt(v['median']))
                                for k, v in r['loops'].items()),
                      '| peak %.0f MB' % r['peak_rss_mb'],
                      ('| compile %.1f s' % r['compile_s']) if 'compile_s' in r else '', flush=True)
            if r.get('profile'):
                print(r['profile'])
    out['machine']['loadavg_end'] = os.getloadavg()
    import numpy
    versions = {'numpy': numpy.__version__}
    for res in out['results'].values():
        for r in res.values():
            for k in ('theano', 'keras', 'torch', 'torch_threads'):
                if k in r:
                    versions[k] = r[k]
    out['versions'] = versions

    def get(n, m, loop, stat='best'):
        return out['results'][str(n)].get(m, {}).get('loops', {}).get(loop, {}).get(stat)

    def better(n, candidates, loop):
        """(method, pairs/s) of the faster of `candidates` (best window of each)."""
        runs = [(get(n, m, loop), m) for m in candidates if get(n, m, loop)]
        return (max(runs)[1], max(runs)[0]) if runs else (None, None)

    summary = {}
    for n in sizes:
        res = out['results'][str(n)]
        ours_m, ours = better(n, ('keras_rowadam', 'keras_rowadam_tuned'), 'train_on_batch')
        ts_m, ts = better(n, ('torch_sparse_adam', 'torch_sparse_adam_1t'), 'train_step')
        summary[n] = {
            'stock_adam': get(n, 'keras_adam', 'train_on_batch'),
            'rowadam_default': get(n, 'keras_rowadam', 'train_on_batch'),
            'rowadam_tuned': get(n, 'keras_rowadam_tuned', 'train_on_batch'),
            'ours': ours, 'ours_method': ours_m,
            'ours_train_function': get(n, ours_m, 'train_function') if ours_m else None,
            'ours_fit': get(n, ours_m, 'fit') if ours_m else None,
            'torch_dense': get(n, 'torch_dense_adam', 'train_step'),
            'torch_sparse': ts, 'torch_sparse_method': ts_m,
            'ratio': ours / ts if ours and ts else None,
            'peak_mb': {m: res[m].get('peak_rss_mb') for m in res if 'peak_rss_mb' in res[m]},
            'warm_compile_s': {m: res[m].get('compile_s') for m in res if 'compile_s' in res[m]},
        }
    out['summary'] = {str(k): v for k, v in summary.items()}

    def mb(n, m):
        v = summary[n]['peak_mb'].get(m)
        return '-' if v is None else '%.0f' % v

    print()
    print('pairs/s (best of %d windows of %.1f s each); ours = the faster RowAdam setting, '
          'PyTorch sparse = the faster thread setting' % (WINDOWS, args.seconds / WINDOWS))
    head = ['nodes', 'stock Adam', 'RowAdam (default)', 'RowAdam (tuned)',
            'ours: train_function', 'ours: fit', 'PyTorch dense Adam', 'PyTorch SparseAdam',
            'ours / PyTorch sparse', 'peak MB stock / ours / PyTorch sparse',
            'warm compile s (stock / ours)']
    print('| ' + ' | '.join(head) + ' |')
    print('|' + '---|' * len(head))
    for n in sizes:
        r = summary[n]
        wc = r['warm_compile_s']
        print('| ' + ' | '.join([
            '{:,}'.format(n), fmt(r['stock_adam']), fmt(r['rowadam_default']),
            fmt(r['rowadam_tuned']), fmt(r['ours_train_function']), fmt(r['ours_fit']),
            fmt(r['torch_dense']), fmt(r['torch_sparse']),
            '%.2f' % r['ratio'] if r['ratio'] else '-',
            ' / '.join([mb(n, 'keras_adam'), mb(n, r['ours_method']), mb(n, r['torch_sparse_method'])]),
            ' / '.join('%.0f' % wc[m] if wc.get(m) else '-'
                       for m in ('keras_adam', r['ours_method']))]) + ' |')
    if 'cold_compile' in out:
        print('cold compile (empty Theano cache, RowAdam, %d nodes): %.1f s'
              % (out['cold_compile']['nodes'], out['cold_compile']['compile_s'] or float('nan')))
    print('load average start %s end %s' % (tuple(round(x, 2) for x in out['machine']['loadavg_start']),
                                           tuple(round(x, 2) for x in out['machine']['loadavg_end'])))
    if args.json:
        sys.path.insert(0, ROOT)
        from author2vec_keras.io import atomic_open
        with atomic_open(args.json, 'w') as f:
            json.dump(out, f, indent=1)
    if args.plot:
        plot(out, sizes, args.plot)
    print()
    if not have_torch:
        print('NOTE: PyTorch skipped: torch is not installed.')
    for n in sizes:
        r = summary[n]
        if r['torch_sparse'] is None:
            print('nodes=%d ours=%.0f pytorch_sparse=skipped (torch not installed) ratio=n/a'
                  % (n, r['ours'] or 0))
        else:
            print('nodes=%d ours=%.0f pytorch_sparse=%.0f ratio=%.2f'
                  % (n, r['ours'] or 0, r['torch_sparse'], (r['ours'] or 0) / r['torch_sparse']))
    return out


if __name__ == '__main__':
    main()
