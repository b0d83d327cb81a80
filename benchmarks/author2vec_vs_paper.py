"""Author2Vec (content + link) vs DeepWalk on AAN and CANE-Cora, next to the paper's reported gains.

    python benchmarks/author2vec_vs_paper.py                      # today's settings, AAN, 5 seeds
    python benchmarks/author2vec_vs_paper.py --leaky              # content sees every paper
    python benchmarks/author2vec_vs_paper.py --dataset cane-cora --protocols holdout
    python benchmarks/author2vec_vs_paper.py --preset a2v-lua --methods alternating \\
        --seeds 0 --protocols holdout --curve-every 5             # the authors' configuration

writes results/author2vec_vs_paper.{json,md,png} (and _curve.png). Every finished run is
appended to the JSON at once, keyed by (dataset, protocol, content, configuration, epochs,
method, seed); `--resume` skips runs already there and continues interrupted Keras fits from
their checkpoints (`--checkpoint-dir`), so a killed job loses at most one epoch; `--report-only`
rebuilds the .md and the plots from the JSON. Every fit and score goes through
`pipeline.prepare` / `pipeline.fit_and_score` (the curve's points through `pipeline.score`).

Protocols (details in the .md):
- hold-out: node2vec's split (50% of the edges held out, training graph keeps its components,
  as many non-edges). AAN's content model only sees papers none of whose author pairs is held
  out (`datasets.content_inputs`), unless `--leaky` (every paper: the paper's likely setting).
- temporal (AAN only): co-authorships up to 2008 train, pairs first co-authoring in 2009-2011
  test; the content model only sees papers up to 2008 (every paper with `--leaky`).
Link prediction AUC: logistic regression on Hadamard edge features (node2vec), and the model's
own pair score (Author2Vec's link head; DeepWalk/content-only: inner product).
Clustering NMI (hold-out embeddings): k-means vs each AAN author's most frequent ACL Anthology
venue series (`aan_venue_labels`), or CANE-Cora's 7 topic labels.
Configurations: `--preset a2v-lua` trains the Keras methods with the authors' settings
(`estimator.A2V_LUA`; `--epochs` overrides its 100); without it, with the flags.
`--curve-every k` scores the embeddings every k epochs (AUC and NMI against epoch).
"""
import argparse
import json
import os
import shutil
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from author2vec_keras.io import atomic_open, save_figure  # noqa: E402

#: methods: DeepWalk, the content + link model's schedules, and walk pairs (issue 13)
METHODS = ['deepwalk', 'link', 'content', 'alternating', 'joint', 'walks']
LABELS = {'deepwalk': 'DeepWalk', 'link': 'Link-Info only', 'content': 'Content-Info only',
          'alternating': 'Author2Vec (alternating)', 'joint': 'Author2Vec (joint)',
          'walks': 'Author2Vec (walk pairs)'}
USES_CONTENT = {'content', 'alternating', 'joint', 'walks'}
KERAS = {'link', 'content', 'alternating', 'joint', 'walks'}
PAPER = {'link prediction': 2.35, 'clustering': 0.83}
SPLIT_YEAR = 2008
DATASETS = ('aan', 'cane-cora')
OUT = os.path.join(os.path.dirname(HERE), 'results', 'author2vec_vs_paper')
KEY = ('dataset', 'protocol', 'content', 'config', 'epochs', 'method', 'seed')


def run_key(rec):
    """The identity of a run: a tuple of `KEY`'s fields."""
    return tuple(rec.get(k) for k in KEY)


def key_name(key):
    return '-'.join(str(k) for k in key).replace('/', '_')


def config_of(args):
    """The configuration tag of the Keras methods: the preset's name, or the flags' settings."""
    if args.preset:
        return args.preset
    return '%s%g-b%d-%s-d%d-h%d-n%d' % (args.optimizer, args.lr, args.batch_size,
                                        'proj' if args.projection else 'noproj', args.dim,
                                        args.hidden_dim, args.negatives)


