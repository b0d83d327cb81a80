"""`author2vec benchmark`: every method on the same data, split and protocol, in one table.

    author2vec benchmark --dataset ca-astroph --task link-prediction --seeds 1
    author2vec benchmark --dataset karate --task clustering --quick
    author2vec benchmark --edgelist graph.csv --labels labels.csv --task node-classification

Writes `<output-dir>/<task>_<dataset>[_quick].{json,md,png}` (your own graph: named after its
file, `datasets.from_files`): the JSON holds every number (per seed), the versions, seeds,
command, timings, the load average before and after each fit and the process CPU seconds beside
the wall seconds (Author2Vec: per epoch too); the markdown table shows mean +/- std over seeds
with the published numbers beside ours; the PNG plots the main metric.

Methods (`--methods`, comma separated; default: all that apply to the task): `methods.METHODS`,
each with its kind and label in `methods.REGISTRY` (Author2Vec on the edges or on DeepWalk's
walks, DeepWalk, node2vec, LINE, spectral, random vectors at chance level, and for link
prediction the heuristics).
"""
import json
import os
import sys
import time
import warnings

import numpy as np
from tqdm import tqdm

from author2vec_keras.checks import one_of, positive_int
from author2vec_keras.evaluation import methods as registry, pipeline, protocols
from author2vec_keras.evaluation.pipeline import TASKS
from author2vec_keras.evaluation.reporting import PUBLISHED, markdown_table, plot
from author2vec_keras.fileio import atomic_open
from author2vec_keras.training.estimator import Author2Vec

__all__ = ['TASKS', 'METHODS', 'DEFAULT_METHODS', 'make_method', 'parse_methods', 'run_benchmark',
           'method_settings', 'summarize', 'loadavg', 'json_default']

#: every method's name (`methods.REGISTRY`), and those each task runs when none is given
METHODS = registry.METHODS
DEFAULT_METHODS = {task: registry.names(default_for=task) for task in TASKS}


# ----------------------------------------------------------------------------------------------
# methods

#: quick mode's least training per method, whatever the graph's size (a small graph's one epoch
#: is a few gradient steps: measured on Les Miserables, 77 nodes, at chance): walk tokens of
#: DeepWalk/node2vec (2 walks per node: AUC 0.55; 30: 0.83) and Author2Vec's positive pairs
#: (1 epoch: 0.52; 100 epochs, 25k pairs: 0.84)
QUICK_WALK_TOKENS = 40000
QUICK_PAIRS = 25000


