"""Graphs: node ids <-> contiguous indices, edges, weights, CSR adjacency; readers; networkx interop.

Everything here is numpy/scipy (no Python loops over edges) and imports neither theano nor keras,
so `import author2vec_keras.graph` is fast.

A `Graph` holds `n` nodes with arbitrary hashable ids (`graph.nodes[i]` is the id of index `i`,
`graph.node_index[id]` its index) and `m` unique edges as an int64 array of index pairs. An
undirected graph stores each pair once with `u < v`; self-loops are dropped and duplicate edges
merged, each with one `DataWarning` that says how many.

Readers (each raises `GraphFormatError(path, line, problem)` on malformed input, never a bare
numpy/Python error, and never turns a non-data line into a node):

- `read_edgelist(path)`: `u v` or `u v w` per line; separators any run of spaces, TABs or commas;
  `#` comments; CRLF; blank lines; optionally gzip'd.
- `read_adjlist(path)`: OpenNE's `node n1 n2 ...` per line.
- `read_mat(path)`: MATLAB `.mat` with a sparse `network` adjacency and `group` node x label
  matrix (DeepWalk / node2vec files).
- `read_labels(path)`: `node label [label ...]` per line (a node may also repeat on several
  lines): single- or multi-label.
- `read_aan_metadata(path)`, `read_aan_collaboration(path)`: the ACL Anthology Network files.
"""
import gzip
import html
import io
import re
import warnings

import numpy as np
import scipy.sparse as sp

__all__ = ['Graph', 'GraphFormatError', 'DataWarning', 'read_edgelist', 'read_adjlist',
           'read_mat', 'read_labels', 'read_aan_metadata', 'read_aan_collaboration',
           'label_matrix']


class DataWarning(UserWarning):
    """Input data was repaired (self-loops dropped, duplicate edges merged, ...)."""


class GraphFormatError(ValueError):
    """A graph or label file is malformed.

    # Arguments
        path: the file (str or path-like; `'<input>'` for in-memory data).
        line: 1-based line number, or None when the problem is not on one line.
        problem: what is wrong, in words.
    """

    def __init__(self, path, line, problem):
        self.path = str(path)
        self.line = line
        self.problem = problem
        if line is None:
            msg = '%s: %s' % (self.path, problem)
        else:
            msg = '%s:%d: %s' % (self.path, line, problem)
        super(GraphFormatError, self).__init__(msg)

    def __reduce__(self):
        return (type(self), (self.path, self.line, self.problem))


# ----------------------------------------------------------------------------------------------
# Graph


def _unique_ids(values):
    """Sorted unique ids and the inverse indices, for an array of ints or of strings/objects."""
    if isinstance(values, np.ndarray) and values.dtype.kind in 'iubUS':
        arr = values
        uniq, inv = np.unique(arr, return_inverse=True)
        nodes = uniq.tolist()
        return nodes, inv.astype(np.int64)
    # arbitrary hashables (mixed types, tuples...): order of first appearance
    index = {}
    inv = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int64,
                      count=len(values))
    return list(index), inv