def upgrade(rec, settings):
    """A run of the first version of this script (AAN, leak-free, one global settings)."""
    if 'dataset' in rec:
        return rec
    rec = dict(rec, dataset='aan')
    if rec['method'] == 'deepwalk':
        rec.update(content='-', config='-', epochs='-')
    else:
        s = settings
        rec.update(content='leak-free' if rec['method'] in USES_CONTENT else '-',
                   epochs=s['epochs'], settings=s,
                   config='%s%g-b%d-%s-d%d-h%d-n%d' % (
                       s['optimizer'], s['lr'], s['batch_size'],
                       'proj' if s['projection'] else 'noproj', s['dim'], s['hidden_dim'],
                       s['negatives']))
    return rec


def make_estimator(method, seed, args, checkpoint_dir):
    from author2vec_keras.baselines import DeepWalk
    from author2vec_keras.estimator import ContentLinkAuthor2Vec
    if method == 'deepwalk':
        return DeepWalk(dim=args.dim, workers=args.workers, random_state=seed)
    common = dict(schedule=method, random_state=seed, verbose=args.verbose,
                  checkpoint_dir=checkpoint_dir, doc2vec_epochs=args.doc2vec_epochs)
    if args.preset:
        if args.epochs is not None:
            common['epochs'] = args.epochs
        return ContentLinkAuthor2Vec.from_preset(args.preset, **common)
    return ContentLinkAuthor2Vec(
        dim=args.dim, hidden_dim=args.hidden_dim, projection=args.projection,
        negatives=args.negatives, epochs=args.epochs or 4, batch_size=args.batch_size,
        optimizer=args.optimizer, lr=args.lr, **common)


class Testbed(object):
    """One dataset, protocol, seed (and content setting): the pipeline's set-up, the content
    model's papers and their Doc2Vec vectors, the clustering labels."""

    def __init__(self, dataset, protocol, seed, leaky, doc2vec_epochs):
        from author2vec_keras import datasets, pipeline
        from author2vec_keras.datasets.aan import aan_coauthor_events, aan_venue_labels
        from author2vec_keras.splits import link_prediction_split, temporal_split
        ds = datasets.load(dataset)
        if protocol == 'holdout':
            split = link_prediction_split(ds.graph, 0.5, seed=seed)
            if dataset == 'aan':
                self.labels = aan_venue_labels(split.train_graph, ds.extra['papers'])[0]
            else:
                self.labels = ds.labels
        else:
            if dataset != 'aan':
                raise SystemExit('%s has no dates: only --protocols holdout' % dataset)
            src, dst, years = aan_coauthor_events(ds.extra['papers'])
            split = temporal_split(src, dst, years, SPLIT_YEAR, seed=seed)
            self.labels = None
        self.setup = pipeline.prepare('link-prediction', ds.graph, seed=seed, split=split)
        self.pairs, self.texts = datasets.content_inputs(ds, split, leak_free=not leaky)
        self.seed, self.doc2vec_epochs = seed, doc2vec_epochs
        self._vectors = {}
        g = self.setup.fit_graph
        self.info = {'train_nodes': g.num_nodes, 'train_edges': g.num_edges,
                     'test_edges': int(len(split.test_edges)),
                     'papers_for_content': len(self.texts), 'authorship_pairs': len(self.pairs)}

    def paper_vectors(self, dim):
        from author2vec_keras.text import doc2vec_vectors
        if dim not in self._vectors:
            t0 = time.time()
            ids = sorted(self.texts)
            vec = doc2vec_vectors([self.texts[p] for p in ids], dim=dim,
                                  epochs=self.doc2vec_epochs, seed=self.seed)
            self._vectors[dim] = dict(zip(ids, vec))
            self.info['doc2vec_seconds'] = round(time.time() - t0, 1)
        return self._vectors[dim]

    def score(self, est, embeddings=None):
        """Hadamard and own-score AUC (and NMI) of a fitted (or fitting) estimator."""
        from author2vec_keras import evaluation as ev, pipeline
        emb = np.asarray(est.get_embedding() if embeddings is None else embeddings, float)
        lp = pipeline.score(self.setup, emb, own=pipeline.own_score(est), seed=self.seed,
                            operators=['hadamard'])
        out = {'auc_hadamard': lp['hadamard']['auc'], 'auc_own': lp['own']['auc']}
        if self.labels is not None:
            out['nmi'] = ev.evaluate_clustering(emb, self.labels, seed=self.seed)['labels']['nmi']
        return out


