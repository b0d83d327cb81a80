"""Every named dataset loads with the documented counts; checksums; fetch from a local server."""
import functools
import hashlib
import http.server
import os
import shutil
import threading

import pytest

from author2vec_keras.data import datasets

# nodes, edges as stored (self-loops dropped, duplicates merged), counts from
# ../shared/datasets/README.md
EXPECTED = {
    'karate': (34, 78, 0),
    'ca-grqc': (5242, 14496 - 12, 12),
    'ca-hepth': (9877, 25998 - 25, 25),
    'ca-astroph': (18772, 198110 - 60, 60),
    'facebook': (4039, 88234, 0),
    'ppi': (3890, 37845, 894),
    'blogcatalog': (10312, 333983, 0),
    'wiki': (2405, 11596, None),
    'cora': (2708, 5278, 0),
    'cane-cora': (2277, None, None),
    'aan': (13017, 39324, 4),
}


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_dataset_counts(name):
    ds = datasets.load(name)
    nodes, edges, loops = EXPECTED[name]
    g = ds.graph
    assert g.num_nodes == nodes
    if edges is not None:
        assert g.num_edges == edges
    if loops is not None:
        assert g.num_self_loops_dropped == loops
    spec = datasets.REGISTRY[name]
    assert (spec['nodes'], spec['edges']) == (g.num_nodes, g.num_edges)  # describe_all's table
    assert ds.name == name and ds.source and ds.citation


def test_labels_and_text():
    ppi = datasets.load('ppi')
    assert ppi.multilabel and ppi.labels.shape == (3890, 50) and ppi.labels.dtype == bool
    blog = datasets.load('blogcatalog')
    assert blog.labels.shape == (10312, 39) and blog.labels.any(axis=0).all()
    wiki = datasets.load('wiki')
    assert not wiki.multilabel and len(wiki.label_names) == 17 and (wiki.labels >= 0).all()
    cora = datasets.load('cora')
    assert len(cora.label_names) == 7 and (cora.labels >= 0).all()
    cane = datasets.load('cane-cora')
    assert len(cane.label_names) == 7 and (cane.labels == -1).sum() == 66
    assert len(cane.text) == 2277 and cane.text[0].startswith('Several computer algorithms')
    karate = datasets.load('karate')
    assert karate.label_names == ['Mr. Hi', 'Officer'] and karate.labels[0] == 0


def test_aan_extras_and_raw_counts():
    from author2vec_keras.data.datasets.aan import read_aan_collaboration
    ds = datasets.load('aan')
    assert len(ds.extra['papers']) == 18041
    cit = ds.extra['citations']
    assert cit.directed and cit.num_nodes == 16589
    assert cit.num_edges + cit.num_self_loops_dropped + cit.num_duplicates_merged == 94973
    assert any(ds.text[a] for a in ds.graph.nodes[:50])
    path = datasets._file_path('aan/author-collaboration-network.txt')
    with pytest.warns(Warning):
        raw = read_aan_collaboration(path, decode_entities=False, keep_empty=True)
    assert (raw.num_nodes, raw.num_edges, raw.num_self_loops_dropped) == (13026, 39542, 4)


def test_names_default_aliases_and_unknown():
    assert datasets.DEFAULT == 'ca-grqc' and datasets.DEFAULT in datasets.names()
    assert datasets.load('CA_GrQc').name == 'ca-grqc'
    with pytest.raises(datasets.DatasetError, match='unknown dataset'):
        datasets.load('nope')


def test_describe_all_rows():
    rows = datasets.describe_all()
    assert [r[0] for r in rows] == datasets.names()
    assert ('ca-grqc', 5242, 14484) == rows[1][:3] and all(len(r) == 5 for r in rows)


def test_every_bundled_file_matches_manifest():
    for file, entry in datasets.manifest().items():
        datasets._verify(os.path.join(datasets.DATA_DIR, entry['stored_as']), entry['sha256_raw'])


def test_checksum_mismatch_is_a_clear_error(tmp_path, monkeypatch):
    data = tmp_path / 'data'
    shutil.copytree(datasets.DATA_DIR, data)
    with open(data / 'ca-GrQc' / 'CA-GrQc.txt', 'ab') as f:
        f.write(b'1 2\n')
    monkeypatch.setattr(datasets, 'DATA_DIR', str(data))
    with pytest.raises(datasets.ChecksumError, match='sha256 of the raw file'):
        datasets.load('ca-grqc')


@pytest.fixture
def local_server(tmp_path):
    root = tmp_path / 'www'
    root.mkdir()
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, 'http://127.0.0.1:%d' % server.server_address[1]
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_fetch_from_local_server(tmp_path, local_server):
    root, base = local_server
    src = os.path.join(datasets.DATA_DIR, 'openne_cora', 'cora_labels.txt')
    shutil.copy(src, root / 'labels.txt')
    sha = hashlib.sha256(open(src, 'rb').read()).hexdigest()
    cache = tmp_path / 'cache'
    p = datasets.fetch(base + '/labels.txt', sha, cache_dir=str(cache))
    assert open(p, 'rb').read() == open(src, 'rb').read()
    os.remove(root / 'labels.txt')  # cached copy is reused, no request made
    assert datasets.fetch(base + '/labels.txt', sha, cache_dir=str(cache)) == p
    shutil.copy(src, root / 'other.txt')
    with pytest.raises(datasets.ChecksumError, match='download of'):
        datasets.fetch(base + '/other.txt', '0' * 64, cache_dir=str(cache))
    assert not os.path.exists(cache / 'other.txt')
    assert os.listdir(str(cache)) == ['labels.txt']  # no temporary left either
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(p).st_mode & 0o777 == 0o666 & ~umask  # as open() makes it, not 0600


