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
(`presets.A2V_LUA`; `--epochs` overrides its 100); without it, with the flags.
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
import paper_comparison  # noqa: E402  (benchmarks/, beside this script)
from paper_comparison import (  # noqa: E402
    A2V_KEY as KEY,
    A2V_METHODS as METHODS,
    A2V_USES_CONTENT as USES_CONTENT,
    a2v_run_key as run_key,
    a2v_run_name as key_name,
)

from author2vec_keras.fileio import atomic_open, save_figure  # noqa: E402
from author2vec_keras.training.presets import presets_of  # noqa: E402

KERAS = {'link', 'content', 'alternating', 'joint', 'walks'}
SPLIT_YEAR = 2008
DATASETS = tuple(paper_comparison.A2V_DATASETS)
OUT = os.path.join(os.path.dirname(HERE), 'results', 'author2vec_vs_paper')


def config_of(args):
    """The configuration tag of the Keras methods: the preset's name, or the flags' settings."""
    if args.preset:  # with its overrides, if any: 'a2v-lua[embedding_init=uniform]'
        return args.preset + ('[%s]' % ','.join('%s=%s' % kv for kv in sorted(
            args.set.items())) if args.set else '')
    return paper_comparison.a2v_config(vars(args))


def make_estimator(method, seed, args, checkpoint_dir):
    from author2vec_keras import ContentLinkAuthor2Vec
    from author2vec_keras.evaluation.baselines import DeepWalk
    if method == 'deepwalk':
        return DeepWalk(dim=args.dim, num_walks=args.deepwalk_walks, workers=args.workers,
                        random_state=seed)
    common = dict(schedule=method, random_state=seed, verbose=args.verbose,
                  checkpoint_dir=checkpoint_dir, doc2vec_epochs=args.doc2vec_epochs)
    if args.preset:
        if args.epochs is not None:
            common['epochs'] = args.epochs
        return ContentLinkAuthor2Vec.from_preset(args.preset, **dict(args.set, **common))
    return ContentLinkAuthor2Vec(
        dim=args.dim, hidden_dim=args.hidden_dim, projection=args.projection,
        negatives=args.negatives, epochs=args.epochs or 4, batch_size=args.batch_size,
        optimizer=args.optimizer, lr=args.lr, **common)


def aan_slice(prefixes):
    """AAN cut to the papers whose id starts with one of `prefixes` ('D08' is EMNLP 2008) and
    the co-authorship graph of their authors: a small real testbed for smoke runs."""
    import warnings

    from author2vec_keras.data import datasets
    from author2vec_keras.data.datasets.aan import aan_coauthor_events
    from author2vec_keras.data.graph import DataWarning, Graph
    papers = {k: v for k, v in datasets.load('aan').extra['papers'].items()
              if k.startswith(tuple(prefixes))}
    src, dst, _ = aan_coauthor_events(papers)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DataWarning)  # pairs that co-author twice
        graph = Graph.from_edges(src, dst)
    return datasets.Dataset('aan', graph, text=True, extra={'papers': papers},
                            source='AAN papers %s' % ','.join(prefixes))


class Testbed(object):
    """One dataset, protocol, seed (and content setting): the pipeline's set-up, the content
    model's papers and their Doc2Vec vectors, the clustering labels."""

    def __init__(self, dataset, protocol, seed, leaky, doc2vec_epochs, papers=None):
        from author2vec_keras.data import datasets
        from author2vec_keras.data.datasets.aan import aan_coauthor_events, aan_venue_labels
        from author2vec_keras.data.splits import link_prediction_split, temporal_split
        from author2vec_keras.evaluation import pipeline
        ds = datasets.load(dataset) if papers is None else aan_slice(papers)
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
        from author2vec_keras.data.text import doc2vec_vectors
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
        from author2vec_keras.evaluation import pipeline
        emb = np.asarray(est.get_embedding() if embeddings is None else embeddings, float)
        lp = pipeline.score(self.setup, emb, own=pipeline.own_score(est), seed=self.seed,
                            operators=['hadamard'])
        out = {'auc_hadamard': lp['hadamard']['auc'], 'auc_own': lp['own']['auc']}
        if self.labels is not None:
            out['nmi'] = _nmi(emb, self.labels, self.seed)
        return out


