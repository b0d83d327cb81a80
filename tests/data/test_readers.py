"""Readers: formats they accept, errors naming file and line, a hypothesis fuzz test."""
import gzip
import os
import re
import subprocess
import sys
import tracemalloc
import warnings

import numpy as np
import pytest
from helpers import ROOT
from hypothesis import HealthCheck, given, settings, strategies as st

from author2vec_keras.data.datasets.aan import read_aan_collaboration, read_aan_metadata
from author2vec_keras.data.graph import DataWarning, Graph
from author2vec_keras.data.readers import (
    MAX_FIELD,
    GraphFormatError,
    read_adjlist,
    read_edgelist,
    read_labels,
    read_mat,
)


def write(tmp_path, content, name='g.txt'):
    p = tmp_path / name
    p.write_bytes(content.encode('utf-8') if isinstance(content, str) else content)
    return str(p)


def test_edgelist_separators_comments_crlf_blank_lines(tmp_path):
    p = write(tmp_path, '# header\r\n1\t2\r\n\r\n2,3  # trailing comment\r\n 3 ,\t 1 \r\n')
    g = read_edgelist(p)
    assert g.nodes == [1, 2, 3] and g.num_edges == 3 and not g.directed


def test_edgelist_string_ids_and_weights(tmp_path):
    g = read_edgelist(write(tmp_path, 'alice bob 2.5\nbob carol 1e-1\n'))
    assert g.nodes == ['alice', 'bob', 'carol']
    assert g.weights.tolist() == [2.5, 0.1]
    g = read_edgelist(write(tmp_path, 'a b\nb a\n'), directed=True)
    assert g.num_edges == 2


@pytest.mark.parametrize('content', [
    '"Acciaiuoli family","Medici family"\n"Medici family","Strozzi family"\n',
    'source,target,weight\n"Acciaiuoli family", "Medici family",1\n'
    '"Medici family",Strozzi family,2\n',
    '"Acciaiuoli family"\t"Medici family"\t1\n"Medici family"\t"Strozzi family"\t2\n',
    '"Acciaiuoli family" "Medici family" 1\n"Medici family"  "Strozzi family" 2 # c\n',
])
def test_edgelist_quoted_csv_ids_with_spaces(tmp_path, content):
    # issue 26: the README says CSV, and Python's csv module reads quoted fields
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DataWarning)  # the header line
        g = read_edgelist(write(tmp_path, content))
    assert g.nodes == ['Acciaiuoli family', 'Medici family', 'Strozzi family']
    assert g.edges.tolist() == [[0, 1], [1, 2]]


def test_quoted_fields_keep_commas_and_labels_read_them(tmp_path):
    g = read_edgelist(write(tmp_path, '"Smith, J.","Doe, A."\n"Doe, A.",Roe\n'))
    assert g.nodes == ['Doe, A.', 'Roe', 'Smith, J.'] and g.num_edges == 2
    labels = read_labels(write(tmp_path, '"Medici family",banking\n"Strozzi family",wool\n',
                               'labels.csv'))
    assert labels == {'Medici family': ['banking'], 'Strozzi family': ['wool']}


def test_edgelist_integer_ids_are_ints_sorted_numerically(tmp_path):
    g = read_edgelist(write(tmp_path, '10 9\n-3 100\n'))
    assert g.nodes == [-3, 9, 10, 100] and all(type(v) is int for v in g.nodes)


def test_edgelist_gzip(tmp_path):
    p = tmp_path / 'g.txt.gz'
    p.write_bytes(gzip.compress(b'1 2\n2 3\n'))
    assert read_edgelist(str(p)).num_edges == 2


def test_edgelist_slow_and_fast_paths_agree(tmp_path):
    rng = np.random.default_rng(1)
    e = rng.integers(0, 500, size=(3000, 2))
    w = rng.random(3000)
    text = '\n'.join('%d %d %r' % (u, v, x) for (u, v), x in zip(e.tolist(), w.tolist()))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DataWarning)
        fast = read_edgelist(write(tmp_path, text))
        slow = read_edgelist(write(tmp_path, text), encoding='utf-8')  # forces the careful parser
        ref = Graph.from_edges(e[:, 0], e[:, 1], weights=w)
    for g in (fast, slow):
        assert g.nodes == ref.nodes
        assert np.array_equal(g.edges, ref.edges) and np.allclose(g.weights, ref.weights)


