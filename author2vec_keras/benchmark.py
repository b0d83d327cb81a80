"""`author2vec benchmark`: every method on the same data, split and protocol, in one table.

    author2vec benchmark --dataset ca-astroph --task link-prediction --seeds 1
    author2vec benchmark --dataset karate --task clustering --quick

Writes `<output-dir>/<task>_<dataset>[_quick].{json,md,png}`: the JSON holds every number
(per seed), the versions, seeds, command and timings; the markdown table shows mean +/- std over
seeds with the published numbers beside ours; the PNG plots the main metric.

Methods (`--methods`, comma separated; default: all that apply to the task):
  author2vec, author2vec-blog (this project's Keras model, 'paper' and 'blog' variants),
  deepwalk, node2vec, line (1st+2nd), line-1, line-2, spectral, random (chance level), and for
  link prediction the heuristics common-neighbours, jaccard, adamic-adar,
  preferential-attachment.
"""
import json
import os
import platform
import sys
import time
import warnings

import numpy as np

from . import baselines, evaluation
from .io import atomic_open, save_figure

__all__ = ['TASKS', 'METHODS', 'PUBLISHED', 'run_benchmark', 'add_benchmark_arguments',
           'benchmark_from_args', 'main']

TASKS = ('link-prediction', 'node-classification', 'clustering', 'outliers')

EMBEDDING_METHODS = ('author2vec', 'author2vec-blog', 'deepwalk', 'node2vec', 'line', 'line-1',
                     'line-2', 'spectral', 'random')
METHODS = EMBEDDING_METHODS + tuple(baselines.HEURISTICS)

DEFAULT_METHODS = {
    'link-prediction': ('common-neighbours', 'jaccard', 'adamic-adar', 'preferential-attachment',
                        'spectral', 'deepwalk', 'node2vec', 'line', 'random', 'author2vec',
                        'author2vec-blog'),
    'node-classification': ('spectral', 'deepwalk', 'node2vec', 'line', 'random', 'author2vec',
                            'author2vec-blog'),
    'clustering': ('spectral', 'deepwalk', 'node2vec', 'line', 'random', 'author2vec'),
    'outliers': ('spectral', 'deepwalk', 'node2vec', 'line', 'random', 'author2vec'),
}

