"""`author2vec benchmark --papers FILE --protocol temporal|holdout`: who will write with whom,
every method on the same bibliography split, in one table.

    author2vec benchmark --dataset hep-th --protocol temporal --split-year 1999 --seeds 3
    author2vec benchmark --papers papers.csv --protocol holdout --methods tfidf,adamic-adar

Writes `<output-dir>/papers-<protocol>[-<year>][-min<k>][-leaky][-merged]_<name>[_quick]` `.json`,
`.md` and `.png` (`-merged`: one person's name variants merged first).
Splits: `data.paper_splits` (temporal: train on the papers up to the split year, test on the
co-author pairs that first appear after it; holdout: half the co-author edges held out, their
joint papers never read unless `leaky`). Metrics (`evaluate`): AUC against random never-co-author
pairs and against the harder 'active' ones, Hits@10 and MRR of each author's true new co-authors
ranked among all candidate authors (`protocols.tied_rank_metrics`), and a cold-start AUC (pairs
with an author who had no co-author).

Methods (`--methods`; `METHODS`): the content + link model (`content-link`:
`ContentLinkAuthor2Vec`, preset 'content-link', scored by its link head; `content-link-cosine`:
the same fit, the cosine of its author vectors; `content-link-init`: the same model started
from each author's mean paper vector, `embedding_init='papers'`), every link-prediction
method of the benchmark registry (`methods.REGISTRY`: the Author2Vec walk variant, DeepWalk,
node2vec, LINE, the heuristics), `tfidf` (`baselines.AuthorTfidf`) and `combination`
(logistic regression on [Adamic-Adar, log preferential attachment, DeepWalk cosine, TF-IDF
cosine] fitted on the protocol's inner split of the training data, `paper_splits.inner_split`).
Pair scores: a method's own (Author2Vec: its edge probability; heuristics: their value), else
the cosine of its vectors.
"""
import collections
import json
import os
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp

from author2vec_keras.checks import one_of, positive_int
from author2vec_keras.data import paper_splits
from author2vec_keras.data.graph import GraphError
from author2vec_keras.evaluation import baselines, benchmark, methods as registry, pipeline
from author2vec_keras.evaluation.protocols import binary_scores, tied_rank_metrics
from author2vec_keras.fileio import atomic_open

__all__ = ['METHODS', 'DEFAULT_METHODS', 'PAPER_METHODS', 'Scorer', 'parse_methods',
           'papers_of', 'check_protocol', 'make_split', 'fit_method', 'evaluate',
           'run_papers_benchmark', 'COMBINATION_FEATURES', 'HITS_AT']

#: the methods that read the papers (the others are the registry's link-prediction methods)
PAPER_METHODS = collections.OrderedDict([
    ('content-link', "Author2Vec content + link (ContentLinkAuthor2Vec, preset 'content-link'), "
                     'its link head'),
    ('content-link-cosine', 'the same fit (one per split), the cosine of its author vectors'),
    ('content-link-init', "the same model with each author's vector started at the mean of "
                          "its papers' Doc2Vec vectors (embedding_init='papers'), its link "
                          'head'),
    ('tfidf', "TF-IDF of each author's papers, cosine similarity"),
    ('combination', 'logistic regression on [Adamic-Adar, log PA, DeepWalk cosine, TF-IDF '
                    'cosine] fitted on an inner split of the training data'),
])
#: link-only methods run by default
LINK_METHODS = ('author2vec-walks-separate', 'deepwalk', 'node2vec', 'line', 'adamic-adar',
                'preferential-attachment')
CONTENT_LINK = ('content-link', 'content-link-cosine', 'content-link-init')
DEFAULT_METHODS = CONTENT_LINK + LINK_METHODS + ('tfidf', 'combination')
#: every method's name, in the tables' order
METHODS = CONTENT_LINK + registry.names(task='link-prediction') + ('tfidf', 'combination')
COMBINATION_FEATURES = ('adamic-adar', 'log-preferential-attachment', 'deepwalk-cosine',
                        'tfidf-cosine')