@pytest.mark.parametrize('content, line, fragment', [
    ('1 2\n3\n', 2, 'found 1'),
    ('1 2\n3 4 5 6\n', 2, 'found 4'),
    ('1 2 1.0\n3 4\n', 2, 'found 2 columns but line 1 has 3'),
    ('1 2 x\n', 1, "weight 'x' is not a number"),
    ('1 2 1\n3 4 nan\n', 2, 'not finite'),
    ('1 2 1\n3 4 inf\n', 2, 'not finite'),
    ('FromNodeId ToNodeId\nfrom to\n' + '1 2\n' * 200, 2, 'a file may have one header line'),
    ('src dst weight\nsource target w\n1 2 3\n', 2, "'source' is not an integer node id"),
    ('id_1,id_2\n1,2\n' + '2,3\n' * 300 + 'oops,4\n', 303, "'oops' is not an integer"),
    ('1 2 3\n1 2 w\n', 2, "weight 'w' is not a number"),
])
def test_edgelist_errors_name_file_and_line(tmp_path, content, line, fragment):
    p = write(tmp_path, content)
    with pytest.raises(GraphFormatError) as info:
        read_edgelist(p)
    e = info.value
    assert e.path == p and e.line == line and fragment in e.problem
    assert str(e).startswith('%s:%d: ' % (p, line))


@pytest.mark.parametrize('content, nodes, weights', [
    ('FromNodeId\tToNodeId\n1\t2\n2\t3\n', [1, 2, 3], [1, 1]),  # SNAP without '#'
    ('id_1,id_2\n0,1\n1,2\n', [0, 1, 2], [1, 1]),  # CSV (musae, lastfm)
    ('node_1, node_2\r\n0, 1\r\n1, 2\r\n', [0, 1, 2], [1, 1]),  # CSV with spaces, CRLF
    ('# comment\n\nsource,target,weight\n5,6,0.5\n6,7,2\n', [5, 6, 7], [0.5, 2]),
    ('from to weight\nalice bob 2.5\nbob carol 1\n', ['alice', 'bob', 'carol'], [2.5, 1]),
])
def test_edgelist_header_line_skipped_with_one_line_notice(tmp_path, content, nodes, weights):
    p = write(tmp_path, content)
    for kw in ({}, {'encoding': 'utf-8'}):  # the fast path and the careful parser
        with pytest.warns(DataWarning) as caught:
            g = read_edgelist(p, **kw)
        assert g.nodes == nodes and g.weights.tolist() == weights
        messages = [str(w.message) for w in caught]
        assert len(messages) == 1 and messages[0].startswith(p + ':')
        assert 'skipped header line' in messages[0] and '\n' not in messages[0]
    assert read_edgelist(p, header=True).nodes == nodes  # forced: no notice needed
    if isinstance(nodes[0], int):
        with pytest.raises(GraphFormatError, match='is not an integer node id'):
            read_edgelist(p, header=False)


def test_edgelist_header_forced_on_string_ids(tmp_path):
    p = write(tmp_path, 'source target\nalice bob\nbob carol\n')
    assert read_edgelist(p).nodes == ['alice', 'bob', 'carol', 'source', 'target']
    assert read_edgelist(p, header=True).nodes == ['alice', 'bob', 'carol']
    assert read_edgelist(write(tmp_path, '1 2\n2 3\n'), header=True).nodes == [2, 3]