def run_one(bed, key, method, args, store):
    """Fit and score one method on a testbed; returns the run record (also stored)."""
    from author2vec_keras import pipeline
    seed = key[KEY.index('seed')]
    name = key_name(key)
    ckpt = os.path.join(args.checkpoint_dir, name) if method in KERAS else None
    est = make_estimator(method, seed, args, ckpt)
    fit_params = {}
    progress = store.progress(name)
    if method in KERAS:
        fit_params = dict(resume=args.resume)
        if method in USES_CONTENT:
            fit_params.update(authorship=bed.pairs, paper_vectors=bed.paper_vectors(est.dim))
        clock = [time.time()]

        def on_epoch(estimator, epoch):
            now = time.time()
            point = {'epoch': epoch, 'seconds': round(now - clock[0], 1),
                     'loadavg': round(os.getloadavg()[0], 2),
                     'loss': estimator.history_[-1]}
            if args.curve_every and (epoch % args.curve_every == 0 or epoch == 1):
                point.update(bed.score(estimator, estimator.embeddings_))
            print('  [%s] epoch %d/%d %s' % (name, epoch, estimator.epochs, json.dumps(
                {k: (round(v, 4) if isinstance(v, float) else v) for k, v in point.items()
                 if k != 'loss'})), flush=True)
            progress[:] = [p for p in progress if p['epoch'] < epoch] + [point]
            store.save()
            clock[0] = time.time()
        fit_params['on_epoch'] = on_epoch
    load0 = os.getloadavg()[0]
    lp, timings = pipeline.fit_and_score(est, bed.setup, seed=seed, fit_params=fit_params,
                                         operators=['hadamard'])
    rec = dict(zip(KEY, key))
    rec.update(auc_hadamard=lp['hadamard']['auc'], auc_own=lp['own']['auc'],
               fit_seconds=round(timings['fit'], 1), data=dict(bed.info),
               loadavg=[round(load0, 2), round(os.getloadavg()[0], 2)],
               settings={k: v for k, v in est.get_params().items()
                         if k not in ('verbose', 'checkpoint_dir', 'workers')})
    if bed.labels is not None:
        from author2vec_keras import evaluation as ev
        rec['nmi'] = ev.evaluate_clustering(est.get_embedding(), bed.labels,
                                            seed=seed)['labels']['nmi']
    if getattr(est, 'history_', None):
        rec['history'] = est.history_
    if progress:
        rec['epochs_log'] = list(progress)
    store.record(rec, name)
    if ckpt and os.path.isdir(ckpt):
        shutil.rmtree(ckpt)
    print('[%s] %s' % (name, {k: rec[k] for k in ('auc_hadamard', 'auc_own', 'nmi',
                                                  'fit_seconds', 'loadavg') if k in rec}),
          flush=True)
    return rec


class Store(object):
    """The results JSON: finished runs, and the per-epoch log of runs in progress."""

    def __init__(self, path, resume):
        self.path = path
        self.data = {'runs': []}
        if os.path.exists(path) and resume:
            with open(path) as f:
                self.data = json.load(f)
        elif os.path.exists(path):
            raise SystemExit('%s exists: pass --resume to add runs to it, or another --out'
                             % path)
        settings = self.data.get('settings')
        self.data['runs'] = [upgrade(r, settings) for r in self.data['runs']]
        self.data.setdefault('in_progress', {})
        self.done = {run_key(r) for r in self.data['runs']}

    def progress(self, name):
        return self.data['in_progress'].setdefault(name, [])

    def record(self, rec, name):
        self.data['runs'].append(rec)
        self.data['in_progress'].pop(name, None)
        self.done.add(run_key(rec))
        self.save()

    def save(self):
        with atomic_open(self.path, 'w') as f:
            json.dump(self.data, f, indent=1, default=float)


def run(args, store):
    config = config_of(args)
    for seed in args.seeds:
        for protocol in args.protocols:
            todo = []
            for method in args.methods:
                if method == 'walks':
                    print('walks: Author2Vec with walk pairs waits for issue 13; skipped')
                    continue
                if args.preset and method == 'joint':
                    print('joint: the a2v-lua preset steps one model at a time; skipped')
                    continue
                content = ('leaky' if args.leaky else 'leak-free') \
                    if method in USES_CONTENT else '-'
                if method == 'deepwalk':
                    key = (args.dataset, protocol, '-', '-', '-', method, seed)
                else:
                    epochs = args.epochs or (100 if args.preset else 4)
                    key = (args.dataset, protocol, content, config, epochs, method, seed)
                if key not in store.done:
                    todo.append((key, method))
            if not todo:
                continue
            bed = Testbed(args.dataset, protocol, seed, args.leaky, args.doc2vec_epochs)
            print('[%s seed %d %s%s] %s' % (args.dataset, seed, protocol,
                                            ' leaky' if args.leaky else '', bed.info), flush=True)
            for key, method in todo:
                run_one(bed, key, method, args, store)


