"""Readers: edge lists, adjacency lists, MATLAB `.mat` graphs and label files -> `Graph`.

Malformed input raises `GraphFormatError(path, line, problem)` (numpy/scipy only).

- `read_edgelist(path)`: `u v` or `u v w` per line; separators any run of spaces, TABs or commas
  (CSV, TSV); `#` comments; CRLF; blank lines; UTF-8 (with or without BOM), UTF-16 with BOM or
  Latin-1; optionally gzip'd; one header line.
- `read_adjlist(path)`: OpenNE's `node n1 n2 ...` per line. `read_mat(path)`: MATLAB `.mat`,
  sparse `network` adjacency and `group` node x label matrix (DeepWalk / node2vec files).
- `read_labels(path)`: `node label [label ...]` per line (a node may repeat): single- or
  multi-label; one header line.

Header lines: the first non-comment line is a header when its fields cannot be node ids (or
weights, labels) while the data's are, e.g. `FromNodeId ToNodeId` or `id_1,id_2` above integer
ids: it is skipped with a one-line `DataWarning`. `header=True` / `False` forces it. Any other
line that is not data (a second header line too) is a `GraphFormatError` naming file and line.
A binary file (NUL bytes, control characters, an archive or image) is refused as not text.

Memory follows the file, not its longest field (ids are interned as they come); a field longer
than `MAX_FIELD` (4,096) characters is refused naming its line, error messages show at most 80
characters of a token, and running out of memory is a `GraphFormatError` naming the file. An
edge list longer than 64 MiB (decompressed) is read in parts of `CHUNK_BYTES` (16 MiB), its
edges merged as they come: memory for the distinct edges, not the lines (a gzip bomb of one
edge repeated reads in little memory), and the line reached when memory runs out.
"""
import codecs
import csv
import functools
import gzip
import io
import itertools
import os
import re
import warnings
import zlib

import numpy as np
import scipy.sparse as sp

from author2vec_keras.data.graph import DataWarning, Graph, pair_keys

__all__ = ['GraphFormatError', 'MAX_FIELD', 'CHUNK_BYTES', 'as_graph', 'read_edgelist',
           'read_adjlist', 'read_mat', 'read_labels', 'read_text']


#: the longest field (node id, weight, label) the text readers take, in characters: a longer
#: one is refused naming its line
MAX_FIELD = 4096
#: how much of a token an error message shows, in characters
_EXCERPT = 80
#: `read_edgelist` reads a file longer than `WHOLE_CHUNKS` of these (decompressed) in parts of
#: this many bytes: 16 MiB of short lines (`1 2`) take about 600 MB to parse
CHUNK_BYTES = 16 * 2 ** 20
WHOLE_CHUNKS = 4


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


def _open_input(path):
    """The file `path` opened for reading its bytes, gunzipped as they are read when it starts
    with the gzip magic; GraphFormatError when it cannot be opened."""
    if isinstance(path, (bytes, bytearray)):
        raise TypeError('path must be a file name, not bytes')
    try:
        f = open(path, 'rb')
    except FileNotFoundError:
        raise GraphFormatError(path, None, 'no such file')
    except IsADirectoryError:
        raise GraphFormatError(path, None, 'is a directory, not a file')
    except OSError as e:
        raise GraphFormatError(path, None, 'cannot read: %s' % (e.strerror or e))
    try:
        magic = f.read(2)
        f.seek(0)
    except OSError as e:
        f.close()
        raise GraphFormatError(path, None, 'cannot read: %s' % (e.strerror or e))
    if magic != b'\x1f\x8b':
        return f
    f.close()
    return gzip.open(path, 'rb')


def _read(path, stream, size=-1):
    """`stream.read(size)`, a GraphFormatError naming `path` when the file or its gzip data
    is bad."""
    try:
        return stream.read(size)
    except (OSError, EOFError, ValueError, zlib.error) as e:
        if isinstance(stream, gzip.GzipFile):
            raise GraphFormatError(path, None, 'corrupt gzip data: %s' % e) from None
        raise GraphFormatError(path, None, 'cannot read: %s' % (getattr(e, 'strerror', None)
                                                                or e)) from None


def _read_upto(path, stream, size):
    """At most `size` bytes of `stream`, in memory for what there is (a read of `size` bytes
    at once takes them all, whatever the file has)."""
    if not isinstance(stream, gzip.GzipFile) and os.fstat(stream.fileno()).st_size < size:
        return _read(path, stream)
    parts, count = [], 0
    while count < size:
        part = _read(path, stream, min(size - count, 2 ** 20))
        if not part:
            break
        parts.append(part)
        count += len(part)
    return b''.join(parts)