def test_two_header_lines_are_an_error_not_nodes(tmp_path):
    p = write(tmp_path, 'id_1,id_2\nsrc,dst\n1,2\n2,3\n3,1\n')
    for kw in ({}, {'header': True}):
        with pytest.raises(GraphFormatError) as info:
            read_edgelist(p, **kw)
        assert info.value.line == 2 and "'src' is not an integer node id" in info.value.problem
    with pytest.raises(GraphFormatError) as info:
        read_edgelist(p, header=False)
    assert info.value.line == 1
    with pytest.raises(GraphFormatError) as info:  # a block of three before 10 data lines
        read_edgelist(write(tmp_path, 'a,b\nc,d\ne,f\n' + '1,2\n' * 10))
    assert info.value.line == 2


@pytest.mark.parametrize('content, expected', [
    ('id,target\n0,3\n1,4\n', {0: [3], 1: [4]}),
    ('node label\n0 Case_Based\n1 Theory\n', {0: ['Case_Based'], 1: ['Theory']}),
    ('node\tlabels\n0\t1\t2\n1\t3\n', {0: [1, 2], 1: [3]}),
    ('name,club\nalice,1\nbob,2\n', {'alice': [1], 'bob': [2]}),
])
def test_labels_header_line(tmp_path, content, expected):
    p = write(tmp_path, content)
    with pytest.warns(DataWarning, match='skipped header line'):
        assert read_labels(p) == expected
    assert read_labels(p, header=True) == expected
    with pytest.raises(GraphFormatError) as info:
        read_labels(write(tmp_path, 'id,target\nnode,label\n0,1\n1,2\n'))
    assert info.value.line == 2


def test_labels_header_naming_more_columns_warns(tmp_path):
    p = write(tmp_path, 'id,name,ml_target\n0,alice,1\n1,bob,0\n')  # SNAP's musae_git_target
    with pytest.warns(DataWarning) as caught:
        assert read_labels(p) == {0: ['alice', '1'], 1: ['bob', '0']}
    assert [str(w.message) for w in caught][1] == (
        '%s: its header names 3 columns (id, name, ml_target): every column after the first '
        'is read as a label of the node' % p)


@pytest.mark.parametrize('data, kind', [
    (bytes(range(256)) * 2, 'NUL byte'),
    (np.random.default_rng(0).integers(1, 256, 400, dtype=np.uint8).tobytes(), 'binary data'),
    (b'PK\x03\x04\x14\x00\x06\x00' + b'x' * 100, 'ZIP archive'),
    (b'\x89PNG\r\n\x1a\n' + b'\x00' * 50, 'PNG image'),
    (b'MATLAB 5.0 MAT-file, Platform: posix' + b'\x00' * 50, 'read_mat'),
])
def test_binary_file_is_refused_as_not_text(tmp_path, data, kind):
    p = write(tmp_path, data, 'g.bin')
    for reader, what in ((read_edgelist, 'edge list'), (read_labels, 'labels file'),
                         (read_adjlist, 'adjacency list')):
        with pytest.raises(GraphFormatError) as info:
            reader(p)
        msg = str(info.value)
        assert msg.startswith(p + ': not a text %s: ' % what) and kind in msg
        assert msg.isascii() and len(msg) < len(p) + 100  # no mojibake


def test_utf16_and_byte_order_marks(tmp_path):
    for data in ('a b\n1 2\n2 3\n'.encode('utf-16'), b'\xef\xbb\xbf1 2\n2 3\n'):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', DataWarning)
            assert read_edgelist(write(tmp_path, data)).nodes == [1, 2, 3]
    g = read_edgelist(write(tmp_path, 'caf\xe9 b\n'.encode('latin-1')))  # Latin-1 text is text
    assert g.nodes == ['b', 'caf\xe9']


@pytest.mark.parametrize('content', ['', '\n\n', '# only a comment\n'])
def test_edgelist_empty_is_an_error(tmp_path, content):
    with pytest.raises(GraphFormatError, match='no edges') as info:
        read_edgelist(write(tmp_path, content))
    assert info.value.line is None


def test_missing_file_is_an_error(tmp_path):
    p = str(tmp_path / 'nope.txt')
    with pytest.raises(GraphFormatError, match='no such file') as info:
        read_edgelist(p)
    assert info.value.path == p