# -- the report ---------------------------------------------------------------------------------

def _stats(vals):
    vals = np.asarray(vals, dtype=float)
    return vals.mean(), (vals.std(ddof=1) if len(vals) > 1 else 0.0), len(vals)


def _cell(s):
    return '%.4f +/- %.4f (%d)' % s if s else 'n/a'


def _gain(a, b):
    return '%+.2f%%' % (100 * (a[0] - b[0]) / b[0]) if a and b and b[0] else 'n/a'


def config_label(rec):
    if rec['method'] == 'deepwalk':
        return ''
    if rec['config'] in ('a2v-lua',):
        return 'a2v.lua preset, %s ep' % rec['epochs']
    s = rec.get('settings', {})
    return '%s %g, batch %s, %s ep%s' % (s.get('optimizer'), s.get('lr'), s.get('batch_size'),
                                        rec['epochs'], ', proj' if s.get('projection') else '')


def group_runs(runs):
    """{(dataset, row): {(protocol, metric): stats}} with row = (method, config, epochs, content)."""
    cells = {}
    for r in runs:
        row = (r['method'], r['config'], str(r['epochs']), r['content'])
        for key in ('auc_hadamard', 'auc_own', 'nmi'):
            if key in r:
                cells.setdefault((r['dataset'], row), {}).setdefault(
                    (r['protocol'], key), []).append(r[key])
    return {k: {m: _stats(v) for m, v in d.items()} for k, d in cells.items()}


def _row_order(row):
    method, config, epochs, content = row
    return (METHODS.index(method), config != '-' and config == 'a2v-lua', config,
            int(epochs) if epochs.isdigit() else 0, content)


