"""Bibliographies: each format on a small real-shaped file (tests/fixtures/bibliographies), author
identity, bad records warned one line each, an unusable file refused in one line, and
`datasets.from_papers` giving what `ContentLinkAuthor2Vec.fit` takes."""
import gzip
import os
import shutil
import tarfile
import warnings

import numpy as np
import pytest

from author2vec_keras.data import datasets
from author2vec_keras.data.bibliography import (
    BibliographyError,
    detect_format,
    inverted_index_text,
    name_key,
    normalize_name,
    papers_from_records,
    read_papers,
    write_author_names,
)
from author2vec_keras.data.graph import DataWarning
from author2vec_keras.data.readers import GraphFormatError
from author2vec_keras.data.splits import TemporalSplit

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(HERE, 'fixtures', 'bibliographies')


def fixture(name):
    return os.path.join(FIX, name)


def read(path, **kw):
    """read_papers with its DataWarnings caught: (Papers, warning lines)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        papers = read_papers(path, **kw)
    return papers, [str(w.message) for w in caught if issubclass(w.category, DataWarning)]


def authors(paper):
    return [name for _, name in paper.authors]


def test_csv_quoted_names_with_commas_last_first_and_dates():
    papers, notes = read(fixture('papers.csv'))
    assert notes == []
    assert len(papers) == 8 and len(papers.names) == 10
    first = papers.papers[0]
    assert first.id == 'hep-th/9407087' and first.year == 1994
    assert first.title == 'Monopole Condensation, And Confinement In N=2 Supersymmetric ' \
                          'Yang-Mills Theory'
    assert first.abstract.startswith('We study four dimensional N=2')
    assert first.authors == (('nathan_seiberg', 'Nathan Seiberg'),
                             ('edward_witten', 'Edward Witten'))
    agmoo = papers.papers[6]
    assert agmoo.year == 1999  # the date column 1999-05-14
    assert authors(agmoo) == ['Ofer Aharony', 'Steven S. Gubser', 'Juan Maldacena',
                              'Hirosi Ooguri', 'Yaron Oz']
    assert papers.counts['edward_witten'] == 5 and papers.counts['yaron_oz'] == 1
    g = papers.graph()
    assert g.nodes == sorted(papers.names) and g.num_edges == 17
    i, j = g.node_index['nathan_seiberg'], g.node_index['edward_witten']
    assert g.adjacency[i, j] == 3  # three joint papers
    assert g.adjacency[g.node_index['juan_maldacena'], g.node_index['yaron_oz']] == 1


def test_tsv_with_pipes_json_list_and_author_ids(tmp_path):
    p = tmp_path / 'export.tsv'
    p.write_text('Paper ID\tTitle\tAuthors\tAuthor IDs\tPublication Date\n'
                 'a1\tOne\tAda Lovelace|Charles Babbage\tA1|A2\t1843-09-01\n'
                 'a2\tTwo\t["Ada Lovelace", "Mary Somerville"]\t\t1834\n', encoding='utf-8')
    papers, _ = read(str(p))
    assert [pp.year for pp in papers] == [1843, 1834]
    assert papers.papers[0].authors == (('A1', 'Ada Lovelace'), ('A2', 'Charles Babbage'))
    assert papers.papers[1].authors == (('ada_lovelace', 'Ada Lovelace'),
                                        ('mary_somerville', 'Mary Somerville'))
    by_name, _ = read(str(p), author_key='name')
    assert sorted(by_name.names) == ['ada_lovelace', 'charles_babbage', 'mary_somerville']
    assert by_name.counts['ada_lovelace'] == 2


def test_openalex_inverted_index_ids_and_display_names():
    papers, notes = read(fixture('openalex.jsonl'))
    w = papers.papers[0]
    assert w.year == 2016 and w.title.startswith('Author2Vec: Learning Author Representations')
    assert w.abstract == ('Author representations are learned from the content of the papers '
                          'an author writes and the links to the authors they write with; the '
                          'content and the links are combined.')
    assert w.authors[0] == ('A5011111111', 'Ganesh Jawahar')
    assert papers.papers[1].abstract == ''  # abstract_inverted_index: null
    # one author id, two spellings: one node, the most frequent spelling shown, the merge reported
    assert len(papers.names) == 3 and papers.counts['A5011111111'] == 2
    assert papers.variants_merged == 1
    assert notes == ['%s: 2 papers, 3 authors; 1 name variants merged' % fixture('openalex.jsonl')]
    assert papers.graph().num_edges == 3
    by_name, _ = read(fixture('openalex.jsonl'), author_key='name')
    assert {'ganesh_jawahar', 'ganesh_j.'} <= set(by_name.names)


def test_inverted_index_order():
    assert inverted_index_text({'world': [1], 'hello': [0, 2]}) == 'hello world hello'
    assert inverted_index_text(None) == ''


def test_semantic_scholar_data_object_repeated_author_and_missing_id():
    papers, _ = read(fixture('s2.json'))
    first, second = papers.papers
    assert first.id == '649def34f8be52c8b66281af98ae884c09aef38b' and first.year == 2018
    assert [k for k, _ in first.authors] == ['1741101', '3458736', '145612610']  # listed twice
    assert second.abstract == '' and second.authors == (('145612610', 'Oren Etzioni'),
                                                        ('kyle_lo', 'Kyle Lo'))


def test_arxiv_snapshot_authors_parsed_versions_and_plain_string():
    papers, _ = read(fixture('arxiv-snapshot.jsonl'))
    first, second, third = papers.papers
    assert first.id == '0704.0001' and first.year == 2007  # versions[0].created
    assert authors(first) == ['C. Bal\u00e1zs', 'E. L. Berger', 'P. M. Nadolsky', 'C. -P. Yuan']
    assert first.title == 'Calculation of prompt diphoton production cross sections at ' \
                          'Tevatron and LHC energies'  # the folded title joined
    assert authors(second) == ['Ileana Streinu', 'Louis Theran']
    assert authors(third) == ['Hongjun Pan'] and third.year == 2007


def test_aminer_array_and_dblp_lines():
    papers, _ = read(fixture('aminer.json'))
    assert papers.papers[0].authors[0] == ('2312688602', 'Makoto Satoh')
    assert [p.year for p in papers] == [2013, 2012]
    # AMiner's author without an id falls back to the name
    assert [k for k, _ in papers.papers[1].authors] == ['2128134587', 'makoto_satoh']
    dblp, _ = read(fixture('dblp.jsonl'))
    assert [p.id for p in dblp] == ['journals/cacm/Codd70', 'conf/sigmod/ChamberlinB74']
    assert authors(dblp.papers[1]) == ['Donald D. Chamberlin', 'Raymond F. Boyce']
    assert dblp.papers[0].year == 1970


def test_bibtex_latex_accents_and_and_joined_names():
    papers, notes = read(fixture('papers.bib'))
    assert notes == []
    by_id = {p.id: p for p in papers}
    assert authors(by_id['ErdosRenyi1959']) == ['Paul Erd\u0151s', 'Alfr\u00e9d R\u00e9nyi']
    assert authors(by_id['bojar-etal-2008']) == ['Ond\u0159ej Bojar', 'Jan Haji\u010d',
                                                 'Kurt G\u00f6del']
    assert by_id['bojar-etal-2008'].title == \
        'Phrase-based and Deep Syntactic English-to-Czech Statistical Machine Translation'
    assert by_id['bojar-etal-2008'].abstract.startswith('This paper describes our two')
    assert authors(by_id['Renyi1961']) == ['A. R\u00e9nyi'] and by_id['Renyi1961'].year == 1961
    assert authors(by_id['Seiberg:1994rs']) == ['N. Seiberg', 'Edward Witten']
    assert by_id['Seiberg:1994rs'].year == 1994
    assert authors(by_id['Aad:2012tfa']) == ['Georges Aad']  # `and others` is no one


def test_bibtex_bad_entries_named_by_line(tmp_path):
    p = tmp_path / 'mine.bib'
    p.write_text('@article{ok, author = {Lovelace, Ada}, title = {Notes}, year = 1843}\n\n'
                 '@misc{nobody, title = {Anonymous}}\n\n'
                 '@article{broken, title = {x}\n'
                 '@book{ok2, author = {Babbage, Charles and Lovelace, Ada}, year = {1864}}\n',
                 encoding='utf-8')
    papers, notes = read(str(p))
    assert [pp.id for pp in papers] == ['ok', 'ok2']
    assert notes[0] == '%s:3: skipped: no authors' % p
    assert notes[1].startswith('%s:5: skipped: unparsable: ' % p)
    assert notes[2].endswith('skipped 2 bad records (1 no authors, 1 unparsable)')


def test_abs_files_folder_single_file_and_tar(tmp_path):
    papers, notes = read(fixture('abs'))
    assert notes == [] and len(papers) == 6
    by_id = {p.id: p for p in papers}
    assert authors(by_id['hep-th/9201001']) == ['C. Itzykson', 'J.-B. Zuber']
    assert by_id['hep-th/9201001'].year == 1992  # submitted 31 Dec 1991; the id says 1992
    assert by_id['hep-th/9201001'].title == \
        'Combinatorics of the Modular Group II: the Kontsevich integrals'
    assert by_id['hep-th/9201001'].abstract.startswith('We study algebraic aspects')
    # affiliations in parentheses, folded over continuation lines, dropped
    assert authors(by_id['hep-th/9706099']) == ['Diego Bellisai', 'Francesco Fucito',
                                                'Marco Matone', 'Gabriele Travaglini']
    assert authors(by_id['hep-th/9502056']) == ['C.Neves', 'E.M.C.de Abreu', 'C.Wotzasek']
    assert authors(by_id['hep-th/9705173']) == ['Shamit Kachru']  # `Author:` singular
    assert authors(by_id['hep-th/0108089']) == ['Nima Arkani-Hamed', 'Andrew Cohen',
                                                'Howard Georgi']
    assert authors(by_id['hep-th/9704051']) == ['Ulf Lindstr\u00f6m', 'Rikard von Unge']
    one, _ = read(fixture(os.path.join('abs', '9201001.abs')))
    assert [p.id for p in one] == ['hep-th/9201001']
    tar = tmp_path / 'hepth.tar.gz'
    with tarfile.open(str(tar), 'w:gz') as t:
        t.add(fixture('abs'), arcname='cit-HepTh-abstracts/1997')
    from_tar, _ = read(str(tar))
    assert sorted(p.id for p in from_tar) == sorted(by_id)
    bad = tmp_path / 'folder'
    shutil.copytree(fixture('abs'), str(bad))
    (bad / 'empty.abs').write_text('Title: nothing else\n')
    some, notes = read(str(bad))
    assert len(some) == 6 and notes[0] == '%s: skipped: not an arXiv .abs file (no \\\\ header ' \
                                          'and abstract sections)' % (bad / 'empty.abs')


def test_gzip_read_transparently(tmp_path):
    for name in ('papers.csv', 'openalex.jsonl'):
        gz = tmp_path / (name + '.gz')
        with open(fixture(name), 'rb') as f:
            gz.write_bytes(gzip.compress(f.read()))
        plain, _ = read(fixture(name))
        packed, _ = read(str(gz))
        assert packed.papers == plain.papers


def test_format_from_extension_and_override(tmp_path):
    assert detect_format('x.CSV.gz') == 'csv' and detect_format('x.ndjson') == 'jsonl'
    assert detect_format('x.bib') == 'bibtex' and detect_format('hepth.tar.gz') == 'abs'
    assert detect_format(FIX + '/abs') == 'abs'
    with pytest.raises(BibliographyError, match=r"x\.dat: cannot tell the bibliography format "
                                                r"from the extension '\.dat'"):
        detect_format('x.dat')
    p = tmp_path / 'export.dat'
    shutil.copy(fixture('dblp.jsonl'), str(p))
    papers, _ = read(str(p), format='jsonl')
    assert len(papers) == 2
    with pytest.raises(BibliographyError, match='unknown bibliography format'):
        read_papers(str(p), format='xml')


def test_malformed_records_one_line_each_and_a_summary():
    path = fixture('malformed.jsonl')
    papers, notes = read(path)
    assert [p.id for p in papers] == ['p1', 'p5']
    assert notes[:5] == [
        '%s:2: skipped: no authors' % path,
        '%s:3: skipped: unparsable JSON: Invalid control character at: line 1 column 52 '
        '(char 51)' % path,
        "%s:4: skipped: year 'soon' is not a year" % path,
        "%s:5: skipped: paper id 'p1' again (the first kept)" % path,
        '%s:6: skipped: a list, not a record' % path]
    assert notes[5] == ('%s: 2 papers, 3 authors; skipped 5 bad records (1 no authors, '
                        '1 unparsable, 1 bad year, 1 repeated id, 1 not a record)' % path)
    assert len(notes) == 6
    # 'Lovelace, Ada' and 'Ada Lovelace' are one person
    assert papers.counts['ada_lovelace'] == 2


def test_csv_rows_of_the_wrong_width_named_by_line(tmp_path):
    p = tmp_path / 'p.csv'
    p.write_text('id,title,authors\n1,"A title, with a comma",Ada Lovelace\n'
                 '2,too,many,fields\n', encoding='utf-8')
    papers, notes = read(str(p))
    assert len(papers) == 1 and notes[0] == '%s:3: skipped: 4 fields, the header has 3' % p


def test_unusable_files_one_clear_error(tmp_path):
    with pytest.raises(BibliographyError) as e:
        read(fixture('unusable.csv'))
    assert str(e.value) == '%s: no usable paper record (2 skipped: 2 no authors)' \
        % fixture('unusable.csv')
    assert isinstance(e.value, GraphFormatError)  # the command line's exit status 2
    no_authors = tmp_path / 'x.csv'
    no_authors.write_text('id,title,year\n1,a,2000\n')
    with pytest.raises(BibliographyError, match=r"x\.csv:1: the header 'id,title,year' has no "
                                                r"authors column"):
        read_papers(str(no_authors))
    empty = tmp_path / 'e.jsonl'
    empty.write_text('\n')
    with pytest.raises(BibliographyError, match=r'e\.jsonl: no usable paper record \(no '
                                                r'records\)'):
        read_papers(str(empty))
    xlsx = tmp_path / 'papers.csv'
    xlsx.write_bytes(b'PK\x03\x04' + bytes(range(256)))
    with pytest.raises(BibliographyError, match='not a text bibliography: a ZIP archive'):
        read_papers(str(xlsx))
    with pytest.raises(BibliographyError, match='no such file'):
        read_papers(str(tmp_path / 'missing.csv'))


def test_names_normalised():
    assert normalize_name('  Witten,\tEdward ') == 'Edward Witten'
    assert normalize_name('Daum\u00e9 III, Hal') == 'Hal Daum\u00e9 III'
    assert normalize_name('\uff25dward Witten') == 'Edward Witten'  # NFKC: fullwidth E
    assert name_key('WITTEN, Edward') == name_key('Edward  Witten') == 'edward_witten'


def test_records_in_memory_and_from_papers_is_what_the_content_model_takes():
    records = [{'id': 'a', 'title': 'Graph embeddings', 'abstract': 'Authors and links.',
                'authors': ['Ada Lovelace', 'Charles Babbage'], 'year': 2001},
               {'id': 'b', 'title': 'Text models', 'authors': ['Ada Lovelace', 'Mary Somerville'],
                'year': 2003},
               {'id': 'c', 'title': 'Both', 'authors': ['Charles Babbage', 'Mary Somerville'],
                'year': 2004}]
    ds = datasets.from_papers(records)
    assert ds.name == 'papers' and ds.graph.num_nodes == 3 and ds.graph.num_edges == 3
    assert ds.text['ada_lovelace'] == 'Graph embeddings Text models'
    pairs, texts = datasets.content_inputs(ds)
    assert texts == {'a': 'Graph embeddings Authors and links.', 'b': 'Text models',
                     'c': 'Both'}
    assert sorted(pairs) == sorted([('ada_lovelace', 'a'), ('charles_babbage', 'a'),
                                    ('ada_lovelace', 'b'), ('mary_somerville', 'b'),
                                    ('charles_babbage', 'c'), ('mary_somerville', 'c')])
    assert all(a in ds.graph.node_index for a, _ in pairs)
    # the temporal split keeps the papers up to its year
    split = TemporalSplit(ds.graph, np.zeros((0, 2), int), np.zeros((0, 2), int), 2003)
    pairs, texts = datasets.content_inputs(ds, split)
    assert sorted(texts) == ['a', 'b']


def test_from_papers_file_and_the_names_tsv(tmp_path):
    ds = datasets.from_papers(fixture('papers.csv'))
    assert ds.name == 'papers' and ds.source == os.path.abspath(fixture('papers.csv'))
    assert ds.extra['papers']['hep-th/9711053']['authors'] == ['juan_maldacena',
                                                               'andrew_strominger',
                                                               'edward_witten']
    out = write_author_names(str(tmp_path / 'x.emb.authors.tsv'), ds.extra['bibliography'],
                             ds.graph.nodes)
    with open(out, encoding='utf-8') as f:
        rows = [line.rstrip('\n').split('\t') for line in f]
    assert rows[0] == ['key', 'name', 'papers'] and len(rows) == 11
    assert ['edward_witten', 'Edward Witten', '5'] in rows
    assert [r[0] for r in rows[1:]] == ds.graph.nodes
    bad = papers_from_records([{'id': 1, 'authors': ['A']}], author_key='name')
    assert bad.names == {'a': 'A'}
    with pytest.raises(ValueError, match="author_key must be 'id' or 'name'"):
        papers_from_records([], author_key='orcid')
    assert np.all(ds.graph.weights >= 1)


@pytest.mark.parametrize('ext, mode', [('.tar.gz', 'w:gz'), ('.tgz', 'w:gz'),
                                       ('.tar.bz2', 'w:bz2'), ('.tar.xz', 'w:xz')])
def test_a_tar_of_abs_files_by_any_tar_name_and_its_stem(tmp_path, ext, mode):
    tar = tmp_path / ('hepth' + ext)
    with tarfile.open(str(tar), mode) as t:
        t.add(fixture('abs'), arcname='1997')
    assert detect_format(str(tar)) == 'abs'
    papers, _ = read(str(tar))
    assert len(papers) == 6
    # the dataset, and the command's default output (NAME.emb), are named without the tar's
    # extensions (was 'hepth.tar' for .tar.bz2 / .tar.xz, which could not be read either)
    assert datasets.file_stem(str(tar)) == 'hepth'
    assert datasets.from_papers(papers).name == 'hepth'
    assert datasets.file_stem('graph.txt.gz') == 'graph' and datasets.file_stem('a.b.csv') == 'a.b'


def test_a_collaboration_paper_is_left_out_of_the_graph_kept_for_authorship():
    crowd = ['Member %d' % i for i in range(3000)]
    records = [{'id': 'atlas', 'title': 'Observation of a new particle', 'authors': crowd,
                'year': 2012},
               {'id': 'p1', 'title': 'A small paper', 'authors': ['Member 1', 'Ann Other'],
                'year': 2012},
               {'id': 'p2', 'title': 'Another', 'authors': ['Ann Other', 'Bo Third'],
                'year': 2013}]
    papers = papers_from_records(records, author_key='name')
    with pytest.warns(DataWarning) as caught:
        g = papers.graph()
    assert [str(w.message) for w in caught] == [
        '<records>: 1 paper with more than 50 authors left out of the co-author graph (kept '
        'for authorship; Papers.graph(max_authors=...))']
    assert g.num_nodes == 3002 and g.num_edges == 2  # every author a node, 2 small papers' edges
    pairs, texts = papers.authorship()
    assert len(pairs) == 3004 and 'atlas' in texts
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        sixty = papers_from_records([dict(records[0], authors=crowd[:60])] + records[1:],
                                    author_key='name')
        assert sixty.graph(max_authors=None).num_edges == 60 * 59 // 2 + 2
        assert sixty.graph(max_authors=60).num_edges == 60 * 59 // 2 + 2
        small = papers_from_records(records[1:], author_key='name')
        assert small.graph().num_edges == 2  # nothing left out: no warning
    with pytest.warns(DataWarning, match='1 paper with more than 50 authors'):
        ds = datasets.from_papers(papers)
    assert ds.graph.num_edges == 2 and ds.graph.num_nodes == 3002


def test_whitespace_in_fields_is_collapsed_as_by_a_regex():
    import re

    from author2vec_keras.data.bibliography import _text
    for raw in ('plain words', ' lead', 'trail ', 'two  spaces', 'tab\there', 'new\nline',
                'cr\r\nlf', 'sep\x1cfs', 'nbsp\u00a0here', 'ideographic\u3000space',
                'caf\u00e9  au lait', '', '\n\t '):
        assert _text(raw) == re.sub(r'\s+', ' ', raw).strip(), raw
    assert _text(['a  list', 'of\tparts']) == 'a list of parts' and _text(1999) == '1999'


def test_a_generational_suffix_stays_with_its_name(tmp_path):
    # hep-th writes `Curtis G. Callan, Jr.`: one author, not `Curtis G. Callan` and `Jr.`
    text = open(fixture(os.path.join('abs', '9201001.abs'))).read().replace(
        'Authors: C. Itzykson and J.-B. Zuber',
        'Authors: Curtis G. Callan, Jr., Juan M. Maldacena and M. Jones III')
    path = tmp_path / '9602052.abs'
    path.write_text(text)
    papers, notes = read(str(path))
    assert notes == []
    assert authors(next(iter(papers))) == ['Curtis G. Callan Jr.', 'Juan M. Maldacena',
                                           'M. Jones III']
