"""Downstream evaluation of node embeddings: link prediction, node classification, clustering,
outlier detection. Built on scikit-learn and networkx; no hand-written metrics.

Protocols
---------
- Link prediction (node2vec, Grover & Leskovec 2016, section 4.4): a `LinkSplit` from
  `splits.link_prediction_split` (half the edges held out, the training graph keeps its
  components, as many non-edges). Scored two ways:
  1. the model's own pair score (Author2Vec's edge probability, a heuristic's value, or the
     embeddings' inner product), ranked directly: `score_link_prediction`;
  2. node2vec's edge features (`EDGE_OPERATORS`: average, hadamard, weighted-l1, weighted-l2) fed
     to a logistic regression trained on the *training* edges plus as many sampled training
     non-edges (never a test pair), tested on the held-out pairs: `evaluate_edge_features`.
  Metrics: ROC AUC and average precision.
- Ranking future links (the papers benchmark): each author's true new co-authors ranked among
  all candidate authors; Hits@k and reciprocal rank, ties broken at random in expectation:
  `tied_rank_metrics`.
- Node classification (DeepWalk, Perozzi et al. 2014): one-vs-rest logistic regression
  (liblinear) on a random `ratio` of the labelled nodes, tested on the rest, repeated shuffles;
  each test node is given its top-k scoring labels with k its true number of labels; Micro- and
  Macro-F1: `evaluate_node_classification`.
- Clustering: k-means on the embeddings against the labels (k = number of classes) and against a
  Louvain partition of the graph (k = number of communities); NMI and ARI:
  `evaluate_clustering`.
- Outliers: `plant_outliers` rewires every edge of a random fraction of nodes to uniformly random
  endpoints; each node is scored by an isolation forest and by its mean distance to its k nearest
  neighbours in embedding space; ROC AUC of the planted mask: `evaluate_outliers`.
"""
import warnings

import numpy as np

from author2vec_keras.checks import one_of

__all__ = ['EDGE_OPERATORS', 'edge_features', 'binary_scores', 'score_link_prediction',
           'auc_standard_error', 'MAX_AUC_ERROR',
           'training_pairs', 'evaluate_edge_features', 'evaluate_link_prediction',
           'inner_product_scores', 'tied_rank_metrics', 'as_label_matrix', 'top_k_predictions',
           'check_labels', 'MIN_NODES_PER_CLASS',
           'evaluate_node_classification', 'louvain_partition', 'evaluate_clustering',
           'plant_outliers', 'OUTLIER_METHODS', 'outlier_scores', 'evaluate_outliers']


# ----------------------------------------------------------------------------------------------
# link prediction

def _average(a, b):
    return 0.5 * (a + b)


def _hadamard(a, b):
    return a * b


def _weighted_l1(a, b):
    return np.abs(a - b)


def _weighted_l2(a, b):
    return (a - b) ** 2


#: node2vec's binary operators on the two node vectors of a pair (Table 1 of the paper).
EDGE_OPERATORS = {
    'average': _average,
    'hadamard': _hadamard,
    'weighted-l1': _weighted_l1,
    'weighted-l2': _weighted_l2,
}


def edge_features(embeddings, pairs, operator='hadamard'):
    """Edge features `(k, d)` of index pairs `(k, 2)` under one of `EDGE_OPERATORS`."""
    one_of('operator', operator, EDGE_OPERATORS)
    emb = np.asarray(embeddings, dtype=np.float64)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    return EDGE_OPERATORS[operator](emb[pairs[:, 0]], emb[pairs[:, 1]])


def binary_scores(y_true, scores):
    """{'auc': ROC AUC, 'ap': average precision} of real-valued scores for 0/1 labels."""
    from sklearn.metrics import average_precision_score, roc_auc_score
    y_true = np.asarray(y_true)
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if len(np.unique(y_true)) < 2:
        raise ValueError('AUC needs both classes in y_true')
    scores = np.nan_to_num(scores, nan=0.0, posinf=1e300, neginf=-1e300)
    return {'auc': float(roc_auc_score(y_true, scores)),
            'ap': float(average_precision_score(y_true, scores))}