def report(path_json, out):
    with open(path_json) as f:
        data = json.load(f)
    runs = [upgrade(r, data.get('settings')) for r in data['runs']]
    table = group_runs(runs)
    labels = {}
    for r in runs:
        labels[(r['method'], r['config'], str(r['epochs']), r['content'])] = config_label(r)
    seeds = sorted({r['seed'] for r in runs})
    lines = ['# Author2Vec (content + link) vs DeepWalk on AAN and CANE-Cora, and the paper', '',
             'Commands that produced these runs (appended by each invocation; `--resume`): ',
             ''] + ['- `%s`' % c for c in data.get('commands', [data.get('command', '?')])]
    if data.get('parallel_commands'):
        lines += ['- merged parallel jobs: ' + '; '.join('`%s`' % c
                                                        for c in data['parallel_commands'])]
    versions = data.get('versions', {})
    lines += ['', 'Seeds: %s (mean +/- sample std over the seeds that finished; n per cell in '
                  'brackets). Versions: %s.' % (seeds, ', '.join(
                      '%s %s' % kv for kv in sorted(versions.items()) if kv[1])), '']
    for dataset in DATASETS:
        rows = sorted({row for (d, row) in table if d == dataset}, key=_row_order)
        if not rows:
            continue
        protocols = ['holdout', 'temporal'] if dataset == 'aan' else ['holdout']
        metrics = [(p, k, '%s %s' % ('LP AUC hold-out' if p == 'holdout' else
                                     'LP AUC temporal', '(Hadamard LR)' if k == 'auc_hadamard'
                                     else '(own score)'))
                   for p in protocols for k in ('auc_hadamard', 'auc_own')]
        metrics.append(('holdout', 'nmi', 'clustering NMI (%s)' % (
            'venue series' if dataset == 'aan' else '7 topics')))
        lines += ['## %s' % {'aan': 'AAN (ACL Anthology co-authorship, titles)',
                             'cane-cora': 'CANE-Cora (citations, abstracts)'}[dataset], '',
                  '| method | configuration | content | ' + ' | '.join(t for _, _, t in metrics)
                  + ' |', '|---|---|---|' + '---|' * len(metrics)]
        for row in rows:
            cells = table[(dataset, row)]
            lines.append('| %s | %s | %s | %s |' % (
                LABELS[row[0]], labels[row], row[3],
                ' | '.join(_cell(cells.get((p, k))) for p, k, _ in metrics)))
        base = table.get((dataset, ('deepwalk', '-', '-', '-')), {})
        lines += ['', '### Gain over DeepWalk (means), next to the paper', '',
                  '| method | configuration | content | ' + ' | '.join(
                      t.replace('LP AUC ', 'LP ') for p, k, t in metrics
                      if k != 'auc_own') + ' |',
                  '|---|---|---|' + '---|' * len([m for m in metrics if m[1] != 'auc_own']),
                  '| **paper: Author2Vec vs DeepWalk** | | | ' + ' | '.join(
                      '**+%.2f%%**' % PAPER['clustering' if k == 'nmi' else 'link prediction']
                      for p, k, _ in metrics if k != 'auc_own') + ' |']
        for row in rows:
            if row[0] == 'deepwalk':
                continue
            cells = table[(dataset, row)]
            lines.append('| %s | %s | %s | %s |' % (
                LABELS[row[0]], labels[row], row[3], ' | '.join(
                    _gain(cells.get((p, k)), base.get((p, k))) for p, k, _ in metrics
                    if k != 'auc_own')))
        leaky = [row for row in rows if row[3] == 'leaky']
        if leaky:
            lines += ['', '### The leak: leaky minus leak-free content (same method and '
                          'configuration; AUC / NMI points)', '',
                      '| method | configuration | ' + ' | '.join(t for _, _, t in metrics) + ' |',
                      '|---|---|' + '---|' * len(metrics)]
            for row in leaky:
                free = table.get((dataset, row[:3] + ('leak-free',)))
                if not free:
                    continue
                cells = table[(dataset, row)]
                lines.append('| %s | %s | %s |' % (LABELS[row[0]], labels[row], ' | '.join(
                    '%+.4f' % (cells[(p, k)][0] - free[(p, k)][0])
                    if (p, k) in cells and (p, k) in free else 'n/a' for p, k, _ in metrics)))
        lines.append('')
    curves = [r for r in runs if r.get('epochs_log') and any('auc_hadamard' in p for p in
                                                               r['epochs_log'])]
    progress = {k: v for k, v in data.get('in_progress', {}).items()
                if any('auc_hadamard' in p for p in v)}
    if curves or progress:
        lines += ['## AUC against epoch (`%s_curve.png`)' % os.path.basename(out), '',
                  '| run | epochs scored | best Hadamard AUC (epoch) | last Hadamard AUC | '
                  'last own AUC | last NMI | s / epoch (load) |', '|---|---|---|---|---|---|---|']
        for name, log in [(key_name(run_key(r)), r['epochs_log']) for r in curves] + \
                sorted(progress.items()):
            pts = [p for p in log if 'auc_hadamard' in p]
            best = max(pts, key=lambda p: p['auc_hadamard'])
            secs = [p['seconds'] for p in log]
            lines.append('| %s%s | %d-%d | %.4f (%d) | %.4f | %.4f | %s | %.0f (%.1f) |' % (
                name, ' (running)' if name in progress else '', pts[0]['epoch'],
                pts[-1]['epoch'], best['auc_hadamard'], best['epoch'],
                pts[-1]['auc_hadamard'], pts[-1]['auc_own'],
                '%.4f' % pts[-1]['nmi'] if 'nmi' in pts[-1] else 'n/a', np.median(secs),
                np.median([p['loadavg'] for p in log])))
        lines.append('')
    lines += [data.get('notes', '')]
    with atomic_open(out + '.md', 'w') as f:
        f.write('\n'.join(lines) + '\n')
    try:
        import matplotlib
        matplotlib.use('Agg')
        _plot_bars(table, labels, out + '.png')
        if curves or progress:
            _plot_curves(curves, progress, table, out + '_curve.png')
    except ImportError as e:  # pragma: no cover
        print('no figure: %s' % e)