def test_adjlist(tmp_path):
    g = read_adjlist(write(tmp_path, '0 1 2 3\n1 2\n4\n# c\n'))
    assert g.num_nodes == 5 and g.num_edges == 4 and g.degrees.tolist() == [3, 2, 2, 1, 0]


def test_labels_single_and_multi(tmp_path):
    assert read_labels(write(tmp_path, '0 a\n1 b\n')) == {0: ['a'], 1: ['b']}
    assert read_labels(write(tmp_path, '0 1 2\n1 3\n0 4\n')) == {0: [1, 2, 4], 1: [3]}
    with pytest.raises(GraphFormatError) as info:
        read_labels(write(tmp_path, '0 1\n7\n'))
    assert info.value.line == 2


def test_mat_reader_layout(tmp_path):
    import scipy.io
    import scipy.sparse as sp
    a = sp.csc_matrix(np.array([[1, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float))
    grp = sp.csc_matrix(np.array([[1, 0], [0, 1], [1, 1]], dtype=float))
    p = str(tmp_path / 'g.mat')
    scipy.io.savemat(p, {'network': a, 'group': grp})
    with pytest.warns(DataWarning, match='1 self-loop'):
        g, y = read_mat(p)
    assert g.num_edges == 2 and y.tolist() == [[True, False], [False, True], [True, True]]
    with pytest.raises(GraphFormatError, match='not a readable MATLAB'):
        read_mat(write(tmp_path, 'not a mat file', 'x.mat'))
    scipy.io.savemat(p, {'adj': a})
    with pytest.raises(GraphFormatError, match="no 'network'"):
        read_mat(p)


AAN_META = '''id = {X10-1}
author = {Daum&eacute;; III, Hal; Smith, Noah A.}
title = {Frustratingly Easy
Domain Adaptation}
venue = {ACL}
year = {2010}

id = {X10-2}
author = {Bojar, Ond&#x159;ej}
title = {Caf&eacute; &amp; Co}
venue = {WMT}
year = {2011}
'''


def test_aan_metadata_entities_two_line_title_broken_separator(tmp_path):
    papers = read_aan_metadata(write(tmp_path, AAN_META))
    p = papers['X10-1']
    assert p['authors'] == ['Daum\xe9 III, Hal', 'Smith, Noah A.']
    assert p['title'] == 'Frustratingly Easy Domain Adaptation' and p['year'] == 2010
    assert papers['X10-2']['authors'] == ['Bojar, Ond\u0159ej']
    assert papers['X10-2']['title'] == 'Caf\xe9 & Co'


@pytest.mark.parametrize('content, line', [
    ('id = {A}\nthis is not a record\n', 2),
    ('id = {A}\ntitle = {never closed\n', 2),
    ('id = {A}\nyear = {MMX}\n', 1),
])
def test_aan_metadata_errors(tmp_path, content, line):
    with pytest.raises(GraphFormatError) as info:
        read_aan_metadata(write(tmp_path, content))
    assert info.value.line == line


def test_aan_collaboration_multigraph_counts(tmp_path):
    text = ('Rush, A ==> Sontag, D\nRush, A ==> Sontag, D\nSontag, D ==> Rush, A\n'
            'Bojar, Ond&#x159;ej ==> \nX, Y ==> X, Y\nX, Y ==> Rush, A\n')
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        g = read_aan_collaboration(write(tmp_path, text))
    msgs = [str(x.message) for x in w]
    assert any('1 line with an empty author' in m for m in msgs)
    assert any('dropped 1 self-loop' in m for m in msgs)
    assert not any('duplicate' in m for m in msgs)  # the multigraph is by design
    assert g.nodes == ['Rush, A', 'Sontag, D', 'X, Y']
    assert dict(zip(map(tuple, g.edges.tolist()), g.weights.tolist())) == {(0, 1): 3.0,
                                                                             (0, 2): 1.0}
    with pytest.raises(GraphFormatError) as info:
        read_aan_collaboration(write(tmp_path, 'A ==> B\nA -> B\n'))
    assert info.value.line == 2


# -- fuzz ------------------------------------------------------------------------------------

TOKENS = st.sampled_from(['1', '2', '17', '-4', '+3', '0', 'a', 'node_x', '1.5', '1e3', 'nan',
                          'inf', '-inf', '#', '# c', ',', '\t', ' ', '', '99999999999999999999',
                          '\u0663', '\xe9', '\x00', '==>', '{', '}'])
LINE = st.lists(TOKENS, min_size=0, max_size=5).map(' '.join)
NEAR_VALID = st.lists(LINE, min_size=0, max_size=30).flatmap(
    lambda ls: st.sampled_from(['\n', '\r\n']).map(lambda nl: nl.join(ls)))
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 150)), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _check(reader, path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DataWarning)
        try:
            g = reader(path, **kw)
        except GraphFormatError as e:
            assert e.path == path and (e.line is None or e.line >= 1)
            return
    if isinstance(g, tuple):
        g = g[0]
    if isinstance(g, Graph):
        assert g.edges.shape == (g.num_edges, 2)
        assert g.num_edges == 0 or g.edges.max() < g.num_nodes


