"""Named benchmark graphs: `load(name)` -> `Dataset`.

The files ship inside the package (`author2vec_keras/data/datasets/data/`, gzip'd where large), each
byte-identical to a public copy listed in `data/MANIFEST.tsv` (repository, commit, path, sha256 of
the raw file); see `PROVENANCE.md` for origin papers and licences. The sha256 of every raw file is
checked on load. If a bundled file is missing (a slim install), `load(name, download=True)`
fetches it from its pinned public URL into `~/.author2vec/datasets` (sha256 checked).

    >>> from author2vec_keras import datasets
    >>> ds = datasets.load('ca-grqc')
    >>> ds.graph
    <Graph: 5242 nodes, 14484 undirected edges>

Labels: `Dataset.labels` is None, an int array (n,) of label indices for single-label sets
(-1 = unlabelled; names in `label_names`), or a bool array (n, L) for multi-label sets
(`multilabel` tells which). Row i is the node with index i in `graph`.

Your own graph: `from_files('graph.csv', labels='labels.csv')` reads an edge list and a labels
file into the same `Dataset`, named after the file ('graph'), for `benchmark.run_benchmark`.
Your own papers: `from_papers('papers.csv')` reads a bibliography (`bibliography.read_papers`:
CSV, JSON Lines, OpenAlex, Semantic Scholar, arXiv, BibTeX, ...) into a `Dataset` with text, for
`content_inputs` and `ContentLinkAuthor2Vec`.
"""
import gzip
import hashlib
import io
import os
import shutil
import urllib.request
import warnings
import zlib

import numpy as np

from author2vec_keras.data.bibliography import (
    TAR_EXTENSIONS,
    Papers,
    merge_name_variants,
    papers_from_records,
    read_papers,
)
from author2vec_keras.data.datasets.aan import (
    aan_authorship,
    read_aan_collaboration,
    read_aan_metadata,
)
from author2vec_keras.data.graph import DataWarning, Graph
from author2vec_keras.data.readers import GraphFormatError, read_edgelist, read_labels, read_mat
from author2vec_keras.fileio import atomic_path

__all__ = ['Dataset', 'DatasetError', 'ChecksumError', 'load', 'names', 'describe_all', 'fetch',
           'DEFAULT', 'DATA_DIR', 'CACHE_DIR', 'manifest', 'content_inputs',
           'cane_cora_authorship', 'from_files', 'from_papers', 'labels_for', 'file_stem']

DEFAULT = 'ca-grqc'
DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data')
CACHE_DIR = os.path.join(os.path.expanduser('~'), '.author2vec', 'datasets')


class DatasetError(ValueError):
    """Unknown dataset name, or a bundled file that cannot be found."""


class ChecksumError(DatasetError):
    """A data file's sha256 differs from the recorded one (corrupt or changed file)."""


class Dataset(object):
    """A loaded dataset.

    # Attributes
        name: registry name.
        graph: `Graph`.
        labels: None, int array (n,) (single-label; -1 = unlabelled) or bool array (n, L).
        label_names: list of label values for the label indices/columns (or None).
        text: None or dict node id -> str.
        source: where the files come from (repository@commit).
        citation: the origin paper.
        extra: dict of further data (AAN: 'papers' metadata, 'citations' Graph).
    """

    def __init__(self, name, graph, labels=None, label_names=None, text=None, source='',
                 citation='', description='', extra=None):
        self.name = name
        self.graph = graph
        self.labels = labels
        self.label_names = label_names
        self.text = text
        self.source = source
        self.citation = citation
        self.description = description
        self.extra = extra or {}

    @property
    def multilabel(self):
        return self.labels is not None and np.ndim(self.labels) == 2

    @property
    def num_labels(self):
        return 0 if self.label_names is None else len(self.label_names)

    def __repr__(self):
        return '<Dataset %s: %d nodes, %d edges, %s>' % (
            self.name, self.graph.num_nodes, self.graph.num_edges,
            'no labels' if self.labels is None else '%d %slabels'
            % (self.num_labels, 'multi-' if self.multilabel else ''))