def _nmi(embeddings, labels, seed):
    """Clustering NMI against the labels; None where fewer than two labels occur."""
    from author2vec_keras.evaluation import protocols as ev
    scores = ev.evaluate_clustering(embeddings, labels, seed=seed).get('labels')
    return scores and scores['nmi']


def run_one(bed, key, method, args, store):
    """Fit and score one method on a testbed; returns the run record (also stored)."""
    from author2vec_keras.evaluation import pipeline
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
        clock, last = [time.time()], [None]

        def on_epoch_end(epoch, logs):
            epoch += 1  # Keras counts the epochs from 0, the records from 1
            now = time.time()
            point = {'epoch': epoch, 'seconds': round(now - clock[0], 1),
                     'loadavg': round(os.getloadavg()[0], 2),
                     'loss': est.history_[-1]}
            table = np.asarray(est.embeddings_, float)
            if last[0] is not None:  # how far an epoch moves the exported author vectors
                point['table_change'] = float(np.linalg.norm(table - last[0])
                                              / np.linalg.norm(last[0]))
            point['table_rms'] = float(np.sqrt(np.mean(table ** 2)))
            last[0] = table
            if args.curve_every and (epoch % args.curve_every == 0 or epoch == 1):
                point.update(bed.score(est, est.embeddings_))
            print('  [%s] epoch %d/%d %s' % (name, epoch, est.epochs, json.dumps(
                {k: (round(v, 4) if isinstance(v, float) else v) for k, v in point.items()
                 if k != 'loss'})), flush=True)
            progress[:] = [p for p in progress if p['epoch'] < epoch] + [point]
            store.save()
            clock[0] = time.time()
        from author2vec_keras.nn.backend import keras
        fit_params['callbacks'] = [keras.callbacks.LambdaCallback(on_epoch_end=on_epoch_end)]
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
        rec['nmi'] = _nmi(est.get_embedding(), bed.labels, seed)
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
        self.data['runs'] = paper_comparison.a2v_runs(self.data)
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
                    print('walks: the content + link model trains on edge pairs here; skipped')
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
            bed = Testbed(args.dataset, protocol, seed, args.leaky, args.doc2vec_epochs,
                          args.papers)
            print('[%s seed %d %s%s] %s' % (args.dataset, seed, protocol,
                                            ' leaky' if args.leaky else '', bed.info), flush=True)
            for key, method in todo:
                run_one(bed, key, method, args, store)


# -- the report ---------------------------------------------------------------------------------