def method_settings(quick, dim, graph=None):
    """Method hyper-parameters. Full: the reference implementations' defaults (Author2Vec: its
    estimator's defaults). Quick: small ones, raised on a small `graph` to `QUICK_WALK_TOKENS`
    and `QUICK_PAIRS`."""
    if quick:
        # LINE: 0.2M edge samples at a 10x rate (2 epochs of a small graph stayed at chance)
        s = dict(dim=min(dim, 16), num_walks=2, walk_length=20, window=5, line_epochs=2,
                 line_min_samples=200000, line_lr=0.25, line_batch=256, a2v_epochs=1,
                 shuffles=2, ratios=(0.5,), workers=1)
        if graph is not None and graph.num_edges:
            s['num_walks'] = max(s['num_walks'], -(-QUICK_WALK_TOKENS // (
                graph.num_nodes * s['walk_length'])))
            s['a2v_epochs'] = max(s['a2v_epochs'], -(-QUICK_PAIRS // graph.num_edges))
        return s
    return dict(dim=dim, num_walks=10, walk_length=80, window=10, line_epochs=20,
                line_min_samples=1000000, line_lr=0.025, line_batch=1024,
                a2v_epochs=Author2Vec().epochs,
                shuffles=pipeline.SHUFFLES, ratios=pipeline.RATIOS, workers=2)


def make_method(name, seed=0, quick=False, dim=None, p=1.0, q=1.0, epochs=None, settings=None):
    """An unfitted estimator for a method name (see `methods.REGISTRY`), or the scoring
    function of a link heuristic.

    `dim`: embedding size of every method (default Author2Vec's); `epochs`: Author2Vec's passes
    over the edges (default its estimator's; 1 in quick mode); `settings`: all of them, as
    `run_benchmark` made them for its graph (then `quick` and `dim` are not read).
    """
    s = dict(settings) if settings else \
        method_settings(quick, Author2Vec().dim if dim is None else dim)
    if epochs is not None:
        s['a2v_epochs'] = int(epochs)
    return registry.build(name, s, seed=seed, p=p, q=q)


# ----------------------------------------------------------------------------------------------
# data

def _load(dataset):
    """(name, Graph, labels or None, bundled) from a dataset name, a Dataset (e.g.
    `datasets.from_files`), a Graph or a networkx graph."""
    from author2vec_keras.data.graph import Graph
    if isinstance(dataset, str):
        from author2vec_keras.data import datasets
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            ds = datasets.load(dataset)
        return dataset, ds.graph, ds.labels, True
    if isinstance(dataset, Graph):
        return 'graph', dataset, None, False
    if hasattr(dataset, 'graph'):
        return getattr(dataset, 'name', 'graph'), dataset.graph, \
            getattr(dataset, 'labels', None), False
    import networkx as nx
    if isinstance(dataset, nx.Graph):
        return 'graph', Graph.from_networkx(dataset), None, False
    raise TypeError('dataset must be a name, a Dataset, a Graph or a networkx graph')


def parse_methods(methods, task):
    """The list of method names for `task` from None (all for the task), a list or a comma
    separated string; ValueError names an unknown method or one the task cannot run."""
    if methods is None:
        return list(DEFAULT_METHODS[task])
    if isinstance(methods, str):
        methods = methods.split(',')
    out = []
    for m in methods:
        m = str(m).strip()
        if not m or m in out:
            continue
        method = registry.get(m)
        if task not in method.tasks:
            raise ValueError('%s is a %s: only for --task %s'
                             % (m, registry.KINDS[method.kind], ', '.join(method.tasks)))
        out.append(m)
    if not out:
        raise ValueError('no method given; choose from %s' % ', '.join(METHODS))
    return out


def _check_graph(graph, task, methods, make):
    """Refuse, before any file is written, a graph the task or a method cannot run on
    (`GraphError`, `MemoryError`; the command line names the file)."""
    from author2vec_keras.data.graph import GraphError, check_weights
    from author2vec_keras.data.negatives import check_negatives
    from author2vec_keras.data.splits import removable_edges
    if graph.num_edges == 0:
        raise GraphError('the graph has no edges')
    check_weights(graph)
    if task == 'link-prediction' and removable_edges(graph) == 0:
        raise GraphError('no edge can be held out for link prediction without disconnecting '
                         'the graph (a tree or forest); the other tasks can run')
    if task == 'link-prediction':  # held-out non-edges, and negatives for the training pairs
        check_negatives(graph)
    for m in methods:
        kind = registry.get(m).kind
        if kind in ('author2vec', 'author2vec-walks'):  # memory of the Author2Vec models
            make(m).check_fit(graph)
        elif kind in ('embedding', 'chance'):
            _check_baseline_memory(m, graph, task, make(m))


#: copies of a baseline's (nodes x dim) float64 vectors at once: its own, the evaluation's
#: (normalised, scaled) and the classifier's
VECTOR_COPIES = 3
#: bytes per walk token of DeepWalk/node2vec: the int64 walks array, and room for numpy's
#: temporaries over it (gensim reads the corpus from a file, a row at a time)
WALK_TOKEN_BYTES = 16


def _baseline_memory(name, graph, task, method):
    """{term: bytes} at the peak of the baseline `method` (named `name`, an unfitted
    estimator of `baselines`) on `graph`, counted from the code: its (nodes x dim) vectors and
    their copies, what its training holds (walks and word2vec tables, LINE's tables and
    batches, ARPACK's Lanczos vectors) and link prediction's pair features."""
    n, d = graph.num_nodes, int(method.dim)
    out = {'vectors': 8.0 * n * d * VECTOR_COPIES}
    if task == 'link-prediction':  # edge features (Hadamard, L1, ...) of train and test pairs
        out['pair features'] = 8.0 * d * 4 * graph.num_edges
    if hasattr(method, 'num_walks'):  # DeepWalk, node2vec
        out['walks'] = WALK_TOKEN_BYTES * float(method.num_walks) * n * method.walk_length
        out['word2vec tables'] = 4.0 * 2 * n * d
    elif hasattr(method, 'min_samples'):  # LINE: vectors, contexts; a batch of 1 + k pairs
        out['LINE tables'] = 8.0 * 2 * n * d
        out['LINE batch'] = 8.0 * 3 * method.batch_size * (1 + method.negatives) * d
    elif name == 'spectral':  # ARPACK's Lanczos vectors, 2k + 1 of them, k = dim + 1
        out['Lanczos vectors'] = 8.0 * n * max(2 * min(d + 1, n - 1) + 1, 20)
    return out


def _check_baseline_memory(name, graph, task, method):
    """`MemoryError` naming --dim when the baseline `name` cannot fit in memory
    (`memory.check_fits`), before any method runs."""
    from author2vec_keras.training.memory import check_fits
    parts = _baseline_memory(name, graph, task, method)
    largest = max(parts, key=parts.get)
    advice = 'lower --dim (%d)' % method.dim if largest != 'walks' else \
        'the graph is too large for its walks (%d x %d per node; --quick makes fewer)' \
        % (method.num_walks, method.walk_length)
    check_fits('%s on %d nodes x %d dimensions' % (name, graph.num_nodes, method.dim),
               parts, advice)


def _flatten(res, prefix=''):
    """{'a': {'b': 1}} -> {'a/b': 1}; lists are averaged (shuffles)."""
    out = {}
    for k, v in res.items():
        key = prefix + str(k)
        if isinstance(v, dict):
            out.update(_flatten(v, key + '/'))
        elif isinstance(v, (list, tuple)):
            out[key] = float(np.mean(v))
        elif isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool):
            out[key] = float(v)
    return out


def summarize(runs):
    """Per method: {metric: [mean, std, count]} over seeds."""
    out = {}
    for name, per_seed in runs.items():
        vals = {}
        for r in per_seed:
            if 'error' in r:
                continue
            for k, v in _flatten(r['metrics']).items():
                vals.setdefault(k, []).append(v)
        out[name] = {k: [float(np.mean(v)), float(np.std(v)), len(v)] for k, v in vals.items()}
    return out


# ----------------------------------------------------------------------------------------------
# entry points

def run_benchmark(dataset, task, methods=None, seeds=1, quick=False, output_dir='results',
                  command=None, dim=None, p=1.0, q=1.0, outlier_fraction=0.05, shuffles=None,
                  epochs=None, resume=False, rerun=(), progress=True, workers=None):
    """Run `methods` on `dataset` for `task` over `seeds` seeds; write JSON, markdown and PNG.

    # Arguments
        dataset: a bundled dataset name (see `author2vec datasets`), a Dataset (your own
            files: `datasets.from_files`), a Graph or a networkx graph.
        task: one of `TASKS`.
        methods: list of method names (or a comma separated string); default all for the task.
        seeds: number of seeds (0..seeds-1): each seed gives a new split / initialisation /
            classifier shuffles.
        quick: tiny settings (CI smoke test): d<=16, 2 short walks per node, one epoch, LINE
            0.2M edge samples at 10x its rate: each method still above chance.
        output_dir: where the files go (created).
        command: the command line to record (default `sys.argv`).
        dim: embedding size of every method (default Author2Vec's, 128: the reference).
        p, q: node2vec's return and in-out parameters.
        outlier_fraction: planted outliers for the outliers task.
        shuffles: node classification splits per training ratio per seed (default 10; 2 quick).
        epochs: Author2Vec's passes over the edges (default its estimator's, 10; 1 quick).
        workers: the Author2Vec methods' worker processes (`Author2Vec(workers=...)`) and
            DeepWalk's and node2vec's gensim threads; None: 1 process, and 2 threads (1
            quick).
        resume: keep the methods an earlier run of the same dataset/task/mode already finished
            for every seed (read from the JSON in `output_dir`), and the seeds it finished of
            the others with the same settings; run only the rest.
        rerun: with `resume`, methods to run again whatever the earlier run has of them (their
            rows replaced: after a change to the method).

    # Returns
        Path of the JSON written; the markdown table is also printed. A method that fails is
        recorded (its `error` in the JSON and the table) and the others run on.

    # Raises
        ValueError (an unknown method, a task the data cannot run), `GraphError` (a graph too
        small, nothing to hold out) or `MemoryError`, before any file is written.
    """
    one_of('task', task, TASKS)
    methods = parse_methods(methods, task)
    seeds = int(seeds)
    if seeds < 1:
        raise ValueError('seeds must be >= 1')
    for flag, value in (('dim', dim), ('epochs', epochs), ('shuffles', shuffles),
                        ('workers', workers)):
        if value is not None:
            positive_int(flag, value)
    for flag, value in (('p', p), ('q', q)):
        if not 0 < value < float('inf'):
            raise ValueError('%s must be a positive number, got %r' % (flag, value))
    if not 0 < outlier_fraction < 1:
        raise ValueError('outlier_fraction must be in (0, 1), got %r' % (outlier_fraction,))
    name, graph, labels, bundled = _load(dataset)
    if task == 'node-classification' and labels is None:
        raise ValueError('%s has no labels: node classification needs them%s'
                         % (name, '' if bundled else ' (--labels FILE)'))
    if task == 'node-classification':
        try:
            protocols.check_labels(labels)
        except ValueError as e:
            raise ValueError('%s: %s' % (name if bundled else 'labels of ' + name, e)) from None
    dim = Author2Vec().dim if dim is None else dim
    s = method_settings(quick, dim, graph)
    s['outlier_fraction'] = outlier_fraction
    if shuffles is not None:
        s['shuffles'] = int(shuffles)
    if epochs is not None:
        s['a2v_epochs'] = int(epochs)
    if workers is not None:  # only then in the settings: a resumed run's stay the same
        s['workers'] = s['a2v_workers'] = int(workers)

    def make(m, seed=0):
        return make_method(m, seed=seed, p=p, q=q, epochs=s['a2v_epochs'], settings=s)
    _check_graph(graph, task, methods, make)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        first_setup = pipeline.prepare(task, graph, labels, seed=0, test_fraction=0.5,
                                       outlier_fraction=outlier_fraction)
    if command is None:
        command = ' '.join(['author2vec'] + sys.argv[1:]) if sys.argv and \
            os.path.basename(sys.argv[0]).startswith('author2vec') else ' '.join(sys.argv)
    stem = os.path.join(output_dir, '%s_%s%s' % (task, name, '_quick' if quick else ''))
    runs, done, kept = _resumed(stem + '.json', methods, seeds, dict(s, p=p, q=q),
                                rerun) if resume else ({m: [] for m in methods}, {}, {})
    methods = list(runs)
    started = time.time()
    bar = tqdm(total=seeds * len(methods), disable=not progress, file=sys.stderr,
               desc='%s %s' % (name, task))
    os.makedirs(output_dir, exist_ok=True)
    result = {
        'dataset': name, 'task': task, 'methods': methods, 'seeds': list(range(seeds)),
        'quick': bool(quick), 'command': command, 'settings': dict(s, p=p, q=q),
        'graph': {'nodes': graph.num_nodes, 'edges': graph.num_edges},
        'published': {'/'.join(k): v for k, v in PUBLISHED.items()
                      if bundled and k[0] == name and k[1] == task},
    }
    if not bundled and getattr(dataset, 'source', None):
        result['source'] = dataset.source
    if done:
        result['resumed'] = {m: 'kept from the earlier run (its settings: %s)'
                             % json.dumps(st, sort_keys=True) for m, st in done.items()}
    state = dict(result=result, runs=runs, split=None, train_pairs=None, started=started,
                 stem=stem, complete=False)
    for seed in range(seeds):
        if seed == 0:
            setup = first_setup
        else:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                setup = pipeline.prepare(task, graph, labels, seed=seed, test_fraction=0.5,
                                         outlier_fraction=outlier_fraction)
        for m in methods:
            if m in done or seed in kept.get(m, ()):
                bar.update(1)
                continue
            bar.set_postfix_str('seed %d %s' % (seed, m))
            try:
                method = make(m, seed)
                load, cpu = loadavg(), time.process_time()
                metrics, timings = pipeline.fit_and_score(method, setup, seed=seed,
                                                          ratios=s['ratios'],
                                                          shuffles=s['shuffles'])
                run = {'seed': seed, 'metrics': metrics, 'timings': timings,
                       'loadavg': [load, loadavg()], 'cpu_seconds': time.process_time() - cpu}
                detail = getattr(method, 'timings_', None)
                if isinstance(detail, dict):  # where the fit's time went (Author2Vec)
                    run['fit_detail'] = detail
                runs[m].append(run)
            except Exception as e:  # noqa: BLE001  one failing method must not lose the others
                if os.environ.get('AUTHOR2VEC_TRACEBACK'):
                    raise
                error = '%s: %s' % (type(e).__name__, (str(e).strip() or '-').splitlines()[0])
                runs[m].append({'seed': seed, 'error': error})
                if progress:  # the command's last line names every failure
                    bar.write('%s failed on seed %d: %s' % (m, seed, error), file=sys.stderr)
            state.update(split=setup.split, train_pairs=setup.train_pairs)
            _write(**state)
            bar.update(1)
    bar.close()
    state['complete'] = True
    stem = _write(**state)
    print(markdown_table(state['result']))
    return stem + '.json'


def _resumed(path, methods, seeds, settings, rerun=()):
    """(runs, done, kept) of a resumed run: the earlier run's methods first, in its order, every
    one kept that is not asked for again or that finished every seed (`done`: its settings);
    of the others, the seeds that finished under the same `settings` are kept (`kept`: method
    -> seeds; a stopped run goes on at its next seed), the rest run again; then the methods
    asked for that it lacks (`runs[m] == []`). The methods in `rerun` keep nothing."""
    runs, done, kept = {}, {}, {}
    if os.path.exists(path):
        with open(path) as f:
            old = json.load(f)
        same = json.loads(json.dumps(settings, default=json_default)) == old.get('settings')
        for m, rs in old.get('runs', {}).items():
            if m in rerun:
                runs[m] = []
                continue
            ok = sorted(r['seed'] for r in rs if 'error' not in r)
            if m not in methods or ok == list(range(seeds)):
                runs[m] = rs
                done[m] = old.get('settings', {})
            else:
                runs[m] = [r for r in rs if same and 'error' not in r and r['seed'] < seeds]
                kept[m] = {r['seed'] for r in runs[m]}
    for m in methods:
        runs.setdefault(m, [])
    return runs, done, kept


def loadavg():
    """The 1-minute load average (recorded before and after every fit: the fit seconds of a
    shared machine are read beside it), or None where the system has none."""
    try:
        return round(os.getloadavg()[0], 2)
    except (OSError, AttributeError):
        return None


def _write(result, runs, split, train_pairs, stem, started, complete):
    """Write JSON, markdown and PNG of the runs so far (also after every method: a long run that
    is stopped keeps what it finished)."""
    result['runs'] = runs
    result['complete'] = complete
    result['total_seconds'] = time.time() - started
    result['versions'] = pipeline.versions()
    if split is not None:
        result['split'] = {'train_edges': split.train_graph.num_edges,
                           'test_edges': len(split.test_edges),
                           'test_negatives': len(split.test_negatives),
                           'train_non_edges': int((train_pairs[1] == 0).sum())}
    result['summary'] = summarize(runs)
    md = markdown_table(result)
    with atomic_open(stem + '.md', 'w') as f:
        f.write(md)
    if complete:
        try:
            plot(result, stem + '.png')
            result['plot'] = os.path.basename(stem + '.png')
        except Exception as e:  # noqa: BLE001  a plot must not lose the numbers
            result['plot_error'] = '%s: %s' % (type(e).__name__, e)
    with atomic_open(stem + '.json', 'w') as f:
        json.dump(result, f, indent=1, default=json_default)
    return stem


def json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, tuple):
        return list(o)
    raise TypeError(type(o).__name__)