# ----------------------------------------------------------------------------------------------
# manifest and checksums

def manifest():
    """Rows of `data/MANIFEST.tsv` keyed by raw file name (e.g. 'ca-GrQc/CA-GrQc.txt')."""
    path = os.path.join(DATA_DIR, 'MANIFEST.tsv')
    with open(path, encoding='utf-8') as f:
        lines = [l.rstrip('\n').split('\t') for l in f if l.strip()]
    header = lines[0]
    return {row[0]: dict(zip(header, row)) for row in lines[1:]}


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def raw_url(entry):
    """The pinned public URL of a manifest entry (raw.githubusercontent.com at the commit)."""
    return 'https://raw.githubusercontent.com/%s/%s/%s' % (entry['source_repo'], entry['commit'],
                                                          entry['source_path'])


def _parts(path):
    """The numbered parts `path.001`, `path.002`, ... of a file stored in parts (files over 5 MB
    are split so), in order; [] if there are none."""
    parts = []
    while os.path.exists('%s.%03d' % (path, len(parts) + 1)):
        parts.append('%s.%03d' % (path, len(parts) + 1))
    return parts


def _read_stored(path):
    """The bytes of a bundled file, or of its numbered parts joined (`_parts`)."""
    if not os.path.exists(path) and _parts(path):
        out = []
        for p in _parts(path):
            with open(p, 'rb') as f:
                out.append(f.read())
        return b''.join(out)
    with open(path, 'rb') as f:
        return f.read()


def _file_path(file, download=False, cache_dir=None):
    """Path of a verified local copy of manifest file `file` (bundled, cached or fetched); read
    it with `_read_stored` (a bundled file may be stored in parts)."""
    entry = manifest()[file]
    bundled = os.path.join(DATA_DIR, entry['stored_as'])
    if os.path.exists(bundled) or _parts(bundled):
        _verify(bundled, entry['sha256_raw'])
        return bundled
    cache_dir = cache_dir or CACHE_DIR
    cached = os.path.join(cache_dir, file)
    if os.path.exists(cached):
        _verify(cached, entry['sha256_raw'])
        return cached
    if entry['source_path'].endswith('/'):
        raise DatasetError('%s is not bundled in %s (nor its parts %s.001, ...): it packs the '
                           'folder %s of %s@%s, which cannot be fetched as one file; reinstall '
                           'the package' % (file, DATA_DIR, entry['stored_as'],
                                            entry['source_path'], entry['source_repo'],
                                            entry['commit'][:7]))
    if not download:
        raise DatasetError('%s is not bundled in %s and not in the cache %s; '
                           'use load(..., download=True) to fetch it from %s'
                           % (file, DATA_DIR, cache_dir, raw_url(entry)))
    return fetch(raw_url(entry), entry['sha256_raw'], cache_dir=cache_dir, fname=file)


def _verify(path, sha256):
    """Check the sha256 of the raw (gunzipped) content of `path` (or of its parts joined, see
    `_parts`); ChecksumError if different."""
    data = _read_stored(path)
    if data[:2] == b'\x1f\x8b':
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as e:
            raise ChecksumError('%s: not a whole gzip file (%s): the file or one of its parts '
                                'is corrupt or missing; reinstall the package' % (path, e))
    got = _sha256(data)
    if got != sha256:
        raise ChecksumError('%s: sha256 of the raw file is %s, expected %s (the file is corrupt or '
                            'was changed; reinstall the package or delete it to re-fetch)'
                            % (path, got, sha256))


def fetch(url, sha256, cache_dir=None, fname=None, timeout=60):
    """Download `url` into `cache_dir` (default ~/.author2vec/datasets) and check its sha256.

    Returns the local path. An existing file with the right sha256 is reused; a wrong one is
    fetched again. A download whose sha256 differs raises ChecksumError and leaves nothing behind.
    """
    cache_dir = cache_dir or CACHE_DIR
    fname = fname or os.path.basename(url.split('?', 1)[0]) or 'download'
    target = os.path.join(cache_dir, fname)
    if os.path.exists(target):
        try:
            _verify(target, sha256)
            return target
        except ChecksumError:
            os.remove(target)
    with atomic_path(target) as tmp:
        with open(tmp, 'wb') as out, urllib.request.urlopen(url, timeout=timeout) as resp:
            shutil.copyfileobj(resp, out)
        try:
            _verify(tmp, sha256)
        except ChecksumError as e:
            raise ChecksumError('download of %s: %s' % (url, str(e).split(': ', 1)[1]))
    return target


