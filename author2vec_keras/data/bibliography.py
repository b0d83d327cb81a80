"""Bibliographies: papers with their authors, text and year -> co-author `Graph` + authorship.

`read_papers(path)` reads a bibliography into `Papers`; `Papers.graph()` is the co-author graph
(weights = co-authored papers), `Papers.authorship()` the (author, paper) pairs and paper texts
that `ContentLinkAuthor2Vec.fit(graph, authorship=..., paper_texts=...)` takes.

Formats (from the extension, `.gz` read transparently, or `format=`):
- 'csv', 'tsv': a header row; columns matched case-insensitively: `id`/`paper_id`, `title`,
  `abstract`, `authors` (separated by `;` or `|`, or a JSON list), optional `author_ids` (the
  same way), `year` or a date (`date`, `publication_date`, ...).
- 'jsonl' (`.jsonl`, `.ndjson`), 'json' (an array, or an object with a `results` list): records
  with the field names of OpenAlex works (`authorships[].author.{id,display_name}`,
  `display_name`, `abstract_inverted_index`, `publication_year`), Semantic Scholar (`paperId`,
  `authors[].{authorId,name}`), the arXiv metadata snapshot (`authors`, `authors_parsed`,
  `versions[0].created`, `update_date`), DBLP/AMiner (`authors` as names or `{name, id}`) or
  the CSV columns.
- 'bibtex' (`.bib`): through bibtexparser 2 (LaTeX accents decoded by pylatexenc, `and`-joined
  names).
- 'abs': arXiv abstract files in the KDD Cup 2003 layout (headers `Paper`, `Date`, `Title`,
  `Authors`, then the abstract): one `.abs` file, a folder of them, or a tar (`.tar`,
  `.tar.gz`, `.tgz`, `.tar.bz2`, `.tar.xz`: `TAR_EXTENSIONS`).

CSV, JSON Lines and `.abs` files are streamed (memory grows with the papers kept).

Author identity (`author_key`): 'id' uses the source's author ids where it has them (OpenAlex,
Semantic Scholar, AMiner, an `author_ids` column), else the normalised name; 'name' always the
normalised name: Unicode NFKC, whitespace collapsed, `Last, First` -> `First Last`, compared
case-insensitively. Keys are word2vec tokens (no whitespace); `Papers.names` keeps each key's
most frequent spelling for display. `merge_variants=True` (`merge_name_variants`) also merges
one person's spellings (`E. Witten` / `Edward Witten`): same last name, given names that agree
where both have one (an initial agrees with a name starting with it), only when one full name
is the candidate.

A bad record (unparsable, no authors, a year that is not one, a repeated paper id) is skipped
with one `DataWarning` naming file:line (or the record number) and the reason; a summary line
counts them. A file with no usable record raises `BibliographyError` (a `GraphFormatError`).
"""
import collections
import csv
import email.utils
import gzip
import io
import json
import os
import re
import tarfile
import unicodedata
import warnings

import numpy as np

from author2vec_keras.data.graph import DataWarning, Graph
from author2vec_keras.data.readers import GraphFormatError, _binary_kind

__all__ = ['BibliographyError', 'Paper', 'Papers', 'read_papers', 'papers_from_records',
           'FORMATS', 'AUTHOR_KEYS', 'detect_format', 'normalize_name', 'name_key',
           'inverted_index_text', 'write_author_names', 'merge_name_variants',
           'TAR_EXTENSIONS', 'MAX_GRAPH_AUTHORS']

FORMATS = ('csv', 'tsv', 'jsonl', 'json', 'bibtex', 'abs')
#: the names of a tar of `.abs` files (plain or compressed: `tarfile` reads them all)
TAR_EXTENSIONS = ('.tar', '.tar.gz', '.tgz', '.tar.bz2', '.tbz2', '.tbz', '.tar.xz', '.txz')
#: `Papers.graph`: papers with more authors than this (physics collaborations) are left out of
#: the co-author graph (a clique of n authors is n (n - 1) / 2 edges), kept for authorship
MAX_GRAPH_AUTHORS = 50
AUTHOR_KEYS = ('id', 'name')
#: bad records warned one line each; the summary counts them all
MAX_WARNINGS = 20


class BibliographyError(GraphFormatError):
    """A bibliography that cannot be read: an unknown format, or no usable record."""


Paper = collections.namedtuple('Paper', 'id title abstract year authors')
Paper.__doc__ = """One paper: id (str), title, abstract (str), year (int or None), authors (tuple
of (key, display name), in the paper's order, each key once)."""


class _Bad(Exception):
    """A record that is skipped: the reason in words, and its kind for the summary."""

    def __init__(self, reason, kind=None):
        super(_Bad, self).__init__(reason)
        self.kind = kind or reason


# ----------------------------------------------------------------------------------------------
# names