def _read_bytes(path):
    """Bytes of a file (gunzipped when it starts with the gzip magic), or GraphFormatError."""
    with _open_input(path) as stream:
        return _read(path, stream)


#: magic numbers of files people hand to a text reader by mistake
_MAGIC = (
    (b'PK\x03\x04', 'a ZIP archive (an .xlsx or .docx file? export it as CSV)'),
    (b'BZh', 'bzip2 data (decompress it first)'),
    (b'\xfd7zXZ\x00', 'xz data (decompress it first)'),
    (b"7z\xbc\xaf'\x1c", 'a 7-Zip archive'),
    (b'\x28\xb5\x2f\xfd', 'zstd data (decompress it first)'),
    (b'MATLAB', 'a MATLAB .mat file (read_mat reads it)'),
    (b'\x89HDF', 'an HDF5 file'),
    (b'\x93NUMPY', 'a NumPy .npy file'),
    (b'\x89PNG', 'a PNG image'),
    (b'%PDF', 'a PDF document'),
    (b'\xd0\xcf\x11\xe0', 'an old Office document (.xls? export it as CSV)'),
)
_CONTROL = bytes(sorted(set(range(32)) - set(b'\t\n\x0b\x0c\r'))) + b'\x7f'


def _binary_kind(data):
    """What a byte string is if it is not text (a description), else None."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:1] == b'\x80' and data[1:2] in (b'\x02', b'\x03', b'\x04', b'\x05'):
        return 'a Python pickle'
    nul = data.find(b'\x00')
    if nul >= 0:
        return 'binary data (a NUL byte at byte %d)' % nul
    sample = data[:65536]
    if not sample:
        return None
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    if controls > 0.01 * len(sample):
        return 'binary data (%d control characters in its first %d bytes)' % (controls,
                                                                               len(sample))
    try:
        sample.decode('utf-8')
    except UnicodeDecodeError as e:
        if e.start < len(sample) - 4:  # not a character cut at the sample's end
            high = len(sample) - len(sample.translate(None, bytes(range(128, 256))))
            if high > 0.3 * len(sample):
                return 'binary data (not UTF-8 nor mostly ASCII)'
    return None


def _text_bytes(path, what='edge list', encoding=None):
    """Bytes of a text file: gunzipped, byte-order mark removed, UTF-16 (or `encoding`)
    re-encoded as UTF-8.

    Raises `GraphFormatError` saying the file is not a text `what` when it is binary.
    """
    return _as_text(path, _read_bytes(path), what, encoding)


def _as_text(path, data, what, encoding):
    """`_text_bytes` of the bytes `data` read from `path`."""
    if encoding is not None:
        try:
            data = data.decode(encoding).encode('utf-8')
        except (UnicodeDecodeError, LookupError) as e:
            raise GraphFormatError(path, None, 'cannot read it as %s: %s' % (encoding, e))
    else:
        for bom, codec in ((codecs.BOM_UTF8, None), (codecs.BOM_UTF16_LE, 'utf-16'),
                           (codecs.BOM_UTF16_BE, 'utf-16')):
            if data.startswith(bom):
                if codec is None:
                    data = data[len(bom):]
                else:
                    try:
                        data = data.decode(codec).encode('utf-8')
                    except UnicodeDecodeError:
                        raise GraphFormatError(path, None, 'not a text %s: invalid UTF-16'
                                               % what)
                break
    kind = _binary_kind(data)
    if kind is not None:
        raise GraphFormatError(path, None, 'not a text %s: %s' % (what, kind))
    return data


def _decode(data, encoding=None):
    if encoding is not None:
        return data.decode(encoding)
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        return data.decode('latin-1')


def read_text(path, encoding=None, what='text file'):
    """The text of a file (gzip'd or not; UTF-8, UTF-16 with BOM or Latin-1, or `encoding`);
    `GraphFormatError` if it is binary."""
    return _decode(_text_bytes(path, what, encoding))


_SEP = str.maketrans({',': ' ', '\t': ' ', '\r': ' ', '\x00': ' '})


def _split_lines(text, comments=True):
    """Token lists per physical line ('\\n'-separated; CR, TAB and commas are separators; a
    line with a double quote is read by Python's `csv` module, `"Medici family",Strozzi`)."""
    lines = text.split('\n')
    if comments and '#' in text:
        lines = [l.split('#', 1)[0] if '#' in l else l for l in lines]
    if '"' not in text:
        return [l.translate(_SEP).split() for l in lines]
    return [_quoted_fields(l) if '"' in l else l.translate(_SEP).split() for l in lines]


_QUOTED = re.compile(r'"(?:[^"]|"")*"')


def _quoted_fields(line):
    """The fields of a line with quotes (`csv`): the separator is a comma, else a TAB, else a
    space, outside the quotes; empty fields are dropped, as runs of separators elsewhere."""
    bare = _QUOTED.sub('', line)
    sep = ',' if ',' in bare else '\t' if '\t' in bare else ' '
    fields = next(csv.reader([line.rstrip('\r')], delimiter=sep, skipinitialspace=True))
    return [f.strip() for f in fields if f.strip()]


_INT_TOKEN = re.compile(r'[+-]?[0-9]+\Z')


def _int_mask(tokens):
    """Bool mask of the tokens (a list of str) that are plain ASCII decimal integers (optional
    sign)."""
    match = _INT_TOKEN.match
    return np.fromiter((match(t) is not None for t in tokens), dtype=bool, count=len(tokens))


def _intern(tokens):
    """(the distinct tokens in order of first appearance, int64 index of each token in them):
    memory for the distinct tokens and 8 bytes a token, whatever the longest (a numpy unicode
    array would be as wide as its widest field for every field)."""
    index = {}
    inv = np.fromiter((index.setdefault(t, len(index)) for t in tokens), dtype=np.int64,
                      count=len(tokens))
    return list(index), inv


def _shown(token, quote=True):
    """A token as an error message shows it: its first 80 characters, and its length if
    longer."""
    if len(token) <= _EXCERPT:
        return repr(token) if quote else token
    return '%s... (%d characters)' % (repr(token[:_EXCERPT]) if quote else token[:_EXCERPT],
                                      len(token))


def _naming_memory(reader):
    """A reader whose MemoryError is a GraphFormatError naming the file (the memory it had)."""
    @functools.wraps(reader)
    def read(path, *args, **kwargs):
        try:
            return reader(path, *args, **kwargs)
        except MemoryError:
            try:
                size = ' (%.3g MB)' % (os.path.getsize(path) / 1e6)
            except (OSError, TypeError, ValueError):
                size = ''
            raise GraphFormatError(path, None, 'out of memory reading it%s' % size) from None
    return read


def _lines_and_rows(path, text, nothing):
    """(lines split into fields, fields per line, the indices of lines with fields) of `text`,
    every field within `MAX_FIELD`; GraphFormatError 'no NOTHING' when no line has a field."""
    lines = _split_lines(text)
    _check_fields(path, lines)
    ncols = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    rows = np.nonzero(ncols)[0]
    if len(rows) == 0:
        raise GraphFormatError(path, None, 'no %s (the file is empty or only comments)' % nothing)
    return lines, ncols, rows


def _check_fields(path, lines):
    """GraphFormatError naming the line of the first field longer than `MAX_FIELD`."""
    longest = max(map(len, itertools.chain.from_iterable(lines)), default=0)
    if longest <= MAX_FIELD:
        return
    for k, line in enumerate(lines):
        for t in line:
            if len(t) > MAX_FIELD:
                raise GraphFormatError(path, k + 1, 'a field of %d characters (at most %d are '
                                       'read): %r...' % (len(t), MAX_FIELD, t[:_EXCERPT]))


def _junk_in_integers(bad_lines, all_lines):
    """Whether the lines `bad_lines` (with a non-integer token) are stray lines in an integer
    file rather than the ids of a file of string ids: at least one line is all integers, and
    the others are few (at most 1%, or one) or all come first (a block of header lines)."""
    if len(bad_lines) == 0 or len(bad_lines) >= len(all_lines):
        return False
    few = len(bad_lines) <= max(1, 0.01 * len(all_lines))
    leading = np.array_equal(bad_lines, all_lines[:len(bad_lines)])
    return few or leading


def _parse_ids(path, tokens, line_of_token, what='node id'):
    """Node-id tokens (a list of str) -> (sorted unique ids list, inverse int64 array).

    All-integer ids become ints. Non-integer tokens in an otherwise integer file (a few lines,
    or lines before all the integer ones: more header lines without '#') are an error naming
    the first such line.
    """
    distinct, inv = _intern(tokens)
    isint = _int_mask(distinct)
    if isint.all():
        vals = []
        for k, t in enumerate(distinct):
            try:
                vals.append(int(t))
            except ValueError:  # beyond sys.get_int_max_str_digits()
                line = int(line_of_token[np.argmax(inv == k)])
                raise GraphFormatError(path, line, 'integer %s %s has %d digits: too many'
                                       % (what, _shown(t), len(t))) from None
        if not vals or (min(vals) >= -2 ** 63 and max(vals) < 2 ** 63):
            ids, rank = np.unique(np.array(vals, dtype=np.int64), return_inverse=True)
            return ids.tolist(), rank.astype(np.int64)[inv]
        ids = sorted(set(vals))  # beyond int64: Python ints
        index = {v: i for i, v in enumerate(ids)}
        return ids, np.array([index[v] for v in vals], dtype=np.int64)[inv]
    isint = isint[inv]
    bad_lines = np.unique(line_of_token[~isint])
    all_lines = np.unique(line_of_token)
    if _junk_in_integers(bad_lines, all_lines):
        k = int(np.argmax(~isint))
        raise GraphFormatError(path, int(line_of_token[k]),
                               'not data: %s is not an integer %s, but the other %d lines are '
                               '(a file may have one header line; comments start with #)'
                               % (_shown(tokens[k]), what, len(all_lines) - len(bad_lines)))
    order = sorted(range(len(distinct)), key=distinct.__getitem__)
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[order] = np.arange(len(distinct))
    return [distinct[i] for i in order], rank[inv]


def _is_number(token):
    try:
        float(token)
    except ValueError:
        return False
    return True


def _is_header(lines, rows, header, value_is=None, value_from=2):
    """Whether the first data line `lines[rows[0]]` is a header line.

    `header` True/False forces it. Otherwise it is one when its id fields (the first two
    tokens of an edge list, the first of a label file: `value_from`) are not all integers
    while the other lines' are (but for stray lines, which are errors later), or, in a file of
    string ids, when its values (tokens from `value_from` on) fail `value_is` while every other
    line's pass (`from to weight` above `alice bob 2.5`).
    """
    if header is not None:
        return bool(header)
    if len(rows) < 2:
        return False
    id_cols = 2 if value_from == 2 else 1
    first = lines[rows[0]]
    heads = [t for k in rows.tolist() for t in lines[k][:id_cols]]
    counts = np.array([min(len(lines[k]), id_cols) for k in rows.tolist()])
    isint = _int_mask(heads)
    line_ok = np.logical_and.reduceat(isint, np.concatenate([[0], np.cumsum(counts)[:-1]]))
    if line_ok[0]:
        return False
    rest = np.arange(1, len(rows))
    if line_ok[1:].all() or _junk_in_integers(rest[~line_ok[1:]], rest):
        return True
    if value_is is None or len(first) <= value_from:
        return False
    if all(value_is(t) for t in first[value_from:]):
        return False
    return all(value_is(t) for k in rows[1:].tolist() for t in lines[k][value_from:])


def _header_notice(path, line, text):
    warnings.warn('%s:%d: skipped header line %r' % (path, line, text.strip()[:80]),
                  DataWarning, stacklevel=3)


def _parse_floats(path, tokens, line_of_token, what='weight'):
    """Float64 array of the tokens (a list of str), or GraphFormatError naming the line of the
    first that is not a finite number."""
    try:
        vals = np.fromiter(map(float, tokens), dtype=np.float64, count=len(tokens))
    except ValueError:
        for k, t in enumerate(tokens):
            try:
                float(t)
            except ValueError:
                raise GraphFormatError(path, int(line_of_token[k]),
                                       '%s %s is not a number' % (what, _shown(t))) from None
    bad = ~np.isfinite(vals)
    if bad.any():
        k = int(np.argmax(bad))
        raise GraphFormatError(path, int(line_of_token[k]),
                               '%s %s is not finite' % (what, _shown(tokens[k])))
    return vals


_SEP_BYTES = bytes.maketrans(b',\t\r', b'   ')
_COMMENT_RE = re.compile(rb'#[^\n]*')


def _fast_edgelist(data, weighted):
    """Vectorised parse of an all-integer-id edge list (bytes, comments not yet removed).

    Returns (ids, inverse (m, 2), weights or None, columns) or None when the input is not plainly
    numeric; the caller then runs the careful parser, which also produces the precise error.
    Works on token positions, not per-byte index arrays: a few bytes of memory per byte of
    input (the whole run's peak on a large graph is here).
    """
    if b'#' in data:
        data = _COMMENT_RE.sub(b'', data)
    data = data.translate(_SEP_BYTES)
    b = np.frombuffer(data, dtype=np.uint8)
    if b.size == 0:
        return None
    sep = (b == 10) | (b == 32)
    tok = ~sep
    starts = np.flatnonzero(tok[1:] & sep[:-1]) + 1
    ends = np.flatnonzero(tok[:-1] & sep[1:]) + 1  # exclusive
    if tok[0]:
        starts = np.concatenate([[0], starts])
    if tok[-1]:
        ends = np.concatenate([ends, [b.size]])
    ntok = len(starts)
    if ntok == 0:
        return None
    del sep
    line_of_tok = np.searchsorted(np.flatnonzero(b == 10), starts)
    first = np.flatnonzero(np.diff(line_of_tok)) + 1  # the first token of each data line
    counts = np.diff(np.concatenate([[0], first, [ntok]]))
    width = int(counts[0])
    if width not in (2, 3) or (counts != width).any():
        return None
    del line_of_tok, first, counts
    col = np.arange(ntok) % width
    lengths = ends - starts
    if (lengths[col < 2] > 15).any() or lengths.max() > MAX_FIELD:  # the careful parser
        return None  # reads them, or refuses the field naming its line
    del lengths
    bad = np.flatnonzero(tok & ((b < 48) | (b > 57)))  # token bytes that are not digits
    if len(bad):
        owner = np.searchsorted(starts, bad, side='right') - 1
        in_id = col[owner] < 2
        sign = ((b[bad] == 45) | (b[bad] == 43)) & (starts[owner] == bad)
        if (in_id & ~sign).any():
            return None
    del tok, bad, starts, ends, col
    with warnings.catch_warnings(record=True) as partial:
        warnings.simplefilter('always', DeprecationWarning)
        try:
            vals = np.fromstring(data, dtype=np.int64 if width == 2 else np.float64, sep=' ')
        except ValueError:
            return None
    if vals.size != ntok or partial:  # numpy warns when it stops early (a weight '4-5')
        return None
    vals = vals.reshape(-1, width)
    if width == 3 and weighted is not False:
        weights = vals[:, 2]
        if not np.all(np.isfinite(weights) & (weights > 0)):
            return None
    else:
        weights = None
    if weighted and width != 3:
        return None
    idv = vals[:, :2].astype(np.int64)
    uniq, inv = np.unique(idv, return_inverse=True)
    return uniq.tolist(), inv.reshape(-1, 2).astype(np.int64), weights, width


_PLAIN_INT = re.compile(rb'[+-]?[0-9]+$')


def _first_data_line(data):
    """(start, end, tokens) of the first line of `data` with a token (comments removed), or
    None."""
    pos = 0
    while pos < len(data):
        end = data.find(b'\n', pos)
        end = len(data) if end < 0 else end
        tokens = data[pos:end].split(b'#', 1)[0].translate(_SEP_BYTES).split()
        if tokens:
            return pos, end, tokens
        pos = end + 1
    return None


@_naming_memory
def read_edgelist(path, directed=False, weighted=None, encoding=None, merge='max', header=None,
                  chunk_bytes=CHUNK_BYTES):
    """Read an edge list: `u v` or `u v weight` per line.

    Separators are any run of spaces, TABs or commas (CSV with or without spaces, TSV); `#`
    starts a comment; CRLF and blank lines are fine; gzip'd files are read transparently.
    Node ids stay strings unless all are integers.

    # Arguments
        path: file name.
        directed: bool.
        weighted: None (use a 3rd column when present), True (require it), False (ignore it).
        encoding: text encoding (default UTF-8, UTF-16 with a BOM, else Latin-1).
        merge: how duplicate edges' weights merge ('max', 'sum', 'first').
        header: None (detect: a first line such as `FromNodeId ToNodeId` or `id_1,id_2` above
            integer ids is skipped with a `DataWarning`), True (skip the first non-comment
            line), False (read it as data).
        chunk_bytes: a file (decompressed) longer than `WHOLE_CHUNKS` (4) times this is read
            this many bytes at a time, its edges merged as they come: the memory follows the
            distinct edges, not the lines (a gzip file of one edge repeated a billion times
            reads in little memory).

    # Returns
        A `Graph`.

    # Raises
        GraphFormatError naming the file, the 1-based line and the problem: missing, empty or
        binary file, a line with 1 or more than 3 columns, lines with different column counts,
        non-numeric or non-finite weights, a non-integer line in an integer file (a second
        header line, a comment without '#'), a field longer than `MAX_FIELD` characters, no
        memory left (the line the reading had reached, and the size decompressed so far).
    """
    data, stream = _text_start(path, 'edge list', encoding, WHOLE_CHUNKS * chunk_bytes)
    if stream is not None:
        with stream:
            return _read_edgelist_chunks(path, data, stream, chunk_bytes, directed, weighted,
                                         merge, header)
    ids, edges, weights, _ = _parse_edgelist(path, data, weighted, encoding, header)
    return Graph(edges, nodes=ids, weights=weights, directed=directed, merge=merge)


def _parse_edgelist(path, data, weighted, encoding, header, columns=None):
    """(ids, edges (m, 2) indices into ids, weights or None, columns per line) of the edge
    list `data` (text bytes), as `read_edgelist` reads it; `columns`: (the columns every line
    must have, the line of the file that had them first), for a part of a file."""
    if encoding is None:
        first = _first_data_line(data)
        skip = first is not None and (
            header is True or (header is None and not all(_PLAIN_INT.match(t)
                                                          for t in first[2][:2])))
        if skip:  # blank the line (line numbers stay) and try the fast path on the rest
            start, end, _ = first
            fast = _fast_edgelist(data[:start] + b' ' * (end - start) + data[end:], weighted)
            if fast is not None and header is None:
                _header_notice(path, data.count(b'\n', 0, start) + 1,
                               _decode(data[start:end]))
        else:
            fast = _fast_edgelist(data, weighted) if header is not True else None
        if fast is not None:
            return fast
    text = _decode(data)
    lines, ncols, rows = _lines_and_rows(path, text, 'edges')
    skipped = None
    if _is_header(lines, rows, header, value_is=_is_number, value_from=2):
        skipped, rows = int(rows[0]), rows[1:]
        if len(rows) == 0:
            raise GraphFormatError(path, None, 'no edges (only a header line)')
    nc = ncols[rows]
    bad = (nc < 2) | (nc > 3)
    if bad.any():
        k = int(rows[np.argmax(bad)])
        c = int(ncols[k])
        raise GraphFormatError(path, k + 1, 'expected 2 or 3 columns (source target [weight]), '
                                            'found %d: %r' % (c, text.split('\n')[k][:80]))
    width, width_line = (int(nc[0]), int(rows[0]) + 1) if columns is None else columns
    if (nc != width).any():
        k = int(rows[np.argmax(nc != width)])
        raise GraphFormatError(path, k + 1, 'found %d columns but line %d has %d'
                               % (int(ncols[k]), width_line, width))
    if weighted and width != 3:
        raise GraphFormatError(path, int(rows[0]) + 1, 'expected a weight column')
    line_no = rows + 1
    ids_tok = [t for k in rows.tolist() for t in lines[k][:2]]
    ids, inv = _parse_ids(path, ids_tok, np.repeat(line_no, 2))
    del ids_tok
    edges = inv.reshape(-1, 2)
    weights = None
    if width == 3 and weighted is not False:
        weight_tok = [lines[k][2] for k in rows.tolist()]
        weights = _parse_floats(path, weight_tok, line_no)
        bad = weights <= 0
        if bad.any():
            k = int(np.argmax(bad))
            raise GraphFormatError(path, int(line_no[k]), 'weight %s is not positive: a weight is '
                                   "how strongly the edge's ends are joined (drop the edge, or "
                                   'give it a small positive weight)'
                                   % _shown(weight_tok[k], quote=False))
    if skipped is not None and header is None:
        _header_notice(path, skipped + 1, text.split('\n')[skipped])
    return ids, edges, weights, width


def _text_start(path, what, encoding, size):
    """(text bytes, None) of a file of at most `size` bytes (decompressed), as `_text_bytes`;
    else (its first `size` bytes or more, the stream of the rest) for a UTF-8 or Latin-1 file
    (the rest is checked as it comes), the whole file read for another encoding."""
    stream = _open_input(path)
    try:
        data = _read_upto(path, stream, size + 1)
        if len(data) <= size or encoding is not None or data.startswith(
                (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            data += _read(path, stream)
            stream.close()
            return _as_text(path, data, what, encoding), None
        data = _as_text(path, data, what, None)
    except BaseException:
        stream.close()
        raise
    return data, stream


def _chunks(path, data, stream, size):
    """(bytes ending at a line end, lines before them, bytes decompressed so far) of the text
    `data` followed by what `stream` has, in parts of at most `size` bytes (read `size` at a
    time); a line longer than `size` is refused."""
    lines, total, eof = 0, len(data), False
    while data or not eof:
        if not eof and len(data) < 2 * size:
            block = _read(path, stream, size)
            if block:
                kind = _binary_kind(b' ' + block)  # no magic number: a block starts anywhere
                if kind is not None and 'not UTF-8' not in kind:
                    raise GraphFormatError(path, lines + data.count(b'\n') + 1,
                                           'not a text edge list from here on: %s' % kind)
                total += len(block)
                data += block
                continue
            eof = True
        if eof and len(data) <= size:
            piece, data = data, b''
        else:
            cut = data.rfind(b'\n', 0, size) + 1
            if cut == 0:
                raise GraphFormatError(path, lines + 1, 'a line of more than %d bytes' % size)
            piece, data = data[:cut], data[cut:]
        yield piece, lines, total
        lines += piece.count(b'\n')


class _EdgeMerger(object):
    """The edges of a file read in parts, merged as they come (duplicates by `merge`,
    self-loops dropped and counted): memory for the distinct edges, whatever the lines."""

    def __init__(self, merge):
        self.merge = merge
        self.index = {}  # node id -> its number in order of appearance
        self.keys = np.zeros(0, dtype=np.int64)  # source << 32 | target, distinct
        self.weights = np.zeros(0, dtype=np.float64)
        self.order = np.zeros(0, dtype=np.int64)  # where each was first listed
        self.listed = 0
        self.loops = 0

    def add(self, ids, edges, weights):
        setdefault = self.index.setdefault
        number = np.fromiter((setdefault(v, len(self.index)) for v in ids), dtype=np.int64,
                             count=len(ids))
        edges = number[edges]
        if weights is None:
            weights = np.ones(len(edges))
        order = self.listed + np.arange(len(edges))
        self.listed += len(edges)
        keep = edges[:, 0] != edges[:, 1]
        self.loops += int(len(edges) - keep.sum())
        keys = np.concatenate([self.keys, (edges[keep, 0] << 32) | edges[keep, 1]])
        weights = np.concatenate([self.weights, weights[keep]])
        order = np.concatenate([self.order, order[keep]])
        self.keys, first, inv = np.unique(keys, return_index=True, return_inverse=True)
        if self.merge == 'sum':
            self.weights = np.bincount(inv, weights=weights, minlength=len(self.keys))
        elif self.merge == 'max':
            self.weights = np.full(len(self.keys), -np.inf)
            np.maximum.at(self.weights, inv, weights)
        else:
            self.weights = weights[first]
        self.order = order[first]

    def graph(self, directed):
        """The `Graph`, with the notices a `Graph` of every line would give."""
        nodes = list(self.index)
        if all(isinstance(v, int) for v in nodes):
            names = nodes
        else:  # a part of integer ids in a file of names: their digits as names
            names = [v if isinstance(v, str) else str(v) for v in nodes]
        ids = sorted(set(names))
        rank = {v: i for i, v in enumerate(ids)}
        rank = np.array([rank[v] for v in names], dtype=np.int64)
        by_line = np.argsort(self.order, kind='stable')
        keys = self.keys[by_line]
        edges = np.stack([rank[keys >> 32], rank[keys & 0xFFFFFFFF]], axis=1)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', DataWarning)
            g = Graph(edges, nodes=ids, weights=self.weights[by_line], directed=directed,
                      merge=self.merge)
        if self.loops:
            warnings.warn('dropped %d self-loop%s' % (self.loops, 's' if self.loops > 1 else ''),
                          DataWarning, stacklevel=4)
        merged = self.listed - self.loops - g.num_edges
        if merged:
            rev = 0 if directed else len(self.keys) - g.num_edges
            warnings.warn('merged %d duplicate edge%s%s' % (
                merged, 's' if merged > 1 else '',
                ' (%d of them `v u` after `u v`)' % rev if rev else ''), DataWarning,
                stacklevel=4)
        g.num_self_loops_dropped, g.num_duplicates_merged = self.loops, merged
        return g


def _read_edgelist_chunks(path, data, stream, size, directed, weighted, merge, header):
    """`read_edgelist` of a long file: its first bytes `data`, then `stream`, read in parts of
    `size` bytes whose edges are merged as they come."""
    merger = _EdgeMerger(merge)
    width = first_line = None
    total = len(data)
    for chunk, before, total in _chunks(path, data, stream, size):
        start = _first_data_line(chunk)
        if start is None:
            continue
        line = before + chunk.count(b'\n', 0, start[0]) + 1
        try:
            ids, edges, weights, columns = _parse_edgelist(
                path, chunk, weighted, None, header if width is None else False,
                None if width is None else (width, first_line))
            if width is not None and columns != width:  # read by the fast parser
                raise GraphFormatError(path, line - before, 'found %d columns but line %d has '
                                       '%d' % (columns, first_line, width))
            merger.add(ids, edges, weights)
        except GraphFormatError as e:
            if e.line is None:
                raise
            raise GraphFormatError(path, e.line + before, e.problem) from None
        except MemoryError:
            raise GraphFormatError(path, line, 'out of memory reading it, at this line (%.3g MB '
                                   'of text read)' % (total / 1e6)) from None
        if width is None:
            width, first_line = columns, line
    if width is None:
        raise GraphFormatError(path, None, 'no edges (the file is empty or only comments)')
    try:
        return merger.graph(directed)
    except MemoryError:
        raise GraphFormatError(path, None, 'out of memory reading it (%.3g MB of text, %d '
                               'distinct edges)' % (total / 1e6, len(merger.keys))) from None


@_naming_memory
def read_adjlist(path, directed=False, encoding=None):
    """Read an adjacency list (OpenNE): `node neighbour neighbour ...` per line.

    A line with a single node adds an isolated node. Separators and comments as in
    `read_edgelist`.
    """
    text = read_text(path, encoding, what='adjacency list')
    lines, ncols, data = _lines_and_rows(path, text, 'nodes')
    flat = [t for k in data.tolist() for t in lines[k]]
    nc = ncols[data]
    line_of_token = np.repeat(data + 1, nc)
    ids, inv = _parse_ids(path, flat, line_of_token)
    starts = np.concatenate([[0], np.cumsum(nc)[:-1]])
    heads = inv[starts]
    is_head = np.zeros(len(flat), dtype=bool)
    is_head[starts] = True
    pairs = np.stack([np.repeat(heads, nc - 1), inv[~is_head]], axis=1)
    if not directed:  # each edge is listed from both its ends: one of them is kept
        _, first = np.unique(pair_keys(pairs, len(ids), directed=False), return_index=True)
        pairs = pairs[np.sort(first)]
    return Graph(pairs, nodes=ids, directed=directed)


@_naming_memory
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
    """Undirected Graph from a symmetric matrix's entries: the mirrored copies are not
    duplicates."""
    _, first = np.unique(pair_keys(edges_sorted, n), return_index=True)
    return Graph(edges_sorted[first], num_nodes=n, weights=w[first], directed=False)


@_naming_memory
def read_labels(path, encoding=None, header=None):
    """Read node labels: `node label [label ...]` per line; a node may repeat on several lines.

    Separators, comments and encodings as `read_edgelist`; `header` likewise (`id,target` or
    `node label` above integer node ids is a header).

    # Returns
        dict node id -> list of labels (ids and labels are ints when all are integers).
        Single-label files give one-element lists.
    """
    text = read_text(path, encoding, what='labels file')
    lines, ncols, rows = _lines_and_rows(path, text, 'labels')
    skipped = None
    if _is_header(lines, rows, header, value_is=lambda t: bool(_PLAIN_INT.match(t.encode())),
                  value_from=1):
        skipped, rows = int(rows[0]), rows[1:]
        if len(rows) == 0:
            raise GraphFormatError(path, None, 'no labels (only a header line)')
    nc = ncols[rows]
    if (nc < 2).any():
        k = int(rows[np.argmax(nc < 2)])
        raise GraphFormatError(path, k + 1, 'expected `node label [label ...]`, found one '
                                            'column: %r' % text.split('\n')[k][:80])
    heads = [lines[k][0] for k in rows.tolist()]
    rest = [t for k in rows.tolist() for t in lines[k][1:]]
    node_ids, node_inv = _parse_ids(path, heads, rows + 1)
    lab_ids, lab_inv = _parse_ids(path, rest, np.repeat(rows + 1, nc - 1), what='label')
    if skipped is not None and header is None:
        _header_notice(path, skipped + 1, text.split('\n')[skipped])
    names = lines[skipped] if skipped is not None else []
    if len(names) > 2 and (nc == len(names)).all():  # e.g. SNAP's `id,name,ml_target`
        warnings.warn('%s: its header names %d columns (%s): every column after the first is '
                      'read as a label of the node' % (path, len(names), ', '.join(names)),
                      DataWarning, stacklevel=2)
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