class Graph(object):
    """An (un)directed, weighted graph over arbitrary hashable node ids.

    # Arguments
        edges: int array-like of shape (m, 2): pairs of contiguous node indices.
        num_nodes: number of nodes (default: `len(nodes)`, else `edges.max() + 1`).
        nodes: list of node ids, index -> id (default: `range(num_nodes)`).
        weights: float array-like of shape (m,), default all ones.
        directed: whether (u, v) and (v, u) are different edges.
        merge: how weights of duplicate edges are merged: 'max' (default), 'sum', 'first'.

    # Attributes
        nodes: list, index -> original node id.
        node_index: dict, original node id -> index.
        edges: int64 array (m, 2), unique; undirected graphs keep each pair once with u < v;
            no self-loops; sorted lexicographically.
        weights: float64 array (m,).
        directed: bool.
        num_self_loops_dropped, num_duplicates_merged: what the constructor repaired.
    """

    def __init__(self, edges, num_nodes=None, nodes=None, weights=None, directed=False,
                 merge='max'):
        edges = np.asarray(edges)
        if edges.size == 0:
            edges = np.zeros((0, 2), dtype=np.int64)
        if edges.ndim != 2 or edges.shape[1] != 2:
            raise ValueError('edges must have shape (m, 2), got %r' % (edges.shape,))
        if edges.dtype.kind not in 'iu':
            if edges.dtype.kind == 'f' and np.all(np.isfinite(edges)) and \
                    np.all(edges == np.round(edges)):
                edges = edges.astype(np.int64)
            else:
                raise ValueError('edges must be integer node indices, got dtype %s'
                                 % edges.dtype)
        edges = edges.astype(np.int64, copy=False)
        if nodes is not None:
            nodes = list(nodes)
            if num_nodes is not None and num_nodes != len(nodes):
                raise ValueError('num_nodes=%d but %d nodes given' % (num_nodes, len(nodes)))
            num_nodes = len(nodes)
        elif num_nodes is None:
            num_nodes = int(edges.max()) + 1 if len(edges) else 0
        num_nodes = int(num_nodes)
        if len(edges) and (edges.min() < 0 or edges.max() >= num_nodes):
            raise ValueError('edge indices must be in [0, %d), got range [%d, %d]'
                             % (num_nodes, edges.min(), edges.max()))
        if nodes is None:
            nodes = list(range(num_nodes))
        if weights is None:
            weights = np.ones(len(edges), dtype=np.float64)
        else:
            weights = np.asarray(weights, dtype=np.float64).reshape(-1)
            if len(weights) != len(edges):
                raise ValueError('%d weights for %d edges' % (len(weights), len(edges)))
            if not np.all(np.isfinite(weights)):
                raise ValueError('weights must be finite')
        if merge not in ('max', 'sum', 'first'):
            raise ValueError("merge must be 'max', 'sum' or 'first', got %r" % (merge,))

        self.directed = bool(directed)
        self.nodes = nodes
        self.node_index = {v: i for i, v in enumerate(nodes)}
        if len(self.node_index) != len(nodes):
            raise ValueError('node ids must be unique')
        self._n = num_nodes

        # self-loops
        loops = edges[:, 0] == edges[:, 1]
        self.num_self_loops_dropped = int(loops.sum())
        if self.num_self_loops_dropped:
            warnings.warn('dropped %d self-loop%s' % (self.num_self_loops_dropped,
                                                     's' if self.num_self_loops_dropped > 1
                                                     else ''), DataWarning, stacklevel=2)
            edges = edges[~loops]
            weights = weights[~loops]
        # duplicates: exact repeats of an ordered pair are warned about; an undirected graph
        # listed in both directions (SNAP style) is merged silently.
        n = max(num_nodes, 1)
        okeys = edges[:, 0] * n + edges[:, 1]
        if not self.directed:
            lo = np.minimum(edges[:, 0], edges[:, 1])
            hi = np.maximum(edges[:, 0], edges[:, 1])
            edges = np.stack([lo, hi], axis=1)
            keys = lo * n + hi
        else:
            keys = okeys
        ukeys, first, inv = np.unique(keys, return_index=True, return_inverse=True)
        if len(ukeys) == len(keys):
            self.num_duplicates_merged = 0
        elif self.directed:
            self.num_duplicates_merged = int(len(keys) - len(ukeys))
        else:
            self.num_duplicates_merged = int(len(okeys) - len(np.unique(okeys)))
        if self.num_duplicates_merged:
            warnings.warn('merged %d duplicate edge%s' % (self.num_duplicates_merged,
                                                         's' if self.num_duplicates_merged > 1
                                                         else ''), DataWarning, stacklevel=2)
        if len(ukeys) != len(keys):
            if merge == 'sum':
                weights = np.bincount(inv, weights=weights, minlength=len(ukeys))
            elif merge == 'max':
                w = np.full(len(ukeys), -np.inf)
                np.maximum.at(w, inv, weights)
                weights = w
            else:
                weights = weights[first]
            edges = edges[first]
        else:
            edges = edges[first]
            weights = weights[first]
        self.edges = np.ascontiguousarray(edges, dtype=np.int64)
        self.weights = np.ascontiguousarray(weights, dtype=np.float64)
        self._adjacency = None
        self._keys = None

    # -- basic properties ------------------------------------------------------------------
    @property
    def num_nodes(self):
        return self._n

    @property
    def num_edges(self):
        return len(self.edges)

    def __len__(self):
        return self._n

    def __repr__(self):
        return '<Graph: %d nodes, %d %s edges%s>' % (
            self.num_nodes, self.num_edges, 'directed' if self.directed else 'undirected',
            '' if np.all(self.weights == 1) else ', weighted')

    @property
    def is_weighted(self):
        return not bool(np.all(self.weights == 1.0))

    @property
    def adjacency(self):
        """scipy CSR matrix n x n of weights (symmetric when undirected), sorted indices, cached."""
        if self._adjacency is None:
            u, v = self.edges[:, 0], self.edges[:, 1]
            w = self.weights
            if not self.directed:
                u, v, w = np.concatenate([u, v]), np.concatenate([v, u]), np.concatenate([w, w])
            a = sp.csr_matrix((w, (u, v)), shape=(self._n, self._n))
            a.sum_duplicates()
            a.sort_indices()
            self._adjacency = a
        return self._adjacency

    @property
    def out_degrees(self):
        """Number of out-neighbours (all neighbours when undirected), int64 (n,)."""
        return np.diff(self.adjacency.indptr).astype(np.int64)

    @property
    def in_degrees(self):
        """Number of in-neighbours (all neighbours when undirected), int64 (n,)."""
        if not self.directed:
            return self.out_degrees
        return np.bincount(self.edges[:, 1], minlength=self._n).astype(np.int64)

    @property
    def degrees(self):
        """Number of incident edges per node (in + out for directed graphs), int64 (n,)."""
        if not self.directed:
            return self.out_degrees
        return self.out_degrees + self.in_degrees

    def neighbors(self, index):
        """Out-neighbour indices of node index `index` (int64 array)."""
        a = self.adjacency
        return a.indices[a.indptr[index]:a.indptr[index + 1]].astype(np.int64)

    def _edge_keys(self):
        """Sorted int64 keys u * n + v of every (u, v) in the adjacency (both orders if undirected)."""
        if self._keys is None:
            a = self.adjacency
            rows = np.repeat(np.arange(self._n, dtype=np.int64), np.diff(a.indptr))
            self._keys = rows * self._n + a.indices.astype(np.int64)  # sorted: CSR, sorted idx
        return self._keys

    def has_edges(self, pairs):
        """Vectorised membership: bool array (k,) telling which index pairs (k, 2) are edges.

        For undirected graphs either order matches. Pairs out of range are never edges.
        """
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        u, v = pairs[:, 0], pairs[:, 1]
        ok = (u >= 0) & (u < self._n) & (v >= 0) & (v < self._n)
        keys = np.where(ok, u * self._n + v, -1)
        table = self._edge_keys()
        if len(table) == 0:
            return np.zeros(len(pairs), dtype=bool)
        pos = np.searchsorted(table, keys)
        pos = np.minimum(pos, len(table) - 1)
        return ok & (table[pos] == keys)

    def has_edge(self, u, v):
        """Whether node ids `u`, `v` are joined (by id, not index)."""
        if u not in self.node_index or v not in self.node_index:
            return False
        return bool(self.has_edges([[self.node_index[u], self.node_index[v]]])[0])

    def with_edges(self, edges, weights=None):
        """A new Graph on the same node set (same ids and indices) with the given index pairs."""
        return Graph(edges, nodes=self.nodes, weights=weights, directed=self.directed)

    def subgraph_edges(self, mask):
        """A new Graph on the same node set keeping the edges where bool `mask` (m,) is True."""
        mask = np.asarray(mask, dtype=bool)
        return Graph(self.edges[mask], nodes=self.nodes, weights=self.weights[mask],
                     directed=self.directed)

    def to_undirected(self):
        if not self.directed:
            return self
        return Graph(self.edges, nodes=self.nodes, weights=self.weights, directed=False)

    def connected_components(self):
        """(number of components, int label per node): weak components for directed graphs."""
        from scipy.sparse.csgraph import connected_components
        return connected_components(self.adjacency, directed=self.directed, connection='weak')

    # -- id <-> index ------------------------------------------------------------------------
    def indices(self, ids):
        """Int64 array of indices of node ids; KeyError names the first unknown id."""
        index = self.node_index
        out = np.empty(len(ids), dtype=np.int64)
        for k, x in enumerate(ids):
            try:
                out[k] = index[x]
            except (KeyError, TypeError):
                raise KeyError('unknown node id %r' % (x,))
        return out

    def ids(self, indices):
        """List of node ids for an array of indices."""
        nodes = self.nodes
        return [nodes[i] for i in np.asarray(indices, dtype=np.int64).reshape(-1).tolist()]

    # -- constructors -------------------------------------------------------------------------
    @classmethod
    def from_edges(cls, sources, targets, weights=None, directed=False, nodes=None, merge='max'):
        """Build from two sequences of node ids (any hashables).

        # Arguments
            sources, targets: equal-length sequences of node ids.
            weights: optional sequence of floats.
            directed: bool.
            nodes: optional fixed node list (index order; isolated nodes are kept). Every id in
                sources/targets must be in it (KeyError otherwise). Without it the nodes are the
                sorted unique ids (ints sorted numerically, strings lexicographically; mixed
                types in first-appearance order).
        """
        sources = list(sources) if not isinstance(sources, np.ndarray) else sources
        targets = list(targets) if not isinstance(targets, np.ndarray) else targets
        if len(sources) != len(targets):
            raise ValueError('%d sources but %d targets' % (len(sources), len(targets)))
        m = len(sources)
        if nodes is not None:
            g = cls([], nodes=nodes, directed=directed)
            edges = np.stack([g.indices(sources), g.indices(targets)], axis=1) if m else \
                np.zeros((0, 2), np.int64)
            return cls(edges, nodes=g.nodes, weights=weights, directed=directed, merge=merge)
        both = _concat_ids(sources, targets)
        ids, inv = _unique_ids(both)
        edges = np.stack([inv[:m], inv[m:]], axis=1)
        return cls(edges, nodes=ids, weights=weights, directed=directed, merge=merge)

    @classmethod
    def from_networkx(cls, G, weight='weight'):
        """Build from a networkx (Di)Graph; node order is `list(G.nodes())`, weights from `weight`."""
        nodes = list(G.nodes())
        index = {v: i for i, v in enumerate(nodes)}
        m = G.number_of_edges()
        edges = np.fromiter((index[x] for e in G.edges() for x in e[:2]), dtype=np.int64,
                            count=2 * m).reshape(-1, 2)
        weights = np.fromiter((d.get(weight, 1.0) for _, _, d in G.edges(data=True)),
                              dtype=np.float64, count=m)
        return cls(edges, nodes=nodes, weights=weights, directed=G.is_directed())

    def to_networkx(self):
        """networkx Graph/DiGraph with the original ids, all nodes, and `weight` edge data."""
        import networkx as nx
        G = nx.DiGraph() if self.directed else nx.Graph()
        G.add_nodes_from(self.nodes)
        nodes = self.nodes
        G.add_weighted_edges_from(
            (nodes[u], nodes[v], w) for (u, v), w in zip(self.edges.tolist(),
                                                         self.weights.tolist()))
        return G


