"""The ACL Anthology Network (AAN): its files, and the helpers that make it a content + link
testbed.

- `read_aan_metadata(path)`, `read_aan_collaboration(path)`: the raw files (`acl-metadata.txt`,
  `author-collaboration-network.txt`), HTML entities decoded, errors naming file and line.
- `aan_coauthor_events(papers)`: one dated co-authorship per author pair per paper (temporal split).
- `aan_authorship(papers, ...)`: (author, paper) pairs and titles for the content model,
  leak-free for a split.
- `aan_venue_labels(graph, papers)`: each author's main venue series (clustering labels).

numpy only; `datasets.load('aan')` uses these.
"""
import collections
import html
import re
import warnings

import numpy as np

from author2vec_keras.data.graph import DataWarning, Graph, pair_keys
from author2vec_keras.data.readers import GraphFormatError, read_text

__all__ = ['read_aan_metadata', 'read_aan_collaboration', 'aan_coauthor_events',
           'aan_authorship', 'aan_venue_labels', 'AAN_SERIES']

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
    text = read_text(path, encoding)
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
    text = read_text(path, encoding)
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
    _, first, counts = np.unique(pair_keys(e, len(ids)), return_index=True, return_counts=True)
    w = counts.astype(np.float64) if weights == 'count' else None
    return Graph(e[first], nodes=ids.tolist(), weights=w, directed=False)


def aan_coauthor_events(papers):
    """(sources, targets, years): one co-authorship per pair of authors per paper (metadata)."""
    src, dst, years = [], [], []
    for p in papers.values():
        authors = p['authors']
        for a in range(len(authors)):
            for b in range(a + 1, len(authors)):
                src.append(authors[a])
                dst.append(authors[b])
                years.append(p['year'] if p['year'] is not None else -1)
    return src, dst, np.asarray(years, dtype=np.int64)


#: ACL Anthology id letter -> venue series (the clustering labels' groups).
AAN_SERIES = {
    'A': 'ANLP', 'C': 'COLING', 'D': 'EMNLP', 'E': 'EACL', 'H': 'HLT', 'I': 'IJCNLP',
    'J': 'Computational Linguistics (journal)', 'L': 'LREC', 'M': 'MUC', 'N': 'NAACL',
    'P': 'ACL', 'S': 'SemEval / *SEM', 'T': 'TINLAP', 'W': 'workshops', 'X': 'TIPSTER',
    'Q': 'TACL', 'Y': 'PACLIC', 'O': 'ROCLING',
}


def aan_authorship(papers, max_year=None, exclude_pairs=None):
    """(authorship pairs, paper texts) from AAN metadata (`load('aan').extra['papers']`).

    # Arguments
        papers: dict paper id -> {'authors', 'title', 'year', ...}; a paper's text is its
            'text' where it has one (`datasets.from_papers`: title and abstract), else its title.
        max_year: keep only papers of that year or before (the temporal split's training
            period: the content of later papers would reveal later co-authorships).
        exclude_pairs: optional set of frozensets {author id, author id} (held-out
            co-authorships): papers with two such authors are left out, so the content model
            does not see the joint paper of a held-out pair.

    # Returns
        `(pairs, texts, kept)`: list of (author, paper id), dict paper id -> text, and the
        number of papers kept.
    """
    pairs, texts = [], {}
    for pid, p in papers.items():
        if max_year is not None and (p.get('year') is None or p['year'] > max_year):
            continue
        authors = list(dict.fromkeys(p['authors']))
        if not authors:
            continue
        if exclude_pairs:
            if any(frozenset((authors[a], authors[b])) in exclude_pairs
                   for a in range(len(authors)) for b in range(a + 1, len(authors))):
                continue
        texts[pid] = p.get('text') or p.get('title') or ''
        pairs.extend((a, pid) for a in authors)
    return pairs, texts, len(texts)


def aan_venue_labels(graph, papers):
    """Clustering labels for AAN authors: each author's most frequent venue series.

    The series is the ACL Anthology id's letter (`AAN_SERIES`: P = ACL, C = COLING, W =
    workshops, ...). Ties go to the series that is rarer over all papers (the more specific
    one), then alphabetically. Authors without a paper in the metadata get -1.

    # Returns
        `(labels, names)`: int array (n,) aligned with `graph.nodes`, and the series letter of
        each label index.
    """
    overall = collections.Counter(pid[:1] for pid in papers)
    per_author = collections.defaultdict(collections.Counter)
    for pid, p in papers.items():
        for a in set(p['authors']):
            per_author[a][pid[:1]] += 1
    letters = sorted(overall)
    col = {l: i for i, l in enumerate(letters)}
    labels = np.full(graph.num_nodes, -1, dtype=np.int64)
    for i, a in enumerate(graph.nodes):
        c = per_author.get(a)
        if c:
            best = min(c, key=lambda l: (-c[l], overall[l], l))
            labels[i] = col[best]
    used = sorted(set(labels[labels >= 0].tolist()))
    remap = np.full(len(letters), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    labels = np.where(labels >= 0, remap[np.maximum(labels, 0)], -1)
    return labels, [letters[u] for u in used]
