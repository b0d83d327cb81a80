"""A user's own bibliography through the `author2vec` command (issue 30): `train --papers` trains
the content + link model on the co-author graph and writes the embedding, its record and the
author names; `--new-papers` adds the vectors of authors the graph has not seen; bad input exits
2 with one line and writes nothing."""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CSV = os.path.join(ROOT, 'tests', 'fixtures', 'bibliographies', 'papers.csv')


def author2vec(*args, cwd):
    """Run the command in a child process: (exit status, stdout, stderr)."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    env.pop('AUTHOR2VEC_TRACEBACK', None)
    run = subprocess.run([sys.executable, '-m', 'author2vec_keras.cli'] + list(args),
                         cwd=str(cwd), env=env, capture_output=True, text=True, timeout=900)
    return run.returncode, run.stdout, run.stderr


def one_error_line(err):
    """The stderr of a refused run, warnings aside: one line, `author2vec: error: ...`."""
    lines = [l for l in err.strip().splitlines() if not l.startswith('author2vec: warning: ')]
    assert len(lines) == 1 and lines[0].startswith('author2vec: error: '), err
    return lines[0]


def test_train_on_a_csv_of_papers_writes_embeddings_gensim_loads_and_the_names(tmp_path):
    from gensim.models import KeyedVectors
    code, out, err = author2vec('train', '--papers', CSV, '--epochs', '1', '--dim', '8',
                                '--quiet', cwd=tmp_path)
    assert code == 0, err
    assert '%s: 8 papers, 10 authors' % CSV in out
    emb = tmp_path / 'papers.emb'
    kv = KeyedVectors.load_word2vec_format(str(emb), binary=False)
    assert kv.vectors.shape == (10, 8)
    assert 'edward_witten' in kv.key_to_index and 'steven_s._gubser' in kv.key_to_index
    with open(str(emb) + '.authors.tsv', encoding='utf-8') as f:
        rows = [line.rstrip('\n').split('\t') for line in f]
    assert rows[0] == ['key', 'name', 'papers']
    assert [r[0] for r in rows[1:]] == kv.index_to_key  # the embedding's keys, in its order
    assert ['edward_witten', 'Edward Witten', '5'] in rows
    record = json.loads((tmp_path / 'papers.emb.json').read_text())
    assert record['dataset'] == 'papers'
    assert record['params']['schedule'] == 'alternating'  # --model author2vec by default
    assert sorted(os.listdir(str(tmp_path))) == ['papers.emb', 'papers.emb.authors.tsv',
                                                 'papers.emb.json']


@pytest.mark.parametrize('args, message', [
    (['--papers', os.path.join('tests', 'fixtures', 'bibliographies', 'unusable.csv')],
     'unusable.csv: no usable paper record (2 skipped: 2 no authors)'),
    (['--papers', CSV, '--dataset', 'karate'], '--dataset does not go with --papers'),
    (['--author-key', 'name'], '--author-key goes with --papers'),
    (['--papers', 'README.md'], "README.md: cannot tell the bibliography format from the "
                                "extension '.md'"),
    (['--dataset', 'karate', '--merge-name-variants'],
     '--merge-name-variants goes with --papers or a dataset of papers (hep-th), not --dataset '
     'karate'),
    (['--edgelist', os.path.join(ROOT, 'README.md'), '--merge-name-variants'],
     '--merge-name-variants goes with --papers'),
])
def test_bad_papers_input_one_line_exit_2_nothing_written(tmp_path, args, message):
    if not os.path.isabs(args[1]) and args[0] == '--papers':
        args = [args[0], os.path.join(ROOT, args[1])] + args[2:]
    code, out, err = author2vec('train', *args, cwd=tmp_path)
    assert code == 2
    assert message in one_error_line(err), err
    assert os.listdir(str(tmp_path)) == []


NEW = os.path.join(ROOT, 'tests', 'fixtures', 'bibliographies', 'newcomers.csv')


def test_new_papers_give_vectors_of_new_and_known_authors(tmp_path):
    from gensim.models import KeyedVectors
    code, out, err = author2vec('train', '--papers', CSV, '--epochs', '1', '--dim', '8',
                                '--quiet', '--new-papers', NEW, cwd=tmp_path)
    assert code == 0, err
    assert '%s: 2 papers, 2 authors' % NEW in out
    assert 'wrote newcomers.emb (2 x 8: 1 known authors, their trained vectors; 1 new' in out
    trained = KeyedVectors.load_word2vec_format(str(tmp_path / 'papers.emb'))
    new = KeyedVectors.load_word2vec_format(str(tmp_path / 'newcomers.emb'))
    assert new.index_to_key == ['ann_newcomer', 'edward_witten']
    assert 'ann_newcomer' not in trained.key_to_index
    assert (new['edward_witten'] == trained['edward_witten']).all()
    with open(str(tmp_path / 'newcomers.emb.authors.tsv'), encoding='utf-8') as f:
        assert f.read().splitlines()[1] == 'ann_newcomer\tAnn Newcomer\t2'
    assert sorted(os.listdir(str(tmp_path))) == [
        'newcomers.emb', 'newcomers.emb.authors.tsv', 'papers.emb',
        'papers.emb.authors.tsv', 'papers.emb.json']


@pytest.mark.parametrize('args, message', [
    (['--papers', CSV, '--new-output', 'x.emb'], '--new-output goes with --new-papers'),
    (['--papers', CSV, '--new-papers', 'nowhere.csv'], 'nowhere.csv: no such file'),
    (['--papers', CSV, '--new-papers', CSV, '--new-output', 'x.emb', '--model', 'paper'],
     '--new-papers fits new authors against the content model'),
    (['--papers', CSV, '--new-papers', CSV, '--new-output', 'x.emb', '--schedule', 'link'],
     '--new-papers fits new authors against the content model'),
    (['--papers', CSV, '--new-papers', CSV, '--new-output', CSV],
     '--new-output %s is the input --papers' % CSV),
    (['--papers', CSV, '--new-papers', CSV, '--new-output', 'papers.emb'],
     '--new-output papers.emb is the file --output writes'),
])
def test_bad_new_papers_one_line_exit_2_nothing_written(tmp_path, args, message):
    code, out, err = author2vec('train', *args, cwd=tmp_path)
    assert code == 2
    assert message in one_error_line(err), err
    assert os.listdir(str(tmp_path)) == []