@FUZZ
@given(data=st.binary(max_size=300))
def test_fuzz_random_bytes(tmp_path, data):
    p = write(tmp_path, data, 'fuzz.txt')
    for reader in (read_edgelist, read_adjlist, read_labels, read_aan_collaboration,
                   read_aan_metadata, read_mat):
        _check(reader, p)


@FUZZ
@given(text=NEAR_VALID, directed=st.booleans())
def test_fuzz_near_valid_lines(tmp_path, text, directed):
    p = write(tmp_path, text, 'fuzz.txt')
    _check(read_edgelist, p, directed=directed)
    _check(read_edgelist, p, encoding='utf-8')
    _check(read_adjlist, p)
    _check(read_labels, p)


NUMERIC = st.lists(st.lists(st.sampled_from(['0', '7', '-3', '+12', '123456789012345678',
                                             '1.5', '2e3', '4-5', '']), min_size=1,
                            max_size=4), max_size=20)


@FUZZ
@given(rows=NUMERIC, sep=st.sampled_from([' ', '\t', ',', ', ', '  \t']),
       newline=st.sampled_from(['\n', '\r\n']), comment=st.booleans(), header=st.booleans())
def test_fuzz_fast_path_agrees_with_the_careful_parser(tmp_path, rows, sep, newline, comment,
                                                       header):
    text = ('id_1,id_2' + newline if header else '') + newline.join(
        sep.join(r) + (' # c' if comment else '') for r in rows)
    p = write(tmp_path, text, 'fuzz.txt')
    results = []
    for kw in ({}, {'encoding': 'utf-8'}):  # the fast path (when it applies), the careful one
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', DataWarning)
            try:
                g = read_edgelist(p, **kw)
                results.append((g.nodes, g.edges.tolist(), g.weights.tolist()))
            except GraphFormatError as e:
                results.append((e.line, e.problem))
    assert results[0] == results[1]


# -- memory and messages whatever the longest field ----------------------------------------------