def inner_product_scores(embeddings, pairs):
    """<e_u, e_v> for index pairs: the skip-gram / LINE model's own (logit) edge score."""
    emb = np.asarray(embeddings, dtype=np.float64)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    return np.einsum('ij,ij->i', emb[pairs[:, 0]], emb[pairs[:, 1]])


#: the largest standard error of a chance-level AUC that passes without a warning
#: (`auc_standard_error`; 0.1 at about 16 held-out edges and as many non-edges)
MAX_AUC_ERROR = 0.1


def auc_standard_error(positives, negatives, auc=0.5):
    """The standard error of an ROC AUC over `positives` and `negatives` test pairs (Hanley
    and McNeil, Radiology 143, 1982)."""
    q1, q2 = auc / (2 - auc), 2 * auc ** 2 / (1 + auc)
    var = (auc * (1 - auc) + (positives - 1) * (q1 - auc ** 2) +
           (negatives - 1) * (q2 - auc ** 2)) / (positives * negatives)
    return float(np.sqrt(var))


def tied_rank_metrics(greater, equal, k=10):
    """Hits@k and reciprocal rank of true items, in expectation over random tie-breaking.

    A true item that `greater` competitors outscore and `equal` competitors tie sits at a rank
    uniform over `greater + 1 .. greater + equal + 1`: Hits@k is the chance that rank <= k,
    the reciprocal rank the mean of 1/rank over those ranks (so a heuristic's many ties at 0
    neither win nor lose by the order of the candidates).

    # Arguments
        greater, equal: int arrays (m,), per true item.
        k: the cut-off of Hits@k.

    # Returns
        `(hits, reciprocal_rank)`: float arrays (m,).
    """
    from scipy.special import digamma
    g = np.asarray(greater, dtype=np.float64)
    e = np.asarray(equal, dtype=np.float64)
    hits = np.clip((k - g) / (e + 1.0), 0.0, 1.0)
    # mean of 1/r for r = g+1 .. g+e+1: (H(g+e+1) - H(g)) / (e+1), H(n) = digamma(n+1) + gamma
    rr = (digamma(g + e + 2.0) - digamma(g + 1.0)) / (e + 1.0)
    return hits, rr


def score_link_prediction(split, score_fn):
    """AUC/AP of a pair-scoring function `score_fn(pairs) -> (k,)` on the split's test pairs.

    Warns (one line) when the held-out pairs are too few for the AUC to mean much: a
    chance-level AUC's standard error above `MAX_AUC_ERROR`.
    """
    labels = np.asarray(split.labels)
    pos, neg = int((labels == 1).sum()), int((labels == 0).sum())
    if pos and neg and auc_standard_error(pos, neg) > MAX_AUC_ERROR:
        warnings.warn('the link prediction AUC comes from only %d held-out edges and %d '
                      'non-edges: a chance-level AUC varies by +-%.2f (one standard error) on '
                      'so few; hold out more (--test-fraction) for an AUC that means something'
                      % (pos, neg, auc_standard_error(pos, neg)), stacklevel=2)
    return binary_scores(split.labels, score_fn(split.pairs))


def training_pairs(split, seed=0):
    """The classifier's training set: the training graph's edges and as many non-edges.

    The non-edges are sampled uniformly among pairs that are neither training edges nor any of
    the held-out test pairs (edges or negatives), so they are non-edges of the full graph and
    the test set stays unseen.

    # Returns
        (pairs (2m, 2), labels (2m,)).
    """
    from author2vec_keras.data.negatives import sample_non_edges
    g = split.train_graph
    pos = g.edges
    neg = sample_non_edges(g, len(pos), seed=seed, exclude=split.pairs)
    pairs = np.concatenate([pos, neg]).astype(np.int64)
    labels = np.concatenate([np.ones(len(pos), np.int64), np.zeros(len(neg), np.int64)])
    return pairs, labels


def _logistic_regression(seed=0):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=seed))


