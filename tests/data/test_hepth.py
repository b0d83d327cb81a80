"""The bundled hep-th bibliography (KDD Cup 2003 abstracts): stored in parts, read by
`bibliography.read_papers`, its counts against the STATS.txt shipped beside it; the name-variant
rule on its real names."""
import ast
import gzip
import hashlib
import io
import os
import re
import shutil
import tarfile

import pytest

from author2vec_keras.data import datasets
from author2vec_keras.data.bibliography import merge_name_variants, papers_from_records
from author2vec_keras.data.splits import TemporalSplit

FOLDER = os.path.join(datasets.DATA_DIR, 'hepth_kddcup2003')


@pytest.fixture(scope='module')
def hepth():
    return datasets.load('hep-th')


@pytest.fixture(scope='module')
def merged(hepth):
    return merge_name_variants(hepth.extra['bibliography'])


def _stats():
    with open(os.path.join(FOLDER, 'STATS.txt'), encoding='ascii') as f:
        text = f.read()
    first, last = re.search(r'years \(directory\) (\d+) - (\d+)', text).groups()
    return dict(papers=int(re.search(r'^papers (\d+)$', text, re.M).group(1)),
                authors=int(re.search(r'exact string match\) (\d+)', text).group(1)),
                multi=int(re.search(r'papers with >=2 authors \(heuristic split\) (\d+)',
                                    text).group(1)),
                years=(int(first), int(last)),
                per_year=ast.literal_eval(re.search(r'papers per year (\{.*\})', text).group(1)))


def test_counts_match_the_published_statistics(hepth):
    stats = _stats()
    bib = hepth.extra['bibliography']
    assert len(bib) == stats['papers'] == 29555 and bib.skipped == 0
    years = [p.year for p in bib]
    assert (min(years), max(years)) == stats['years'] == (1992, 2003)
    assert {y: years.count(y) for y in set(years)} == stats['per_year']
    assert all(p.title and p.abstract for p in bib)
    # STATS counts exact author strings; the reader's keys fold case, spaces and LaTeX accents
    # (91 spellings fall on a key spelt another way) and split a few fields differently
    assert len(bib.names) == hepth.graph.num_nodes == 15032
    assert abs(len(bib.names) - stats['authors']) < 0.01 * stats['authors']
    # STATS's own split makes `Curtis G. Callan, Jr.` two authors (`Jr.` one): 14 papers more
    assert sum(len(p.authors) >= 2 for p in bib) == 18059 == stats['multi'] - 14
    spec = datasets.REGISTRY['hep-th']
    assert (spec['nodes'], spec['edges']) == (hepth.graph.num_nodes, hepth.graph.num_edges)
    assert hepth.source == 'luc6987/Modal_INF473G@8d8f110' and hepth.citation
    assert 'hep-th' in datasets.names()


def test_text_and_content_inputs(hepth):
    bib = hepth.extra['bibliography']
    first = bib.papers[0]
    assert first.id == 'hep-th/9201001' and first.authors[0][1] == 'C. Itzykson'
    assert hepth.text['edward_witten'] and hepth.text['edward_witten'].count(' ') > 100
    pairs, texts = datasets.content_inputs(hepth)
    assert len(texts) == 29555 and len(pairs) == sum(len(p.authors) for p in bib)
    assert texts[first.id].startswith(first.title) and first.abstract in texts[first.id]
    split = TemporalSplit(hepth.graph, [], [], 1999)  # content_inputs reads its split_time
    _, texts99 = datasets.content_inputs(hepth, split)
    assert len(texts99) == sum(1 for p in bib if p.year <= 1999) == 18945


def test_stored_in_parts_under_5_mb_with_the_sha256_of_the_whole():
    entry = datasets.manifest()['hepth_kddcup2003/hepth-abstracts.tar']
    stored = os.path.join(datasets.DATA_DIR, entry['stored_as'])
    parts = datasets._parts(stored)
    assert len(parts) == 3 and not os.path.exists(stored)
    assert all(os.path.getsize(p) < 5e6 for p in parts)
    raw = gzip.decompress(datasets._read_stored(stored))
    assert len(raw) == int(entry['bytes_raw'])
    assert hashlib.sha256(raw).hexdigest() == entry['sha256_raw']