def _concat_ids(a, b):
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return np.concatenate([a, b])
    both = list(a) + list(b)
    if both and all(type(x) is int for x in both):
        return np.asarray(both, dtype=np.int64) if _fits_int64(both) else both
    if both and all(type(x) is str for x in both):
        return np.asarray(both, dtype=str)
    return both


def _fits_int64(values):
    return min(values) >= -2 ** 63 and max(values) < 2 ** 63


# ----------------------------------------------------------------------------------------------
# reading helpers


def _read_bytes(path):
    """Bytes of a file (gunzipped when it starts with the gzip magic), or GraphFormatError."""
    if isinstance(path, (bytes, bytearray)):
        raise TypeError('path must be a file name, not bytes')
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except FileNotFoundError:
        raise GraphFormatError(path, None, 'no such file')
    except IsADirectoryError:
        raise GraphFormatError(path, None, 'is a directory, not a file')
    except OSError as e:
        raise GraphFormatError(path, None, 'cannot read: %s' % (e.strerror or e))
    if data[:2] == b'\x1f\x8b':
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, ValueError) as e:
            raise GraphFormatError(path, None, 'corrupt gzip data: %s' % e)
    return data


def _decode(data, encoding=None):
    if encoding is not None:
        return data.decode(encoding)
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        return data.decode('latin-1')


