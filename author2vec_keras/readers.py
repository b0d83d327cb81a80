"""Readers: edge lists, adjacency lists, MATLAB `.mat` graphs and label files -> `Graph`.

Each raises `GraphFormatError(path, line, problem)` on malformed input, never a bare numpy/Python
error, and never turns a non-data line into a node. numpy/scipy only.

- `read_edgelist(path)`: `u v` or `u v w` per line; separators any run of spaces, TABs or commas;
  `#` comments; CRLF; blank lines; optionally gzip'd.
- `read_adjlist(path)`: OpenNE's `node n1 n2 ...` per line.
- `read_mat(path)`: MATLAB `.mat` with a sparse `network` adjacency and `group` node x label
  matrix (DeepWalk / node2vec files).
- `read_labels(path)`: `node label [label ...]` per line (a node may also repeat on several
  lines): single- or multi-label.
"""
import gzip
import io
import os
import re
import warnings

import numpy as np
import scipy.sparse as sp

from .graph import Graph

__all__ = ['GraphFormatError', 'as_graph', 'read_edgelist', 'read_adjlist', 'read_mat',
           'read_labels', 'read_text']


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


def read_text(path, encoding=None):
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
    text = read_text(path, encoding)
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
    text = read_text(path, encoding)
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


def as_graph(graph):
    """A `Graph` from a `Graph`, a networkx graph, or the path of an edge list."""
    if isinstance(graph, Graph):
        return graph
    if isinstance(graph, (str, os.PathLike)):
        return read_edgelist(graph)
    import networkx as nx
    if isinstance(graph, nx.Graph):
        return Graph.from_networkx(graph)
    raise TypeError('expected a Graph, a networkx graph or an edge list path, got %s'
                    % type(graph).__name__)
