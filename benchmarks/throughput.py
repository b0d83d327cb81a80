"""Training throughput of the Author2Vec link model: keras+Theano (stock Adam, row-wise RowAdam)
against the same model in PyTorch (dense Adam, sparse embedding + SparseAdam), in one run.

    python benchmarks/throughput.py                      # 1k, 10k, 100k, 1M nodes
    python benchmarks/throughput.py --nodes 100000 --seconds 10
    python benchmarks/throughput.py --on-load refuse     # exit 2 rather than measure when busy
    python benchmarks/throughput.py --workers 1,2        # also RowAdam in 2 worker processes
    python benchmarks/throughput.py --json results/throughput.json \\
        --plot results/throughput.png --markdown results/throughput.md --profile

The model (the paper's link model, `models.paper_model`): Embedding(N, d) -> pair features
h = tanh((u*v) W_p + |u-v| W_m + b) -> Dense(2, softmax), sparse categorical cross-entropy.
Every measurement runs in its own child process (so peak memory is per method and methods do
not share a Theano process), one after the other, on pre-generated random int32 batches.
Compile time (building and compiling the Theano train function plus the first call) is timed
separately and never counted as training time; so are a few warm-up batches.

Methods: `keras_adam` (Keras' stock Adam), `keras_rowadam` (RowAdam, the package's default
settings), `keras_rowadam_2t` (the same with two BLAS threads, `AUTHOR2VEC_BLAS_THREADS=2`, to
show the default's choice), `torch_dense_adam`, `torch_sparse_adam` (PyTorch's default
threads) and `torch_sparse_adam_1t` (one thread). Keras loops measured for each Keras model:
- `train_step`: `models.train_step(model)` per batch, the estimators' loop (*ours*);
- `train_on_batch`: `model.train_on_batch(x, y)` per batch (what a user's own loop does);
- `fit`: `model.fit(x, y, batch_size, epochs=1, shuffle=False, verbose=0)` over the same batches.
`--workers 1,2,...`: for each N > 1, `keras_rowadam_wN` is RowAdam trained by N Hogwild worker
processes over shared-memory tables (`workers.train_epoch`, what `Author2Vec(workers=N)` runs):
each window is one epoch of pool batches sized to last about a window at N times one process's
rate, its fork and join included (loop `workers`); the table shows its pairs/s and the speed-up
over one process (`ours`).

The machine is shared: only a quiet machine gives ratios worth reporting. The 1-minute load
average is recorded before and after every measurement; one above `--max-load` (default: the
number of cores) marks the measurement, its row and its ratio line `LOADED` (`--on-load mark`,
the default), or stops the run with exit status 2 before anything is written
(`--on-load refuse`).

PyTorch is skipped with a note when torch is not installed (`pip install torch==2.13.0`).
The last lines are one per size: `nodes=N ours=<pairs/s> pytorch_sparse=<pairs/s> ratio=<r>
load=<max load>` (plus ` LOADED` when marked), where `ours` is RowAdam in the default setting
with `train_step`, and PyTorch sparse the faster of its two thread settings.
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

KERAS_METHODS = ('keras_adam', 'keras_rowadam', 'keras_rowadam_2t')
TORCH_METHODS = ('torch_dense_adam', 'torch_sparse_adam', 'torch_sparse_adam_1t')
OURS = 'keras_rowadam'  # the package's default setting
# Settings per method, applied in the child's environment before numpy/theano/torch load.
METHOD_ENV = {
    'keras_rowadam_2t': {'AUTHOR2VEC_BLAS_THREADS': '2'},
    'torch_sparse_adam_1t': {'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1'},
}
WINDOWS = 5


class Refused(Exception):
    """The machine is busier than `--max-load` and `--on-load refuse` was given."""


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _batches(nodes, batch_size, count, seed):
    import numpy as np
    rng = np.random.RandomState(seed)
    x = rng.randint(0, nodes, size=(count, batch_size, 2)).astype('int32')
    y = rng.randint(0, 2, size=(count, batch_size, 1)).astype('float32')
    return x, y


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


def _workers_of(method):
    """N of `keras_rowadam_wN` (RowAdam in N worker processes), else 1."""
    head, _, n = method.rpartition('_w')
    return int(n) if head == OURS and n.isdigit() else 1


class _PoolBatches(object):
    """`count` batches cycling over the pool: the epoch `workers.train_epoch` trains."""

    def __init__(self, x, y, count):
        self.x, self.y, self.count = x, y, count

    def __len__(self):
        return self.count

    def __getitem__(self, i):
        return self.x[i % len(self.x)], self.y[i % len(self.y)]


def run_workers(args, model, step, x, y):
    """pairs/s of `train_epoch` in `args.workers` processes, one epoch per window."""
    from author2vec_keras.training.workers import train_epoch
    one = _timed_loop(lambda i: step(x[i], y[i]), args.pool, args.seconds / WINDOWS,
                      args.batch_size)  # one process's rate, to size the epochs
    window = args.seconds / WINDOWS
    count = max(4 * args.workers, int(max(one) * args.workers * window / args.batch_size))
    batches = _PoolBatches(x, y, count)
    train_epoch(model, batches, args.workers)  # warm-up: the first shares the tables
    rates = []
    for _ in range(WINDOWS):
        t0 = time.perf_counter()
        train_epoch(model, batches, args.workers)
        rates.append(count * args.batch_size / (time.perf_counter() - t0))
    return {'workers': _summary(rates), 'batches_per_epoch': count}


def run_keras(args):
    sys.path.insert(0, ROOT)
    t0 = time.perf_counter()
    import numpy as np

    from author2vec_keras.nn import backend
    from author2vec_keras.nn.backend import keras
    from author2vec_keras.nn.models import paper_model, train_step
    from author2vec_keras.nn.optimizers import RowAdam

    import theano
    import_s = time.perf_counter() - t0
    optimizer = RowAdam() if args.method.startswith('keras_rowadam') else keras.optimizers.Adam()
    np.random.seed(args.seed)
    x, y = _batches(args.nodes, args.batch_size, args.pool, args.seed)
    t0 = time.perf_counter()
    model = paper_model(args.nodes, args.dim, args.hidden_dim, optimizer=optimizer)
    step = train_step(model)
    step(x[0], y[0])
    compile_s = time.perf_counter() - t0
    for i in range(3):  # warm-up, not timed
        step(x[i % args.pool], y[i % args.pool])
        model.train_on_batch(x[i % args.pool], y[i % args.pool])
    res = {'compile_s': compile_s, 'import_s': import_s, 'loops': {},
           'count_params_fix': backend.applied('count_params')}
    args.workers = _workers_of(args.method)
    if args.workers > 1:
        measured = run_workers(args, model, step, x, y)
        res['loops'] = {'workers': measured.pop('workers')}
        res.update(measured, workers=args.workers, peak_rss_mb=_peak_rss_mb(),
                   peak_rss_workers_mb=resource.getrusage(
                       resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0)
        res['theano'], res['keras'] = theano.__version__, keras.__version__
        return res
    res['loops']['train_step'] = _summary(_timed_loop(
        lambda i: step(x[i], y[i]), args.pool, args.seconds, args.batch_size))
    res['loops']['train_on_batch'] = _summary(_timed_loop(
        lambda i: model.train_on_batch(x[i], y[i]), args.pool, args.seconds, args.batch_size))

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
        inner = model.model
        backend.set_function_kwargs(inner, {'profile': True})
        backend.forget_train_function(inner)
        profiled = train_step(model)
        for i in range(min(args.pool, 200)):
            profiled(x[i % args.pool], y[i % args.pool])
        import io
        buf = io.StringIO()
        profile = backend.theano_train_function(inner).profile
        profile.summary_function(buf)  # not summary(): its tips import theano.gpuarray
        for part in (profile.summary_class, profile.summary_ops, profile.summary_nodes):
            part(buf, N=25)
        res['profile'] = buf.getvalue()
    res['theano_flags'] = os.environ.get('THEANO_FLAGS', '')
    res['blas_threads'] = backend.info()['blas threads']
    res['theano'] = theano.__version__
    res['keras'] = keras.__version__
    return res


def run_torch(args):
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
    res = run_torch(args) if args.method.startswith('torch') else run_keras(args)
    res.setdefault('peak_rss_mb', _peak_rss_mb())
    print('RESULT ' + json.dumps(res))


def load_average():
    """The 1-minute load average."""
    return os.getloadavg()[0]


def check_load(args, where):
    """The 1-minute load average now; raises `Refused` when it exceeds `--max-load` and
    `--on-load refuse` was given."""
    load = load_average()
    if load > args.max_load and args.on_load == 'refuse':
        raise Refused('throughput.py: load average %.2f %s exceeds --max-load %.2f (%d cores): '
                      'the machine is busy, nothing was written; run it on a quiet machine or '
                      'pass --on-load mark' % (load, where, args.max_load, os.cpu_count() or 1))
    return load


def child(args, method, nodes, extra_env=None):
    cmd = [sys.executable, os.path.abspath(__file__), '--worker', method, '--nodes', str(nodes),
           '--dim', str(args.dim), '--hidden-dim', str(args.hidden_dim),
           '--batch-size', str(args.batch_size), '--seconds', str(args.seconds),
           '--pool', str(args.pool), '--seed', str(args.seed)]
    if args.profile and method == OURS:
        cmd.append('--profile')
    env = dict(os.environ)
    env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
    if args.theano_flags:
        env['THEANO_FLAGS'] = ','.join(
            f for f in (env.get('THEANO_FLAGS', ''), args.theano_flags) if f)
    if args.no_count_params_fix and method in KERAS_METHODS:
        skip = [s for s in env.get('AUTHOR2VEC_SKIP_FIXES', '').split(',') if s.strip()]
        env['AUTHOR2VEC_SKIP_FIXES'] = ','.join(skip + ['count_params'])
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


def measure(args, method, nodes, extra_env=None):
    """One child measurement with the load average before and after (`loadavg`), and
    `loaded: True` when either exceeds `--max-load`."""
    before = check_load(args, 'before %s at %d nodes' % (method, nodes))
    res = child(args, method, nodes, extra_env)
    after = check_load(args, 'after %s at %d nodes' % (method, nodes))
    res['loadavg'] = [before, after]
    res['loaded'] = max(before, after) > args.max_load
    return res


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
    counts = sorted({int(k) for n in sizes for k in out['summary'][str(n)].get('workers') or {}
                     if int(k) > 1})
    for i, k in enumerate(counts):
        xs = [n for n in sizes if (out['summary'][str(n)].get('workers') or {}).get(str(k))]
        if xs:
            ax.plot(xs, [out['summary'][str(n)]['workers'][str(k)] for n in xs], marker='D',
                    color='C%d' % (4 + i), linestyle='--',
                    label='keras+Theano, RowAdam, %d Hogwild workers (ours)' % k)
    loaded = [n for n in sizes if out['summary'][str(n)]['loaded']]
    for n in loaded:
        ax.axvline(n, color='0.6', linestyle=':', linewidth=1)
    ax.set_xscale('log')
    ax.set_yscale('log')
    ax.set_xlabel('nodes (rows of the embedding table)')
    ax.set_ylabel('training pairs / s')
    a = out['args']
    ax.set_title('Author2Vec link model, d=%d, n_h=%d, batch %d\n%s, %d cores, load average '
                 '%.1f-%.1f%s' % (a['dim'], a['hidden_dim'], a['batch_size'],
                                  out['machine']['cpu'], out['machine']['cores'],
                                  out['load_min'], out['load_max'],
                                  ' (dotted: LOADED sizes)' if loaded else ''), fontsize=9)
    ax.grid(True, which='both', alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    sys.path.insert(0, ROOT)
    from author2vec_keras.fileio import save_figure
    save_figure(fig, path, dpi=120)


def table_lines(out, sizes):
    """The results table (markdown) and the lines under it."""
    a, summary = out['args'], out['summary']

    def mb(r, m):
        v = r['peak_mb'].get(m)
        return '-' if v is None else '%.0f' % v

    lines = ['pairs/s (best of %d windows of %.1f s each); ours = RowAdam, default settings, '
             'models.train_step; PyTorch sparse = the faster thread setting'
             % (WINDOWS, a['seconds'] / WINDOWS), '']
    workers = sorted(int(n) for n in summary[str(sizes[0])].get('workers', {}) if int(n) > 1)
    head = ['nodes', 'stock Adam', 'ours: RowAdam', 'ours: train_on_batch', 'ours: fit',
            'RowAdam, 2 BLAS threads']
    for n in workers:
        head += ['ours: %d workers' % n, '%d workers / 1' % n]
    head += ['PyTorch dense Adam', 'PyTorch SparseAdam',
             'ours / PyTorch sparse', 'peak MB ours / PyTorch sparse',
             'warm compile s (stock / ours)', 'load before-after (max)']
    lines.append('| ' + ' | '.join(head) + ' |')
    lines.append('|' + '---|' * len(head))
    for n in sizes:
        r = summary[str(n)]
        wc = r['warm_compile_s']
        per = [x for k in workers for x in (
            fmt(r['workers'].get(str(k))),
            '%.2f' % (r['workers'][str(k)] / r['ours'])
            if r['workers'].get(str(k)) and r['ours'] else '-')]
        lines.append('| ' + ' | '.join([
            '{:,}'.format(n), fmt(r['stock_adam']), fmt(r['ours']), fmt(r['ours_train_on_batch']),
            fmt(r['ours_fit']), fmt(r['rowadam_2t'])] + per + [fmt(r['torch_dense']),
            fmt(r['torch_sparse']), '%.2f' % r['ratio'] if r['ratio'] else '-',
            ' / '.join([mb(r, OURS), mb(r, r['torch_sparse_method'])]),
            ' / '.join('%.0f' % wc[m] if wc.get(m) else '-' for m in ('keras_adam', OURS)),
            '%.2f%s' % (r['load_max'], ' LOADED' if r['loaded'] else '')]) + ' |')
    lines.append('')
    if 'cold_compile' in out:
        lines.append('cold compile (empty Theano cache, RowAdam, %d nodes): %.1f s'
                     % (out['cold_compile']['nodes'],
                        out['cold_compile']['compile_s'] or float('nan')))
    lines.append('load average (1 min) from %.2f to %.2f over the measurements; --max-load %.2f'
                 % (out['load_min'], out['load_max'], out['max_load']))
    return lines


def ratio_lines(out, sizes):
    """One line per size: `nodes=N ours=... pytorch_sparse=... ratio=... load=...[ LOADED]`."""
    lines = []
    for n in sizes:
        r = out['summary'][str(n)]
        mark = ' LOADED' if r['loaded'] else ''
        workers = ''.join(' workers%s=%.0f speedup%s=%.2f' % (k, v or 0, k, (v or 0) / r['ours'])
                          for k, v in sorted(r['workers'].items(), key=lambda kv: int(kv[0]))
                          if int(k) > 1 and r['ours'])
        if r['torch_sparse'] is None:
            lines.append('nodes=%d ours=%.0f pytorch_sparse=skipped ratio=n/a%s load=%.2f%s'
                         % (n, r['ours'] or 0, workers, r['load_max'], mark))
        else:
            lines.append('nodes=%d ours=%.0f pytorch_sparse=%.0f ratio=%.2f%s load=%.2f%s'
                         % (n, r['ours'] or 0, r['torch_sparse'],
                            (r['ours'] or 0) / r['torch_sparse'], workers, r['load_max'], mark))
    return lines


def write_markdown(out, sizes, table, ratios, args):
    """`--markdown`: the run as a results page (command, machine, loads, versions, the table,
    every measurement's load, and the profiles when `--profile` was given)."""
    m, v = out['machine'], out['versions']
    loaded = [n for n in sizes if out['summary'][str(n)]['loaded']]
    text = ['# Training throughput: keras+Theano (stock Adam, RowAdam) vs PyTorch, same model', '',
            'Written by `benchmarks/throughput.py` (its docstring describes the model and every '
            'column); `%s` holds every window, versions, seed and load.'
            % (args.json or 'the --json file'), '',
            'Command:', '', '    ' + out['command'], '',
            'Machine: %s, %d cores, Python %s, %s. Versions: %s. Seed %d.'
            % (m['cpu'], m['cores'], m['python'], m['platform'],
               ', '.join('%s %s' % kv for kv in sorted(v.items())), out['args']['seed']), '']
    if loaded:
        text += ['**LOADED**: the load average exceeded %.2f (the number of cores unless '
                 '--max-load says otherwise) around the measurements at %s nodes: their '
                 'numbers and ratios do not count; run again on a quiet machine.'
                 % (out['max_load'], ', '.join('{:,}'.format(n) for n in loaded)), '']
    else:
        text += ['Quiet run: the 1-minute load average stayed between %.2f and %.2f (at most '
                 '%.2f allowed) before and after every measurement.'
                 % (out['load_min'], out['load_max'], out['max_load']), '']
    text += table + ['', '```'] + ratios + ['```', '', '## Load average per measurement', '',
                                            '| nodes | method | before | after |',
                                            '|---|---|---|---|']
    for n in sizes:
        for method, r in out['results'][str(n)].items():
            text.append('| {:,} | {} | {:.2f} | {:.2f}{} |'.format(
                n, method, r['loadavg'][0], r['loadavg'][1], ' LOADED' if r['loaded'] else ''))
    if args.plot:
        text += ['', '![pairs/s against nodes](%s)' % os.path.basename(args.plot)]
    profiles = [(n, out['results'][str(n)].get(OURS, {}).get('profile')) for n in sizes]
    profiles = [(n, p) for n, p in profiles if p]
    if profiles:
        text += ['', '## Theano profile of ours (RowAdam, default settings)']
        for n, p in profiles:
            text += ['', '### {:,} nodes'.format(n), '', '```', p.strip(), '```']
    sys.path.insert(0, ROOT)
    from author2vec_keras.fileio import atomic_open
    with atomic_open(args.markdown, 'w') as f:
        f.write('\n'.join(text) + '\n')


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
    p.add_argument('--workers', default='1',
                   help='comma-separated worker process counts, e.g. 1,2: for each N > 1 also '
                        'RowAdam in N Hogwild worker processes (keras_rowadam_wN)')
    p.add_argument('--theano-flags', default='',
                   help='extra THEANO_FLAGS for the Keras children, e.g. allow_gc=True')
    p.add_argument('--cold-compile', action='store_true',
                   help='also time a cold compile (empty Theano cache) of RowAdam at the '
                        'first size')
    p.add_argument('--profile', action='store_true', help='Theano profile of RowAdam per size')
    p.add_argument('--no-count-params-fix', action='store_true',
                   help="Keras children without backend fix 8 "
                        "(AUTHOR2VEC_SKIP_FIXES=count_params): "
                        "keras 2.0.9's own count_params, slow in train_on_batch")
    p.add_argument('--max-load', type=float, default=float(os.cpu_count() or 1),
                   help='1-minute load average above which a measurement counts as loaded '
                        '(default: the number of cores, %(default)s)')
    p.add_argument('--on-load', choices=('mark', 'refuse'), default='mark',
                   help='a loaded measurement: mark it LOADED in the results (default), or stop '
                        'with exit status 2 and write nothing')
    p.add_argument('--json', help='write all results to this JSON file')
    p.add_argument('--plot', help='write a PNG plot of pairs/s against nodes')
    p.add_argument('--markdown', help='write the run as a markdown results page')
    p.add_argument('--worker', help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        args.method = args.worker
        args.nodes = int(args.nodes)
        return worker(args)
    try:
        return run(args)
    except Refused as refused:
        print(str(refused), file=sys.stderr)
        sys.exit(2)


def run(args):
    sizes = [int(s) for s in args.nodes.split(',') if s.strip()]
    methods = [m for m in args.methods.split(',') if m]
    unknown = set(methods) - set(KERAS_METHODS + TORCH_METHODS)
    if unknown:
        print('throughput.py: --methods: unknown %s; known: %s'
              % (', '.join(sorted(unknown)), ', '.join(KERAS_METHODS + TORCH_METHODS)),
              file=sys.stderr)
        sys.exit(2)
    try:
        counts = sorted({int(n) for n in args.workers.split(',') if n.strip()})
    except ValueError:
        counts = [0]
    if not counts or counts[0] < 1:
        print('throughput.py: --workers: expected positive integers like 1,2, got %r'
              % args.workers, file=sys.stderr)
        sys.exit(2)
    methods += ['%s_w%d' % (OURS, n) for n in counts if n > 1]
    have_torch = torch_available()
    if not have_torch:
        print('NOTE: torch is not installed: skipping the PyTorch columns '
              '(pip install torch==2.13.0 for the CPU wheel).')
        methods = [m for m in methods if m not in TORCH_METHODS]
    check_load(args, 'at the start')
    out = {'command': ' '.join([os.path.basename(sys.executable)] + sys.argv),
           'machine': machine(), 'args': {k: v for k, v in vars(args).items() if k != 'worker'},
           'results': {}}
    if args.cold_compile:
        tmp = tempfile.mkdtemp(prefix='theano_cold_')
        flags = ','.join(
            f for f in (os.environ.get('THEANO_FLAGS', ''), 'base_compiledir=' + tmp) if f)
        print('cold compile (empty Theano cache %s) ...' % tmp, flush=True)
        try:
            r = measure(args, OURS, sizes[0], {'THEANO_FLAGS': flags})
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        out['cold_compile'] = {'nodes': sizes[0], 'compile_s': r.get('compile_s'),
                               'import_s': r.get('import_s'), 'error': r.get('error'),
                               'loadavg': r['loadavg'], 'loaded': r['loaded']}
        print('  cold compile: %.1f s' % (r.get('compile_s') or float('nan')), flush=True)
    for n in sizes:
        out['results'][str(n)] = {}
        for m in methods:
            print('nodes=%d %s ...' % (n, m), end=' ', flush=True)
            r = measure(args, m, n)
            out['results'][str(n)][m] = r
            load = 'load %.2f -> %.2f%s' % (r['loadavg'][0], r['loadavg'][1],
                                            ' LOADED' if r['loaded'] else '')
            if 'error' in r:
                print('ERROR (%s)\n%s' % (load, r['error']))
            else:
                print(', '.join('%s %s (median %s) pairs/s' % (k, fmt(v['best']), fmt(v['median']))
                                for k, v in r['loops'].items()),
                      '| peak %.0f MB' % r['peak_rss_mb'],
                      ('| compile %.1f s' % r['compile_s']) if 'compile_s' in r else '',
                      '|', load, flush=True)
            if r.get('profile'):
                print(r['profile'])
    out['machine']['loadavg_end'] = os.getloadavg()
    loads = [x for res in out['results'].values() for r in res.values() for x in r['loadavg']]
    out['load_min'], out['load_max'] = min(loads), max(loads)
    out['max_load'] = args.max_load
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
        ours = get(n, OURS, 'train_step')
        ts_m, ts = better(n, ('torch_sparse_adam', 'torch_sparse_adam_1t'), 'train_step')
        summary[n] = {
            'workers': dict({'1': ours}, **{
                str(_workers_of(m)): get(n, m, 'workers') for m in res if _workers_of(m) > 1}),
            'stock_adam': get(n, 'keras_adam', 'train_step'),
            'ours': ours, 'ours_method': OURS,
            'ours_train_on_batch': get(n, OURS, 'train_on_batch'),
            'ours_fit': get(n, OURS, 'fit'),
            'rowadam_2t': get(n, 'keras_rowadam_2t', 'train_step'),
            'torch_dense': get(n, 'torch_dense_adam', 'train_step'),
            'torch_sparse': ts, 'torch_sparse_method': ts_m,
            'ratio': ours / ts if ours and ts else None,
            'peak_mb': {m: res[m].get('peak_rss_mb') for m in res if 'peak_rss_mb' in res[m]},
            'warm_compile_s': {m: res[m].get('compile_s') for m in res if 'compile_s' in res[m]},
            'load_max': max(x for r in res.values() for x in r['loadavg']),
            'loaded': any(r['loaded'] for r in res.values()),
        }
    out['summary'] = {str(k): v for k, v in summary.items()}

    def mb(n, m):
        v = summary[n]['peak_mb'].get(m)
        return '-' if v is None else '%.0f' % v

    table = table_lines(out, sizes)
    ratios = ratio_lines(out, sizes)
    print()
    print('\n'.join(table))
    if args.json:
        sys.path.insert(0, ROOT)
        from author2vec_keras.fileio import atomic_open
        with atomic_open(args.json, 'w') as f:
            json.dump(out, f, indent=1)
    if args.plot:
        plot(out, sizes, args.plot)
    if args.markdown:
        write_markdown(out, sizes, table, ratios, args)
    print()
    if not have_torch:
        print('NOTE: PyTorch skipped: torch is not installed.')
    print('\n'.join(ratios))
    return out


if __name__ == '__main__':
    main()
