"""Author2Vec (content + link) vs DeepWalk on AAN, next to the paper's reported gains.

    THEANO_FLAGS=base_compiledir=/tmp/theano_a2v python benchmarks/author2vec_vs_paper.py \
        --seeds 0 1 2 3 4 --epochs 4 --batch-size 4096 --optimizer adam --lr 0.01

writes results/author2vec_vs_paper.{json,md,png}. Every finished run is appended to the JSON
at once (`--resume` skips runs already there), so an interrupted job keeps its results;
`--report-only` rebuilds the .md and .png from the JSON.

Protocols (AAN 2011 co-authorship, 13,017 authors, 39,324 pairs; see the .md for details):
- hold-out: node2vec's split (50% of the co-authorships held out, training graph keeps its
  components, as many non-edges); the content model only sees papers none of whose author pairs
  is held out (else the joint paper would reveal the held-out link).
- temporal: co-authorships up to 2008 train, pairs first co-authoring in 2009-2011 test; the
  content model only sees papers up to 2008.
Link prediction AUC: logistic regression on Hadamard edge features (node2vec), and the model's
own pair score (Author2Vec's link head; DeepWalk/content-only: inner product).
Clustering NMI: k-means (k = 15 series) on the hold-out embeddings vs each author's most
frequent ACL Anthology venue series (`author2vec.aan_venue_labels`).
"""
import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from author2vec_keras.backend import keras  # noqa: E402  (Theano backend + version fixes first)
from author2vec_keras.io import atomic_open, save_figure  # noqa: E402

METHODS = ['deepwalk', 'link', 'content', 'alternating', 'joint']
LABELS = {'deepwalk': 'DeepWalk', 'link': 'Link-Info only', 'content': 'Content-Info only',
          'alternating': 'Author2Vec (alternating)', 'joint': 'Author2Vec (joint)'}
PAPER = {'link prediction': 2.35, 'clustering': 0.83}
SPLIT_YEAR = 2008


def run_seed(seed, protocol, args, done, record):
    from author2vec_keras import datasets, evaluation as ev, pipeline
    from author2vec_keras.baselines import DeepWalk
    from author2vec_keras.datasets.aan import aan_authorship, aan_coauthor_events, aan_venue_labels
    from author2vec_keras.estimator import ContentLinkAuthor2Vec
    from author2vec_keras.splits import link_prediction_split, temporal_split
    from author2vec_keras.text import doc2vec_vectors

    todo = [m for m in args.methods if (seed, protocol, m) not in done]
    if not todo:
        return
    ds = datasets.load('aan')
    papers = ds.extra['papers']
    if protocol == 'holdout':
        split = link_prediction_split(ds.graph, 0.5, seed=seed)
        held = {frozenset(ds.graph.ids(list(e))) for e in split.test_edges.tolist()}
        pairs, texts, kept = aan_authorship(papers, exclude_pairs=held)
        labels, names = aan_venue_labels(split.train_graph, papers)
    else:
        src, dst, years = aan_coauthor_events(papers)
        split = temporal_split(src, dst, years, SPLIT_YEAR, seed=seed)
        pairs, texts, kept = aan_authorship(papers, max_year=SPLIT_YEAR)
        labels = None
    setup = pipeline.prepare('link-prediction', ds.graph, seed=seed, split=split)
    g = setup.fit_graph
    t0 = time.time()
    ids = sorted(texts)
    vec = doc2vec_vectors([texts[p] for p in ids], dim=args.dim, epochs=args.doc2vec_epochs,
                          seed=seed)
    paper_vectors = dict(zip(ids, vec))
    d2v_time = time.time() - t0
    info = {'train_nodes': g.num_nodes, 'train_edges': g.num_edges,
            'test_edges': int(len(split.test_edges)), 'papers_for_content': kept,
            'authorship_pairs': len(pairs), 'doc2vec_seconds': round(d2v_time, 1)}
    print('[seed %d %s] %s' % (seed, protocol, info), flush=True)
    for method in todo:
        fit_params = {}
        if method == 'deepwalk':
            est = DeepWalk(dim=args.dim, workers=args.workers, random_state=seed)
        else:
            est = ContentLinkAuthor2Vec(
                dim=args.dim, hidden_dim=args.hidden_dim, schedule=method,
                projection=args.projection, negatives=args.negatives, epochs=args.epochs,
                batch_size=args.batch_size, optimizer=args.optimizer, lr=args.lr,
                random_state=seed, verbose=1)
            fit_params = dict(authorship=pairs, paper_vectors=paper_vectors)
        lp, timings = pipeline.fit_and_score(est, setup, seed=seed, fit_params=fit_params,
                                             operators=['hadamard'])
        emb = est.get_embedding()
        rec = {'seed': seed, 'protocol': protocol, 'method': method,
               'auc_hadamard': lp['hadamard']['auc'], 'auc_own': lp['own']['auc'],
               'fit_seconds': round(timings['fit'], 1), 'data': info}
        if labels is not None:
            rec['nmi'] = ev.evaluate_clustering(emb, labels, seed=seed)['labels']['nmi']
        if hasattr(est, 'history_'):
            rec['history'] = est.history_
        print('[seed %d %s] %s' % (seed, protocol, {k: v for k, v in rec.items()
                                                     if k not in ('data', 'history')}),
              flush=True)
        record(rec)