HITS_AT = 10
#: pairs scored at once when ranking (query rows x candidates)
BLOCK_PAIRS = 2000000
#: query authors ranked at most (a seeded sample beyond: hold-out of a large bibliography)
MAX_QUERIES = 5000
#: Keras predict batch for the ranking's pairs (the estimator's training batch is small)
PREDICT_BATCH = 65536


# ----------------------------------------------------------------------------------------------
# scorers

class Scorer(object):
    """A fitted method's pair score: `pairs(p)` for int (k, 2) index pairs -> (k,), and
    `block(rows, cols)` -> (len(rows), len(cols)) (default: through `pairs`)."""

    def __init__(self, pairs, block=None):
        self.pairs = pairs
        self._block = block

    def block(self, rows, cols):
        rows, cols = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
        if self._block is not None:
            return np.asarray(self._block(rows, cols), dtype=np.float64)
        p = np.stack([np.repeat(rows, len(cols)), np.tile(cols, len(rows))], axis=1)
        return np.asarray(self.pairs(p), dtype=np.float64).reshape(len(rows), len(cols))


def embedding_scorer(embeddings):
    """Cosine similarity of the rows of `embeddings` (a zero row: 0 with everyone)."""
    e = np.asarray(embeddings, dtype=np.float64)
    norm = np.linalg.norm(e, axis=1, keepdims=True)
    e = np.divide(e, norm, out=np.zeros_like(e), where=norm > 0)
    return Scorer(lambda p: np.einsum('ij,ij->i', e[p[:, 0]], e[p[:, 1]]),
                  lambda rows, cols: e[rows] @ e[cols].T)


def heuristic_scorer(name, graph):
    """A link heuristic of `baselines.HEURISTICS` on `graph` (Adamic-Adar, preferential
    attachment and common neighbours also by blocks)."""
    fn = baselines.HEURISTICS[name]
    a = baselines.binary_adjacency(graph).tocsr()
    deg = np.asarray(a.sum(axis=1)).ravel()

    def pairs(p):
        return fn(graph, p)
    block = None
    if name == 'adamic-adar':
        inv_log = np.zeros(len(deg))
        np.divide(1.0, np.log(np.maximum(deg, 2.0)), out=inv_log, where=deg > 1)
        weighted = (a @ sp.diags(inv_log)).tocsr()

        def block(rows, cols):
            return (weighted[rows] @ a[cols].T).toarray()
    elif name == 'common-neighbours':
        def block(rows, cols):
            return (a[rows] @ a[cols].T).toarray()
    elif name == 'preferential-attachment':
        def block(rows, cols):
            return np.outer(deg[rows], deg[cols])
    return Scorer(pairs, block)


def _own_scorer(estimator):
    """An Author2Vec estimator's edge probability, predicted in large batches."""
    return Scorer(lambda p: estimator.edge_probability(p, batch_size=PREDICT_BATCH))


# ----------------------------------------------------------------------------------------------
# methods

def parse_methods(methods):
    """The list of method names from None (`DEFAULT_METHODS`), a list or a comma separated
    string; ValueError names an unknown one."""
    if methods is None:
        return list(DEFAULT_METHODS)
    if isinstance(methods, str):
        methods = methods.split(',')
    out = []
    for m in methods:
        m = str(m).strip()
        if not m or m in out:
            continue
        if m not in METHODS:
            if m in registry.REGISTRY:
                raise ValueError('%s is a %s: not for link prediction'
                                 % (m, registry.KINDS[registry.get(m).kind]))
            raise ValueError('unknown method %r; choose from %s' % (m, ', '.join(METHODS)))
        out.append(m)
    if not out:
        raise ValueError('no method given; choose from %s' % ', '.join(METHODS))
    return out