def _plot_bars(table, labels, path):
    import matplotlib.pyplot as plt
    panels = [('aan', 'holdout', 'auc_hadamard', 'AAN: LP AUC hold-out (Hadamard)'),
              ('aan', 'temporal', 'auc_hadamard', 'AAN: LP AUC temporal (Hadamard)'),
              ('aan', 'holdout', 'nmi', 'AAN: NMI (venue series)'),
              ('cane-cora', 'holdout', 'auc_hadamard', 'CANE-Cora: LP AUC hold-out'),
              ('cane-cora', 'holdout', 'nmi', 'CANE-Cora: NMI (topics)')]
    panels = [p for p in panels if any(d == p[0] and (p[1], p[2]) in cells
                                       for (d, _), cells in table.items())]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 5), squeeze=False)
    for ax, (dataset, prot, key, title) in zip(axes[0], panels):
        rows = sorted([row for (d, row) in table if d == dataset
                       and (prot, key) in table[(d, row)]], key=_row_order)
        mu = np.array([table[(dataset, r)][(prot, key)][0] for r in rows])
        sd = np.array([table[(dataset, r)][(prot, key)][1] for r in rows])
        colours = ['grey' if r[0] == 'deepwalk' else ('C3' if r[3] == 'leaky' else
                   'C%d' % (1 + METHODS.index(r[0]))) for r in rows]
        ax.barh(range(len(rows)), mu, xerr=sd, color=colours, capsize=2)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels(['%s\n%s%s' % (LABELS[r[0]], labels[r], ' LEAKY' if r[3] == 'leaky'
                                          else '') for r in rows], fontsize=6)
        dw = table.get((dataset, ('deepwalk', '-', '-', '-')), {}).get((prot, key))
        if dw:
            claim = PAPER['clustering' if key == 'nmi' else 'link prediction']
            ax.axvline(dw[0] * (1 + claim / 100), color='k', ls='--', lw=1,
                       label="DeepWalk +%.2f%% (the paper's claim)" % claim)
            ax.legend(fontsize=6, loc='lower left')
        lo, hi = (mu - sd).min(), (mu + sd).max()
        if dw:
            hi = max(hi, dw[0] * 1.03)
        ax.set_xlim(max(0, lo - 0.1 * (hi - lo + 1e-3)), hi + 0.05 * (hi - lo + 1e-3))
        ax.set_title(title, fontsize=9)
        ax.grid(axis='x', alpha=0.3)
    fig.suptitle('Author2Vec variants vs DeepWalk (mean +/- std over seeds; red: leaky content)')
    fig.tight_layout()
    save_figure(fig, path, dpi=110)


