"""The Wiki gap (issue 23): levers on Author2Vec's walk pairs against DeepWalk, node classification.

    python benchmarks/wiki_gap.py run [--configs a,b] [--seeds 3] [--output results/wiki_gap.json]
    python benchmarks/wiki_gap.py report [--output results/wiki_gap.json]   # writes the .md

Each configuration is `author2vec-walks-separate` of the benchmark (`benchmark.make_method`:
walk pairs of DeepWalk's 10 x 80 walks, window 10, separate context table, 10 epochs) with
some parameters changed, fitted on the whole Wiki graph for seeds 0..N-1, scored as the
benchmark scores node classification but at 50% labelled only: one-vs-rest logistic
regression (liblinear, C=1), 10 shuffles, each test node given its k top labels. Besides
Micro- and Macro-F1 it keeps the F1 of every class (Wiki is single-label: 17 classes), to see
which classes the vectors fail on. DeepWalk (`baselines.DeepWalk`, the benchmark's settings)
runs on the same seeds as the reference.

Accuracy only: the fits ran on a shared 2-core machine, their times are not recorded.
The JSON is rewritten after every fit; `run` skips the (config, seed) pairs already there.
"""
import argparse
import json
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))

RATIO = 0.5
#: the RMS entry of DeepWalk's Wiki vectors (seeds 0-2, the 'deepwalk-rms' runs: 0.3119 +/- 0.0001)
DEEPWALK_RMS = 0.312
SHUFFLES = 10
#: configuration name -> (what changes, the parameters changed on author2vec-walks-separate)
CONFIGS = {
    'deepwalk': ('DeepWalk (the reference; benchmark settings)', None),
    'base': ('author2vec-walks-separate as in the tables (d=128, 10 epochs, Adam 0.003)', {}),
    'd64': ('d = 64 instead of 128', {'dim': 64}),
    'decay20': ('20 epochs, Adam 0.003 decayed as lr / (1 + 2.65e-4 t): a quarter of it at the '
                'last step', {'epochs': 20, 'optimizer': {'class_name': 'adam', 'config': {
                    'lr': 0.003, 'decay': 2.65e-4}}}),
    'q0.5': ("node2vec's walks, p = 1, q = 0.5 (outward, DFS-like)", {'p': 1.0, 'q': 0.5}),
    'q2': ("node2vec's walks, p = 1, q = 2 (local, BFS-like)", {'p': 1.0, 'q': 2.0}),
    'pairs60': ('3x the positive pairs per epoch (60 per node instead of 20)',
                {'positives_per_epoch': 'x3'}),
    'pairs100': ('5x the positive pairs per epoch (100 per node instead of 20)',
                 {'positives_per_epoch': 'x5'}),
    'epochs30': ("30 epochs instead of 10 at 20 pairs per node (pairs60's total pairs)",
                 {'epochs': 30}),
    'epochs50': ('50 epochs instead of 10 at 20 pairs per node (pairs100\'s total pairs)',
                 {'epochs': 50}),
    'walks40': ('40 walks per node instead of 10 at the same pair budget (20 per node)',
                {'walks_per_node': 40, 'positives_per_epoch': 'x1'}),
    'deepwalk-rms': ("DeepWalk's vectors divided by their RMS entry before the classifier",
                     None),
    'base-dwrms': ("base's vectors scaled to DeepWalk's RMS entry (0.312, measured on these seeds) "
                   "before the classifier: the same weight of C=1 for both", {}),
    'base-rms': ("base's vectors divided by their RMS entry before the classifier (one scale for "
                 "the whole table: the geometry is kept, only C=1's weight changes)", {}),
}
#: the configurations whose per-class F1 the report shows beside DeepWalk's and base's
PER_CLASS = ('d64', 'pairs60', 'pairs100', 'epochs30', 'epochs50', 'base-dwrms', 'pairs100-dwrms',
             'epochs50-dwrms')
DEFAULT_CONFIGS = ('deepwalk', 'base', 'd64', 'decay20', 'q0.5', 'q2')


def per_class_scores(embeddings, labels, seed, ratio=RATIO, shuffles=SHUFFLES):
    """Micro-F1, Macro-F1 and per-class F1 (mean over shuffles) at one training ratio
    (`evaluation.evaluate_node_classification`'s splits, classifier and top-k rule)."""
    from author2vec_keras.evaluation.protocols import evaluate_node_classification
    res = evaluate_node_classification(embeddings, labels, train_ratios=(ratio,),
                                       shuffles=shuffles, seed=seed, per_class=True)[ratio]
    return {'micro': float(np.mean(res['micro'])), 'macro': float(np.mean(res['macro'])),
            'per_class_f1': np.mean(res['per_class'], axis=0).tolist(),
            'class_support': res['support']}


def make(config, seed, graph):
    from author2vec_keras.evaluation.benchmark import make_method
    if config.startswith('deepwalk'):
        return make_method('deepwalk', seed=seed)
    est = make_method('author2vec-walks-separate', seed=seed)
    params = dict(CONFIGS[config][1])
    if str(params.get('positives_per_epoch', '')).startswith('x'):  # x k the default budget
        walkable = int((np.diff(graph.adjacency.indptr) > 0).sum())
        params['positives_per_epoch'] = int(params['positives_per_epoch'][1:]) * 2 * \
            est.walks_per_node * walkable
    return est.set_params(**params)