# ----------------------------------------------------------------------------------------------
# loaders

def _quiet(fn, *args, **kwargs):
    """Call a reader with the dataset's documented repairs (loops, duplicates) not warned."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DataWarning)
        return fn(*args, **kwargs)


def _label_names(mapping):
    return sorted({l for ls in mapping.values() for l in ls},
                  key=lambda x: (0, x, '') if isinstance(x, int) else (1, 0, str(x)))


def _single_labels(graph, mapping):
    names = _label_names(mapping)
    col = {l: j for j, l in enumerate(names)}
    y = np.full(graph.num_nodes, -1, dtype=np.int64)
    for v, ls in mapping.items():
        i = graph.node_index.get(v)
        if i is not None:
            y[i] = col[ls[0]]
    return y, names


def labels_for(graph, mapping, path='<labels>'):
    """A `read_labels` mapping as `Dataset.labels` of `graph`: `(labels, label_names)`.

    `labels` is an int array (n,) of label indices (-1: no label) when every node has one
    label, else a bool array (n, L). Labelled nodes that are not nodes of the graph are left
    out with one `DataWarning`; `GraphFormatError` (naming `path`) if none is a node.
    """
    known = {v: ls for v, ls in mapping.items() if v in graph.node_index}
    if not known:
        example = next(iter(mapping), None)
        raise GraphFormatError(path, None, 'none of its %d labelled nodes (e.g. %r) is a node '
                               'of the graph (e.g. %r)' % (len(mapping), example,
                                                           graph.nodes[0] if graph.nodes
                                                           else None))
    if len(known) < len(mapping):
        warnings.warn('%s: %d of its %d labelled nodes are not in the graph: left out'
                      % (path, len(mapping) - len(known), len(mapping)), DataWarning,
                      stacklevel=2)
    if all(len(ls) == 1 for ls in known.values()):
        return _single_labels(graph, known)
    names = _label_names(known)
    col = {l: j for j, l in enumerate(names)}
    y = np.zeros((graph.num_nodes, len(names)), dtype=bool)
    for v, ls in known.items():
        y[graph.node_index[v], [col[l] for l in ls]] = True
    return y, names


def file_stem(path):
    """A file's name without folder and extensions: 'data/graph.txt.gz' -> 'graph',
    'abs.tar.bz2' -> 'abs' (`bibliography.TAR_EXTENSIONS`)."""
    base = os.path.basename(os.fspath(path).rstrip('/\\'))
    for ext in sorted(TAR_EXTENSIONS, key=len, reverse=True):
        if base.lower().endswith(ext) and len(base) > len(ext):
            return base[:-len(ext)]
    if base.lower().endswith('.gz'):
        base = base[:-3]
    return os.path.splitext(base)[0] or base or 'graph'


def from_files(edgelist, labels=None, directed=False, header=None, name=None):
    """A `Dataset` from your own files: an edge list and, optionally, node labels.

    # Arguments
        edgelist: edge list path (`readers.read_edgelist`: `u v [weight]`, CSV or TSV, one
            header line).
        labels: labels path (`readers.read_labels`: `node label [label ...]`), or None.
        directed: read the edges as directed.
        header: None (detect header lines), True or False (force), for both files.
        name: the dataset's name (default the edge list's file stem, see `file_stem`).

    # Returns
        A `Dataset` (labels as `labels_for`).
    """
    graph = read_edgelist(edgelist, directed=directed, header=header)
    y = label_names = None
    if labels is not None:
        y, label_names = labels_for(graph, read_labels(labels, header=header), labels)
    source = os.path.abspath(edgelist) + ('' if labels is None else
                                          ', ' + os.path.abspath(labels))
    return Dataset(name or file_stem(edgelist), graph, labels=y, label_names=label_names,
                   source=source, description='your files')


def from_papers(papers, format=None, author_key='id', name=None, merge_variants=False):
    """A `Dataset` with text from your own papers: the co-author graph of a bibliography.

    # Arguments
        papers: a bibliography file or folder (`bibliography.read_papers`), an iterable of
            record dicts (the same field names), or `bibliography.Papers`.
        format: the file's format (`bibliography.FORMATS`; default from the extension).
        author_key: 'id' (the source's author ids where it has them) or 'name' (normalised
            names).
        name: the dataset's name (default the file stem, see `file_stem`; 'papers' for
            records).
        merge_variants: merge one person's name variants (`bibliography.merge_name_variants`;
            `extra['bibliography'].merged` tells which).

    # Returns
        A `Dataset`: `graph` the co-author graph (nodes = author keys, weights = co-authored
        papers), `text` each author's titles, `extra['papers']` the papers' metadata (id ->
        authors, title, text, year) and `extra['bibliography']` the `Papers`. So
        `content_inputs(ds)` (or `content_inputs(ds, split)`) gives the authorship pairs and
        paper texts of `ContentLinkAuthor2Vec.fit(ds.graph, authorship, paper_texts=texts)`.
    """
    if isinstance(papers, Papers):
        bib = merge_name_variants(papers) if merge_variants else papers
    elif isinstance(papers, (str, bytes, os.PathLike)):
        bib = read_papers(papers, format=format, author_key=author_key,
                          merge_variants=merge_variants)
    else:
        bib = papers_from_records(papers, author_key=author_key, merge_variants=merge_variants)
    from_file = bib.source != '<records>'
    g = bib.graph()
    titles = {}
    for p in bib:
        for key, _ in p.authors:
            titles.setdefault(key, []).append(p.title)
    text = {v: ' '.join(t for t in titles.get(v, []) if t) for v in g.nodes}
    return Dataset(name or (file_stem(bib.source) if from_file else 'papers'), g, text=text,
                   source=os.path.abspath(bib.source) if from_file else bib.source,
                   description='your papers',
                   extra={'papers': bib.metadata(), 'bibliography': bib})


def _load_karate(spec, **kw):
    import networkx as nx
    G = nx.karate_club_graph()
    g = Graph.from_networkx(G)
    names = ['Mr. Hi', 'Officer']
    y = np.array([names.index(G.nodes[v]['club']) for v in g.nodes], dtype=np.int64)
    return dict(graph=g, labels=y, label_names=names)


def _load_edgelist(spec, **kw):
    return dict(graph=_quiet(read_edgelist, _file_path(spec['files'][0], **kw)))


def _load_mat(spec, **kw):
    g, Y = _quiet(read_mat, _file_path(spec['files'][0], **kw))
    return dict(graph=g, labels=Y, label_names=list(range(Y.shape[1])))


def _load_openne(spec, **kw):
    edges_file, labels_file = spec['files']
    mapping = read_labels(_file_path(labels_file, **kw))
    g0 = _quiet(read_edgelist, _file_path(edges_file, **kw))
    nodes = sorted(set(g0.nodes) | set(mapping))
    g = Graph(_remap(g0, nodes), nodes=nodes)
    y, names = _single_labels(g, mapping)
    return dict(graph=g, labels=y, label_names=names)


def _remap(g, nodes):
    """Edges of `g` as index pairs into the node list `nodes` (a superset of g.nodes)."""
    index = {v: i for i, v in enumerate(nodes)}
    perm = np.array([index[v] for v in g.nodes], dtype=np.int64)
    return perm[g.edges]


def _load_cane(spec, **kw):
    graph_file, group_file, data_file = spec['files']
    with open(_file_path(data_file, **kw), 'rb') as f:
        raw = f.read()
    docs = gzip.decompress(raw).decode('utf-8').split('\n')
    if docs and docs[-1] == '':
        docs.pop()
    n = len(docs)
    g0 = _quiet(read_edgelist, _file_path(graph_file, **kw))
    bad = [v for v in g0.nodes if not (isinstance(v, int) and 0 <= v < n)]
    if bad:
        raise GraphFormatError(graph_file, None, 'vertex %r has no text line (%d texts)'
                               % (bad[0], n))
    g = Graph(_remap(g0, list(range(n))), nodes=list(range(n)))
    with open(_file_path(group_file, **kw), encoding='utf-8') as f:
        group = f.read().split('\n')
    y = np.full(n, -1, dtype=np.int64)
    for i, line in enumerate(group[:n]):
        line = line.strip()
        if line:
            try:
                y[i] = int(line)
            except ValueError:
                raise GraphFormatError(group_file, i + 1, 'label %r is not an integer' % line)
    names = sorted(set(y[y >= 0].tolist()))
    y = np.where(y >= 0, np.searchsorted(names, y), -1)
    return dict(graph=g, labels=y, label_names=names, text=dict(enumerate(docs)))


def _load_aan(spec, **kw):
    meta_file, collab_file, cit_file = spec['files']
    papers = read_aan_metadata(_file_path(meta_file, **kw))
    g = _quiet(read_aan_collaboration, _file_path(collab_file, **kw))
    titles = {}
    for p in papers.values():
        for a in p['authors']:
            titles.setdefault(a, []).append(p['title'])
    text = {v: ' '.join(titles.get(v, [])) for v in g.nodes}
    cit = _quiet(read_edgelist, _file_path(cit_file, **kw), directed=True)
    return dict(graph=g, text=text, extra={'papers': papers, 'citations': cit})


def _load_bibliography(spec, **kw):
    """A bundled bibliography in its published format, read by `bibliography.read_papers`."""
    path = _file_path(spec['files'][0], **kw)
    data = _read_stored(path)
    if data[:2] == b'\x1f\x8b':
        data = gzip.decompress(data)  # a plain tar in memory reads faster than a gzip'd one
    stream = io.BytesIO(data)
    stream.name = spec['files'][0]
    bib = _quiet(read_papers, stream, format=spec['format'])
    ds = from_papers(bib)
    return dict(graph=ds.graph, text=ds.text, extra=ds.extra)


_SNAP = 'Leskovec, Kleinberg, Faloutsos. Graph evolution: densification and shrinking diameters. ' \
        'ACM TKDD 2007'
REGISTRY = {
    'karate': dict(loader=_load_karate, files=[], nodes=34, edges=78, labels='2 (club)',
                   source='networkx.karate_club_graph()',
                   citation='Zachary. An information flow model for conflict and fission in '
                            'small groups. J. Anthropological Research 1977',
                   description="Zachary's karate club (weights = interaction counts)"),
    'ca-grqc': dict(loader=_load_edgelist, files=['ca-GrQc/CA-GrQc.txt'], nodes=5242,
                    edges=14484, raw_edges=14496, labels='-', citation=_SNAP,
                    description='arXiv General Relativity co-authorship (SNAP)'),
    'ca-hepth': dict(loader=_load_edgelist, files=['ca-HepTh/CA-HepTh.txt'], nodes=9877,
                     edges=25973, raw_edges=25998, labels='-', citation=_SNAP,
                     description='arXiv High Energy Physics Theory co-authorship (SNAP)'),
    'ca-astroph': dict(loader=_load_edgelist, files=['ca-AstroPh/ca-AstroPh.txt'], nodes=18772,
                       edges=198050, raw_edges=198110, labels='-', citation=_SNAP,
                       description='arXiv Astro Physics co-authorship (SNAP; node2vec "arXiv")'),
    'facebook': dict(loader=_load_edgelist, files=['facebook_combined/facebook_combined.txt'],
                     nodes=4039, edges=88234, labels='-',
                     citation='McAuley, Leskovec. Learning to discover social circles in ego '
                              'networks. NIPS 2012',
                     description='Facebook ego networks combined (SNAP)'),
    'ppi': dict(loader=_load_mat, files=['ppi/Homo_sapiens.mat'], nodes=3890, edges=37845,
                labels='50 (multi)',
                citation='Breitkreutz et al. The BioGRID interaction database. NAR 2008; '
                         'Grover, Leskovec. node2vec. KDD 2016',
                description='human protein-protein interactions (node2vec preprocessing)'),
    'blogcatalog': dict(loader=_load_mat, files=['blogcatalog/blogcatalog.mat'], nodes=10312,
                        edges=333983, labels='39 (multi)',
                        citation='Tang, Liu. Relational learning via latent social '
                                 'dimensions. KDD 2009',
                        description='BlogCatalog social network (DeepWalk file)'),
    'wiki': dict(loader=_load_openne, files=['openne_wiki/Wiki_edgelist.txt',
                                             'openne_wiki/Wiki_category.txt'],
                 nodes=2405, edges=11596, labels='17',
                 citation='Sen et al. Collective classification in network data. AI Magazine '
                          '2008 (LBC); OpenNE (thunlp)',
                 description='Wikipedia hyperlinks (OpenNE), as undirected'),
    'cora': dict(loader=_load_openne, files=['openne_cora/cora_edgelist.txt',
                                             'openne_cora/cora_labels.txt'],
                 nodes=2708, edges=5278, labels='7',
                 citation='Sen et al. Collective classification in network data. AI Magazine '
                          '2008 (LINQS)',
                 description='Cora citations (OpenNE), as undirected'),
    'cane-cora': dict(loader=_load_cane, files=['cane_cora/graph.txt', 'cane_cora/group.txt',
                                                'cane_cora/data.txt'],
                      nodes=2277, edges=4771, raw_edges=5214, labels='7, text',
                      citation='Tu, Liu, Liu, Sun. CANE: context-aware network embedding for '
                               'relation modeling. ACL 2017',
                      description='Cora with abstracts (CANE), as undirected'),
    'aan': dict(loader=_load_aan, files=['aan/acl-metadata.txt',
                                         'aan/author-collaboration-network.txt',
                                         'aan/aan_paper_citation_upto2012.txt'],
                nodes=13017, edges=39324, labels='-, text',
                citation='Radev, Muthukrishnan, Qazvinian, Abu-Jbara. The ACL Anthology Network '
                         'corpus. Language Resources and Evaluation 2013',
                description='ACL Anthology co-authorship 1965-2011 (entities decoded, lines '
                            'with an empty author dropped); weights = co-authored papers; '
                            "text = the author's titles; extra: papers, citations"),
    'hep-th': dict(loader=_load_bibliography, format='abs',
                   files=['hepth_kddcup2003/hepth-abstracts.tar'], nodes=15032, edges=25844,
                   labels='-, text',
                   citation='Gehrke, Ginsparg, Kleinberg. Overview of the 2003 KDD Cup. SIGKDD '
                            'Explorations 2003',
                   description='arXiv hep-th abstracts 1992-2003 (KDD Cup 2003), the .abs files '
                               'read by bibliography.read_papers: authors by normalised name '
                               '(variants not merged); weights = co-authored papers; text = '
                               "the author's titles; extra: papers (title + abstract, year), "
                               'bibliography'),
}


def names():
    """Registered dataset names, in table order."""
    return list(REGISTRY)


def _canonical(name):
    key = str(name).strip().lower().replace('_', '-')
    aliases = {'grqc': 'ca-grqc', 'hepth': 'ca-hepth', 'astroph': 'ca-astroph',
               'arxiv': 'ca-astroph', 'blog': 'blogcatalog', 'cane': 'cane-cora',
               'facebook-combined': 'facebook', 'homo-sapiens': 'ppi',
               'hep-th-abstracts': 'hep-th', 'hepth-abstracts': 'hep-th',
               'hepth-kddcup2003': 'hep-th', 'kddcup2003': 'hep-th'}
    key = aliases.get(key, key)
    if key not in REGISTRY:
        raise DatasetError('unknown dataset %r; known: %s' % (name, ', '.join(REGISTRY)))
    return key


def _source(spec):
    if not spec['files']:
        return spec['source']
    m = manifest()
    repos = []
    for f in spec['files']:
        e = m[f]
        s = '%s@%s' % (e['source_repo'], e['commit'][:7])
        if s not in repos:
            repos.append(s)
    return ', '.join(repos)


def load(name=DEFAULT, download=False, cache_dir=None):
    """Load a named dataset (see `names()`); sha256 of every file is checked.

    # Arguments
        name: e.g. 'karate', 'ca-grqc', 'ca-astroph', 'ppi', 'blogcatalog', 'wiki', 'cora',
            'cane-cora', 'aan', 'hep-th' (case-insensitive; '_' and '-' alike; 'hepth' is
            SNAP's graph 'ca-hepth', 'hep-th' the abstracts of the KDD Cup 2003).
        download: if a file is not bundled (nor cached), fetch it from its pinned public URL.
        cache_dir: cache for fetched files (default ~/.author2vec/datasets).
    """
    key = _canonical(name)
    spec = REGISTRY[key]
    kw = dict(download=download, cache_dir=cache_dir)
    parts = spec['loader'](spec, **kw) if spec['files'] else spec['loader'](spec)
    return Dataset(key, source=_source(spec), citation=spec['citation'],
                   description=spec['description'], **parts)


def describe_all(verify=False):
    """Rows (name, nodes, edges, labels, source) for `author2vec datasets`.

    With `verify=True` every dataset is loaded and the counts are the loaded ones (slower,
    about 2 s); otherwise they are the registry's (checked by the tests).
    """
    rows = []
    for key, spec in REGISTRY.items():
        nodes, edges = spec['nodes'], spec['edges']
        if verify:
            g = load(key).graph
            nodes, edges = g.num_nodes, g.num_edges
        rows.append((key, nodes, edges, spec['labels'], _source(spec)))
    return rows


# ----------------------------------------------------------------------------------------------
# content + link testbeds (datasets with text)

def cane_cora_authorship(dataset):
    """CANE-Cora as a content testbed: each vertex is a paper; it 'wrote' its own abstract.

    # Returns
        `(pairs, texts)`: [(vertex, 'doc<vertex>')], {'doc<vertex>': abstract}.
    """
    pairs, texts = [], {}
    for v in dataset.graph.nodes:
        t = dataset.text.get(v)
        if t:
            texts['doc%d' % v] = t
            pairs.append((v, 'doc%d' % v))
    return pairs, texts


def content_inputs(dataset, split=None, leak_free=True):
    """(authorship pairs, paper texts) of a dataset with text, leak-free for `split` by default.

    # Arguments
        dataset: 'aan', 'hep-th' or 'cane-cora' (name or loaded `Dataset`), or a `Dataset` whose
            `extra['papers']` holds AAN-style metadata (id -> {'authors', 'title', 'year'},
            and 'text' when the text is more than the title: `from_papers`).
        split: optional `LinkSplit` of `dataset.graph`: papers of which two authors form a
            held-out pair are left out (their joint paper would reveal the held-out link); or a
            `TemporalSplit`: only papers up to `split.split_time` are kept.
        leak_free: False gives the content model every paper whatever the split (what the
            paper most likely did; the joint papers of held-out pairs then leak them). CANE-Cora
            has no leak to remove (a vertex only "wrote" its own abstract): both are the same.

    # Returns
        `(pairs, texts)` for `ContentLinkAuthor2Vec.fit(graph, pairs, paper_texts=texts)`.
    """
    from author2vec_keras.data.splits import TemporalSplit
    ds = load(dataset) if isinstance(dataset, str) else dataset
    if ds.name == 'cane-cora':
        return cane_cora_authorship(ds)
    papers = ds.extra.get('papers')
    if not papers:
        raise ValueError('the content model needs a dataset with papers and text (aan, '
                         'hep-th, cane-cora), got %r' % (ds.name,))
    if split is None or not leak_free:
        pairs, texts, _ = aan_authorship(papers)
    elif isinstance(split, TemporalSplit):
        pairs, texts, _ = aan_authorship(papers, max_year=split.split_time)
    else:
        held = {frozenset(ds.graph.ids(list(e))) for e in np.asarray(split.test_edges).tolist()}
        pairs, texts, _ = aan_authorship(papers, exclude_pairs=held)
    return pairs, texts