def _read_text(path, encoding=None):
    return _decode(_read_bytes(path), encoding)


_SEP = str.maketrans({',': ' ', '\t': ' ', '\r': ' ', '\x00': ' '})


def _split_lines(text, comments=True):
    """Token lists per physical line ('\\n'-separated; CR, TAB and commas are separators)."""
    lines = text.split('\n')
    if comments and '#' in text:
        lines = [l.split('#', 1)[0] if '#' in l else l for l in lines]
    tokens = [l.translate(_SEP).split() for l in lines]
    return tokens


def _is_int_token(arr):
    """Bool mask of unicode tokens that are plain ASCII decimal integers (optional sign)."""
    if arr.size == 0:
        return np.zeros(0, dtype=bool)
    stripped = np.char.lstrip(arr, '+-')
    signs = np.char.str_len(arr) - np.char.str_len(stripped)
    return (signs <= 1) & _isascii_decimal(stripped)


def _isascii_decimal(arr):
    # numpy < 2 has no np.char.isascii: check the code points via a uint32 view
    a = np.ascontiguousarray(arr)
    width = a.dtype.itemsize // 4
    if width == 0:
        return np.zeros(a.shape, dtype=bool)
    codes = a.view(np.uint32).reshape(a.shape + (width,))
    digit = (codes >= 48) & (codes <= 57)
    pad = codes == 0
    return np.all(digit | pad, axis=-1) & ~pad[..., 0]


def _to_int64(arr):
    """int64 array from integer-looking tokens, or None on overflow."""
    try:
        return arr.astype(np.int64)
    except (ValueError, OverflowError):
        return None