# Published numbers, each with where it comes from. 'verified' False: recalled from node2vec's
# Table 4 (KDD 2016) but not checked against the paper from here; shown in their own column.
_N2V = 'node2vec paper (Grover & Leskovec KDD 2016) Table 4, Hadamard operator, AUC'
_N2V_UNVERIFIED = _N2V + ' -- recalled, NOT verified against the paper here'
PUBLISHED = {
    ('ca-astroph', 'link-prediction'): {
        'source': _N2V + ' (also in PaddlePaddle/PGL node2vec README)',
        'metric': 'hadamard AUC', 'verified': True,
        'values': {'deepwalk': 0.9340, 'node2vec': 0.9366}},
    ('ca-astroph', 'link-prediction', 'unverified'): {
        'source': _N2V_UNVERIFIED, 'metric': 'hadamard AUC', 'verified': False,
        'values': {'common-neighbours': 0.8153, 'jaccard': 0.8067, 'adamic-adar': 0.8315,
                   'preferential-attachment': 0.6996, 'line': 0.8902}},
    ('facebook', 'link-prediction', 'unverified'): {
        'source': _N2V_UNVERIFIED, 'metric': 'hadamard AUC', 'verified': False,
        'values': {'common-neighbours': 0.8100, 'jaccard': 0.8880, 'adamic-adar': 0.8289,
                   'preferential-attachment': 0.7137, 'deepwalk': 0.9680, 'line': 0.9490,
                   'node2vec': 0.9680}},
    ('ppi', 'link-prediction', 'unverified'): {
        'source': _N2V_UNVERIFIED, 'metric': 'hadamard AUC', 'verified': False,
        'values': {'common-neighbours': 0.7142, 'jaccard': 0.7018, 'adamic-adar': 0.7126,
                   'preferential-attachment': 0.6670, 'deepwalk': 0.7441, 'line': 0.7249,
                   'node2vec': 0.7719}},
    ('blogcatalog', 'node-classification'): {
        'source': 'OpenNE README (thunlp/OpenNE), d=128, 50% labelled, Micro-F1 / Macro-F1',
        'metric': 'micro/macro F1 at 50%', 'verified': True,
        'values': {'deepwalk': (0.385, 0.238), 'line': (0.398, 0.235),
                   'node2vec': (0.404, 0.264)}},
    ('blogcatalog', 'node-classification', 'deepwalk-readme'): {
        'source': 'DeepWalk README (phanein/deepwalk), Micro-F1 at 10%..90% labelled',
        'metric': 'micro F1 by ratio', 'verified': True,
        'values': {'deepwalk': dict(zip([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
                                        [0.3586, 0.3851, 0.3996, 0.4076, 0.4151, 0.4185,
                                         0.4227, 0.4235, 0.4240]))}},
    ('wiki', 'node-classification'): {
        'source': 'OpenNE README (thunlp/OpenNE), d=128, 50% labelled, Micro-F1 / Macro-F1',
        'metric': 'micro/macro F1 at 50%', 'verified': True,
        'values': {'deepwalk': (0.669, 0.560), 'line-2': (0.576, 0.387),
                   'node2vec': (0.651, 0.541)}},
}


# ----------------------------------------------------------------------------------------------
# methods

def _settings(quick, dim):
    """Method hyper-parameters. Full: the reference implementations' defaults."""
    if quick:
        return dict(dim=min(dim, 16), num_walks=2, walk_length=20, window=5, line_epochs=2,
                    line_min_samples=0,
                    a2v_epochs=1, shuffles=2, ratios=(0.5,), workers=1)
    return dict(dim=dim, num_walks=10, walk_length=80, window=10, line_epochs=20,
                line_min_samples=1000000, a2v_epochs=10,
                shuffles=10, ratios=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9), workers=2)


def make_method(name, seed=0, quick=False, dim=128, p=1.0, q=1.0, epochs=None):
    """An unfitted estimator for an embedding method name (see `EMBEDDING_METHODS`).

    `epochs`: Author2Vec's passes over the edges (default 10; 1 in quick mode).
    """
    s = _settings(quick, dim)
    if epochs is not None:
        s['a2v_epochs'] = int(epochs)
    d = s['dim']
    walk = dict(dim=d, num_walks=s['num_walks'], walk_length=s['walk_length'],
                window=s['window'], workers=s['workers'], random_state=seed)
    if name == 'deepwalk':
        return baselines.DeepWalk(**walk)
    if name == 'node2vec':
        return baselines.Node2Vec(p=p, q=q, **walk)
    if name in ('line', 'line-1', 'line-2'):
        order = {'line': 3, 'line-1': 1, 'line-2': 2}[name]
        return baselines.LINE(dim=d, order=order, epochs=s['line_epochs'],
                              min_samples=s['line_min_samples'], random_state=seed)
    if name == 'spectral':
        return baselines.SpectralEmbedding(dim=d, random_state=seed)
    if name == 'random':
        return baselines.RandomEmbedding(dim=d, random_state=seed)
    if name in ('author2vec', 'author2vec-blog'):
        from .estimator import Author2Vec
        return Author2Vec(dim=d, epochs=s['a2v_epochs'],
                          model='blog' if name == 'author2vec-blog' else 'paper',
                          random_state=seed, verbose=0)
    raise ValueError('unknown method %r; choose from %s' % (name, ', '.join(METHODS)))


def _own_score(name, est):
    """The method's own pair scorer (index pairs -> scores), or None for the inner product."""
    if name.startswith('author2vec'):
        if hasattr(est, 'edge_probability'):
            return est.edge_probability
        return lambda pairs: est.predict_proba(
            [(est.graph_.nodes[u], est.graph_.nodes[v]) for u, v in np.asarray(pairs)])
    return None


# ----------------------------------------------------------------------------------------------
# data