def test_every_abs_file_matches_its_per_file_provenance():
    with gzip.open(os.path.join(FOLDER, 'PROVENANCE.tsv.gz'), 'rt', encoding='utf-8') as f:
        rows = [line.rstrip('\n').split('\t') for line in f]
    header, rows = rows[0], rows[1:]
    assert header[:2] == ['file', 'source_repo'] and len(rows) == 29555
    expected = {r[0]: r[header.index('sha256_raw')] for r in rows}
    assert {r[header.index('commit')] for r in rows} == {datasets.manifest()[
        'hepth_kddcup2003/hepth-abstracts.tar']['commit']}
    stored = os.path.join(FOLDER, 'hepth-abstracts.tar.gz')
    got = {}
    with tarfile.open(fileobj=io.BytesIO(datasets._read_stored(stored)), mode='r:gz') as tar:
        for m in tar:
            if m.isfile():
                got[m.name] = hashlib.sha256(tar.extractfile(m).read()).hexdigest()
    assert got == expected


def test_a_corrupt_or_missing_part_is_a_clear_error(tmp_path, monkeypatch):
    data = tmp_path / 'data'
    data.mkdir()
    shutil.copy(os.path.join(datasets.DATA_DIR, 'MANIFEST.tsv'), data)
    shutil.copytree(FOLDER, data / 'hepth_kddcup2003')
    monkeypatch.setattr(datasets, 'DATA_DIR', str(data))
    part2 = data / 'hepth_kddcup2003' / 'hepth-abstracts.tar.gz.002'
    good = part2.read_bytes()
    part2.write_bytes(good[:1000] + bytes([good[1000] ^ 1]) + good[1001:])
    with pytest.raises(datasets.ChecksumError, match='hepth-abstracts.tar.gz'):
        datasets.load('hep-th')
    os.remove(data / 'hepth_kddcup2003' / 'hepth-abstracts.tar.gz.003')
    part2.write_bytes(good)
    with pytest.raises(datasets.ChecksumError, match='corrupt or missing'):
        datasets.load('hep-th')
    os.remove(data / 'hepth_kddcup2003' / 'hepth-abstracts.tar.gz.001')
    with pytest.raises(datasets.DatasetError, match='cannot be fetched as one file'):
        datasets.load('hep-th', download=True)


def test_names_aliases_and_the_table():
    for alias in ('HEP-TH', 'hep_th', 'hepth-abstracts', 'kddcup2003'):
        assert datasets._canonical(alias) == 'hep-th'
    assert datasets._canonical('hepth') == 'ca-hepth'  # SNAP's graph keeps its old alias
    row = [r for r in datasets.describe_all() if r[0] == 'hep-th'][0]
    assert row[1:] == (15032, 25844, '-, text', 'luc6987/Modal_INF473G@8d8f110')


# ----------------------------------------------------------------------------------------------
# one person's name variants, on the real names of hep-th