_WS = re.compile(r'\s+')


def normalize_name(name):
    """A display name: NFKC, whitespace collapsed, `Last, First` -> `First Last`.

    `Daum\xe9 III, Hal` -> `Hal Daum\xe9 III`; a name with two commas (`Last, Jr., First`) keeps
    the suffix after the first name: `First Last Jr.`.
    """
    name = ' '.join(unicodedata.normalize('NFKC', str(name)).split()).strip(',;').strip()
    parts = [p.strip() for p in name.split(',')]
    if len(parts) == 2 and parts[0] and parts[1]:
        name = '%s %s' % (parts[1], parts[0])
    elif len(parts) == 3 and all(parts):
        name = '%s %s %s' % (parts[2], parts[0], parts[1])
    return name


def name_key(name):
    """The identity of a name (`normalize_name`, case-folded, spaces as `_`): a word2vec token."""
    return normalize_name(name).casefold().replace(' ', '_')


def _id_key(value):
    """A source author id as a token: an URL's last segment (`https://openalex.org/A5` -> `A5`)."""
    value = str(value).strip().rstrip('/')
    if '://' in value:
        value = value.rsplit('/', 1)[-1]
    return _WS.sub('_', value)


# ----------------------------------------------------------------------------------------------
# records -> Paper

_ALIASES = {
    'id': ('id', 'paper_id', 'paperid', 'key', 'doi', 'arxiv_id', 'uid'),
    'title': ('title', 'display_name', 'paper_title'),
    'abstract': ('abstract', 'summary', 'paper_abstract'),
    'authors': ('authors', 'author', 'author_names', 'creators'),
    'author_ids': ('author_ids', 'authorids'),
    'year': ('year', 'publication_year', 'pub_year'),
    'date': ('date', 'publication_date', 'published', 'created', 'update_date', 'pub_date'),
}
#: the years read so far (1000-2200: `_year_of`), each one object
_YEARS = {}
_YEAR = re.compile(r'(?<!\d)(1[5-9]\d\d|20\d\d|21\d\d)(?!\d)')


def _field(rec, name, present=None):
    """The first of a field's aliases with a value in `rec`; `present`: the aliases that are
    keys of `rec`, by field (`_schema`), else all of them."""
    for alias in _ALIASES[name] if present is None else present[name]:
        value = rec.get(alias)
        if value not in (None, ''):
            return value
    return None


#: what `str.split` splits on in ASCII, besides one space between words
_ASCII_SPACES = ('  ', '\t', '\n', '\r', '\x0b', '\x0c', '\x1c', '\x1d', '\x1e', '\x1f')


def _text(value):
    """A field as one line of text: whitespace runs as one space (`str.split`: the same
    characters as `\\s`, and much faster than `re.sub` on an abstract; a clean ASCII text,
    the most common, is only searched)."""
    if value is None:
        return ''
    if isinstance(value, list):
        value = ' '.join(str(v) for v in value)
    elif not isinstance(value, str):
        value = str(value)
    if value.isascii() and value[:1] != ' ' and value[-1:] != ' ':
        for space in _ASCII_SPACES:
            if space in value:
                break
        else:
            return value
    return ' '.join(value.split())


def inverted_index_text(index):
    """OpenAlex's `abstract_inverted_index` ({word: [positions]}) rebuilt to the abstract."""
    if not isinstance(index, dict):
        return ''
    slots = {}
    for word, positions in index.items():
        for p in positions or ():
            slots[int(p)] = word
    return ' '.join(slots[p] for p in sorted(slots))


def _year_of(value):
    """An int year from a year or a date (`2001`, `'2001-05-02'`, `'Mon, 2 Apr 2007 ...'`,
    `'Tue, 21 Jan 97 ...'`); `_Bad` if it holds none."""
    if isinstance(value, bool):
        raise _Bad('year %r is not a year' % (value,), 'bad year')
    if isinstance(value, (int, float)):
        if value == int(value) and 1000 <= value <= 2200:
            return int(value)
        raise _Bad('year %r is not a year' % (value,), 'bad year')
    text = str(value).strip()
    m = _YEAR.search(text)
    if m:
        return int(m.group(1))
    parsed = email.utils.parsedate(text)
    if parsed and parsed[0] >= 1900:
        return parsed[0]
    raise _Bad('year %r is not a year' % (text[:60],), 'bad year')


def _split_names(value):
    """A field of author names: a JSON list, or `;`- or `|`-separated."""
    value = value.strip()
    if value.startswith('['):
        try:
            names = json.loads(value)
        except ValueError:
            raise _Bad('authors %r is not a JSON list' % value[:60], 'unparsable')
        return [n if isinstance(n, (str, dict)) else str(n) for n in names]
    for sep in (';', '|'):
        if sep in value:
            return value.split(sep)
    return [value]