def report(path_json, out):
    """OUT.md (`paper_comparison.a2v_markdown`, the notes), OUT.png, OUT_curve.png from the JSON."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    with open(path_json) as f:
        data = json.load(f)
    runs = paper_comparison.a2v_runs(data)
    seeds = sorted({r['seed'] for r in runs})
    versions = data.get('versions', {})
    lines = ['# Author2Vec (content + link) vs DeepWalk on AAN and CANE-Cora, and the paper', '',
             'The commands that made these runs (each adds its runs; `--resume`):', '']
    lines += ['- `%s`' % c for c in data.get('commands', [])]
    if data.get('parallel_commands'):  # the first version's per-seed jobs
        lines += ['- merged parallel jobs: ' + '; '.join('`%s`' % c
                                                        for c in data['parallel_commands'])]
    lines += ['', 'Seeds: %s (mean +/- sample std over the seeds that finished; n per cell in '
                  'brackets). Versions: %s.' % (seeds, ', '.join(
                      '%s %s' % kv for kv in sorted(versions.items()) if kv[1])), '',
              paper_comparison.a2v_markdown(data), data.get('notes', '')]
    with atomic_open(out + '.md', 'w') as f:
        f.write('\n'.join(lines) + '\n')
    fig = paper_comparison.a2v_figure(data)
    save_figure(fig, out + '.png', dpi=110)
    plt.close(fig)
    fig = paper_comparison.a2v_curve_figure(data)
    if fig is not None:
        save_figure(fig, out + '_curve.png', dpi=110)
        plt.close(fig)


def _parse_setting(text):
    """'name=value' -> (name, value), the value read as JSON when it is (numbers, booleans)."""
    from author2vec_keras import ContentLinkAuthor2Vec
    name, sep, value = text.partition('=')
    if not sep or name not in ContentLinkAuthor2Vec().get_params():
        raise ValueError('expected PARAM=VALUE with a ContentLinkAuthor2Vec parameter, got %r'
                         % text)
    try:
        return name, json.loads(value)
    except ValueError:
        return name, value


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
    p.add_argument('--preset', default=None,
                   choices=presets_of('ContentLinkAuthor2Vec'),
                   help="the Keras methods with the authors' configuration: 'a2v-lua' "
                        "(presets.A2V_LUA, one author table) or 'a2v-lua-as-run' "
                        "(A2V_LUA_AS_RUN, one per model, as the released code ran); --epochs "
                        'overrides their 100')
    p.add_argument('--set', action='append', default=[], metavar='PARAM=VALUE',
                   help='with --preset: override one of its parameters (a sensitivity run; '
                        'its configuration is named after it), e.g. --set embedding_init=uniform')
    p.add_argument('--curve-every', type=int, default=0, metavar='K',
                   help='score the embeddings every K epochs (and after the first): AUC and '
                        'NMI against epoch')
    p.add_argument('--papers', default=None, metavar='PREFIX[,PREFIX]',
                   type=lambda text: [x for x in text.split(',') if x],
                   help="AAN only: keep the papers whose id starts with a prefix ('D08' is "
                        'EMNLP 2008) and the co-authorship graph of their authors (smoke runs; '
                        'name another --out)')
    p.add_argument('--deepwalk-walks', type=int, default=10, metavar='N',
                   help='DeepWalk\'s walks per node (10, the reference; fewer for smoke runs)')
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
    try:
        args.set = dict(_parse_setting(x) for x in args.set)
    except ValueError as e:
        p.error('--set: %s' % e)
    if args.set and not args.preset:
        p.error('--set overrides a --preset')
    if args.protocols is None:
        args.protocols = ['holdout', 'temporal'] if args.dataset == 'aan' else ['holdout']
    if args.papers is not None and (args.dataset != 'aan' or not args.papers):
        p.error('--papers: give AAN paper id prefixes, e.g. D08,D09,D10 (AAN only)')
    if args.leaky and args.dataset == 'cane-cora':
        p.error('--leaky: CANE-Cora has no leak to remove (a vertex only "wrote" its own '
                'abstract)')
    args.checkpoint_dir = args.checkpoint_dir or args.out + '.checkpoints'
    path_json = args.out + '.json'
    if not args.report_only:
        from author2vec_keras.evaluation.pipeline import versions
        from author2vec_keras.nn.backend import keras  # noqa: F401  (Theano + fixes, recorded)
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
        data['runs'] = paper_comparison.a2v_runs(data)
        seen = {run_key(r) for r in data['runs']}
        for path in args.merge:
            with open(path) as f:
                other = json.load(f)
            new = paper_comparison.a2v_runs(other)
            data['runs'] += [r for r in new if run_key(r) not in seen]
            seen |= {run_key(r) for r in new}
            finished = {key_name(run_key(r)) for r in data['runs']}
            in_progress = data.setdefault('in_progress', {})
            for name in list(in_progress):  # a run that finished elsewhere
                if name in finished:
                    del in_progress[name]
            in_progress.update({k: v for k, v in other.get('in_progress', {}).items()
                                if k not in finished and v})
            data.setdefault('commands', [data.pop('command')] if 'command' in data else [])
            data['commands'] += [c for c in other.get('commands', [other.get('command')])
                                 if c not in data['commands']]
        with atomic_open(path_json, 'w') as f:
            json.dump(data, f, indent=1, default=float)
    report(path_json, args.out)


if __name__ == '__main__':
    main()