def settings_for(quick=False, dim=None, epochs=None, p=1.0, q=1.0, graph=None):
    """Every method's hyper-parameters: the graph benchmark's (`benchmark.method_settings`: full or
    quick), the content + link model's preset (quick: small), TF-IDF's."""
    from author2vec_keras.training.estimator import Author2Vec
    from author2vec_keras.training.presets import preset_settings
    s = benchmark.method_settings(quick, Author2Vec().dim if dim is None else dim, graph)
    s.update(p=p, q=q)
    content = preset_settings('content-link', 'ContentLinkAuthor2Vec')
    if quick:
        content.update(dim=s['dim'], hidden_dim=8, epochs=1, batch_size=256, doc2vec_epochs=5)
    elif dim is not None:
        content['dim'] = dim
    if epochs is not None:
        s['a2v_epochs'] = content['epochs'] = int(epochs)
    s['content_link'] = content
    s['tfidf'] = baselines.AuthorTfidf().get_params()
    return s


def _cached(cache, split, name, make):
    key = (id(split), name)
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _deepwalk(split, seed, s, cache):
    def make():
        est = benchmark.make_method('deepwalk', seed=seed, settings=s)
        return embedding_scorer(est.fit(split.train_graph).get_embedding())
    return _cached(cache, split, 'deepwalk', make)


def _tfidf(split, s, cache):
    def make():
        pairs, texts = split.authorship()
        tfidf = baselines.AuthorTfidf(**s['tfidf']).fit(split.train_graph.nodes, pairs, texts)
        return Scorer(tfidf.score, tfidf.score_block)
    return _cached(cache, split, 'tfidf', make)


def _features(split, seed, s, cache):
    """A (k, 4) / (r, c, 4) scorer of `COMBINATION_FEATURES` fitted on `split`."""
    g = split.train_graph
    aa, pa = heuristic_scorer('adamic-adar', g), heuristic_scorer('preferential-attachment', g)
    dw, tf = _deepwalk(split, seed, s, cache), _tfidf(split, s, cache)

    def pairs(p):
        return np.stack([aa.pairs(p), np.log1p(pa.pairs(p)), dw.pairs(p), tf.pairs(p)], axis=1)

    def block(rows, cols):
        return np.stack([aa.block(rows, cols), np.log1p(pa.block(rows, cols)),
                         dw.block(rows, cols), tf.block(rows, cols)], axis=2)
    return pairs, block


def _combination(split, seed, s, cache):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    inner = paper_splits.inner_split(split, seed=seed)
    x_pairs, _ = _features(inner, seed, s, cache)
    negatives = np.concatenate([inner.negatives['random'], inner.negatives['active']])
    x = x_pairs(np.concatenate([inner.test_edges, negatives]))
    y = np.r_[np.ones(len(inner.test_edges)), np.zeros(len(negatives))]
    clf = make_pipeline(StandardScaler(), LogisticRegression(class_weight='balanced',
                                                             max_iter=1000, random_state=seed))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # lbfgs convergence on a degenerate feature
        clf.fit(x, y)
    pairs, block = _features(split, seed, s, cache)

    def score_block(rows, cols):
        f = block(rows, cols)
        return clf.decision_function(f.reshape(-1, f.shape[-1])).reshape(f.shape[:2])
    detail = {'inner': inner.info, 'coefficients': dict(zip(
        COMBINATION_FEATURES, clf[-1].coef_[0].tolist()))}
    return Scorer(lambda p: clf.decision_function(pairs(p)), score_block), detail