def _parse_ids(path, tokens, line_of_token, what='node id'):
    """Node-id tokens (unicode array) -> (sorted unique ids list, inverse int64 array).

    All-integer ids become ints. A few non-integer tokens in an otherwise integer file (a header
    line without '#') are an error naming the first such line.
    """
    isint = _is_int_token(tokens)
    if isint.all():
        vals = _to_int64(tokens)
        if vals is not None:
            ids, inv = np.unique(vals, return_inverse=True)
            return ids.tolist(), inv.astype(np.int64)
        # beyond int64: Python ints
        vals = [int(t) for t in tokens.tolist()]
        ids = sorted(set(vals))
        index = {v: i for i, v in enumerate(ids)}
        return ids, np.fromiter((index[v] for v in vals), dtype=np.int64, count=len(vals))
    bad_lines = np.unique(line_of_token[~isint])
    all_lines = np.unique(line_of_token)
    if len(bad_lines) <= max(1, 0.01 * len(all_lines)) and len(bad_lines) < len(all_lines):
        k = int(np.argmax(~isint))
        raise GraphFormatError(path, int(line_of_token[k]),
                               'not data: %r is not an integer %s, but the other %d lines are '
                               '(comment lines must start with #)'
                               % (str(tokens[k]), what, len(all_lines) - len(bad_lines)))
    ids, inv = np.unique(tokens, return_inverse=True)
    return ids.tolist(), inv.astype(np.int64)


def _parse_floats(path, tokens, line_of_token, what='weight'):
    try:
        vals = tokens.astype(np.float64)
    except (ValueError, OverflowError):
        vals = None
    if vals is None:
        for k, t in enumerate(tokens.tolist()):
            try:
                float(t)
            except (ValueError, OverflowError):
                raise GraphFormatError(path, int(line_of_token[k]),
                                       '%s %r is not a number' % (what, t))
    bad = ~np.isfinite(vals)
    if bad.any():
        k = int(np.argmax(bad))
        raise GraphFormatError(path, int(line_of_token[k]),
                               '%s %r is not finite' % (what, str(tokens[k])))
    return vals


def _as_token_array(tokens):
    if not tokens:
        return np.zeros(0, dtype='U1')
    return np.array(tokens, dtype=str)


_SEP_BYTES = bytes.maketrans(b',\t\r', b'   ')
_COMMENT_RE = re.compile(rb'#[^\n]*')


def _fast_edgelist(data, weighted):
    """Vectorised parse of an all-integer-id edge list (bytes, comments not yet removed).

    Returns (ids, inverse (m, 2), weights or None) or None when the input is not plainly
    numeric; the caller then runs the careful parser, which also produces the precise error.
    """
    if b'#' in data:
        data = _COMMENT_RE.sub(b'', data)
    data = data.translate(_SEP_BYTES)
    b = np.frombuffer(data, dtype=np.uint8)
    if b.size == 0:
        return None
    nl = b == 10
    tokch = ~(nl | (b == 32))
    prev = np.concatenate([[False], tokch[:-1]])
    starts = tokch & ~prev
    ntok = int(starts.sum())
    if ntok == 0:
        return None
    line_of_byte = np.cumsum(nl) - nl
    nlines = int(nl.sum()) + 1
    per_line = np.bincount(line_of_byte[starts], minlength=nlines)
    nc = per_line[per_line > 0]
    width = int(nc[0])
    if width not in (2, 3) or (nc != width).any():
        return None
    tok_of_byte = np.cumsum(starts) - 1
    col_of_tok = np.arange(ntok) % width
    col = col_of_tok[tok_of_byte[tokch]]
    chars = b[tokch]
    idch = chars[col < 2]
    is_digit = (idch >= 48) & (idch <= 57)
    if not is_digit.all():
        sign = (idch == 45) | (idch == 43)
        if not (is_digit | (sign & starts[tokch][col < 2])).all():
            return None
    tok_len = np.bincount(tok_of_byte[tokch], minlength=ntok)
    if (tok_len[col_of_tok < 2] > 15).any():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        try:
            vals = np.fromstring(data, dtype=np.int64 if width == 2 else np.float64, sep=' ')
        except ValueError:
            return None
    if vals.size != ntok:
        return None
    vals = vals.reshape(-1, width)
    if width == 3 and weighted is not False:
        weights = vals[:, 2]
        if not np.all(np.isfinite(weights)):
            return None
    else:
        weights = None
    if weighted and width != 3:
        return None
    idv = vals[:, :2].astype(np.int64)
    uniq, inv = np.unique(idv, return_inverse=True)
    return uniq.tolist(), inv.reshape(-1, 2).astype(np.int64), weights