def load(path):
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    return {'dataset': 'wiki', 'task': 'node-classification', 'ratio': RATIO,
            'shuffles': SHUFFLES, 'configs': {}, 'runs': []}


def save(data, path):
    from author2vec_keras.fileio import atomic_open
    with atomic_open(path, 'w') as f:
        json.dump(data, f, indent=1)


def _wiki_and_results(path):
    """Wiki (its duplicate-edge warnings quiet), the results so far, the (config, seed) done."""
    from author2vec_keras.data import datasets
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        ds = datasets.load('wiki')
    data = load(path)
    return ds, data, {(r['config'], r['seed']) for r in data['runs']}


def run(configs, seeds, path, save_dir=None):
    from author2vec_keras.evaluation import pipeline
    ds, data, done = _wiki_and_results(path)
    for config in configs:
        data['configs'][config] = CONFIGS[config][0]
        for seed in range(seeds):
            if (config, seed) in done:
                continue
            est = make(config, seed, ds.graph)
            print('== %s seed %d load %s' % (config, seed, os.getloadavg()[0]), flush=True)
            est.fit(ds.graph)
            emb = np.asarray(est.get_embedding(), dtype=np.float64)
            rms = float(np.sqrt(np.mean(emb ** 2)))
            if save_dir:
                np.save(os.path.join(save_dir, 'wiki_%s_%d.npy' % (config, seed)), emb)
            scale = 1.0 / rms if config.endswith('-rms') else DEEPWALK_RMS / rms \
                if config.endswith('-dwrms') else 1.0
            res = per_class_scores(emb * scale, ds.labels, seed)
            res['rms'] = rms
            params = {k: v for k, v in est.get_params().items()
                      if isinstance(v, (int, float, str, dict, type(None)))}
            data['runs'].append(dict(config=config, seed=seed, params=params, **res))
            data['versions'] = pipeline.versions()
            save(data, path)
            print('   micro %.4f macro %.4f' % (res['micro'], res['macro']), flush=True)
    return data


def rescore(configs, seeds, path, save_dir):
    """Score saved vectors (`run --save-embeddings DIR`) again, rescaled: CONFIG-dwrms reads
    DIR/wiki_CONFIG_SEED.npy (or base-dwrms's for base) and scales it to DeepWalk's RMS entry."""
    ds, data, done = _wiki_and_results(path)
    for config in configs:
        source = config[:-len('-dwrms')]
        data['configs'][config] = "%s's vectors scaled to DeepWalk's RMS entry (%.3f) before the " \
            "classifier (the saved vectors of its run, scored again)" % (source, DEEPWALK_RMS)
        for seed in range(seeds):
            if (config, seed) in done:
                continue
            name = os.path.join(save_dir, 'wiki_%s_%d.npy' % (source, seed))
            if not os.path.exists(name) and source == 'base':
                name = os.path.join(save_dir, 'wiki_base-dwrms_%d.npy' % seed)
            emb = np.load(name)
            rms = float(np.sqrt(np.mean(emb ** 2)))
            res = per_class_scores(emb * (DEEPWALK_RMS / rms), ds.labels, seed)
            res['rms'] = rms
            data['runs'].append(dict(config=config, seed=seed, rescored_from=source, **res))
            save(data, path)
            print('%s seed %d: micro %.4f macro %.4f' % (config, seed, res['micro'], res['macro']))
    return data


def summary(data):
    out = {}
    for r in data['runs']:
        out.setdefault(r['config'], []).append(r)
    return out


def class_structure():
    """Per class of Wiki (columns of `as_label_matrix`): mean degree of its nodes and the
    fraction of their edges that stay inside the class."""
    from author2vec_keras.data import datasets
    from author2vec_keras.evaluation.protocols import as_label_matrix
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        ds = datasets.load('wiki')
    y = as_label_matrix(ds.labels)
    keep = y.any(axis=1)
    y = y[:, y[keep].any(axis=0)].astype(np.float64)
    a = ds.graph.adjacency.tocsr()
    y[~keep] = 0
    deg = np.asarray(a.sum(axis=1)).ravel()
    inside = np.asarray((y.T @ (a @ y)).diagonal()).ravel()
    total = y.T @ deg
    return y.T @ deg / y.sum(axis=0), inside / np.maximum(total, 1)