def _stats(vals):
    vals = np.asarray(vals, dtype=float)
    return vals.mean(), (vals.std(ddof=1) if len(vals) > 1 else 0.0), len(vals)


def report(path_json, path_md, path_png):
    with open(path_json) as f:
        data = json.load(f)
    runs = data['runs']
    metrics = [('holdout', 'auc_hadamard', 'LP AUC hold-out (Hadamard LR)'),
               ('holdout', 'auc_own', 'LP AUC hold-out (own score)'),
               ('temporal', 'auc_hadamard', 'LP AUC temporal (Hadamard LR)'),
               ('temporal', 'auc_own', 'LP AUC temporal (own score)'),
               ('holdout', 'nmi', 'clustering NMI (venue series)')]
    table = {}
    for m in METHODS:
        for prot, key, _ in metrics:
            vals = [r[key] for r in runs if r['method'] == m and r['protocol'] == prot
                    and key in r]
            if vals:
                table[(m, prot, key)] = _stats(vals)
    seeds = sorted({r['seed'] for r in runs})
    lines = ['# Author2Vec (content + link) vs DeepWalk on AAN, and the paper', '',
             'Regenerate: `%s`' % data['command'], '',
             ('This table was run as parallel per-seed jobs merged with `--merge`: %s.'
              % '; '.join('`%s`' % c for c in data['parallel_commands'])
              if data.get('parallel_commands') else ''), '',
             'Seeds: %s (mean +/- sample std over the seeds that finished; n per cell in '
             'brackets). Versions: %s.' % (seeds, ', '.join('%s %s' % kv for kv in
                                                           sorted(data['versions'].items()))),
             '', 'Settings: %s.' % ', '.join('%s=%s' % kv for kv in sorted(data['settings'].items())),
             '', '| method | ' + ' | '.join(t for _, _, t in metrics) + ' |',
             '|---|' + '---|' * len(metrics)]
    for m in METHODS:
        cells = []
        for prot, key, _ in metrics:
            s = table.get((m, prot, key))
            cells.append('%.4f +/- %.4f (%d)' % s if s else 'n/a')
        lines.append('| %s | %s |' % (LABELS[m], ' | '.join(cells)))
    lines += ['', '## Relative gain over DeepWalk (mean over seeds), next to the paper', '',
              '| method | LP hold-out (Hadamard) | LP temporal (Hadamard) | clustering NMI |',
              '|---|---|---|---|',
              '| paper: Author2Vec vs DeepWalk | +%.2f%% | +%.2f%% (protocol not stated) | +%.2f%% |'
              % (PAPER['link prediction'], PAPER['link prediction'], PAPER['clustering'])]
    for m in METHODS[1:]:
        cells = []
        for prot, key in [('holdout', 'auc_hadamard'), ('temporal', 'auc_hadamard'),
                          ('holdout', 'nmi')]:
            a, b = table.get((m, prot, key)), table.get(('deepwalk', prot, key))
            cells.append('%+.2f%%' % (100 * (a[0] - b[0]) / b[0]) if a and b and b[0] else 'n/a')
        lines.append('| %s | %s |' % (LABELS[m], ' | '.join(cells)))
    lines += ['', "## What the content adds: gain over Link-Info only (the paper's ablation)", '',
              '| method | LP hold-out (Hadamard) | LP hold-out (own) | LP temporal (Hadamard) '
              '| LP temporal (own) | clustering NMI |', '|---|---|---|---|---|---|']
    for m in ['alternating', 'joint']:
        cells = []
        for prot, key in [('holdout', 'auc_hadamard'), ('holdout', 'auc_own'),
                          ('temporal', 'auc_hadamard'), ('temporal', 'auc_own'),
                          ('holdout', 'nmi')]:
            a, b = table.get((m, prot, key)), table.get(('link', prot, key))
            cells.append('%+.2f%%' % (100 * (a[0] - b[0]) / b[0]) if a and b and b[0] else 'n/a')
        lines.append('| %s | %s |' % (LABELS[m], ' | '.join(cells)))
    lines += ['', data.get('notes', '')]
    with atomic_open(path_md, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
        for ax, (prot, key, title) in zip(axes, [metrics[0], metrics[2], metrics[4]]):
            ms = [m for m in METHODS if (m, prot, key) in table]
            means = [table[(m, prot, key)][0] for m in ms]
            stds = [table[(m, prot, key)][1] for m in ms]
            ax.bar(range(len(ms)), means, yerr=stds, capsize=3,
                   color=['grey', 'C0', 'C1', 'C2', 'C3'][:len(ms)])
            ax.set_xticks(range(len(ms)))
            ax.set_xticklabels([LABELS[m].replace(' (', '\n(') for m in ms], fontsize=7)
            ax.set_title(title, fontsize=9)
            if means:
                lo = min(m - s for m, s in zip(means, stds))
                hi = max(m + s for m, s in zip(means, stds))
                ax.set_ylim(max(0, lo - 0.1 * (hi - lo + 1e-3)), hi + 0.1 * (hi - lo + 1e-3))
        fig.suptitle('AAN: Author2Vec variants vs DeepWalk (mean +/- std over seeds)')
        fig.tight_layout()
        save_figure(fig, path_png, dpi=110)
    except Exception as e:  # pragma: no cover
        print('no figure: %s' % e)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    p.add_argument('--protocols', nargs='+', default=['holdout', 'temporal'])
    p.add_argument('--methods', nargs='+', default=METHODS)
    p.add_argument('--dim', type=int, default=100)
    p.add_argument('--hidden-dim', type=int, default=50)
    p.add_argument('--epochs', type=int, default=4)
    p.add_argument('--negatives', type=int, default=5)
    p.add_argument('--batch-size', type=int, default=4096)
    p.add_argument('--optimizer', default='adam')
    p.add_argument('--lr', type=float, default=0.01)
    p.add_argument('--projection', action='store_true')
    p.add_argument('--doc2vec-epochs', type=int, default=20)
    p.add_argument('--workers', type=int, default=1)
    p.add_argument('--out', default=os.path.join(os.path.dirname(HERE), 'results',
                                                 'author2vec_vs_paper'))
    p.add_argument('--resume', action='store_true')
    p.add_argument('--report-only', action='store_true')
    p.add_argument('--notes', default=None, help='markdown file appended to the report')
    p.add_argument('--merge', nargs='*', default=[],
                   help='JSON files of parallel jobs (other seeds, same settings) to merge '
                        'into the report')
    args = p.parse_args(argv)
    path_json = args.out + '.json'
    if not args.report_only:
        data = {'runs': []}
        if args.resume and os.path.exists(path_json):
            with open(path_json) as f:
                data = json.load(f)
        data['command'] = 'python benchmarks/author2vec_vs_paper.py ' + ' '.join(
            argv if argv is not None else sys.argv[1:])
        from author2vec_keras.pipeline import versions
        data['versions'] = versions()
        data['settings'] = {k: getattr(args, k) for k in (
            'dim', 'hidden_dim', 'epochs', 'negatives', 'batch_size', 'optimizer', 'lr',
            'projection', 'doc2vec_epochs')}
        data['settings']['split_year'] = SPLIT_YEAR
        done = {(r['seed'], r['protocol'], r['method']) for r in data['runs']}

        def record(rec):
            data['runs'].append(rec)
            tmp = path_json + '.tmp'
            with open(tmp, 'w') as f:
                json.dump(data, f, indent=1, default=float)
            os.replace(tmp, path_json)

        for seed in args.seeds:
            for protocol in args.protocols:
                run_seed(seed, protocol, args, done, record)
    if args.notes:
        with open(path_json) as f:
            data = json.load(f)
        with open(args.notes) as f:
            data['notes'] = f.read()
        with atomic_open(path_json, 'w') as f:
            json.dump(data, f, indent=1, default=float)
    if args.merge:  # fold the parallel jobs' runs into the main JSON
        with open(path_json) as f:
            data = json.load(f)
        seen = {(r['seed'], r['protocol'], r['method']) for r in data['runs']}
        for path in args.merge:
            with open(path) as f:
                other = json.load(f)
            if other['settings'] != data['settings']:
                raise ValueError('%s was run with other settings' % path)
            data['runs'] += [r for r in other['runs']
                             if (r['seed'], r['protocol'], r['method']) not in seen]
            data.setdefault('parallel_commands', []).append(other['command'])
        with atomic_open(path_json, 'w') as f:
            json.dump(data, f, indent=1, default=float)
    report(path_json, args.out + '.md', args.out + '.png')


if __name__ == '__main__':
    main()