def read_edgelist(path, directed=False, weighted=None, encoding=None, merge='max'):
    """Read an edge list: `u v` or `u v weight` per line.

    Separators are any run of spaces, TABs or commas; `#` starts a comment; CRLF and blank lines
    are fine; gzip'd files are read transparently. Node ids stay strings unless all are integers.

    # Arguments
        path: file name.
        directed: bool.
        weighted: None (use a 3rd column when present), True (require it), False (ignore it).
        encoding: text encoding (default UTF-8, falling back to Latin-1).
        merge: how duplicate edges' weights merge ('max', 'sum', 'first').

    # Returns
        A `Graph`.

    # Raises
        GraphFormatError naming the file, the 1-based line and the problem: missing or empty
        file, a line with 1 or more than 3 columns, lines with different column counts,
        non-numeric or non-finite weights, a non-integer line in an integer file (header
        without '#').
    """
    data = _read_bytes(path)
    if encoding is None:
        fast = _fast_edgelist(data, weighted)
        if fast is not None:
            ids, edges, weights = fast
            return Graph(edges, nodes=ids, weights=weights, directed=directed, merge=merge)
    text = _decode(data, encoding)
    lines = _split_lines(text)
    ncols = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    data = np.nonzero(ncols)[0]
    if len(data) == 0:
        raise GraphFormatError(path, None, 'no edges (the file is empty or only comments)')
    nc = ncols[data]
    bad = (nc < 2) | (nc > 3)
    if bad.any():
        k = int(data[np.argmax(bad)])
        c = int(ncols[k])
        raise GraphFormatError(path, k + 1, 'expected 2 or 3 columns (source target [weight]), '
                                            'found %d: %r' % (c, text.split('\n')[k][:80]))
    width = int(nc[0])
    if (nc != width).any():
        k = int(data[np.argmax(nc != width)])
        raise GraphFormatError(path, k + 1, 'found %d columns but line %d has %d'
                               % (int(ncols[k]), int(data[0]) + 1, width))
    if weighted and width != 3:
        raise GraphFormatError(path, int(data[0]) + 1, 'expected a weight column')
    flat = [t for k in data.tolist() for t in lines[k]]
    tok = _as_token_array(flat).reshape(len(data), width)
    line_no = data + 1
    ids_tok = tok[:, :2].reshape(-1)
    ids, inv = _parse_ids(path, ids_tok, np.repeat(line_no, 2))
    edges = inv.reshape(-1, 2)
    weights = None
    if width == 3 and weighted is not False:
        weights = _parse_floats(path, tok[:, 2], line_no)
    return Graph(edges, nodes=ids, weights=weights, directed=directed, merge=merge)


def read_adjlist(path, directed=False, encoding=None):
    """Read an adjacency list (OpenNE): `node neighbour neighbour ...` per line.

    A line with a single node adds an isolated node. Separators and comments as in
    `read_edgelist`.
    """
    text = _read_text(path, encoding)
    lines = _split_lines(text)
    ncols = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    data = np.nonzero(ncols)[0]
    if len(data) == 0:
        raise GraphFormatError(path, None, 'no nodes (the file is empty or only comments)')
    flat = [t for k in data.tolist() for t in lines[k]]
    tok = _as_token_array(flat)
    nc = ncols[data]
    line_of_token = np.repeat(data + 1, nc)
    ids, inv = _parse_ids(path, tok, line_of_token)
    starts = np.concatenate([[0], np.cumsum(nc)[:-1]])
    heads = inv[starts]
    is_head = np.zeros(len(tok), dtype=bool)
    is_head[starts] = True
    src = np.repeat(heads, nc - 1)
    dst = inv[~is_head]
    return Graph(np.stack([src, dst], axis=1), nodes=ids, directed=directed)