def report(data):
    """The markdown of the runs: one row per configuration, then per-class F1 of the base
    configuration against DeepWalk's."""
    rows = summary(data)
    order = [c for c in CONFIGS if c in rows] + sorted(c for c in rows if c not in CONFIGS)
    dw = rows.get('deepwalk')
    base = rows.get('base')
    lines = ['## The Wiki gap: levers on Author2Vec walk pairs (issue 23)', '',
             'Node classification on Wiki (2,405 nodes, 17 classes), %d%% labelled, %d shuffles '
             'per seed; mean +/- std over seeds (sample std). Each row is '
             '`author2vec-walks-separate` of the tables with one change. '
             'Command: `python benchmarks/wiki_gap.py run`; this file: '
             '`python benchmarks/wiki_gap.py report`.' % (100 * data['ratio'], data['shuffles']),
             '',
             '| configuration | seeds | Micro-F1 | Macro-F1 | Micro - base | Micro - DeepWalk |',
             '|---|---|---|---|---|---|']

    def stat(rs, key):
        v = np.array([r[key] for r in rs]) * 100
        return v.mean(), (v.std(ddof=1) if len(v) > 1 else 0.0)
    for c in order:
        rs = rows[c]
        mi, ma = stat(rs, 'micro'), stat(rs, 'macro')
        d_base = '%+.1f' % (mi[0] - stat(base, 'micro')[0]) if base and c != 'base' else ''
        d_dw = '%+.1f' % (mi[0] - stat(dw, 'micro')[0]) if dw and c != 'deepwalk' else ''
        lines.append('| %s: %s | %d | %.1f +/- %.1f | %.1f +/- %.1f | %s | %s |' % (
            c, data['configs'].get(c, ''), len(rs), mi[0], mi[1], ma[0], ma[1], d_base, d_dw))
    if dw and base:
        support = np.array(dw[0]['class_support'])
        f = {c: np.mean([r['per_class_f1'] for r in rows[c]], axis=0) * 100 for c in order}
        others = [c for c in PER_CLASS if c in rows]
        mean_degree, inside = class_structure()
        lines += ['', '### Per-class F1 (%, mean over seeds), classes by size', '',
                  'mean degree: of the class\'s nodes; inside: the fraction of their edges whose '
                  'other end is in the class.', '',
                  '| class | nodes | mean degree | inside | DeepWalk | base | base - DeepWalk '
                  '| %s |' % ' | '.join(others),
                  '|---|---|---|---|---|---|---|%s' % ('---|' * len(others))]
        for j in np.argsort(-support, kind='stable'):
            lines.append('| %d | %d | %.1f | %.2f | %.1f | %.1f | %+.1f | %s |' % (
                j, support[j], mean_degree[j], inside[j], f['deepwalk'][j], f['base'][j],
                f['base'][j] - f['deepwalk'][j], ' | '.join('%.1f' % f[c][j] for c in others)))
        gap = f['base'] - f['deepwalk']
        big = support >= np.median(support)
        small = support < 50
        lines += ['', 'Gap (base - DeepWalk) in per-class F1: %+.1f points on average over the %d '
                  'larger classes (%d nodes or more), %+.1f over the %d smaller; %+.1f over the '
                  '%d classes under 50 nodes (%d nodes in all, %.0f%% of the graph).'
                  % (gap[big].mean(), big.sum(), np.median(support), gap[~big].mean(),
                     (~big).sum(), gap[small].mean(), small.sum(), support[small].sum(),
                     100.0 * support[small].sum() / support.sum())]
        lines += ['', 'Correlation over the classes of the gap (base - DeepWalk) with log class '
                  'size: %.2f; with the inside fraction: %.2f; with the mean degree: %.2f.'
                  % (np.corrcoef(gap, np.log(support))[0, 1], np.corrcoef(gap, inside)[0, 1],
                     np.corrcoef(gap, mean_degree)[0, 1])]
        if 'epochs50' in f:
            g50 = f['epochs50'] - f['deepwalk']
            lines += ['', 'epochs50 - DeepWalk: %+.1f over the larger classes, %+.1f over the '
                      'smaller, %+.1f under 50 nodes.' % (g50[big].mean(), g50[~big].mean(),
                                                          g50[small].mean())]
    return '\n'.join(lines) + '\n'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('command', choices=('run', 'rescore', 'report'))
    parser.add_argument('--configs', default=','.join(DEFAULT_CONFIGS))
    parser.add_argument('--seeds', type=int, default=3)
    parser.add_argument('--output', default='results/wiki_gap.json')
    parser.add_argument('--save-embeddings', default=None, metavar='DIR',
                        help='also write each fit\'s vectors to DIR/wiki_CONFIG_SEED.npy')
    args = parser.parse_args(argv)
    configs = [c for c in args.configs.split(',') if c]
    for c in configs:
        if args.command == 'rescore':
            if not (c.endswith('-dwrms') and c[:-6] in CONFIGS and args.save_embeddings):
                parser.error('rescore: CONFIG-dwrms of a run config, with --save-embeddings DIR')
            continue
        if c not in CONFIGS:
            parser.error('--configs: unknown %r; choose from %s' % (c, ', '.join(CONFIGS)))
    if args.command == 'run':
        data = run(configs, args.seeds, args.output, args.save_embeddings)
    elif args.command == 'rescore':
        data = rescore(configs, args.seeds, args.output, args.save_embeddings)
    else:
        data = load(args.output)
    md = report(data)
    with open(os.path.splitext(args.output)[0] + '.md', 'w') as f:
        f.write(md)
    print(md)
    return 0


if __name__ == '__main__':
    sys.exit(main())