def test_memory_follows_the_file_not_its_longest_name(tmp_path):
    """One 3,000-character name among 20,000 lines of short ones: the reader's peak stays a
    few times the file, not (lines x the longest name) as a numpy unicode array made it
    (about 1 GB here)."""
    names = ['n%06d' % i for i in range(20000)]
    lines = ['%s %s' % (names[i], names[(i + 1) % 20000]) for i in range(20000)]
    p = write(tmp_path, '\n'.join(lines + ['x' * 3000 + ' n000000']) + '\n')
    tracemalloc.start()
    try:
        g = read_edgelist(p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert g.num_nodes == 20001 and 'x' * 3000 in g.nodes
    assert peak < 64 * 2 ** 20, peak  # the file is 0.3 MB


@pytest.mark.parametrize('token', ['7' * 5000, '1.' + '0' * 5000, 'x' * 100000])
@pytest.mark.parametrize('reader, content', [
    (read_edgelist, 'a b\nc {t}\nd e\n'), (read_edgelist, '1 2\n3 {t}\n4 5\n'),
    (read_edgelist, 'a b 1\nc d {t}\n'), (read_edgelist, '1 2 1\n3 4 {t}\n'),
    (read_adjlist, 'a b c\nd e {t}\n'),
    (read_labels, 'a 1\n{t} 2\n'),
])
def test_a_field_longer_than_the_maximum_is_refused_naming_its_line(tmp_path, reader, content,
                                                                   token):
    p = write(tmp_path, content.format(t=token))
    with pytest.raises(GraphFormatError) as info:
        reader(p)
    assert info.value.line == 2 and str(info.value).startswith(p + ':2: ')
    assert info.value.problem == 'a field of %d characters (at most %d are read): %r...' \
        % (len(token), MAX_FIELD, token[:80])


@pytest.mark.parametrize('content, line, problem', [
    ('1 2\n' * 200 + '%s 3\n' % ('y' * 1000), 201,
     "not data: %r... (1000 characters) is not an integer node id, but the other 200 lines are "
     "(a file may have one header line; comments start with #)" % ('y' * 80)),
    ('a b 1\nb c %s\n' % ('w' * 1000), 2,
     "weight %r... (1000 characters) is not a number" % ('w' * 80)),
    ('a b 1\nb c -0.%s1\n' % ('0' * 997), 2,
     "weight -0.%s... (1001 characters) is not positive" % ('0' * 77)),
])
def test_error_excerpts_are_cut_at_80_characters(tmp_path, content, line, problem):
    p = write(tmp_path, content)
    with pytest.raises(GraphFormatError) as info:
        read_edgelist(p)
    assert info.value.line == line and info.value.problem.startswith(problem)


def test_an_integer_id_beyond_pythons_digit_limit_names_its_line(tmp_path):
    p = write(tmp_path, '1 2\n3 %s\n' % ('9' * 700))
    previous = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    try:
        with pytest.raises(GraphFormatError) as info:
            read_edgelist(p)
    finally:
        sys.set_int_max_str_digits(previous)
    assert info.value.line == 2
    assert info.value.problem == 'integer node id %r... (700 characters) has 700 digits: ' \
        'too many' % ('9' * 80)


def test_out_of_memory_while_reading_names_the_file(tmp_path):
    """Under an address-space limit a little above what the process has, the reader's
    MemoryError is one GraphFormatError naming the file (a child process: the limit stays
    there)."""
    path = str(tmp_path / 'names.txt')
    with open(path, 'w') as f:
        f.writelines('name%d other%d\n' % (i, i * 7 % 1000) for i in range(300000))
    code = (
        'import resource, sys\n'
        'from author2vec_keras.data.readers import GraphFormatError, read_edgelist\n'
        'status = open("/proc/self/status").read().split("VmSize:")[1].split()[0]\n'
        'limit = int(status) * 1024 + 20 * 2 ** 20\n'
        'resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))\n'
        'try:\n'
        '    read_edgelist(sys.argv[1])\n'
        'except GraphFormatError as e:\n'
        '    print(e)\n')
    proc = subprocess.run([sys.executable, '-c', code, path], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=ROOT), timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == '%s: out of memory reading it (5.86 MB)\n' % path


# -- a file read in parts: memory for the distinct edges, not the lines ----------------------------

def _read_noting(path, **kwargs):
    """(graph, the DataWarnings' messages) of `read_edgelist(path, **kwargs)`."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter('always')
        g = read_edgelist(path, **kwargs)
    return g, [str(w.message) for w in seen if issubclass(w.category, DataWarning)]


def test_a_gzip_bomb_of_repeated_edges_reads_in_memory_for_its_distinct_edges(tmp_path):
    """A gzip file expanding to 4 MB of lines over 4 distinct edges (a 1.2 GB one took 9.5 GB),
    read 64 kB at a time: the peak follows the 4 edges, far below the text decompressed; the
    graph and its notices are those of the file read whole."""
    path = str(tmp_path / 'bomb.txt.gz')
    with gzip.open(path, 'wb') as f:
        f.write(b'# four edges, repeated\n' + b'1 2\n2 3\n3 4\n4 1\n2 1\n' * 200000)
    assert os.path.getsize(path) < 20000
    tracemalloc.start()
    try:
        g, notes = _read_noting(path, chunk_bytes=2 ** 16)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 ** 22, peak  # 4 MB of text: the whole file, read at once, takes 190 MB
    whole, whole_notes = _read_noting(path)
    assert g.nodes == whole.nodes == [1, 2, 3, 4] and g.num_edges == 4
    assert np.array_equal(g.edges, whole.edges) and np.array_equal(g.weights, whole.weights)
    assert notes == whole_notes == ['merged 999996 duplicate edges (1 of them `v u` after `u v`)']
    assert g.num_duplicates_merged == whole.num_duplicates_merged == 999996


@pytest.mark.parametrize('merge', ['max', 'sum', 'first'])
@pytest.mark.parametrize('directed', [False, True])
def test_a_file_read_in_parts_gives_the_graph_of_the_file_read_whole(tmp_path, merge, directed):
    """String ids, weights, a header, self-loops and duplicates both ways, across parts of
    1 kB: the same nodes, edges, weights and notices."""
    rng = np.random.RandomState(0)
    names = ['author %d' % i for i in range(40)]
    lines = ['"%s","%s",%d' % (names[u], names[v], w)
             for u, v, w in zip(rng.randint(0, 40, 3000), rng.randint(0, 40, 3000),
                                rng.randint(1, 9, 3000))]
    p = write(tmp_path, 'source,target,weight\n' + '\n'.join(lines) + '\n')
    parts, notes = _read_noting(p, chunk_bytes=1024, merge=merge, directed=directed)
    whole, whole_notes = _read_noting(p, merge=merge, directed=directed)
    assert parts.nodes == whole.nodes and parts.directed == directed
    assert np.array_equal(parts.edges, whole.edges)
    assert np.allclose(parts.weights, whole.weights)
    assert notes == whole_notes and len(notes) == 3  # header, self-loops, duplicates


def test_an_error_in_a_later_part_names_its_line(tmp_path):
    p = write(tmp_path, '1 2\n' * 5000 + '3 4 5\n' + '1 2\n' * 10)
    with pytest.raises(GraphFormatError) as info:
        read_edgelist(p, chunk_bytes=1000)
    assert str(info.value) == '%s:5001: found 3 columns but line 1 has 2' % p
    p = write(tmp_path, '1 2\n' * 5000 + 'x y\n' + '1 2\n' * 10)
    with pytest.raises(GraphFormatError) as info:
        read_edgelist(p, chunk_bytes=1000)
    assert info.value.line == 5001 and info.value.problem.startswith("not data: 'x' is not")


def test_out_of_memory_while_reading_a_file_in_parts_names_the_line(tmp_path):
    """Out of memory part way through a file read in parts: one GraphFormatError with the
    line reached and the text read so far (a child process under an address-space limit)."""
    path = str(tmp_path / 'names.txt.gz')
    with gzip.open(path, 'wt') as f:
        f.writelines('name%d other%d\n' % (i, i) for i in range(400000))
    code = (
        'import resource, sys\n'
        'from author2vec_keras.data.readers import GraphFormatError, read_edgelist\n'
        'status = open("/proc/self/status").read().split("VmSize:")[1].split()[0]\n'
        'limit = int(status) * 1024 + 30 * 2 ** 20\n'
        'resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))\n'
        'try:\n'
        '    read_edgelist(sys.argv[1], chunk_bytes=2 ** 20)\n'
        'except GraphFormatError as e:\n'
        '    print(e)\n')
    proc = subprocess.run([sys.executable, '-c', code, path], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=ROOT), timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert re.match(r'^%s:\d+: out of memory reading it, at this line \([\d.]+ MB of text '
                    r'read\)\n$' % re.escape(path), proc.stdout), proc.stdout