def _plot_curves(curves, progress, table, path):
    import matplotlib.pyplot as plt
    series = [(key_name(run_key(r)), r['epochs_log'], r['dataset'], r['protocol'])
              for r in curves]
    for name, log in sorted(progress.items()):
        dataset, protocol = name.split('-')[0], name.split('-')[1]
        if name.startswith('cane-cora'):
            dataset, protocol = 'cane-cora', name.split('-')[2]
        series.append((name + ' (running)', log, dataset, protocol))
    metrics = [('auc_hadamard', 'LP AUC (Hadamard LR)'), ('auc_own', 'LP AUC (own score)'),
               ('nmi', 'clustering NMI')]
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    lines_drawn = set()
    for i, (name, log, dataset, protocol) in enumerate(series):
        pts = [p for p in log if 'auc_hadamard' in p]
        for ax, (key, title) in zip(axes, metrics):
            xs = [p['epoch'] for p in pts if key in p]
            if not xs:
                continue
            ax.plot(xs, [p[key] for p in pts if key in p], marker='o', ms=3, color='C%d' % i,
                    label=name)
            dw = table.get((dataset, ('deepwalk', '-', '-', '-')), {}).get(
                ('holdout' if key == 'nmi' else protocol, key if key != 'auc_own'
                 else 'auc_hadamard'))
            if dw and (dataset, protocol, key) not in lines_drawn:
                lines_drawn.add((dataset, protocol, key))
                claim = PAPER['clustering' if key == 'nmi' else 'link prediction']
                ax.axhline(dw[0], color='grey', lw=1, label='DeepWalk %s %s (mean)'
                           % (dataset, protocol))
                ax.axhline(dw[0] * (1 + claim / 100), color='k', ls='--', lw=1,
                           label="DeepWalk +%.2f%% (the paper's claim)" % claim)
            ax.set(xlabel='epoch', title=title)
            ax.grid(alpha=0.3)
    for ax in axes:
        ax.legend(fontsize=6)
    fig.suptitle('The a2v.lua configuration: held-out scores against training epochs')
    fig.tight_layout()
    save_figure(fig, path, dpi=110)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--dataset', choices=DATASETS, default='aan')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    p.add_argument('--protocols', nargs='+', choices=['holdout', 'temporal'], default=None,
                   help='default: holdout and temporal on AAN, holdout on CANE-Cora')
    p.add_argument('--methods', nargs='+', choices=METHODS, default=METHODS)
    p.add_argument('--leaky', action='store_true',
                   help='the content model sees every paper, also the joint papers of held-out '
                        'pairs (and, temporal, later papers): the paper\'s likely setting')
    p.add_argument('--preset', choices=['a2v-lua'], default=None,
                   help="the Keras methods with the authors' configuration "
                        '(estimator.A2V_LUA); --epochs overrides its 100')
    p.add_argument('--curve-every', type=int, default=0, metavar='K',
                   help='score the embeddings every K epochs (and after the first): AUC and '
                        'NMI against epoch')
    p.add_argument('--dim', type=int, default=100)
    p.add_argument('--hidden-dim', type=int, default=50)
    p.add_argument('--epochs', type=int, default=None, help='default 4, or the preset\'s')
    p.add_argument('--negatives', type=int, default=5)
    p.add_argument('--batch-size', type=int, default=4096)
    p.add_argument('--optimizer', default='adam')
    p.add_argument('--lr', type=float, default=0.01)
    p.add_argument('--projection', action='store_true')
    p.add_argument('--doc2vec-epochs', type=int, default=20)
    p.add_argument('--workers', type=int, default=1)
    p.add_argument('--verbose', type=int, default=0, help='Keras progress bars (1)')
    p.add_argument('--out', default=OUT, help='results path without extension')
    p.add_argument('--checkpoint-dir', default=None,
                   help='where Keras fits keep their checkpoints (default OUT.checkpoints)')
    p.add_argument('--resume', action='store_true',
                   help='add to the existing JSON, skip finished runs, resume checkpoints')
    p.add_argument('--report-only', action='store_true')
    p.add_argument('--notes', default=None, help='markdown file appended to the report')
    p.add_argument('--merge', nargs='*', default=[],
                   help='JSON files of parallel jobs to merge into the report')
    args = p.parse_args(argv)
    if args.protocols is None:
        args.protocols = ['holdout', 'temporal'] if args.dataset == 'aan' else ['holdout']
    if args.leaky and args.dataset == 'cane-cora':
        p.error('--leaky: CANE-Cora has no leak to remove (a vertex only "wrote" its own '
                'abstract)')
    args.checkpoint_dir = args.checkpoint_dir or args.out + '.checkpoints'
    path_json = args.out + '.json'
    if not args.report_only:
        from author2vec_keras.backend import keras  # noqa: F401  (Theano + fixes, recorded)
        from author2vec_keras.pipeline import versions
        store = Store(path_json, args.resume)
        command = 'python benchmarks/author2vec_vs_paper.py ' + ' '.join(
            argv if argv is not None else sys.argv[1:])
        commands = store.data.setdefault('commands', [store.data.pop('command')]
                                         if 'command' in store.data else [])
        if command not in commands:
            commands.append(command)
        store.data['versions'] = versions()
        store.save()
        run(args, store)
    if args.notes or args.merge:
        with open(path_json) as f:
            data = json.load(f)
        if args.notes:
            with open(args.notes) as f:
                data['notes'] = f.read()
        seen = {run_key(upgrade(r, data.get('settings'))) for r in data['runs']}
        for path in args.merge:
            with open(path) as f:
                other = json.load(f)
            new = [upgrade(r, other.get('settings')) for r in other['runs']]
            data['runs'] += [r for r in new if run_key(r) not in seen]
            data.setdefault('parallel_commands', []).extend(
                other.get('commands', [other.get('command')]))
        with atomic_open(path_json, 'w') as f:
            json.dump(data, f, indent=1, default=float)
    report(path_json, args.out)


if __name__ == '__main__':
    main()