def test_merge_variants_on_real_names(hepth, merged):
    bib = hepth.extra['bibliography']
    m = merged.merged
    # an initial that one full name starts with; Louis Witten is another person
    assert m['e._witten'] == 'edward_witten' and 'louis_witten' not in m
    assert 'edward_witten' not in m and merged.names['edward_witten'] == 'Edward Witten'
    assert merged.counts['edward_witten'] == bib.counts['edward_witten'] + bib.counts[
        'e._witten'] == 111
    # spacing variants and missing middle initials go to the one full name covering them
    for key in ('s.d._odintsov', 's._d._odintsov', 's.d.odintsov', 's._odintsov',
                'sergei_odintsov'):
        assert m[key] == 'sergei_d._odintsov', key
    assert merged.names['sergei_d._odintsov'] == 'Sergei D. Odintsov'
    assert 'a.d._odintsov' not in m  # another first initial
    assert m['n._seiberg'] == 'nathan_seiberg' and m['c._vafa'] == 'cumrun_vafa'
    assert m['j.-b._zuber'] == 'jean-bernard_zuber'  # J.-B. is two initials, as Jean-Bernard
    assert m['c._n._pope'] == 'c.n._pope'  # no full name: the spellings only
    # `Alexei A. Abrikosov, Jr.` is one author (A.A. Abrikosov Jr, the son), not `Alexei A.
    # Abrikosov` and an author `Jr.` (56 papers had one before); his spellings merge into it
    assert m['a._a._abrikosov_jr'] == m['a.a.abrikosov_jr'] == 'alexei_a._abrikosov_jr'
    assert not {'alexei_a._abrikosov', 'jr', 'jr.'} & set(bib.names)
    # ambiguous: two full names (Shin'ichi and Shin'ich Nojiri) would take S. Nojiri
    assert {"shin'ichi_nojiri", "shin'ich_nojiri"} <= set(bib.names)
    assert 's._nojiri' not in m
    # the effect on the graph, reported as a count
    assert (len(bib.names), len(merged.names)) == (15032, 15032 - len(m))
    assert len(m) == 5297 and len(set(m.values())) == 3551
    assert merged.graph().num_nodes == 9735 and len(merged) == len(bib)


def test_merge_variants_through_from_papers(hepth, merged):
    ds = datasets.from_papers(hepth.extra['bibliography'], merge_variants=True)
    assert ds.graph.num_nodes == len(merged.names) and 'e._witten' not in ds.text
    assert ds.extra['bibliography'].merged == merged.merged


def test_merge_rule_on_records():
    records = [
        {'id': '1', 'authors': 'E. Witten; Edward Witten', 'year': 1995},  # one person, once
        {'id': '2', 'authors': 'Edward Witten; L. Witten', 'year': 1996},
        {'id': '3', 'authors': 'Louis Witten', 'year': 1996},
        {'id': '4', 'authors': 'S. Nojiri; S.D. Odintsov', 'year': 1997},
        {'id': '5', 'authors': "Shin'ichi Nojiri; Sergei D. Odintsov", 'year': 1998},
        {'id': '6', 'authors': "Shin'ich Nojiri", 'year': 1999},
        {'id': '7', 'authors': 'Pope', 'year': 1999},  # one word: never merged
    ]
    with pytest.warns(Warning, match=r'merge_variants: 3 author keys merged into 3'):
        bib = papers_from_records(records, merge_variants=True)
    assert bib.merged == {'e._witten': 'edward_witten', 'l._witten': 'louis_witten',
                          's.d._odintsov': 'sergei_d._odintsov'}
    assert bib.papers[0].authors == (('edward_witten', 'E. Witten'),)
    assert 's._nojiri' in bib.names and 'pope' in bib.names
    # ids are who the source says: never merged
    ids = [{'id': 'a', 'authors': [{'name': 'E. Witten', 'id': 'A1'}]},
           {'id': 'b', 'authors': [{'name': 'Edward Witten', 'id': 'A2'}]}]
    assert not papers_from_records(ids, merge_variants=True).merged
    assert not papers_from_records(records[:3]).merged  # opt-in


def test_read_papers_of_an_open_tar_names_it_and_takes_only_abs(tmp_path):
    from author2vec_keras.data.bibliography import BibliographyError, read_papers
    fixtures = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'fixtures',
                            'bibliographies')
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w:gz') as t:
        t.add(os.path.join(fixtures, 'abs'), arcname='cit-HepTh-abstracts/1997')
    buf.seek(0)
    buf.name = 'in-memory.tar.gz'
    papers = read_papers(buf, format='abs')
    assert len(papers) == 6 and papers.source == 'in-memory.tar.gz'
    with pytest.raises(BibliographyError, match="an open file is read with format='abs'"):
        read_papers(io.BytesIO(b'id,authors\n1,A B\n'), format='csv')
    with pytest.raises(BibliographyError, match='<stream>: not a readable tar'):
        read_papers(io.BytesIO(b'not a tar at all' * 100), format='abs')
