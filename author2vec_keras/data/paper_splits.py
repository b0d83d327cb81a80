"""Splits of a bibliography for the papers benchmark: what the methods may read, and the pairs
they are scored on (`evaluation.papers_benchmark`).

- `temporal_split(papers, split_year)`: the methods read the papers up to `split_year` (their
  co-author graph, their texts); the test positives are the co-author pairs that first write
  together after it, among the authors active (`min_papers` papers) up to it.
- `holdout_split(papers)`: node2vec's hold-out of half the co-author edges; the methods read
  every paper but the joint papers of held-out pairs (a paper's text would reveal its authors'
  link), unless `leaky=True` (every paper: the leak, labelled wherever it is reported).

Both give a `PapersSplit`: the training graph, the papers to read, the positives, two sets of
negatives ('random' and the harder 'active'), the cold-start positives (an author without a
co-author in the training graph) with their own negatives, and the ranking candidates.
numpy only.
"""
import collections

import numpy as np

from author2vec_keras.data.bibliography import Papers
from author2vec_keras.data.graph import GraphError, pair_keys
from author2vec_keras.data.negatives import sample_non_edges
from author2vec_keras.data.splits import link_prediction_split

__all__ = ['PapersSplit', 'temporal_split', 'holdout_split', 'inner_split', 'year_range',
           'PROTOCOLS']

PROTOCOLS = ('temporal', 'holdout')


class PapersSplit(collections.namedtuple('PapersSplit', [
        'protocol', 'train_graph', 'papers', 'test_edges', 'negatives', 'cold',
        'cold_negatives', 'candidates', 'settings', 'info'])):
    """A bibliography split for link prediction.

    # Fields
        protocol: 'temporal' or 'holdout'.
        train_graph: the co-author `Graph` the methods are fitted on (node ids: author keys).
        papers: the `Paper`s the content methods may read (`authorship()`).
        test_edges: int64 (k, 2) positives, index pairs into `train_graph`.
        negatives: {'random': (k, 2), 'active': (k, 2)} pairs that never co-author: among the
            candidates at random; 'active' the harder ones (temporal: both authors also active
            after the split year; holdout: drawn in proportion to degree**0.75).
        cold: bool (k,): positives of which an author has no co-author in `train_graph`.
        cold_negatives: (j, 2) never-co-author pairs of a candidate without a co-author and a
            candidate, j = `cold.sum()`.
        candidates: sorted int64 indices of the authors a query is ranked against.
        settings: what made the split (protocol, split_year, min_papers, leaky, ...).
        info: counts, for the reports.
    """
    __slots__ = ()

    def authorship(self):
        """`(pairs, texts)`: [(author key, paper id)] and {paper id: title and abstract} of
        `papers`, for `ContentLinkAuthor2Vec.fit` and the TF-IDF baseline."""
        pairs, texts = [], {}
        for p in self.papers:
            texts[p.id] = ' '.join(t for t in (p.title, p.abstract) if t)
            pairs.extend((k, p.id) for k, _ in p.authors)
        return pairs, texts


def _papers(papers):
    return papers.papers if isinstance(papers, Papers) else list(papers)


def year_range(papers):
    """(first, last, dated) years of the papers and how many have a year; (None, None, 0)."""
    years = [p.year for p in _papers(papers) if p.year is not None]
    return (min(years), max(years), len(years)) if years else (None, None, 0)


def _paper_pairs(papers, index):
    """Unique sorted index pairs (k, 2) of the co-authors of `papers` known to `index`."""
    out = []
    for p in papers:
        idx = sorted({index[k] for k, _ in p.authors if k in index})
        out.extend((idx[a], idx[b]) for a in range(len(idx)) for b in range(a + 1, len(idx)))
    e = np.asarray(out, dtype=np.int64).reshape(-1, 2)
    return np.unique(e, axis=0) if len(e) else e