_AND = re.compile(r',?\s+and\s+|\s*&\s*|,\s*', re.I)
_END_DOT = re.compile(r'(?<=[a-z]{2})\.$')
#: a generational suffix that a comma separates from its name (`Curtis G. Callan, Jr.`)
_SUFFIX = re.compile(r'^(jr|sr|ii|iii|iv)\.?$', re.I)


def _split_arxiv_authors(value):
    """arXiv's one-string author list: affiliations in parentheses dropped, split on `,`, `and`."""
    depth, out = 0, []
    for ch in value:
        if ch == '(':
            depth += 1
        elif ch == ')':
            depth = max(depth - 1, 0)
        elif not depth:
            out.append(ch)
    # a full stop after a surname ends the list (`C.Neves, ... and C.Wotzasek.`), not a name
    names = []
    for n in _AND.split(''.join(out)):
        n = _latex_name(_END_DOT.sub('', n.strip()))
        if names and _SUFFIX.match(n):  # `Curtis G. Callan, Jr.`: one author, not two
            names[-1] = '%s %s' % (names[-1], n)
        else:
            names.append(n)
    return names


_LATEX = []


def _latex_name(name):
    """LaTeX accents in a name decoded (`Uwe M\\"uller` -> `Uwe M\xfcller`; pylatexenc)."""
    if '\\' not in name:
        return name
    if not _LATEX:
        from pylatexenc.latex2text import LatexNodes2Text
        _LATEX.append(LatexNodes2Text())
    try:
        return _LATEX[0].latex_to_text(name).strip() or name
    except Exception:  # noqa: BLE001  pylatexenc's parse errors: keep the name as written
        return name


def _first_key(d, a, b, c):
    """`d.get(a, d.get(b, d.get(c)))` without looking up what the first key present settles."""
    if a in d:
        return d[a]
    if b in d:
        return d[b]
    return d.get(c)


def _authors_of(rec, present=None):
    """[(source id or None, name)] of a record (`present` as `_field`)."""
    if 'authorships' in rec:
        out = []
        for a in rec['authorships'] or ():
            au = (a or {}).get('author') or {}
            out.append((au.get('id'), au.get('display_name') or a.get('raw_author_name')))
        return out
    parsed = rec.get('authors_parsed')
    if parsed:
        return [(None, ' '.join(p for p in (part[1], part[0]) + tuple(part[2:3]) if p))
                for part in parsed if part]
    value = _field(rec, 'authors', present)
    if value is None:
        return []
    if isinstance(value, str):
        if 'authors_parsed' in rec or 'versions' in rec:  # the arXiv snapshot, unparsed
            names = _split_arxiv_authors(value)
        else:
            names = _split_names(value)
    elif isinstance(value, list):
        names = value
    else:
        raise _Bad('authors is a %s, not names' % type(value).__name__, 'unparsable')
    ids = _field(rec, 'author_ids', present)
    if isinstance(ids, str):
        ids = _split_names(ids)
    out = []
    for i, n in enumerate(names):
        if isinstance(n, dict):
            out.append((_first_key(n, 'authorId', 'id', 'author_id'),
                        _first_key(n, 'name', 'display_name', 'full_name')))
        else:
            aid = ids[i] if isinstance(ids, list) and i < len(ids) else None
            out.append((aid.strip() if isinstance(aid, str) else aid, n))
    return out


#: a record's field names (a tuple) -> (their matched forms, {field: its aliases among them}):
#: the records of a file share a few such tuples (bounded all the same)
_SCHEMAS = {}


def _schema(keys):
    schema = _SCHEMAS.get(keys)
    if schema is None:
        names = tuple(str(k).strip().lower().replace(' ', '_').replace('-', '_') for k in keys)
        schema = names, {field: tuple(a for a in aliases if a in names)
                         for field, aliases in _ALIASES.items()}
        if len(_SCHEMAS) < 1024 and all(type(k) is str for k in keys):  # (1 == True)
            _SCHEMAS[keys] = schema
    return schema


def _paper(rec, number, author_key, names=None):
    """`Paper` of one record (a dict: JSON, or a CSV row with lower-cased keys); `_Bad` if not.
    `names`: a dict `_make_paper` keeps the authors it has seen in (one per read)."""
    if not isinstance(rec, dict):
        raise _Bad('a %s, not a record' % type(rec).__name__, 'not a record')
    fields, present = _schema(tuple(rec))
    rec = dict(zip(fields, rec.values()))
    pid = _field(rec, 'id', present)
    pid = str(number) if pid is None else _text(pid)
    title = _text(_field(rec, 'title', present))
    abstract = _field(rec, 'abstract', present)
    if abstract is None and rec.get('abstract_inverted_index'):
        abstract = inverted_index_text(rec['abstract_inverted_index'])
    abstract = _text(abstract)
    year = _field(rec, 'year', present)
    if year is None:
        versions = rec.get('versions')
        if isinstance(versions, list) and versions and isinstance(versions[0], dict):
            year = versions[0].get('created')
    if year is None:
        year = _field(rec, 'date', present)
    if year is not None:
        year = _year_of(year)
        year = _YEARS.setdefault(year, year)  # one int object per year, not one per paper
    return _make_paper(pid, title, abstract, year, _authors_of(rec, present), author_key,
                       names)