def evaluate_edge_features(embeddings, split, operators=None, seed=0, train=None):
    """node2vec's protocol: logistic regression on edge features, trained on training pairs.

    # Arguments
        embeddings: (n, d) array learned on `split.train_graph`.
        split: a `LinkSplit`.
        operators: names from `EDGE_OPERATORS` (default all four).
        seed: seed of the training non-edges and the classifier.
        train: optional precomputed `training_pairs(split, seed)` (shared across methods).

    # Returns
        {operator: {'auc': .., 'ap': ..}}.
    """
    operators = list(EDGE_OPERATORS) if operators is None else list(operators)
    tr_pairs, tr_labels = training_pairs(split, seed) if train is None else train
    te_pairs, te_labels = split.pairs, split.labels
    out = {}
    for op in operators:
        clf = _logistic_regression(seed)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')  # lbfgs convergence on degenerate features
            clf.fit(edge_features(embeddings, tr_pairs, op), tr_labels)
            proba = clf.predict_proba(edge_features(embeddings, te_pairs, op))[:, 1]
        out[op] = binary_scores(te_labels, proba)
    return out


def evaluate_link_prediction(embeddings, split, own_score=None, operators=None, seed=0,
                             train=None):
    """Both link-prediction scorings of one method on one split.

    # Arguments
        embeddings: (n, d) array, or None for a method without embeddings (a heuristic).
        own_score: callable pairs -> scores; default the embeddings' inner product.

    # Returns
        {'own': {'auc', 'ap'}, 'average': {...}, 'hadamard': {...}, ...}.
    """
    if own_score is None:
        if embeddings is None:
            raise ValueError('need embeddings or own_score')
        def own_score(pairs):
            return inner_product_scores(embeddings, pairs)
    out = {'own': score_link_prediction(split, own_score)}
    if embeddings is not None:
        out.update(evaluate_edge_features(embeddings, split, operators, seed, train))
    return out


# ----------------------------------------------------------------------------------------------
# node classification

def as_label_matrix(labels, num_nodes=None):
    """Bool (n, L) indicator matrix from a bool/0-1 matrix, a scipy sparse matrix, an int vector
    (one class per node, negative = unlabelled), or a list of label lists."""
    import scipy.sparse as sp
    from sklearn.preprocessing import MultiLabelBinarizer
    if sp.issparse(labels):
        return np.asarray(labels.todense() != 0)
    if isinstance(labels, (list, tuple)) and labels and isinstance(labels[0], (list, tuple,
                                                                               set)):
        return MultiLabelBinarizer().fit_transform(labels).astype(bool)
    arr = np.asarray(labels)
    if arr.ndim == 2:
        return arr != 0
    if arr.ndim == 1:
        classes = np.unique(arr[arr >= 0]) if arr.dtype.kind in 'iu' else np.unique(arr)
        y = arr[:, None] == classes[None, :]
        return y
    raise ValueError('cannot read labels of shape %r' % (arr.shape,))


#: the fewest labelled nodes of a class for node classification: one to train on, one to test
MIN_NODES_PER_CLASS = 2


def check_labels(labels):
    """Raise ValueError (one line) if `labels` cannot be scored by node classification: fewer
    than 2 classes (one class scores 100% whatever the vectors), or a class with fewer than
    `MIN_NODES_PER_CLASS` labelled nodes (never both trained on and tested)."""
    y = as_label_matrix(labels)
    y = y[y.any(axis=1)]
    counts = y.sum(axis=0)
    present = np.nonzero(counts)[0]
    if len(present) < 2:
        raise ValueError('node classification needs at least 2 classes, the labels have %d '
                         '(over %d labelled nodes)' % (len(present), len(y)))
    few = present[counts[present] < MIN_NODES_PER_CLASS]
    if len(few):
        arr = np.asarray(labels) if not isinstance(labels, (list, tuple)) else None
        names = np.unique(arr[arr >= 0] if arr.dtype.kind in 'iu' else arr) \
            if arr is not None and arr.ndim == 1 else np.arange(y.shape[1])
        raise ValueError('node classification needs at least %d labelled nodes of each class '
                         '(one to train on, one to test): %d of the %d classes have fewer, '
                         'e.g. class %s with %d' % (MIN_NODES_PER_CLASS, len(few), len(present),
                                                    names[few[0]], counts[few[0]]))


