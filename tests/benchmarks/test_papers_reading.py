"""benchmarks/papers_reading.py: its generated JSON Lines and CSV hold the same papers, each read
by `read_papers` in full; a small run writes its JSON and table. (Papers/s and memory belong to
the benchmark's own output, never asserted.)"""
import json
import os
import subprocess
import sys

from author2vec_keras.data.bibliography import read_papers

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, 'benchmarks', 'papers_reading.py')
sys.path.insert(0, os.path.join(REPO, 'benchmarks'))

from papers_reading import generate  # noqa: E402


def test_both_formats_hold_the_same_readable_papers(tmp_path):
    read = {}
    for fmt in ('jsonl', 'csv'):
        path = str(tmp_path / ('p.' + fmt))
        generate(path, fmt, 300)
        read[fmt] = read_papers(path, author_key='name')
        assert len(read[fmt]) == 300 and read[fmt].skipped == 0
    for a, b in zip(read['jsonl'], read['csv']):
        assert (a.title, a.abstract, a.year, a.authors) == (b.title, b.abstract, b.year, b.authors)
        assert 1 <= len(a.authors) <= 12 and 6 <= len(a.title.split()) <= 14
    assert 60 * 300 < sum(len(p.abstract.split()) for p in read['csv']) < 221 * 300
    # the source's author ids for JSON Lines (Semantic Scholar's authorId)
    ids = read_papers(str(tmp_path / 'p.jsonl'))
    assert all(k.isdigit() for p in ids for k, _ in p.authors)


def test_a_small_run_writes_its_json_and_table(tmp_path):
    out = str(tmp_path / 'reading')
    proc = subprocess.run([sys.executable, SCRIPT, '--papers', '500', '--output', out,
                           '--workdir', str(tmp_path)], capture_output=True, text=True,
                          cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stderr
    with open(out + '.json') as f:
        runs = json.load(f)['runs']
    assert [(r['format'], r['papers'], r['skipped']) for r in runs] == [('jsonl', 500, 0),
                                                                       ('csv', 500, 0)]
    assert all(r['peak_rss'] > 0 and r['papers_per_s'] > 0 for r in runs)
    with open(out + '.md') as f:
        assert '| jsonl | 500 |' in f.read()
    assert sorted(os.listdir(str(tmp_path))) == ['reading.json', 'reading.md']