def _load(dataset):
    """(name, Graph, labels or None) from a dataset name, a Dataset, a Graph or a networkx graph."""
    from .graph import Graph
    if isinstance(dataset, str):
        from . import datasets
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            ds = datasets.load(dataset)
        return dataset, ds.graph, ds.labels
    if isinstance(dataset, Graph):
        return 'graph', dataset, None
    if hasattr(dataset, 'graph'):
        return getattr(dataset, 'name', 'graph'), dataset.graph, getattr(dataset, 'labels', None)
    import networkx as nx
    if isinstance(dataset, nx.Graph):
        return 'graph', Graph.from_networkx(dataset), None
    raise TypeError('dataset must be a name, a Dataset, a Graph or a networkx graph')


def versions():
    """Versions of the stack that produced a result."""
    import importlib
    out = {'python': platform.python_version(), 'platform': platform.platform()}
    for mod in ('author2vec_keras', 'numpy', 'scipy', 'sklearn', 'networkx', 'gensim',
                'matplotlib'):
        try:
            out[mod] = importlib.import_module(mod).__version__
        except Exception:  # noqa: BLE001
            out[mod] = None
    for mod in ('theano', 'keras'):
        m = sys.modules.get(mod)  # only if a method imported it
        out[mod] = getattr(m, '__version__', None) if m else None
    return out


# ----------------------------------------------------------------------------------------------
# one run

def _run_one(task, name, seed, graph, labels, split, train_pairs, outlier_setup, s, quick, p, q,
             dim):
    """Fit one method for one seed and evaluate it; returns (metrics, timings)."""
    timings = {}
    if name in baselines.HEURISTICS:
        if task != 'link-prediction':
            raise ValueError('%s is a link heuristic: link-prediction only' % name)
        fn = baselines.HEURISTICS[name]
        t0 = time.time()
        res = evaluation.evaluate_link_prediction(
            None, split, own_score=lambda pairs: fn(split.train_graph, pairs))
        timings['evaluate'] = time.time() - t0
        return res, timings
    est = make_method(name, seed=seed, quick=quick, dim=dim, p=p, q=q, epochs=s['a2v_epochs'])
    fit_graph = {'link-prediction': split.train_graph if split is not None else None,
                 'outliers': outlier_setup[0] if outlier_setup else None}.get(task, graph)
    t0 = time.time()
    est.fit(fit_graph)
    emb = np.asarray(est.get_embedding(), dtype=np.float64)
    timings['fit'] = time.time() - t0
    t0 = time.time()
    if task == 'link-prediction':
        res = evaluation.evaluate_link_prediction(emb, split, own_score=_own_score(name, est),
                                                  seed=seed, train=train_pairs)
    elif task == 'node-classification':
        res = evaluation.evaluate_node_classification(emb, labels, train_ratios=s['ratios'],
                                                      shuffles=s['shuffles'], seed=seed)
        res = {('%g' % r): v for r, v in res.items()}
    elif task == 'clustering':
        res = evaluation.evaluate_clustering(emb, labels, graph, seed=seed)
    elif task == 'outliers':
        res = evaluation.evaluate_outliers(emb, outlier_setup[1], seed=seed)
    else:
        raise ValueError('unknown task %r' % task)
    timings['evaluate'] = time.time() - t0
    return res, timings


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


def _summary(runs):
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
# tables and plots

def _fmt(stat, pct=False):
    if stat is None:
        return '-'
    mean, std, n = stat
    scale = 100.0 if pct else 1.0
    if n > 1:
        return '%.4f +/- %.4f' % (mean * scale, std * scale) if not pct else \
            '%.2f +/- %.2f' % (mean * scale, std * scale)
    return '%.4f' % (mean * scale) if not pct else '%.2f' % (mean * scale)


def _published(dataset, task):
    return {k[2] if len(k) > 2 else 'main': v for k, v in PUBLISHED.items()
            if k[0] == dataset and k[1] == task}