def test_load_downloads_missing_bundled_file(tmp_path, local_server, monkeypatch):
    root, base = local_server
    data = tmp_path / 'data'
    data.mkdir()
    shutil.copy(os.path.join(datasets.DATA_DIR, 'MANIFEST.tsv'), data)
    (root / 'cora').mkdir()
    for f in ('cora_edgelist.txt', 'cora_labels.txt'):
        shutil.copy(os.path.join(datasets.DATA_DIR, 'openne_cora', f), root / 'cora' / f)
    monkeypatch.setattr(datasets, 'DATA_DIR', str(data))
    monkeypatch.setattr(datasets, 'raw_url', lambda e: base + '/cora/' + e['file'].split('/')[-1])
    with pytest.raises(datasets.DatasetError, match='download=True'):
        datasets.load('cora', cache_dir=str(tmp_path / 'cache'))
    ds = datasets.load('cora', download=True, cache_dir=str(tmp_path / 'cache'))
    assert (ds.graph.num_nodes, ds.graph.num_edges) == (2708, 5278)
    assert os.path.exists(tmp_path / 'cache' / 'openne_cora' / 'cora_labels.txt')


def _synthetic_papers(n_authors=30, n_papers=80, seed=3):
    """AAN-style metadata: papers with 1-4 authors from a pool, years 2000-2011."""
    import numpy as np
    rng = np.random.default_rng(seed)
    papers = {}
    for j in range(n_papers):
        k = int(rng.integers(1, 5))
        authors = ['author%02d' % a for a in rng.choice(n_authors, size=k, replace=False)]
        papers['X%03d' % j] = {'id': 'X%03d' % j, 'authors': authors, 'title': 'title %d' % j,
                               'venue': '', 'year': int(2000 + j % 12)}
    return papers


def test_leaky_content_differs_exactly_in_the_joint_papers_of_held_out_pairs():
    import itertools
    import warnings

    from author2vec_keras.data.datasets.aan import aan_coauthor_events
    from author2vec_keras.data.graph import DataWarning, Graph
    from author2vec_keras.data.splits import link_prediction_split, temporal_split
    papers = _synthetic_papers()
    src, dst, years = aan_coauthor_events(papers)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DataWarning)  # a pair that co-authors twice
        graph = Graph.from_edges(src, dst)
    ds = datasets.Dataset('synthetic', graph, extra={'papers': papers})
    split = link_prediction_split(ds.graph, 0.5, seed=1)
    held = {frozenset(ds.graph.ids(list(e))) for e in split.test_edges.tolist()}
    revealing = {p for p, v in papers.items()
                 if any(frozenset(ab) in held for ab in itertools.combinations(v['authors'], 2))}
    assert 0 < len(revealing) < len(papers)  # the test means something
    free_pairs, free_texts = datasets.content_inputs(ds, split)
    leaky_pairs, leaky_texts = datasets.content_inputs(ds, split, leak_free=False)
    # the leaky content is every paper; the leak-free one lacks exactly the revealing papers
    assert set(leaky_texts) == set(papers)
    assert set(leaky_texts) - set(free_texts) == revealing
    assert {p: leaky_texts[p] for p in free_texts} == free_texts
    extra = set(leaky_pairs) - set(free_pairs)
    assert extra == {(a, p) for p in revealing for a in papers[p]['authors']}
    assert set(free_pairs) <= set(leaky_pairs)
    # no leak-free paper has two authors forming a held-out pair
    for p in free_texts:
        assert not any(frozenset(ab) in held
                       for ab in itertools.combinations(papers[p]['authors'], 2))
    # temporal split: leak-free keeps the papers up to the split year, leaky every paper
    tsplit = temporal_split(src, dst, years, 2007, seed=0)
    free_t = datasets.content_inputs(ds, tsplit)[1]
    assert set(free_t) == {p for p, v in papers.items() if v['year'] <= 2007}
    assert set(datasets.content_inputs(ds, tsplit, leak_free=False)[1]) == set(papers)
    # no split: every paper either way; CANE-Cora has nothing to leak (own abstracts only)
    assert datasets.content_inputs(ds)[1].keys() == leaky_texts.keys()
    cane = datasets.load('cane-cora')
    csplit = link_prediction_split(cane.graph, 0.5, seed=0)
    assert datasets.content_inputs(cane, csplit) == \
        datasets.content_inputs(cane, csplit, leak_free=False)
    with pytest.raises(ValueError, match='papers and text'):
        datasets.content_inputs(datasets.Dataset('plain', ds.graph))