#: what author lists hold that is not an author (BibTeX's `and others`)
_NOT_NAMES = ('others', 'et al', 'et al.', 'and others')


def _author(aid, name, author_key):
    """`(key, display name)` of one author as the source gives it, or None (not an author)."""
    name = normalize_name(name) if name is not None else ''
    if name.casefold() in _NOT_NAMES:
        return None
    if author_key == 'id' and aid not in (None, ''):
        key = _id_key(aid)
    elif name:
        key = name_key(name)
    else:
        return None
    return key, name or key


def _make_paper(pid, title, abstract, year, authors, author_key, names=None):
    """`Paper`, each author once (its first spelling). `names`: a dict of the authors already
    made ((source id, name) -> `_author`), so that a person named on many papers is made once
    and their key and name are one object each, not one per paper."""
    keyed = {}
    for aid, name in authors:
        if names is None or type(name) is not str or not (aid is None or type(aid) is str):
            author = _author(aid, name, author_key)  # (1 and True are one dict key)
        else:
            author = names.get((aid, name), False)
            if author is False:
                author = names[aid, name] = _author(aid, name, author_key)
        if author is not None:
            keyed.setdefault(author[0], author)
    if not keyed:
        raise _Bad('no authors')
    return Paper(pid, title, abstract, year, tuple(keyed.values()))


# ----------------------------------------------------------------------------------------------
# files -> records

def detect_format(path):
    """The format of `path` from its extension (`.gz` stripped), or a folder of `.abs` files."""
    if os.path.isdir(path):
        return 'abs'
    name = os.path.basename(os.fspath(path)).lower()
    if name.endswith(TAR_EXTENSIONS):
        return 'abs'
    if name.endswith('.gz'):
        name = name[:-3]
    ext = os.path.splitext(name)[1]
    fmt = {'.csv': 'csv', '.tsv': 'tsv', '.tab': 'tsv', '.jsonl': 'jsonl',
           '.ndjson': 'jsonl', '.jsonlines': 'jsonl', '.json': 'json', '.bib': 'bibtex',
           '.bibtex': 'bibtex', '.abs': 'abs'}.get(ext)
    if fmt is None:
        raise BibliographyError(path, None, 'cannot tell the bibliography format from the '
                                'extension %r: name it (--papers-format, format=: one of %s)'
                                % (ext or name, ', '.join(FORMATS)))
    return fmt


def _open_text(path):
    """A text stream of a file (gunzipped when it starts with the gzip magic), UTF-8 (BOM
    dropped; a byte that is not UTF-8 read as U+FFFD); `BibliographyError` if it is binary."""
    try:
        raw = open(path, 'rb')
    except FileNotFoundError:
        raise BibliographyError(path, None, 'no such file')
    except IsADirectoryError:
        raise BibliographyError(path, None, 'is a directory, not a file')
    except OSError as e:
        raise BibliographyError(path, None, 'cannot read: %s' % (e.strerror or e))
    if raw.peek(2)[:2] == b'\x1f\x8b':
        raw = io.BufferedReader(gzip.GzipFile(fileobj=raw))
    kind = _binary_kind(raw.peek(65536)[:65536])
    if kind is not None:
        raw.close()
        raise BibliographyError(path, None, 'not a text bibliography: %s' % kind)
    return io.TextIOWrapper(raw, encoding='utf-8-sig', errors='replace', newline='')