def _sample_pairs(first, second, k, n, forbidden, rng):
    """`k` distinct unordered pairs (u in `first`, v in `second`, u != v) whose keys are not in
    the sorted `forbidden`; fewer if that many cannot be found."""
    out = np.zeros((0, 2), dtype=np.int64)
    seen = np.zeros(0, dtype=np.int64)
    if k <= 0 or not len(first) or not len(second):
        return out
    for _ in range(200):
        need = k - len(out)
        if need <= 0:
            break
        m = int(need * 1.5) + 16
        pairs = np.sort(np.stack([rng.choice(first, m), rng.choice(second, m)], axis=1), axis=1)
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
        keys = pair_keys(pairs, n)
        _, first_seen = np.unique(keys, return_index=True)
        first_seen = np.sort(first_seen)
        pairs, keys = pairs[first_seen], keys[first_seen]
        new = ~np.isin(keys, seen) & ~np.isin(keys, forbidden)
        pairs, keys = pairs[new][:need], keys[new][:need]
        out = np.concatenate([out, pairs])
        seen = np.concatenate([seen, keys])
    return out


def _cold(graph, test_edges, candidates, forbidden, rng):
    """(mask of cold positives, as many cold negatives)."""
    deg = graph.degrees
    cold = (deg[test_edges[:, 0]] == 0) | (deg[test_edges[:, 1]] == 0) if len(test_edges) \
        else np.zeros(0, dtype=bool)
    lonely = candidates[deg[candidates] == 0]
    negatives = _sample_pairs(lonely, candidates, int(cold.sum()), graph.num_nodes, forbidden,
                              rng)
    return cold, negatives


def temporal_split(papers, split_year, min_papers=1, seed=0):
    """Train on the papers up to `split_year`, test on the co-authorships that come after.

    # Arguments
        papers: `Papers` or a list of `Paper` (papers without a year are left out).
        split_year: the last year the methods read.
        min_papers: an author is active (a candidate, a possible end of a test pair) with at
            least this many papers up to `split_year`.
        seed: seed of the negatives.

    # Returns
        A `PapersSplit`: `train_graph` the co-author graph of the papers up to `split_year` (every
        author of them a node, single authors too); `test_edges` the pairs of active authors who
        write a paper together after `split_year` and none before (each once); 'random'
        negatives among active authors, 'active' negatives among the active authors who also
        write after `split_year`, both never co-authors in any year; as many of each as
        positives.

    # Raises
        ValueError: no paper up to or after `split_year`.
    """
    papers = _papers(papers)
    train = [p for p in papers if p.year is not None and p.year <= split_year]
    later = [p for p in papers if p.year is not None and p.year > split_year]
    first, last, _ = year_range(papers)
    if not train or not later:
        raise ValueError('split year %s: no paper %s it (the papers span %s-%s)'
                         % (split_year, 'up to' if not train else 'after', first, last))
    bib = Papers(train)
    graph = bib.graph()
    index = graph.node_index
    n = graph.num_nodes
    counts = np.array([bib.counts[k] for k in graph.nodes], dtype=np.int64)
    active = counts >= min_papers
    later_pairs = _paper_pairs(later, index)
    if len(later_pairs):
        keep = active[later_pairs[:, 0]] & active[later_pairs[:, 1]] & \
            ~graph.has_edges(later_pairs)
        test_edges = later_pairs[keep]
    else:
        test_edges = later_pairs
    forbidden = np.unique(np.concatenate([pair_keys(np.sort(graph.edges, axis=1), n),
                                          pair_keys(later_pairs, n)]))
    rng = np.random.default_rng(seed)
    candidates = np.nonzero(active)[0].astype(np.int64)
    writes_later = np.zeros(n, dtype=bool)
    writes_later[[index[k] for p in later for k, _ in p.authors if k in index]] = True
    both = np.nonzero(active & writes_later)[0]
    k = len(test_edges)
    negatives = {'random': _sample_pairs(candidates, candidates, k, n, forbidden, rng),
                 'active': _sample_pairs(both, both, k, n, forbidden, rng)}
    cold, cold_negatives = _cold(graph, test_edges, candidates, forbidden, rng)
    info = {'train_papers': len(train), 'test_papers': len(later), 'authors': n,
            'active_authors': len(candidates), 'active_after': len(both),
            'train_edges': graph.num_edges, 'test_edges': k,
            'cold_test_edges': int(cold.sum()),
            'negatives': {key: len(v) for key, v in negatives.items()},
            'train_years': [first, split_year], 'test_years': [split_year + 1, last]}
    settings = {'protocol': 'temporal', 'split_year': split_year, 'min_papers': min_papers}
    return PapersSplit('temporal', graph, train, test_edges, negatives, cold, cold_negatives,
                       candidates, settings, info)


