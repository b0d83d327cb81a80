"""Evaluation splits: node2vec's link-prediction hold-out and a temporal split (AAN).

`link_prediction_split` follows node2vec (Grover & Leskovec 2016, section 4.4): remove a
fraction of the edges at random such that the residual (training) graph keeps its connected
components, so every node that had an edge keeps at least one; as many negative pairs, which are
never edges of the full graph. It keeps a random spanning forest and removes edges only among
the others.

`temporal_split` trains on the interactions up to a time and tests on the pairs that first
interact after it, among nodes present in training (the usual co-authorship prediction setting).
"""
import collections
import warnings

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree

from author2vec_keras.data.graph import DataWarning, Graph, pair_keys
from author2vec_keras.data.negatives import sample_non_edges

__all__ = ['LinkSplit', 'TemporalSplit', 'link_prediction_split', 'temporal_split',
           'random_spanning_forest', 'removable_edges']


class LinkSplit(collections.namedtuple('LinkSplit', ['train_graph', 'test_edges',
                                                     'test_negatives'])):
    """A link-prediction hold-out.

    # Fields
        train_graph: `Graph` on the same node set (same ids, same indices) without the test edges.
        test_edges: int64 (k, 2) held-out edges (index pairs).
        test_negatives: int64 (k, 2) pairs that are not edges of the full graph (nor self-pairs).
    # Properties
        pairs: (2k, 2) test_edges then test_negatives; labels: (2k,) 1 then 0.
    """
    __slots__ = ()

    @property
    def pairs(self):
        return np.concatenate([self.test_edges, self.test_negatives]).astype(np.int64)

    @property
    def labels(self):
        return np.concatenate([np.ones(len(self.test_edges), dtype=np.int64),
                               np.zeros(len(self.test_negatives), dtype=np.int64)])


class TemporalSplit(collections.namedtuple('TemporalSplit', ['train_graph', 'test_edges',
                                                             'test_negatives',
                                                             'split_time'])):
    """A temporal link-prediction split; fields as `LinkSplit`, plus `split_time`.

    `train_graph`'s nodes are the nodes with an interaction at or before `split_time`;
    `test_edges` are index pairs into it that are new after `split_time`.
    """
    __slots__ = ()
    pairs = LinkSplit.pairs
    labels = LinkSplit.labels


def random_spanning_forest(graph, seed=0):
    """Bool mask (m,) of the edges of a random spanning forest of `graph` (weakly, if directed).

    A minimum spanning forest under i.i.d. random edge weights: every connected component of the
    graph stays connected using only the masked edges.
    """
    rng = np.random.default_rng(seed)
    n, m = graph.num_nodes, graph.num_edges
    mask = np.zeros(m, dtype=bool)
    if m == 0:
        return mask
    e = np.sort(graph.edges, axis=1)
    ukeys, first = np.unique(pair_keys(e, n), return_index=True)  # one edge per unordered pair
    w = 1.0 + rng.random(len(first))
    mat = coo_matrix((w, (e[first, 0], e[first, 1])), shape=(n, n)).tocsr()
    tree = minimum_spanning_tree(mat).tocoo()
    tkeys = pair_keys(np.stack([tree.row, tree.col], axis=1), n, directed=False)
    pos = np.searchsorted(ukeys, tkeys)
    mask[first[pos]] = True
    return mask


def removable_edges(graph):
    """How many edges `link_prediction_split` can hold out: those outside a spanning forest,
    `m - (n - components)` (0 for a tree or a forest)."""
    components, _ = graph.connected_components()
    return graph.num_edges - (graph.num_nodes - components)


def link_prediction_split(graph, test_fraction=0.5, seed=0, sampling='uniform'):
    """node2vec's link-prediction hold-out.

    # Arguments
        graph: a `Graph`.
        test_fraction: fraction of all edges to hold out. At most the edges outside a random
            spanning forest can go; if more is asked, that many are removed with a DataWarning.
        seed: int; the same seed gives the same split.
        sampling: 'uniform' (node2vec) or 'degree' for the negative pairs.

    # Returns
        A `LinkSplit`.
    """
    if not 0 <= test_fraction < 1:
        raise ValueError('test_fraction must be in [0, 1), got %r' % (test_fraction,))
    rng = np.random.default_rng(seed)
    m = graph.num_edges
    keep = random_spanning_forest(graph, seed=rng)
    removable = np.nonzero(~keep)[0]
    k = int(round(test_fraction * m))
    if k > len(removable):
        warnings.warn('test_fraction=%g asks for %d test edges but only %d can be removed '
                      'without disconnecting the graph: holding out %d (%.1f%%)'
                      % (test_fraction, k, len(removable), len(removable),
                         100.0 * len(removable) / max(m, 1)), DataWarning, stacklevel=2)
        k = len(removable)
    test_ids = np.sort(rng.choice(removable, size=k, replace=False)) if k else \
        np.zeros(0, dtype=np.int64)
    train_mask = np.ones(m, dtype=bool)
    train_mask[test_ids] = False
    train = graph.subgraph_edges(train_mask)
    test_edges = graph.edges[test_ids].copy()
    negatives = sample_non_edges(graph, k, seed=rng, sampling=sampling) \
        if k else np.zeros((0, 2), dtype=np.int64)
    return LinkSplit(train, test_edges, negatives)


def temporal_split(sources, targets, times, split_time, seed=0, directed=False,
                   sampling='uniform'):
    """Train on interactions at or before `split_time`; test on new pairs after it.

    # Arguments
        sources, targets: sequences of node ids (one interaction per position, repeats allowed).
        times: numbers (e.g. years), same length.
        split_time: last time in the training period.
        seed: int, for the negative pairs.

    # Returns
        A `TemporalSplit`: `train_graph` on the nodes that interact up to `split_time` (weights
        count the interactions); `test_edges` the pairs of training nodes that interact after
        `split_time` and never before (each once); `test_negatives` as many pairs of training
        nodes that never interact at all (in either period).
    """
    times = np.asarray(times)
    sources, targets = list(sources), list(targets)
    if not len(sources) == len(targets) == len(times):
        raise ValueError('sources, targets and times must have the same length')
    is_train = times <= split_time
    if not is_train.any():
        raise ValueError('no interaction at or before split_time=%r' % (split_time,))
    tr = np.nonzero(is_train)[0].tolist()
    te = np.nonzero(~is_train)[0].tolist()
    loops_train = [i for i in tr if sources[i] == targets[i]]
    if loops_train:
        tr = [i for i in tr if sources[i] != targets[i]]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DataWarning)
        train = Graph.from_edges([sources[i] for i in tr], [targets[i] for i in tr],
                                 weights=np.ones(len(tr)), directed=directed, merge='sum')
    index = train.node_index
    te = [i for i in te if sources[i] in index and targets[i] in index
          and sources[i] != targets[i]]
    if te:
        pairs = np.stack([train.indices([sources[i] for i in te]),
                          train.indices([targets[i] for i in te])], axis=1)
        if not directed:
            pairs = np.sort(pairs, axis=1)
        pairs = pairs[~train.has_edges(pairs)]
        _, first = np.unique(pair_keys(pairs, train.num_nodes), return_index=True)
        test_edges = pairs[np.sort(first)]
    else:
        test_edges = np.zeros((0, 2), dtype=np.int64)
    if len(test_edges):
        negatives = sample_non_edges(train, len(test_edges), seed=seed, sampling=sampling,
                                     exclude=test_edges)
    else:
        negatives = np.zeros((0, 2), dtype=np.int64)
    return TemporalSplit(train, test_edges.astype(np.int64), negatives, split_time)