def top_k_predictions(probabilities, k):
    """Bool matrix with the `k[i]` highest-scoring labels of each row set (DeepWalk's scoring)."""
    probabilities = np.asarray(probabilities)
    k = np.asarray(k, dtype=np.int64)
    order = np.argsort(-probabilities, axis=1, kind='stable')
    ranks = np.empty_like(order)
    rows = np.arange(len(order))[:, None]
    ranks[rows, order] = np.arange(order.shape[1])[None, :]
    return ranks < k[:, None]


def evaluate_node_classification(embeddings, labels, train_ratios=(0.1, 0.2, 0.3, 0.4, 0.5,
                                                                   0.6, 0.7, 0.8, 0.9),
                                 shuffles=10, seed=0, C=1.0, per_class=False):
    """One-vs-rest logistic regression at each training ratio, `shuffles` random splits each.

    # Arguments
        embeddings: (n, d).
        labels: per-node labels (see `as_label_matrix`); nodes without a label are left out.
        train_ratios: fractions of the labelled nodes used for training.
        shuffles: random splits per ratio.
        seed: seed of the shuffles.
        per_class: also return each label's F1 per shuffle (`'per_class'`, labels that occur,
            in order) and the labels' node counts (`'support'`).

    # Raises
        ValueError from `check_labels`: fewer than 2 classes, or a class of fewer than 2 nodes.

    # Returns
        {ratio: {'micro': [f1 per shuffle], 'macro': [...]}} (ratio as a float key).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.multiclass import OneVsRestClassifier
    check_labels(labels)
    emb = np.asarray(embeddings, dtype=np.float64)
    y = as_label_matrix(labels)
    keep = y.any(axis=1)
    x, y = emb[keep], y[keep]
    y = y[:, y.any(axis=0)]
    n = len(x)
    rng = np.random.default_rng(seed)
    out = {}
    for ratio in train_ratios:
        res = {'micro': [], 'macro': []}
        if per_class:
            res.update(per_class=[], support=y.sum(axis=0).astype(int).tolist())
        for _ in range(shuffles):
            perm = rng.permutation(n)
            ntr = int(round(ratio * n))
            tr, te = perm[:ntr], perm[ntr:]
            ytr = y[tr]
            cols = ytr.any(axis=0) & ~ytr.all(axis=0)  # labels the classifier can learn
            # a label no training node has scores 0, one every training node has scores 1
            proba = np.tile(ytr.all(axis=0).astype(np.float64), (len(te), 1))
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                if cols.any():
                    clf = OneVsRestClassifier(LogisticRegression(solver='liblinear', C=C))
                    clf.fit(x[tr], ytr[:, cols].astype(int))
                    p = clf.predict_proba(x[te])
                    proba[:, cols] = p if cols.sum() > 1 else p[:, 1:]
            pred = top_k_predictions(proba, y[te].sum(axis=1))
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                res['micro'].append(float(f1_score(y[te], pred, average='micro',
                                                   zero_division=0)))
                res['macro'].append(float(f1_score(y[te], pred, average='macro',
                                                   zero_division=0)))
                if per_class:
                    res['per_class'].append(f1_score(y[te], pred, average=None,
                                                     zero_division=0).tolist())
        out[float(ratio)] = res
    return out


# ----------------------------------------------------------------------------------------------
# clustering

def louvain_partition(graph, seed=0):
    """Louvain communities (networkx) as an int label per node index."""
    import networkx as nx
    a = graph.adjacency.copy()
    a.data[:] = 1.0  # unweighted, as the communities are of the graph's structure
    G = nx.from_scipy_sparse_array(a)
    comms = nx.community.louvain_communities(G, seed=seed)
    part = np.empty(graph.num_nodes, dtype=np.int64)
    for c, members in enumerate(comms):
        part[list(members)] = c
    return part


def _kmeans_scores(x, truth, seed):
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
    k = len(np.unique(truth))
    pred = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(x)
    return {'nmi': float(normalized_mutual_info_score(truth, pred)),
            'ari': float(adjusted_rand_score(truth, pred)), 'k': int(k)}


def evaluate_clustering(embeddings, labels=None, graph=None, seed=0, max_louvain_k=None):
    """k-means on the embeddings against the labels and/or a Louvain partition of `graph`.

    Labels: single-label nodes only (multi-label nodes are left out; unlabelled too).
    Louvain: singleton communities (isolated nodes) are left out.

    # Returns
        {'labels': {'nmi', 'ari', 'k'}, 'louvain': {'nmi', 'ari', 'k'}} (what applies).
    """
    emb = np.asarray(embeddings, dtype=np.float64)
    out = {}
    if labels is not None:
        y = as_label_matrix(labels)
        single = y.sum(axis=1) == 1
        truth = np.argmax(y[single], axis=1)
        if single.sum() > 1 and len(np.unique(truth)) > 1:
            out['labels'] = _kmeans_scores(emb[single], truth, seed)
    if graph is not None:
        part = louvain_partition(graph, seed)
        sizes = np.bincount(part)
        keep = sizes[part] > 1
        truth = part[keep]
        if max_louvain_k is not None and len(np.unique(truth)) > max_louvain_k:
            big = np.argsort(-sizes)[:max_louvain_k]
            keep &= np.isin(part, big)
            truth = part[keep]
        if len(np.unique(truth)) > 1:
            out['louvain'] = _kmeans_scores(emb[keep], truth, seed)
    return out


# ----------------------------------------------------------------------------------------------
# outliers

def plant_outliers(graph, fraction=0.05, seed=0):
    """Plant anomalous nodes by random rewiring.

    A random `fraction` of the nodes with at least one edge is chosen; every edge touching a
    chosen node gets its other endpoint replaced by a uniformly random node (the chosen node
    keeps its degree but loses its community structure).

    # Returns
        (perturbed Graph on the same node set, bool mask (n,) of planted nodes).
    """
    from author2vec_keras.data.graph import DataWarning
    rng = np.random.default_rng(seed)
    n = graph.num_nodes
    candidates = np.nonzero(graph.degrees > 0)[0]
    k = max(1, int(round(fraction * len(candidates))))
    chosen = rng.choice(candidates, size=k, replace=False)
    mask = np.zeros(n, dtype=bool)
    mask[chosen] = True
    e = graph.edges.copy()
    fix_v = mask[e[:, 0]]            # rewire the v end of edges leaving a chosen u
    fix_u = ~fix_v & mask[e[:, 1]]   # else the u end of edges reaching a chosen v
    e[fix_v, 1] = rng.integers(0, n, size=int(fix_v.sum()))
    e[fix_u, 0] = rng.integers(0, n, size=int(fix_u.sum()))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DataWarning)  # rewiring may create loops/duplicates
        g = graph.with_edges(e)
    return g, mask


#: the outlier scores of the node vectors (`outlier_scores`)
OUTLIER_METHODS = ('isolation-forest', 'knn')


def outlier_scores(embeddings, method='isolation-forest', k=10, seed=0):
    """Outlier score per node (higher = more anomalous).

    method: 'isolation-forest' (scikit-learn, negated `score_samples`) or 'knn' (mean Euclidean
    distance to the k nearest other nodes).
    """
    one_of('method', method, OUTLIER_METHODS)
    emb = np.asarray(embeddings, dtype=np.float64)
    if method == 'isolation-forest':
        from sklearn.ensemble import IsolationForest
        forest = IsolationForest(n_estimators=200, random_state=seed).fit(emb)
        return -forest.score_samples(emb)
    if method == 'knn':
        from sklearn.neighbors import NearestNeighbors
        k = min(k, len(emb) - 1)
        nn = NearestNeighbors(n_neighbors=k + 1).fit(emb)
        dist, _ = nn.kneighbors(emb)
        return dist[:, 1:].mean(axis=1)


def evaluate_outliers(embeddings, planted, methods=OUTLIER_METHODS, k=10, seed=0):
    """{method: {'auc', 'ap'}} of each outlier score against the planted mask."""
    return {m: binary_scores(np.asarray(planted, dtype=int),
                             outlier_scores(embeddings, m, k=k, seed=seed)) for m in methods}