def read_mat(path, network='network', group='group', directed=False):
    """Read a MATLAB `.mat` graph (DeepWalk / node2vec layout), gzip'd or not.

    # Returns
        (graph, labels): `graph` on nodes 0..n-1; `labels` a bool array (n, L) from the `group`
        matrix, or None if the file has none.
    """
    import scipy.io
    data = _read_bytes(path)
    try:
        mat = scipy.io.loadmat(io.BytesIO(data))
    except Exception as e:  # scipy raises many kinds on corrupt input
        raise GraphFormatError(path, None, 'not a readable MATLAB file: %s' % e)
    if network not in mat:
        raise GraphFormatError(path, None, 'no %r variable (found: %s)'
                               % (network, ', '.join(k for k in mat if not k.startswith('__'))))
    a = mat[network]
    a = sp.coo_matrix(a)
    if a.shape[0] != a.shape[1]:
        raise GraphFormatError(path, None, '%r is not square: %r' % (network, a.shape))
    n = a.shape[0]
    w = np.asarray(a.data, dtype=np.float64)
    keep = w != 0
    edges = np.stack([a.row[keep], a.col[keep]], axis=1).astype(np.int64)
    w = w[keep]
    if not directed:
        # a symmetric matrix lists each pair twice: keep the upper triangle plus any pair that
        # only appears below the diagonal
        up = edges[:, 0] <= edges[:, 1]
        edges_s = np.sort(edges, axis=1)
        g = Graph(edges_s, num_nodes=n, weights=w, directed=False, merge='max') \
            if up.all() else _graph_quiet_symmetric(edges_s, n, w)
    else:
        g = Graph(edges, num_nodes=n, weights=w, directed=True)
    labels = None
    if group in mat:
        labels = np.asarray(sp.csr_matrix(mat[group]).todense() != 0)
        if labels.shape[0] != n:
            raise GraphFormatError(path, None, '%r has %d rows for %d nodes'
                                   % (group, labels.shape[0], n))
    return g, labels


def _graph_quiet_symmetric(edges_sorted, n, w):
    """Undirected Graph from a symmetric matrix's entries: the mirrored copies are not duplicates."""
    keys = edges_sorted[:, 0] * max(n, 1) + edges_sorted[:, 1]
    _, first = np.unique(keys, return_index=True)
    return Graph(edges_sorted[first], num_nodes=n, weights=w[first], directed=False)


def read_labels(path, encoding=None):
    """Read node labels: `node label [label ...]` per line; a node may repeat on several lines.

    # Returns
        dict node id -> list of labels (ids and labels are ints when all are integers).
        Single-label files give one-element lists.
    """
    text = _read_text(path, encoding)
    lines = _split_lines(text)
    ncols = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    data = np.nonzero(ncols)[0]
    if len(data) == 0:
        raise GraphFormatError(path, None, 'no labels (the file is empty or only comments)')
    nc = ncols[data]
    if (nc < 2).any():
        k = int(data[np.argmax(nc < 2)])
        raise GraphFormatError(path, k + 1, 'expected `node label [label ...]`, found one '
                                            'column: %r' % text.split('\n')[k][:80])
    heads = _as_token_array([lines[k][0] for k in data.tolist()])
    rest = _as_token_array([t for k in data.tolist() for t in lines[k][1:]])
    node_ids, node_inv = _parse_ids(path, heads, data + 1)
    lab_ids, lab_inv = _parse_ids(path, rest, np.repeat(data + 1, nc - 1), what='label')
    owner = np.repeat(node_inv, nc - 1)
    out = {v: [] for v in node_ids}
    for o, l in zip(owner.tolist(), lab_inv.tolist()):
        labs = out[node_ids[o]]
        lab = lab_ids[l]
        if lab not in labs:
            labs.append(lab)
    return out


def label_matrix(graph, labels, label_names=None):
    """Per-node label matrix from a dict id -> list of labels.

    # Returns
        (Y, label_names): Y bool (n, L), row i for graph index i (unlabelled nodes are all
        False); label_names the sorted labels. Ids not in the graph are ignored.
    """
    if label_names is None:
        label_names = sorted({l for ls in labels.values() for l in ls}, key=_sort_key)
    col = {l: j for j, l in enumerate(label_names)}
    Y = np.zeros((graph.num_nodes, len(label_names)), dtype=bool)
    index = graph.node_index
    for v, ls in labels.items():
        i = index.get(v)
        if i is None:
            continue
        for l in ls:
            Y[i, col[l]] = True
    return Y, list(label_names)


def _sort_key(x):
    return (0, x, '') if isinstance(x, (int, np.integer)) else (1, 0, str(x))


# ----------------------------------------------------------------------------------------------
# AAN (ACL Anthology Network)

_RECORD_RE = re.compile(r'^\s*(\w+)\s*=\s*\{(.*)$')


_SUFFIX_RE = re.compile(r'^(I{2,3}|IV|Jr\.?|Sr\.?),')


def _split_authors(value):
    """`Last, First; Last, First` -> list of names, HTML entities decoded.

    Repairs AAN's broken separator `Daum&eacute;; III, Hal` (-> `Daum\xe9 III, Hal`): a part
    without a comma followed by a part that starts with a suffix (`III,`, `Jr.,`) is one name.
    """
    parts = [p.strip() for p in html.unescape(value).split(';')]
    out = []
    for p in parts:
        if not p:
            continue
        if out and ',' not in out[-1] and _SUFFIX_RE.match(p):
            out[-1] = out[-1] + ' ' + p
        else:
            out.append(p)
    return out