def _records_csv(path, delimiter):
    """(line, row dict) of a CSV/TSV file with a header."""
    with _open_text(path) as f:
        reader = csv.reader(f, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise BibliographyError(path, 1, 'unreadable header: %s' % e)
        header = [h.strip().lower() for h in header]
        if not any(h in _ALIASES['authors'] for h in header):
            raise BibliographyError(path, 1, 'the header %r has no authors column (one of %s)'
                                    % (delimiter.join(header)[:80],
                                       ', '.join(_ALIASES['authors'])))
        line = reader.line_num
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield line + 1, _Bad('unparsable: %s' % e, 'unparsable')
                line = reader.line_num
                continue
            start, line = line + 1, reader.line_num
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                yield start, _Bad('%d fields, the header has %d' % (len(row), len(header)),
                                  'wrong number of fields')
                continue
            yield start, dict(zip(header, row))


def _records_jsonl(path):
    with _open_text(path) as f:
        for no, line in enumerate(f, 1):
            if not line or line.isspace():  # (strip() would copy every line)
                continue
            try:
                yield no, json.loads(line)
            except ValueError as e:
                yield no, _Bad('unparsable JSON: %s' % e, 'unparsable')


def _records_json(path):
    with _open_text(path) as f:
        head = f.read(1)
        while head and head.isspace():
            head = f.read(1)
        if head == '{':  # JSON Lines named .json, or one object holding the records
            rest = f.read()
            text = head + rest
            try:
                data = json.loads(text)
            except ValueError:
                f2 = io.StringIO(text)
                for no, line in enumerate(f2, 1):
                    if line and not line.isspace():
                        try:
                            yield no, json.loads(line)
                        except ValueError as e:
                            yield no, _Bad('unparsable JSON: %s' % e, 'unparsable')
                return
            if isinstance(data, dict):
                for k in ('results', 'data', 'papers', 'works', 'items'):
                    if isinstance(data.get(k), list):
                        data = data[k]
                        break
                else:
                    data = [data]
        else:
            try:
                data = json.loads(head + f.read())
            except ValueError as e:
                raise BibliographyError(path, getattr(e, 'lineno', None),
                                        'unparsable JSON: %s' % getattr(e, 'msg', e))
    if not isinstance(data, list):
        raise BibliographyError(path, None, 'a JSON %s, not a list of records'
                                % type(data).__name__)
    for i, rec in enumerate(data, 1):
        yield ('record', i), rec


def _records_bibtex(path):
    try:
        import bibtexparser
        from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors
    except ImportError:  # pragma: no cover  (an install without the pinned parser)
        raise BibliographyError(path, None, 'reading BibTeX needs bibtexparser 2: '
                                'pip install bibtexparser==2.1.0')
    with _open_text(path) as f:
        text = f.read()
    library = bibtexparser.parse_string(
        text, append_middleware=[LatexDecodingMiddleware(), SeparateCoAuthors()])
    items = [(e.start_line + 1, e) for e in library.entries]
    items += [(b.start_line + 1, _Bad('unparsable: %s' % _WS.sub(' ', str(
        getattr(b, 'error', 'syntax error'))).strip()[:120], 'unparsable'))
              for b in library.failed_blocks]
    for line, e in sorted(items, key=lambda t: t[0]):
        if isinstance(e, _Bad):
            yield line, e
            continue
        rec = {k.lower(): f.value for k, f in e.fields_dict.items()}
        rec['id'] = e.key
        authors = rec.get('author')
        if isinstance(authors, list):
            rec['author'] = [n.strip('{} ') for n in authors]
        yield line, rec


_ABS_SECTIONS = re.compile(r'^\\\\[ \t]*\r?$', re.M)
_ABS_HEADER = re.compile(r'^([A-Za-z][\w \-()]*?):\s*(.*)$')
_ABS_ID = re.compile(r'(?:^|/)(\d\d)(\d\d)\d{3}$|^(\d\d)(\d\d)\.\d{4,5}')
_ABS_SIZE = re.compile(r'\(\d+kb\)\s*$')


def _abs_record(text):
    """A record of one KDD Cup 2003 `.abs` file's text: `\\\\`-separated header and abstract."""
    parts = _ABS_SECTIONS.split(text)
    if len(parts) < 3:
        raise _Bad('not an arXiv .abs file (no \\\\ header and abstract sections)',
                   'unparsable')
    fields, key = {}, None
    for line in parts[1].splitlines():
        if line[:1] in (' ', '\t') and key:
            fields[key] += ' ' + line.strip()
            continue
        m = _ABS_HEADER.match(line)
        if m:
            key = m.group(1).strip().lower()
            fields.setdefault(key, m.group(2).strip())
    authors = fields.get('authors', fields.get('author'))
    if not authors:
        raise _Bad('no Authors header')
    paper = fields.get('paper', '')
    year = None
    m = _ABS_ID.search(paper)
    if m:
        yy = int(m.group(1) or m.group(3))
        year = 1900 + yy if yy >= 91 else 2000 + yy
    return {'id': paper or None, 'title': fields.get('title', ''),
            'abstract': parts[2].strip(), 'year': year,
            'date': _ABS_SIZE.sub('', fields.get('date', '')).strip(),
            'authors': [n for n in _split_arxiv_authors(authors) if n]}


def _records_abs(path):
    """(where, record) of `.abs` files: one file, a folder (sorted walk) or a tar (a path, or
    an open binary file: `read_papers(io.BytesIO(data), format='abs')`)."""
    def one(where, data):
        try:
            return where, _abs_record(data.decode('utf-8', errors='replace'))
        except _Bad as e:
            return where, e
    if not hasattr(path, 'read') and os.path.isdir(path):
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                if name.endswith('.abs'):
                    full = os.path.join(root, name)
                    with open(full, 'rb') as f:
                        yield one((full, None), f.read())
        return
    stream = hasattr(path, 'read')
    if stream or os.fspath(path).lower().endswith(TAR_EXTENSIONS):
        name = getattr(path, 'name', '<stream>') if stream else path
        try:
            tar = tarfile.open(fileobj=path, mode='r:*') if stream else \
                tarfile.open(path, 'r:*')
        except (tarfile.TarError, OSError) as e:
            raise BibliographyError(name, None, 'not a readable tar: %s' % e)
        with tar:
            for member in tar:
                if member.isfile() and member.name.endswith('.abs'):
                    yield one(('%s:%s' % (name, member.name), None),
                              tar.extractfile(member).read())
        return
    with _open_text(path) as f:
        yield one((path, None), f.read().encode('utf-8'))


def _records(path, fmt):
    if fmt in ('csv', 'tsv'):
        delimiter = '\t' if fmt == 'tsv' else ','
        return _records_csv(path, delimiter)
    return {'jsonl': _records_jsonl, 'json': _records_json, 'bibtex': _records_bibtex,
            'abs': _records_abs}[fmt](path)


# ----------------------------------------------------------------------------------------------
# Papers

class Papers(object):
    """The papers of a bibliography, authors keyed (see the module).

    # Attributes
        papers: list of `Paper`, in file order.
        names: dict author key -> display name (its most frequent spelling).
        counts: dict author key -> number of papers.
        source: where they were read from.
        skipped: number of records skipped (each warned).
        variants_merged: spellings that fell on an author key already spelt another way.
        merged: dict author key -> the key it was merged into (`merge_name_variants`; empty
            unless asked for).
    """

    def __init__(self, papers, source='<records>', skipped=0, merged=None):
        self.papers = list(papers)
        self.source = source
        self.skipped = skipped
        self.merged = dict(merged or {})
        spellings = collections.Counter(a for p in self.papers for a in p.authors)
        self.names, self.counts, most = {}, {}, {}
        for (key, name), count in spellings.items():  # in the order first seen
            if key not in most:
                self.names[key], self.counts[key], most[key] = name, count, count
            else:
                self.counts[key] += count
                if count > most[key]:  # the most frequent spelling, the first seen of equals
                    self.names[key], most[key] = name, count
        self.variants_merged = len(spellings) - len(self.counts)

    def __len__(self):
        return len(self.papers)

    def __iter__(self):
        return iter(self.papers)

    def __repr__(self):
        return '<Papers %s: %d papers, %d authors>' % (self.source, len(self.papers),
                                                       len(self.names))

    def graph(self, max_authors=MAX_GRAPH_AUTHORS):
        """The undirected co-author `Graph`: nodes = every author key (sorted; single authors
        too), edge weight = number of papers the two wrote together.

        A paper with more than `max_authors` authors (a physics collaboration: 3,000 authors
        would be 4.5 million pairs) adds no edge; its authors stay nodes and it stays in
        `authorship`. One `DataWarning` counts such papers. `max_authors=None`: no limit.
        """
        nodes = sorted(self.names)
        index = {k: i for i, k in enumerate(nodes)}
        pairs, large = [], 0
        for p in self.papers:
            if max_authors is not None and len(p.authors) > max_authors:
                large += 1
                continue
            idx = sorted(index[k] for k, _ in p.authors)
            pairs.extend((idx[a], idx[b]) for a in range(len(idx))
                         for b in range(a + 1, len(idx)))
        e = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        if len(e):
            e, counts = np.unique(e, axis=0, return_counts=True)
            w = counts.astype(np.float64)
        else:
            w = None
        if large:
            warnings.warn('%s: %d paper%s with more than %d authors left out of the co-author '
                          'graph (kept for authorship; Papers.graph(max_authors=...))'
                          % (self.source, large, 's' if large > 1 else '', max_authors),
                          DataWarning, stacklevel=2)
        return Graph(e, nodes=nodes, weights=w, directed=False)

    def metadata(self):
        """The papers as AAN-style metadata (`datasets.content_inputs`): dict paper id ->
        {'id', 'authors' (keys), 'title', 'text' (title and abstract), 'year'}."""
        return {p.id: {'id': p.id, 'authors': [k for k, _ in p.authors], 'title': p.title,
                       'text': ' '.join(t for t in (p.title, p.abstract) if t), 'year': p.year}
                for p in self.papers}

    def authorship(self, max_year=None):
        """`(pairs, texts)`: [(author key, paper id)] and {paper id: title + abstract}, the
        papers up to `max_year` (None: all; papers without a year are then left out)."""
        pairs, texts = [], {}
        for p in self.papers:
            if max_year is not None and (p.year is None or p.year > max_year):
                continue
            texts[p.id] = ' '.join(t for t in (p.title, p.abstract) if t)
            pairs.extend((k, p.id) for k, _ in p.authors)
        return pairs, texts


# ----------------------------------------------------------------------------------------------
# one person's name variants

#: lower-case words that belong to the last name (`E.M.C. de Abreu`, `van der Bij`)
_PARTICLES = frozenset('de da di del della der den van von du la le dos das ter ten zu'.split())
_SUFFIXES = frozenset(('jr', 'jr.', 'sr', 'sr.', 'ii', 'iii', 'iv'))


def _fold(text):
    """Case and accents dropped: the spelling-blind form of a name part."""
    text = unicodedata.normalize('NFKD', text.casefold())
    return ''.join(c for c in text if not unicodedata.combining(c))


def _name_form(name):
    """`(last name, given names)` of a display name, or None (one word): the last name folded
    with its particles, the given names as (folded name, is an initial) in order. An initial is
    a name ending in `.` or one letter; `J.-B.` is two, as `Jean-Bernard` is."""
    words = re.sub(r'\.(?=\S)', '. ', name).split()
    suffix = []  # Jr. and Sr. are two people: the suffix stays with the last name
    while len(words) > 2 and words[-1].casefold().strip(',') in _SUFFIXES:
        suffix.insert(0, words.pop().strip(',.'))
    if len(words) < 2:
        return None
    i = len(words) - 1
    while i > 1 and words[i - 1] in _PARTICLES:
        i -= 1
    given = []
    for word in words[:i]:
        for part in word.split('-'):
            core = part.strip('.,')
            if core:
                given.append((_fold(core), part.endswith('.') or len(core) == 1))
    if not given:
        return None
    return _fold(' '.join(words[i:] + suffix).strip('.,')), tuple(given)


def _covers(full, form):
    """Whether `full` names at least what `form` names: as many given names or more, each of
    `form`'s agreeing (equal, or an initial that `full`'s name at that place starts with)."""
    if len(full[1]) < len(form[1]):
        return False
    for (name, initial), (other, other_initial) in zip(full[1], form[1]):
        if other_initial:
            if not name.startswith(other):
                return False
        elif initial or name != other:
            return False
    return True


def merge_name_variants(papers):
    """`Papers` with one person's name variants merged into one author key.

    Only name keys take part (not the source's author ids). Two rules:
    - spellings that differ only in spaces, dots, case or accents are one name (`S.D. Odintsov`,
      `S. D. Odintsov`, `S.D.Odintsov`); a suffix (Jr., Sr., III) belongs to the last name, so
      `A. A. Abrikosov Jr` is not `Alexei A. Abrikosov`;
    - a name is merged into a full name (one whose first given name is written out) with the
      same last name that covers it (`_covers`: `E. Witten` -> `Edward Witten`, `S.D. Odintsov`
      -> `Sergei D. Odintsov`, `Sergei Odintsov` -> `Sergei D. Odintsov`), only when one full
      name is the candidate: the one that covers every other full name covering it. `S. Nojiri`
      with both `Shin'ichi Nojiri` and `Shin'ich Nojiri` stays as it is.

    A merged name takes the key of its target's most frequent spelling; a paper that names two
    merged variants keeps the author once.

    # Returns
        A new `Papers`; its `merged` maps each merged key to the key it went into.
    """
    forms = collections.defaultdict(list)
    for key, name in papers.names.items():
        form = _name_form(name) if key == name_key(name) else None
        if form is not None:
            forms[form].append(key)
    rep = {f: max(keys, key=lambda k: (papers.counts[k], k)) for f, keys in forms.items()}
    groups = collections.defaultdict(list)
    for form in forms:
        groups[form[0], form[1][0][0][:1]].append(form)
    target = {}
    for group in groups.values():
        full = [f for f in group if not f[1][0][1]]
        for form in group:
            cands = [f for f in full if f != form and _covers(f, form)]
            top = [f for f in cands if not any(g != f and _covers(g, f) for g in cands)]
            if len(top) == 1:
                target[form] = top[0]
    mapping = {}
    for form, keys in forms.items():
        into = rep[target.get(form, form)]
        mapping.update((k, into) for k in keys if k != into)
    if not mapping:
        return papers
    out = []
    for p in papers:
        authors = {}
        for key, name in p.authors:
            authors.setdefault(mapping.get(key, key), name)
        out.append(p._replace(authors=tuple(authors.items())))
    merged = {k: mapping.get(v, v) for k, v in papers.merged.items()}
    merged.update(mapping)
    return Papers(out, source=papers.source, skipped=papers.skipped, merged=merged)


def _where(path, where):
    if isinstance(where, tuple) and where[0] == 'record':
        return '%s: record %d' % (path, where[1])
    if isinstance(where, tuple):
        return where[0] if where[1] is None else '%s:%d' % where
    return '%s:%d' % (path, where)


def papers_from_records(records, author_key='id', source='<records>', _where_of=None,
                        merge_variants=False):
    """`Papers` of an iterable of record dicts (the JSON/CSV field names of `read_papers`), or
    of `(where, record)` pairs with `_where_of`. Bad records are warned and skipped;
    `merge_variants` as `read_papers`."""
    if author_key not in AUTHOR_KEYS:
        raise ValueError("author_key must be 'id' or 'name', got %r" % (author_key,))
    papers, seen, bad, names = [], set(), collections.Counter(), {}
    shown = 0
    items = records if _where_of else ((('record', i), r) for i, r in enumerate(records, 1))
    for n, (where, rec) in enumerate(items, 1):
        try:
            if isinstance(rec, _Bad):
                raise rec
            p = _paper(rec, n, author_key, names)
            if p.id in seen:
                raise _Bad('paper id %r again (the first kept)' % p.id, 'repeated id')
        except _Bad as e:
            bad[e.kind] += 1
            if shown < MAX_WARNINGS:
                warnings.warn('%s: skipped: %s' % (_where(source, where), e), DataWarning,
                              stacklevel=3)
                shown += 1
            continue
        seen.add(p.id)
        papers.append(p)
    skipped = sum(bad.values())
    if not papers:
        raise BibliographyError(source, None, 'no usable paper record (%s)'
                                % ('%d skipped: %s' % (skipped, ', '.join(
                                    '%d %s' % (c, r) for r, c in bad.most_common()))
                                   if skipped else 'no records'))
    names.clear()  # before the Papers' own tables: not both at the peak
    out = Papers(papers, source=source, skipped=skipped)
    if merge_variants:
        out = merge_name_variants(out)
    notes = []
    if skipped:
        notes.append('skipped %d bad record%s (%s%s)' % (
            skipped, 's' if skipped > 1 else '',
            ', '.join('%d %s' % (c, r) for r, c in bad.most_common()),
            '; the first %d shown' % MAX_WARNINGS if skipped > MAX_WARNINGS else ''))
    if out.variants_merged:
        notes.append('%d name variants merged' % out.variants_merged)
    if out.merged:
        notes.append('merge_variants: %d author keys merged into %d'
                     % (len(out.merged), len(set(out.merged.values()))))
    if notes:
        warnings.warn('%s: %d papers, %d authors; %s' % (source, len(out), len(out.names),
                                                        '; '.join(notes)),
                      DataWarning, stacklevel=3)
    return out


def read_papers(path, format=None, author_key='id', merge_variants=False):
    """Read a bibliography file (or a folder / tar of `.abs` files) into `Papers`.

    # Arguments
        path: the file (`.gz` read transparently) or folder; or, with `format='abs'`, an open
            binary file holding a tar of `.abs` files (its `name`, if any, names it in
            messages).
        format: one of `FORMATS`; default from the extension (`detect_format`).
        author_key: 'id' (the source's author ids where present) or 'name'.
        merge_variants: merge one person's name variants (`merge_name_variants`); the summary
            warning counts them.

    # Raises
        BibliographyError: unknown format, unreadable file, or no usable record.
    """
    if hasattr(path, 'read'):
        source = str(getattr(path, 'name', '<stream>'))
        if format != 'abs':
            raise BibliographyError(source, None, "an open file is read with format='abs' "
                                    '(a tar of .abs files); name other formats by path')
        return papers_from_records(_records(path, 'abs'), author_key=author_key, source=source,
                                   _where_of=True, merge_variants=merge_variants)
    path = os.fspath(path)
    if format is None:
        format = detect_format(path)
    format = str(format).lower()
    if format not in FORMATS:
        raise BibliographyError(path, None, 'unknown bibliography format %r (one of %s)'
                                % (format, ', '.join(FORMATS)))
    if not os.path.exists(path):
        raise BibliographyError(path, None, 'no such file')
    return papers_from_records(_records(path, format), author_key=author_key, source=path,
                               _where_of=True, merge_variants=merge_variants)


def write_author_names(path, papers, keys=None):
    """Write `key<TAB>name<TAB>papers` per author (after that header line), atomically: the
    display name and number of papers of each key of an embedding file.

    # Arguments
        path: the TSV file.
        papers: `Papers`.
        keys: the author keys in the embedding file's order (default sorted).
    """
    from author2vec_keras.fileio import atomic_open
    keys = sorted(papers.names) if keys is None else keys
    with atomic_open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.write('key\tname\tpapers\n')
        for k in keys:
            f.write('%s\t%s\t%d\n' % (k, papers.names.get(k, k), papers.counts.get(k, 0)))
    return path
