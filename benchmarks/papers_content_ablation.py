"""Where the content goes: the content + link model against the content signal it is given.

    python benchmarks/papers_content_ablation.py                 # hep-th, temporal 1999, 3 seeds
    python benchmarks/papers_content_ablation.py --seeds 1       # one seed (about 10 minutes)
    python benchmarks/papers_content_ablation.py --table-only    # re-render the table

On the papers benchmark's split (`author2vec benchmark --dataset hep-th --protocol temporal
--split-year 1999 --min-papers 2`, the same seeds), each row scores the future co-author pairs
as the benchmark does (`papers_benchmark.evaluate`):

- the content signal alone, no training: TF-IDF of each author's papers (the `tfidf` method),
  and each author's mean paper vector, LSA (TF-IDF reduced to d=100 by a truncated SVD) or
  Doc2Vec (the vectors the content + link model starts its paper table from), cosine;
- `ContentLinkAuthor2Vec` (preset `content-link`) and variants, each scored by its link head
  (`own`) and by the cosine of its author vectors: the preset (the benchmark's `content-link`),
  its link model alone (`schedule='link'`), its content model alone (`schedule='content'`),
  LSA paper vectors instead of Doc2Vec's, 20 epochs instead of 4, and the author table started
  from each author's mean paper vector (`embedding_init='papers'`).

Writes `results/papers_content_ablation.{json,md}` (`--output`); resumes: rows already in the
JSON for a seed are kept.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
sys.path.insert(0, ROOT)

#: row -> ContentLinkAuthor2Vec parameters over the preset ('vectors': the paper vectors)
MODELS = [
    ('content-link', {}),
    ('link model alone', {'schedule': 'link'}),
    ('content model alone', {'schedule': 'content'}),
    ('content-link, LSA paper vectors', {'vectors': 'lsa'}),
    ('content-link, 20 epochs', {'epochs': 20}),
    ('content-link, papers init', {'embedding_init': 'papers'}),
    ('content-link, papers init, LSA paper vectors', {'embedding_init': 'papers',
                                                      'vectors': 'lsa'}),
    ('content-link, papers init, 20 epochs', {'embedding_init': 'papers', 'epochs': 20}),
]
SIGNALS = ('tfidf', 'LSA mean', 'Doc2Vec mean')
METRICS = ('auc_random', 'auc_active', 'hits@10', 'auc_cold')


def _lsa(texts, papers, dim, seed):
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    x = TfidfVectorizer(min_df=2, max_df=0.5, sublinear_tf=True, stop_words='english') \
        .fit_transform([texts[p] for p in papers])
    return dict(zip(papers, TruncatedSVD(dim, random_state=seed).fit_transform(x)))


def _author_means(nodes, pairs, vectors):
    row = {v: i for i, v in enumerate(nodes)}
    dim = len(next(iter(vectors.values())))
    sums, counts = np.zeros((len(nodes), dim)), np.zeros(len(nodes))
    for a, p in pairs:
        if a in row:
            sums[row[a]] += vectors[p]
            counts[row[a]] += 1
    return sums / np.maximum(counts, 1)[:, None]


def run_seed(seed, done, save):
    """Every row of one seed not in `done` (row -> metrics); `save(row, metrics)` each."""
    from author2vec_keras.evaluation import papers_benchmark as pb
    from author2vec_keras.training.content_link import ContentLinkAuthor2Vec
    from author2vec_keras.training.presets import preset_settings
    _, papers = pb.papers_of('hep-th')
    split = pb.make_split(papers, 'temporal', 1999, min_papers=2, seed=seed)
    pairs, texts = split.authorship()
    graph, nodes = split.train_graph, list(split.train_graph.nodes)
    preset = preset_settings('content-link', 'ContentLinkAuthor2Vec')
    ids = sorted({p for _, p in pairs})
    vectors = {'lsa': _lsa(texts, ids, preset['dim'], seed), 'doc2vec': None}

    def doc2vec():
        """The paper vectors the preset makes (`ContentLinkAuthor2Vec._prepare_content`: the
        papers in their order of first authorship, gensim Doc2Vec seeded), made once."""
        if vectors['doc2vec'] is None:
            from author2vec_keras.data.text import doc2vec_model
            known = set(nodes)
            order = list(dict.fromkeys(p for a, p in pairs if a in known))
            vec = doc2vec_model([texts[p] for p in order], dim=preset['dim'],
                                epochs=preset['doc2vec_epochs'], seed=seed)[0]
            vectors['doc2vec'] = dict(zip(order, vec))
        return vectors['doc2vec']

    def score(row, scorer, started, **extra):
        if row not in done:
            m = pb.evaluate(scorer, split, seed=seed)
            m.update(extra, seconds=round(time.time() - started, 1))
            save(row, m)

    started = time.time()
    score('tfidf', pb._tfidf(split, pb.settings_for(graph=graph), {}), started)
    score('LSA mean', pb.embedding_scorer(_author_means(nodes, pairs, vectors['lsa'])),
          started)
    if 'Doc2Vec mean' not in done:
        started = time.time()
        score('Doc2Vec mean', pb.embedding_scorer(_author_means(nodes, pairs, doc2vec())),
              started)
    for row, params in MODELS:
        if row in done and row + ' (cosine)' in done or \
                row + ' (cosine)' in done and params.get('schedule') == 'content':
            continue
        params = dict(params)
        source = params.pop('vectors', 'doc2vec')
        started = time.time()
        est = ContentLinkAuthor2Vec(**dict(preset, random_state=seed, verbose=0, **params))
        est.fit(graph, authorship=pairs,
                paper_vectors=doc2vec() if source == 'doc2vec' else vectors[source])
        last = {k: round(v, 4) for k, v in (est.history_[-1] if est.history_ else {}).items()}
        if est.uses_link:
            score(row, pb._own_scorer(est), started, final_loss=last)
        score(row + ' (cosine)', pb.embedding_scorer(est.get_embedding()), started,
              final_loss=last)


def table(result):
    rows = list(SIGNALS) + [r + s for r, _ in MODELS for s in ('', ' (cosine)')]
    seeds = sorted(result['runs'], key=int)
    out = ['| scores | %s | seeds |' % ' | '.join(METRICS), '|---' * (len(METRICS) + 2) + '|']
    for row in rows:
        got = [result['runs'][s][row] for s in seeds if row in result['runs'][s]]
        if not got:
            continue
        cells = []
        for m in METRICS:
            v = np.array([g[m] for g in got if g.get(m) is not None], dtype=float)
            cells.append('-' if not len(v) else '%.3f' % v.mean() if len(v) == 1 else
                         '%.3f +/- %.3f' % (v.mean(), v.std()))
        out.append('| %s | %s | %d |' % (row, ' | '.join(cells), len(got)))
    return '\n'.join(out)


def write(result, path):
    from author2vec_keras.fileio import atomic_open
    with atomic_open(path + '.json', 'w') as f:
        json.dump(result, f, indent=1)
    doc = __doc__.split('\n\n')
    bullets = doc[3].strip().lstrip('- ').split('\n- ')
    text = ['# Where the content goes: the content + link model on hep-th (temporal 1999)', '',
            'Written by `%s`. %s' % (result['command'], ' '.join(doc[2].split())), ''] + \
        ['- ' + ' '.join(b.split()) for b in bullets] + ['', table(result), '',
            'Metrics as the papers benchmark (`author2vec benchmark --dataset hep-th --protocol '
            'temporal --split-year 1999 --min-papers 2`): AUC against random never-co-author '
            'pairs and against pairs of authors active after 1999, Hits@10 of each author\'s '
            'true new co-authors, AUC of the cold-start pairs. Mean +/- std over seeds.', '',
            'Versions: %s.' % ', '.join('%s %s' % kv for kv in sorted(result['versions'].items()))]
    with atomic_open(path + '.md', 'w') as f:
        f.write('\n'.join(text) + '\n')


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--seeds', type=int, default=3)
    p.add_argument('--output', default=os.path.join(ROOT, 'results', 'papers_content_ablation'))
    p.add_argument('--table-only', action='store_true', help='write the markdown again')
    args = p.parse_args(argv)
    import author2vec_keras.nn.backend  # noqa: F401  keras and Theano, for their versions
    from author2vec_keras.evaluation.pipeline import versions
    try:
        with open(args.output + '.json') as f:
            result = json.load(f)
    except FileNotFoundError:
        result = {'runs': {}}
    result['versions'] = versions()
    if args.table_only:
        write(result, args.output)
        print(table(result))
        return 0
    result['command'] = 'python benchmarks/papers_content_ablation.py --seeds %d' % args.seeds
    for seed in range(args.seeds):
        done = result['runs'].setdefault(str(seed), {})

        def save(row, metrics, done=done):
            done[row] = metrics
            write(result, args.output)
            print('seed %d  %-50s %s' % (seed, row, '  '.join(
                '%s %.4f' % (m, metrics[m]) for m in METRICS if metrics.get(m) is not None)),
                flush=True)
        run_seed(seed, done, save)
    print(table(result))
    return 0


if __name__ == '__main__':
    sys.exit(main())