def read_aan_metadata(path, encoding='latin-1'):
    """Read AAN `acl-metadata.txt`: blank-line separated `key = {value}` records.

    HTML entities are decoded (`html.unescape`); a value may continue over several lines until
    its closing `}`.

    # Returns
        dict paper id -> dict(id=str, authors=list of str, title=str, venue=str, year=int or
        None), in file order.
    """
    text = _read_text(path, encoding)
    lines = text.split('\n')
    papers = {}
    rec = {}
    rec_line = None
    key = None
    buf = None
    start = None

    def finish(lineno):
        if not rec:
            return
        if 'id' not in rec:
            raise GraphFormatError(path, rec_line, 'record without an id')
        pid = rec['id']
        year = rec.get('year')
        if year is not None:
            try:
                year = int(year)
            except ValueError:
                raise GraphFormatError(path, rec_line, 'paper %s: year %r is not an integer'
                                       % (pid, year))
        papers[pid] = {'id': pid, 'authors': _split_authors(rec.get('author', '')),
                       'title': html.unescape(rec.get('title', '')),
                       'venue': html.unescape(rec.get('venue', '')), 'year': year}

    for no, raw in enumerate(lines, 1):
        line = raw.rstrip('\r')
        if buf is not None:  # inside a multi-line value
            if line.rstrip().endswith('}'):
                buf.append(line.rstrip()[:-1].strip())
                rec[key] = ' '.join(b for b in buf if b)
                buf = None
            else:
                buf.append(line.strip())
            continue
        if not line.strip():
            finish(no)
            rec = {}
            rec_line = None
            continue
        m = _RECORD_RE.match(line)
        if m is None:
            raise GraphFormatError(path, no, 'expected `key = {value}`, found %r' % line[:80])
        key, value = m.group(1), m.group(2).rstrip()
        if rec_line is None:
            rec_line = no
        if value.endswith('}'):
            rec[key] = value[:-1].strip()
        else:
            buf = [value.strip()]
            start = no
    if buf is not None:
        raise GraphFormatError(path, start, 'value of %r is never closed with }' % key)
    finish(len(lines))
    if not papers:
        raise GraphFormatError(path, None, 'no records')
    return papers


def read_aan_collaboration(path, encoding='latin-1', weights='count', decode_entities=True,
                           keep_empty=False):
    """Read AAN `author-collaboration-network.txt`: `Last, First ==> Last, First` per line.

    The file has one line per co-authored paper per pair (a multigraph). The result is an
    undirected Graph on author names whose weights count the lines of each pair
    (`weights='count'`) or are all 1 (`weights=None`). Repeated pairs are the multigraph and are
    merged without warning; the file's self-loops are dropped with a DataWarning.

    # Arguments
        decode_entities: decode HTML entities in names (`Ond&#x159;ej` -> `Ond\u0159ej`).
        keep_empty: the file has lines with an empty author (`Bojar, Ond&#x159;ej ==> `). By
            default they are skipped with one DataWarning; `keep_empty=True` keeps `''` as a
            node, which with `decode_entities=False` reproduces the raw counts (13,026 authors,
            39,542 pairs, 4 self-loops).
    """
    text = _read_text(path, encoding)
    lines = text.split('\n')
    src, dst = [], []
    empty = 0
    for no, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith('#'):
            continue
        parts = line.split('==>')
        if len(parts) != 2:
            raise GraphFormatError(path, no, 'expected `author ==> author`, found %r'
                                   % line[:80])
        a, b = parts[0].strip(), parts[1].strip()
        if not a or not b:
            if not (a or b):
                raise GraphFormatError(path, no, 'both authors are empty')
            if not keep_empty:
                empty += 1
                continue
        src.append(a)
        dst.append(b)
    if empty:
        warnings.warn('%s: skipped %d line%s with an empty author' % (path, empty,
                                                                     's' if empty > 1 else ''),
                      DataWarning, stacklevel=2)
    if not src:
        raise GraphFormatError(path, None, 'no edges (the file is empty or only comments)')
    names = src + dst
    if decode_entities:
        names = [html.unescape(s) for s in names]
    names = np.array(names, dtype=str)
    ids, inv = np.unique(names, return_inverse=True)
    m = len(src)
    e = np.stack([inv[:m], inv[m:]], axis=1).astype(np.int64)
    e = np.sort(e, axis=1)
    n = len(ids)
    keys = e[:, 0] * n + e[:, 1]
    uk, first, counts = np.unique(keys, return_index=True, return_counts=True)
    w = counts.astype(np.float64) if weights == 'count' else None
    return Graph(e[first], nodes=ids.tolist(), weights=w, directed=False)