def markdown_table(result):
    """Markdown for a result dict as written by `run_benchmark`."""
    task, dataset = result['task'], result['dataset']
    summ = result['summary']
    methods = [m for m in result['methods'] if m in summ]
    pub = _published(dataset, task)
    lines = ['## %s on %s' % (task, dataset), '',
             '%d seed(s)%s; mean +/- std over seeds. Command: `%s`' % (
                 len(result['seeds']), ', quick mode' if result['quick'] else '',
                 result['command'] or '')]
    st = result.get('settings', {})
    if st:
        lines += ['', 'Settings: d=%s; DeepWalk/node2vec %s walks x %s, window %s, 1 skip-gram epoch '
                  '(node2vec p=%s, q=%s); LINE max(%s x |E|, %s) edge samples per order; Author2Vec '
                  '%s epochs (its estimator defaults otherwise).'
                  % (st.get('dim'), st.get('num_walks'), st.get('walk_length'), st.get('window'),
                     st.get('p'), st.get('q'), st.get('line_epochs'),
                     st.get('line_min_samples', 0), st.get('a2v_epochs'))]
    for m, note in sorted(result.get('resumed', {}).items()):
        lines += ['', '%s: %s.' % (m, note)]
    if not result.get('complete', True):
        lines.append('')
        lines.append('**Partial: the run had not finished all methods when this was written.**')
    lines.append('')
    if task == 'link-prediction':
        ops = ['own'] + list(evaluation.EDGE_OPERATORS)
        head = ['method'] + ['AUC %s' % o for o in ops] + ['AP hadamard', 'AP own']
        if 'main' in pub:
            head.append('published AUC (Hadamard)')
        if 'unverified' in pub:
            head.append('node2vec Table 4 AUC (Hadamard), unverified')
        head.append('fit s')
        lines += ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
        for m in methods:
            s = summ[m]
            row = [m] + [_fmt(s.get('%s/auc' % o)) for o in ops] + \
                [_fmt(s.get('hadamard/ap')), _fmt(s.get('own/ap'))]
            for key in ('main', 'unverified'):
                if key in pub:
                    v = pub[key]['values'].get(m)
                    row.append('%.4f' % v if v is not None else '')
            row.append(_fmt_time(result, m))
            lines.append('| ' + ' | '.join(row) + ' |')
        lines += ['', 'own = the method\'s own pair score (Author2Vec: its edge probability; '
                  'heuristics: their value; other embeddings: inner product), no classifier. '
                  'Operators: node2vec edge features + logistic regression trained on the '
                  'training edges and as many sampled non-edges.']
    elif task == 'node-classification':
        ratios = sorted({k.split('/')[0] for s in summ.values() for k in s}, key=float)
        head = ['method'] + ['Micro-F1 %s%%' % _pct(r) for r in ratios] + \
            ['Macro-F1 %s%%' % _pct(r) for r in ratios]
        if 'main' in pub:
            head.append('published Micro/Macro at 50% (OpenNE)')
        if 'deepwalk-readme' in pub:
            head.append('published Micro at these ratios (DeepWalk README)')
        head.append('fit s')
        lines += ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
        for m in methods:
            s = summ[m]
            row = [m] + [_fmt(s.get('%s/micro' % r), pct=True) for r in ratios] + \
                [_fmt(s.get('%s/macro' % r), pct=True) for r in ratios]
            if 'main' in pub:
                v = pub['main']['values'].get(m)
                row.append('%.1f / %.1f' % (100 * v[0], 100 * v[1]) if v else '')
            if 'deepwalk-readme' in pub:
                v = pub['deepwalk-readme']['values'].get(m)
                row.append(', '.join('%.2f' % (100 * v[float(r)]) for r in ratios
                                     if float(r) in v) if v else '')
            row.append(_fmt_time(result, m))
            lines.append('| ' + ' | '.join(row) + ' |')
        lines += ['', 'F1 in %%; one-vs-rest logistic regression, %s shuffle(s) per ratio per '
                  'seed; each test node gets its k top-scoring labels, k = its true label '
                  'count.' % result['settings']['shuffles']]
    else:
        keys = sorted({k for s in summ.values() for k in s if not k.endswith('/k')})
        head = ['method'] + keys + ['fit s']
        lines += ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
        for m in methods:
            lines.append('| ' + ' | '.join([m] + [_fmt(summ[m].get(k)) for k in keys] +
                                           [_fmt_time(result, m)]) + ' |')
        if task == 'clustering':
            ks = {k: v[0] for s in summ.values() for k, v in s.items() if k.endswith('/k')}
            lines += ['', 'k-means with k = %s.' % ', '.join(
                '%d for %s' % (v, k.split('/')[0]) for k, v in sorted(ks.items()))]
        else:
            lines += ['', 'AUC/AP of per-node outlier scores vs %.0f%% planted nodes (every edge '
                      'of a planted node rewired to a random endpoint).'
                      % (100 * result['settings']['outlier_fraction'])]
    errors = {m: r['error'] for m, rs in result['runs'].items() for r in rs if 'error' in r}
    if errors:
        lines += ['', 'Failed: ' + '; '.join('%s: %s' % kv for kv in errors.items())]
    for key, p in sorted(pub.items()):
        lines += ['', 'Published (%s): %s.' % (p['metric'], p['source'])]
    return '\n'.join(lines) + '\n'


