"""Every named dataset loads with the documented counts; checksums; fetch from a local server."""
import functools
import hashlib
import http.server
import os
import shutil
import threading

import pytest

from author2vec_keras import datasets

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
    from author2vec_keras.datasets.aan import read_aan_collaboration
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