def fit_method(name, split, seed=0, settings=None, cache=None):
    """Fit method `name` on `split` (its training graph and papers); returns `(Scorer,
    detail)`. `cache` (a dict) shares DeepWalk and TF-IDF between methods of one split."""
    from author2vec_keras.training.content_link import ContentLinkAuthor2Vec
    s = settings or settings_for(graph=split.train_graph)
    cache = {} if cache is None else cache
    graph = split.train_graph
    if name in CONTENT_LINK:
        pairs, texts = split.authorship()

        def make():
            est = ContentLinkAuthor2Vec(**dict(s['content_link'], random_state=seed, verbose=0))
            return est.fit(graph, authorship=pairs, paper_texts=texts)
        est = base = _cached(cache, split, 'content-link', make)
        if name == 'content-link-cosine':
            return embedding_scorer(est.get_embedding()), {}
        if name == 'content-link-init':  # from the preset's fit's Doc2Vec vectors
            est = ContentLinkAuthor2Vec(**dict(s['content_link'], embedding_init='papers',
                                               random_state=seed, verbose=0))
            est.fit(graph, authorship=pairs,
                    paper_vectors=dict(zip(base.papers_, base.paper_init_)))
        return _own_scorer(est), {'history': est.history_}
    if name == 'tfidf':
        return _tfidf(split, s, cache), {}
    if name == 'combination':
        return _combination(split, seed, s, cache)
    if name == 'deepwalk':
        return _deepwalk(split, seed, s, cache), {}
    if registry.get(name).kind == 'heuristic':
        return heuristic_scorer(name, graph), {}
    est = benchmark.make_method(name, seed=seed, p=s['p'], q=s['q'], settings=s)
    est.fit(graph)
    detail = {k: v for k, v in (getattr(est, 'timings_', None) or {}).items()}
    if pipeline.own_score(est) is not None:
        return _own_scorer(est), detail
    return embedding_scorer(est.get_embedding()), detail


# ----------------------------------------------------------------------------------------------
# metrics

def _auc(scorer, positives, negatives):
    if not len(positives) or not len(negatives):
        return None
    scores = np.r_[scorer.pairs(positives), scorer.pairs(negatives)]
    labels = np.r_[np.ones(len(positives)), np.zeros(len(negatives))]
    return binary_scores(labels, scores)['auc']