def _pct(r):
    return '%g' % (100 * float(r))


def _fmt_time(result, m):
    ts = [sum(r['timings'].values()) for r in result['runs'].get(m, []) if 'timings' in r]
    return '%.0f' % np.mean(ts) if ts else '-'


def plot(result, path):
    """PNG of the main metric per method (bars) or Micro-F1 vs training ratio (lines)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    summ = result['summary']
    methods = [m for m in result['methods'] if m in summ]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    if result['task'] == 'node-classification':
        for m in methods:
            ratios = sorted({k.split('/')[0] for k in summ[m]}, key=float)
            mean = [summ[m]['%s/micro' % r][0] for r in ratios]
            std = [summ[m]['%s/micro' % r][1] for r in ratios]
            ax.errorbar([float(r) for r in ratios], mean, yerr=std, marker='o', label=m,
                        capsize=2)
        ax.set_xlabel('fraction of labelled nodes used for training')
        ax.set_ylabel('Micro-F1')
        ax.legend(fontsize=8)
    else:
        keys = {'link-prediction': ['own/auc', 'hadamard/auc'],
                'clustering': sorted({k for s in summ.values() for k in s if k.endswith('/nmi')}),
                'outliers': sorted({k for s in summ.values() for k in s if k.endswith('/auc')})
                }[result['task']]
        width = 0.8 / max(1, len(keys))
        x = np.arange(len(methods))
        for j, k in enumerate(keys):
            mean = [summ[m].get(k, [np.nan])[0] for m in methods]
            std = [summ[m].get(k, [0, 0])[1] for m in methods]
            ax.bar(x + j * width, mean, width, yerr=std, label=k, capsize=2)
        ax.set_xticks(x + width * (len(keys) - 1) / 2)
        ax.set_xticklabels(methods, rotation=30, ha='right', fontsize=8)
        ax.set_ylim(0, 1)
        ax.legend(fontsize=8)
    ax.set_title('%s on %s' % (result['task'], result['dataset']))
    fig.tight_layout()
    save_figure(fig, path, dpi=100)
    plt.close(fig)
    return path


# ----------------------------------------------------------------------------------------------
# entry points

def run_benchmark(dataset, task, methods=None, seeds=1, quick=False, output_dir='results',
                  command=None, dim=128, p=1.0, q=1.0, outlier_fraction=0.05, shuffles=None,
                  epochs=None, resume=False, progress=True):
    """Run `methods` on `dataset` for `task` over `seeds` seeds; write JSON, markdown and PNG.

    # Arguments
        dataset: a bundled dataset name (see `author2vec datasets`), a Dataset, a Graph or a
            networkx graph.
        task: one of `TASKS`.
        methods: list of method names (or a comma separated string); default all for the task.
        seeds: number of seeds (0..seeds-1): each seed gives a new split / initialisation /
            classifier shuffles.
        quick: tiny settings (CI smoke test): d<=16, 2 short walks per node, one epoch.
        output_dir: where the files go (created).
        command: the command line to record (default `sys.argv`).
        dim: embedding size (128, the reference).
        p, q: node2vec's return and in-out parameters.
        outlier_fraction: planted outliers for the outliers task.
        shuffles: node classification splits per training ratio per seed (default 10; 2 quick).
        epochs: Author2Vec's passes over the edges (default 10; 1 quick).
        resume: keep the methods an earlier run of the same dataset/task/mode already finished
            for every seed (read from the JSON in `output_dir`) and run only the others.

    # Returns
        Path of the JSON written; the markdown table is also printed.
    """
    if task not in TASKS:
        raise ValueError('task must be one of %s, got %r' % (', '.join(TASKS), task))
    name, graph, labels = _load(dataset)
    if methods is None:
        methods = list(DEFAULT_METHODS[task])
    elif isinstance(methods, str):
        methods = [m.strip() for m in methods.split(',') if m.strip()]
    for m in methods:
        if m not in METHODS:
            raise ValueError('unknown method %r; choose from %s' % (m, ', '.join(METHODS)))
        if m in baselines.HEURISTICS and task != 'link-prediction':
            raise ValueError('%s is a link heuristic: only for --task link-prediction' % m)
    if task == 'node-classification' and labels is None:
        raise ValueError('dataset %s has no labels: node classification needs them' % name)
    seeds = int(seeds)
    if seeds < 1:
        raise ValueError('seeds must be >= 1')
    s = _settings(quick, dim)
    s['outlier_fraction'] = outlier_fraction
    if shuffles is not None:
        s['shuffles'] = int(shuffles)
    if epochs is not None:
        s['a2v_epochs'] = int(epochs)
    if command is None:
        command = ' '.join(['author2vec'] + sys.argv[1:]) if sys.argv and \
            os.path.basename(sys.argv[0]).startswith('author2vec') else ' '.join(sys.argv)
    runs = {m: [] for m in methods}
    stem = os.path.join(output_dir, '%s_%s%s' % (task, name, '_quick' if quick else ''))
    done = {}
    if resume and os.path.exists(stem + '.json'):
        with open(stem + '.json') as f:
            old = json.load(f)
        for m, rs in old.get('runs', {}).items():
            ok = sorted(r['seed'] for r in rs if 'error' not in r)
            if m in runs and ok == list(range(seeds)):
                runs[m] = rs
                done[m] = old.get('settings', {})
    started = time.time()
    try:
        from tqdm import tqdm
        bar = tqdm(total=seeds * len(methods), disable=not progress, file=sys.stderr,
                   desc='%s %s' % (name, task))
    except ImportError:  # pragma: no cover
        bar = None
    os.makedirs(output_dir, exist_ok=True)
    result = {
        'dataset': name, 'task': task, 'methods': methods, 'seeds': list(range(seeds)),
        'quick': bool(quick), 'command': command, 'settings': dict(s, p=p, q=q),
        'graph': {'nodes': graph.num_nodes, 'edges': graph.num_edges},
        'published': {'/'.join(k): v for k, v in PUBLISHED.items()
                      if k[0] == name and k[1] == task},
    }
    if done:
        result['resumed'] = {m: 'kept from the earlier run (its settings: %s)'
                             % json.dumps(st, sort_keys=True) for m, st in done.items()}
    state = dict(result=result, runs=runs, split=None, train_pairs=None, started=started,
                 stem=stem, complete=False)
    for seed in range(seeds):
        split = train_pairs = outlier_setup = None
        if task == 'link-prediction':
            from .splits import link_prediction_split
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                split = link_prediction_split(graph, test_fraction=0.5, seed=seed)
            train_pairs = evaluation.training_pairs(split, seed=seed)
        elif task == 'outliers':
            outlier_setup = evaluation.plant_outliers(graph, outlier_fraction, seed=seed)
        for m in methods:
            if m in done:
                if bar is not None:
                    bar.update(1)
                continue
            if bar is not None:
                bar.set_postfix_str('seed %d %s' % (seed, m))
            try:
                metrics, timings = _run_one(task, m, seed, graph, labels, split, train_pairs,
                                            outlier_setup, s, quick, p, q, dim)
                runs[m].append({'seed': seed, 'metrics': metrics, 'timings': timings})
            except Exception as e:  # noqa: BLE001  one failing method must not lose the others
                if os.environ.get('AUTHOR2VEC_TRACEBACK'):
                    raise
                runs[m].append({'seed': seed, 'error': '%s: %s' % (type(e).__name__, e)})
                print('\n%s failed on seed %d: %s: %s' % (m, seed, type(e).__name__, e),
                      file=sys.stderr)
            state.update(split=split, train_pairs=train_pairs)
            _write(**state)
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    state['complete'] = True
    stem = _write(**state)
    print(markdown_table(state['result']))
    return stem + '.json'


def _write(result, runs, split, train_pairs, stem, started, complete):
    """Write JSON, markdown and PNG of the runs so far (also after every method: a long run that
    is stopped keeps what it finished)."""
    result['runs'] = runs
    result['complete'] = complete
    result['total_seconds'] = time.time() - started
    result['versions'] = versions()
    if split is not None:
        result['split'] = {'train_edges': split.train_graph.num_edges,
                           'test_edges': len(split.test_edges),
                           'test_negatives': len(split.test_negatives),
                           'train_non_edges': int((train_pairs[1] == 0).sum())}
    result['summary'] = _summary(runs)
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
        json.dump(result, f, indent=1, default=_json_default)
    return stem


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, tuple):
        return list(o)
    raise TypeError(type(o).__name__)


def add_benchmark_arguments(parser):
    """Add the `benchmark` flags to an argparse (sub)parser."""
    parser.add_argument('--dataset', default='karate',
                        help='bundled dataset name (see `author2vec datasets`; default karate)')
    parser.add_argument('--task', choices=TASKS, default='link-prediction',
                        help='link-prediction (default), node-classification, clustering, '
                             'outliers')
    parser.add_argument('--methods', default=None,
                        help='comma separated subset of: %s (default: all for the task)'
                             % ', '.join(METHODS))
    parser.add_argument('--seeds', type=int, default=1,
                        help='number of seeds (splits/initialisations), default 1')
    parser.add_argument('--quick', action='store_true',
                        help='tiny settings for a smoke test (CI)')
    parser.add_argument('--output-dir', default='results',
                        help='where to write TASK_DATASET.{json,md,png} (default results)')
    parser.add_argument('--dim', type=int, default=128, help='embedding size (default 128)')
    parser.add_argument('--p', type=float, default=1.0, help="node2vec's p (default 1)")
    parser.add_argument('--q', type=float, default=1.0, help="node2vec's q (default 1)")
    parser.add_argument('--shuffles', type=int, default=None,
                        help='node classification: random splits per training ratio per seed '
                             '(default 10)')
    parser.add_argument('--epochs', type=int, default=None,
                        help="Author2Vec's passes over the edges (default 10)")
    parser.add_argument('--resume', action='store_true',
                        help='keep methods already finished in OUTPUT_DIR/TASK_DATASET.json, '
                             'run the others')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    return parser


def benchmark_from_args(args, command=None):
    """Run from parsed `add_benchmark_arguments` flags; returns the JSON path."""
    return run_benchmark(args.dataset, args.task, methods=args.methods, seeds=args.seeds,
                         quick=args.quick, output_dir=args.output_dir, command=command,
                         dim=args.dim, p=args.p, q=args.q, shuffles=args.shuffles,
                         epochs=args.epochs, resume=args.resume,
                         progress=not args.no_progress)


def main(argv=None):
    """`python -m author2vec_keras.benchmark ...` (same flags as `author2vec benchmark`)."""
    import argparse
    parser = add_benchmark_arguments(argparse.ArgumentParser(prog='author2vec benchmark'))
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    benchmark_from_args(args, command='author2vec benchmark ' + ' '.join(argv))
    return 0


if __name__ == '__main__':
    sys.exit(main())