def _holdout(graph, papers, test_fraction, seed, leaky):
    split = link_prediction_split(graph, test_fraction, seed=seed)
    test_edges = np.sort(split.test_edges, axis=1)
    k = len(test_edges)
    if not k:
        raise GraphError('no co-author pair can be held out without disconnecting the graph')
    if leaky:
        read = list(papers)
    else:
        held = set(pair_keys(test_edges, graph.num_nodes).tolist())
        index = graph.node_index
        read = []
        for p in papers:
            idx = sorted({index[a] for a, _ in p.authors if a in index})
            if not any(idx[a] * graph.num_nodes + idx[b] in held
                       for a in range(len(idx)) for b in range(a + 1, len(idx))):
                read.append(p)
    rng = np.random.default_rng(seed)
    hard = sample_non_edges(graph, k, seed=rng, sampling='degree', exclude=split.test_negatives)
    candidates = np.arange(graph.num_nodes, dtype=np.int64)
    forbidden = np.unique(pair_keys(np.sort(graph.edges, axis=1), graph.num_nodes))
    cold, cold_negatives = _cold(split.train_graph, test_edges, candidates, forbidden, rng)
    info = {'papers': len(papers), 'papers_read': len(read), 'authors': graph.num_nodes,
            'active_authors': graph.num_nodes, 'train_edges': split.train_graph.num_edges,
            'test_edges': k, 'cold_test_edges': int(cold.sum()),
            'negatives': {'random': len(split.test_negatives), 'active': len(hard)}}
    return split.train_graph, read, test_edges, {'random': np.sort(split.test_negatives, axis=1),
                                                 'active': np.sort(hard, axis=1)}, \
        cold, cold_negatives, candidates, info


def holdout_split(papers, test_fraction=0.5, seed=0, leaky=False):
    """node2vec's hold-out on the co-author graph of every paper, leak-free for the content.

    # Arguments
        papers: `Papers` or a list of `Paper`.
        test_fraction: fraction of the co-author edges held out (the training graph keeps its
            components: `splits.link_prediction_split`).
        seed: seed of the split and the negatives.
        leaky: the content methods read every paper, the held-out pairs' joint papers too (the
            paper's likely setting; reported as leaky).

    # Returns
        A `PapersSplit`: 'random' negatives uniform non-edges, 'active' non-edges drawn in
        proportion to degree**0.75 (pairs of prolific authors, harder); candidates every author;
        no cold-start pair (every author of a held-out pair keeps a co-author).
    """
    papers = _papers(papers)
    graph = Papers(papers).graph()
    parts = _holdout(graph, papers, test_fraction, seed, leaky)
    settings = {'protocol': 'holdout', 'test_fraction': test_fraction, 'leaky': bool(leaky)}
    return PapersSplit('holdout', *parts[:7], settings=settings, info=parts[7])


def inner_split(split, seed=0):
    """The same protocol inside a split's training data (a combination's features are fitted
    there, then applied to `split`): temporal at `split_year - 2` (train years < Y-1, test
    Y-1..Y) over the papers up to Y; holdout of the training graph, its content leak-free for
    the inner held-out pairs too."""
    s = split.settings
    if split.protocol == 'temporal':
        return temporal_split(split.papers, s['split_year'] - 2, s['min_papers'], seed=seed)
    parts = _holdout(split.train_graph, split.papers, s['test_fraction'], seed, s['leaky'])
    return PapersSplit('holdout', *parts[:7], settings=dict(s), info=parts[7])