def rank_true_pairs(scorer, split, k=HITS_AT, max_queries=MAX_QUERIES, seed=0):
    """Hits@k and reciprocal rank of each (author, true new co-author) of `split`, both ways.

    Each author u with a test pair is a query; its true items are its test partners; its
    competitors every other candidate but u, its training co-authors (not new) and its other
    true items (a filtered ranking). Ties count in expectation (`tied_rank_metrics`). Beyond
    `max_queries` query authors, a sample of that many (`seed`) is ranked.

    # Returns
        `(hits, reciprocal_rank)`: float arrays (2 x positives,).
    """
    cand = split.candidates
    where = np.full(split.train_graph.num_nodes, -1, dtype=np.int64)
    where[cand] = np.arange(len(cand))
    true = collections.defaultdict(list)
    for u, v in np.asarray(split.test_edges).tolist():
        true[u].append(v)
        true[v].append(u)
    queries = np.array(sorted(true), dtype=np.int64)
    if len(queries) > max_queries:
        rng = np.random.default_rng(seed)
        queries = np.sort(rng.choice(queries, max_queries, replace=False))
    adj = split.train_graph.adjacency
    greater, equal = [], []
    step = max(1, BLOCK_PAIRS // max(1, len(cand)))
    for start in range(0, len(queries), step):
        chunk = queries[start:start + step]
        scores = np.nan_to_num(scorer.block(chunk, cand), nan=0.0, posinf=1e300,
                               neginf=-1e300)
        for row, u in zip(scores, chunk.tolist()):
            items = where[true[u]]
            mask = np.ones(len(cand), dtype=bool)
            out = where[np.r_[u, adj.indices[adj.indptr[u]:adj.indptr[u + 1]], true[u]]]
            mask[out[out >= 0]] = False
            comp = np.sort(row[mask])
            t = row[items]
            right = np.searchsorted(comp, t, side='right')
            greater.append(len(comp) - right)
            equal.append(right - np.searchsorted(comp, t, side='left'))
    if not greater:
        return np.zeros(0), np.zeros(0)
    return tied_rank_metrics(np.concatenate(greater), np.concatenate(equal), k)


def evaluate(scorer, split, k=HITS_AT, seed=0):
    """The metrics of a fitted method on `split`: {'auc_random', 'auc_active', 'hits@K', 'mrr',
    'auc_cold'} (None where there is nothing to score)."""
    pos = split.test_edges
    hits, rr = rank_true_pairs(scorer, split, k, seed=seed)
    return {'auc_random': _auc(scorer, pos, split.negatives['random']),
            'auc_active': _auc(scorer, pos, split.negatives['active']),
            'hits@%d' % k: float(hits.mean()) if len(hits) else None,
            'mrr': float(rr.mean()) if len(rr) else None,
            'auc_cold': _auc(scorer, pos[split.cold], split.cold_negatives)}


# ----------------------------------------------------------------------------------------------
# data and checks

def papers_of(dataset, merge_variants=False):
    """(name, `Papers`) of a bundled dataset name with papers ('hep-th', 'aan'), a `Dataset`
    with them (`datasets.from_papers`), or `Papers`."""
    from author2vec_keras.data import datasets
    from author2vec_keras.data.bibliography import Paper, Papers, merge_name_variants
    name = 'papers'
    if isinstance(dataset, str):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            ds = datasets.load(dataset)
        name = ds.name
    elif isinstance(dataset, Papers):
        ds = None
        bib = dataset
        name = datasets.file_stem(bib.source) if bib.source != '<records>' else name
    else:
        ds, name = dataset, getattr(dataset, 'name', name)
    if ds is not None:
        bib = ds.extra.get('bibliography')
        if bib is None:
            meta = ds.extra.get('papers')
            if not meta:
                raise ValueError('no papers: the papers benchmark needs a bibliography '
                                 '(--papers FILE, --dataset hep-th or aan)')
            bib = Papers([Paper(pid, m.get('title') or '', m.get('text') or '', m.get('year'),
                                tuple((a, a) for a in dict.fromkeys(m['authors'])))
                          for pid, m in meta.items() if m.get('authors')], source=name)
    if merge_variants:
        bib = merge_name_variants(bib)
    return name, bib


def check_protocol(papers, protocol, split_year=None, min_papers=1, leaky=False,
                   methods=None):
    """ValueError (one line) for a protocol the papers cannot run: temporal without a split
    year or with one that leaves no paper before or after it (or none two years before, for
    the combination's inner split), holdout with a split year, leaky with temporal."""
    one_of('protocol', protocol, paper_splits.PROTOCOLS)
    positive_int('min_papers', min_papers)
    first, last, dated = paper_splits.year_range(papers)
    if protocol == 'holdout':
        if split_year is not None:
            raise ValueError('--split-year goes with --protocol temporal')
        return
    if leaky:
        raise ValueError('--leaky goes with --protocol holdout (the temporal protocol reads '
                         'only the papers up to the split year)')
    if split_year is None:
        raise ValueError('--protocol temporal needs --split-year YEAR (the papers span %s-%s)'
                         % (first, last) if dated else '--protocol temporal needs --split-year')
    if not dated:
        raise ValueError('--protocol temporal needs years: none of the %d papers has one'
                         % len(papers))
    if not first <= split_year < last:
        raise ValueError('--split-year %d is outside the data: the papers span %d-%d (%d of %d '
                         'with a year); give a year from %d to %d'
                         % (split_year, first, last, dated, len(papers), first, last - 1))
    if 'combination' in (methods or ()) and split_year - 2 < first:
        raise ValueError("--split-year %d: the combination's inner split trains up to %d, "
                         'before the first paper (%d); give a year from %d, or leave out '
                         'combination' % (split_year, split_year - 2, first, first + 2))


def make_split(papers, protocol, split_year=None, min_papers=1, leaky=False, seed=0):
    """The `PapersSplit` of one seed."""
    if protocol == 'temporal':
        return paper_splits.temporal_split(papers, split_year, min_papers=min_papers, seed=seed)
    return paper_splits.holdout_split(papers, 0.5, seed=seed, leaky=leaky)


def stem_of(name, protocol, split_year=None, min_papers=1, leaky=False, quick=False,
            merged=False):
    """`papers-<protocol>[-<year>][-min<k>][-leaky][-merged]_<name>[_quick]`."""
    tag = protocol + ('-%d' % split_year if split_year is not None else '') + \
        ('-min%d' % min_papers if min_papers != 1 else '') + ('-leaky' if leaky else '') + \
        ('-merged' if merged else '')
    return 'papers-%s_%s%s' % (tag, name, '_quick' if quick else '')


# ----------------------------------------------------------------------------------------------
# entry point

def run_papers_benchmark(papers, protocol='temporal', split_year=None, methods=None, seeds=1,
                         quick=False, output_dir='results', command=None, dim=None,
                         epochs=None, p=1.0, q=1.0, min_papers=1, leaky=False, resume=False,
                         progress=True, merge_variants=False):
    """Run `methods` on a bibliography split over `seeds` seeds; write JSON, markdown, PNG.

    # Arguments
        papers: a bundled dataset with papers ('hep-th', 'aan'), a `Dataset`
            (`datasets.from_papers`) or `Papers`.
        protocol: 'temporal' (with `split_year`) or 'holdout'.
        methods: names (`METHODS`; list or comma separated), default `DEFAULT_METHODS`.
        seeds: number of seeds (0..seeds-1): negatives, hold-out, initialisations.
        quick: tiny settings (tests, smoke runs).
        dim, epochs, p, q: every method's vector size; Author2Vec's and the content + link
            model's epochs; node2vec's p, q.
        min_papers: temporal: an author is active with this many papers up to the split year.
        leaky: holdout: the content methods read the held-out pairs' joint papers (labelled).
        resume: keep the (method, seed) runs of an earlier run with the same settings (read
            from its JSON; other settings: ValueError), run the rest.
        merge_variants: merge one person's name variants first.

    # Returns
        Path of the JSON; the markdown table is printed. A method that fails is recorded
        (`error`) and the others run on.
    """
    methods = parse_methods(methods)
    seeds = int(seeds)
    if seeds < 1:
        raise ValueError('seeds must be >= 1')
    for flag, value in (('dim', dim), ('epochs', epochs)):
        if value is not None:
            positive_int(flag, value)
    name, bib = papers_of(papers, merge_variants)
    if merge_variants:
        print('merge_variants: %d name variants merged into %d authors (%d authors left)'
              % (len(bib.merged), len(set(bib.merged.values())), len(bib.names)))
    check_protocol(bib, protocol, split_year, min_papers, leaky, methods)
    first = make_split(bib, protocol, split_year, min_papers, leaky, seed=0)
    if not len(first.test_edges):
        raise ValueError('the %s split has no test pair (no new co-author pair among the '
                         'active authors)' % protocol)
    if 'combination' in methods:
        try:
            inner = paper_splits.inner_split(first, seed=0).test_edges
        except (ValueError, GraphError) as e:
            inner, problem = [], str(e)
        else:
            problem = 'no test pair'
        if not len(inner):
            raise ValueError("the combination's inner split: %s; leave out combination"
                             % problem)
    s = settings_for(quick, dim, epochs, p, q, first.train_graph)
    s['split'] = dict(first.settings, merge_variants=bool(merge_variants))
    s['hits_at'] = HITS_AT
    s['combination'] = {'features': list(COMBINATION_FEATURES),
                        'inner': 'temporal at split year - 2' if protocol == 'temporal'
                        else 'hold-out of the training graph'}
    if command is None:
        command = ' '.join(['author2vec'] + sys.argv[1:]) if sys.argv and \
            os.path.basename(sys.argv[0]).startswith('author2vec') else ' '.join(sys.argv)
    stem = os.path.join(output_dir, stem_of(name, protocol, split_year, min_papers, leaky,
                                            quick, merge_variants))
    runs = _resumed(stem + '.json', s, seeds) if resume else {}
    kept = {(m, r['seed']) for m, rs in runs.items() for r in rs}
    order = [m for m in METHODS if m in methods or m in runs]
    runs = {m: runs.get(m, []) for m in order}
    os.makedirs(output_dir, exist_ok=True)
    result = {'dataset': name, 'protocol': protocol, 'split_year': split_year,
              'leaky': bool(leaky), 'min_papers': min_papers, 'methods': order,
              'seeds': list(range(seeds)), 'quick': bool(quick), 'command': command,
              'settings': s, 'source': getattr(bib, 'source', name),
              'papers': len(bib), 'splits': {'0': first.info},
              'labels': {m: _label(m) for m in order}}
    started = time.time()
    from tqdm import tqdm
    bar = tqdm(total=seeds * len(methods), disable=not progress, file=sys.stderr,
               desc='%s %s' % (name, protocol))
    _write(result, runs, stem, started, complete=False)
    for seed in range(seeds):
        # in the tables' order: DeepWalk and TF-IDF fit before the combination that reuses them
        todo = [m for m in order if m in methods and (m, seed) not in kept]
        bar.update(len(methods) - len(todo))
        if not todo:
            continue
        split = first if seed == 0 else make_split(bib, protocol, split_year, min_papers,
                                                   leaky, seed=seed)
        result['splits'][str(seed)] = split.info
        cache = {}
        for m in todo:
            bar.set_postfix_str('seed %d %s' % (seed, m))
            runs[m] = [r for r in runs[m] if r['seed'] != seed]
            try:
                load, cpu, t0 = benchmark.loadavg(), time.process_time(), time.time()
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    scorer, detail = fit_method(m, split, seed, s, cache)
                    fit = time.time() - t0
                    metrics = evaluate(scorer, split, seed=seed)
                run = {'seed': seed, 'metrics': metrics,
                       'timings': {'fit': fit, 'evaluate': time.time() - t0 - fit},
                       'loadavg': [load, benchmark.loadavg()],
                       'cpu_seconds': time.process_time() - cpu}
                if detail:
                    run['detail'] = detail
            except Exception as e:  # noqa: BLE001  one failing method must not lose the others
                if os.environ.get('AUTHOR2VEC_TRACEBACK'):
                    raise
                error = '%s: %s' % (type(e).__name__, (str(e).strip() or '-').splitlines()[0])
                run = {'seed': seed, 'error': error}
                if progress:
                    bar.write('%s failed on seed %d: %s' % (m, seed, error), file=sys.stderr)
            runs[m].append(run)
            runs[m].sort(key=lambda r: r['seed'])
            _write(result, runs, stem, started, complete=False)
            bar.update(1)
    bar.close()
    _write(result, runs, stem, started, complete=True)
    from author2vec_keras.evaluation.reporting import papers_markdown
    print(papers_markdown(result))
    return stem + '.json'


def _label(m):
    return PAPER_METHODS[m] if m in PAPER_METHODS else registry.get(m).label


def _resumed(path, settings, seeds):
    """The finished (method, seed) runs of an earlier run, {method: [runs]}; ValueError if it
    was made with other settings."""
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        old = json.load(f)
    now = json.loads(json.dumps(settings, default=benchmark.json_default))
    if old.get('settings') != now:
        diff = sorted(k for k in set(now) | set(old.get('settings', {}))
                      if now.get(k) != old.get('settings', {}).get(k))
        raise ValueError('--resume: %s was made with other settings (%s differ); give the '
                         'same flags, or another --output-dir' % (path, ', '.join(diff)))
    return {m: [r for r in rs if 'error' not in r and r['seed'] < seeds]
            for m, rs in old.get('runs', {}).items()}


def _write(result, runs, stem, started, complete):
    """JSON, markdown (and, complete, the PNG) of the runs so far."""
    from author2vec_keras.evaluation.reporting import papers_markdown, papers_plot
    result.update(runs=runs, complete=complete, total_seconds=time.time() - started,
                  versions=pipeline.versions(), summary=benchmark.summarize(runs))
    with atomic_open(stem + '.md', 'w') as f:
        f.write(papers_markdown(result))
    if complete:
        try:
            papers_plot(result, stem + '.png')
            result['plot'] = os.path.basename(stem + '.png')
        except Exception as e:  # noqa: BLE001  a plot must not lose the numbers
            result['plot_error'] = '%s: %s' % (type(e).__name__, e)
    with atomic_open(stem + '.json', 'w') as f:
        json.dump(result, f, indent=1, default=benchmark.json_default)
    return stem
