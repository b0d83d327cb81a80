"""The `author2vec` command: a real run, --help, and bad input that exits 2 writing nothing."""
import json
import os

import networkx as nx
import pytest

from author2vec_keras import cli


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_documents_every_train_flag(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(['train', '--help'])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for flag in ('--dataset', '--edgelist', '--model', '--dim', '--hidden-dim', '--negatives',
                 '--epochs', '--batch-size', '--test-fraction', '--seed', '--output',
                 '--device'):
        assert flag in out


@pytest.mark.parametrize('content, line, problem', [
    ('', None, 'no edges'),
    ('1 2\n3\n', 2, 'column'),
    ('1 2 0.5\n2 3 heavy\n', 2, 'weight'),
    ('source target\nfrom to\n1 2\n', 2, 'one header line'),  # one header line is skipped
])
def test_bad_edge_list_exits_2_naming_file_and_line(capsys, tmp_path, content, line, problem):
    path = tmp_path / 'bad.txt'
    path.write_text(content)
    output = tmp_path / 'out.emb'
    code, out, err = run(capsys, 'train', '--edgelist', str(path), '--output', str(output))
    assert code == 2
    assert str(path) in err
    if line is not None:
        assert '%s:%d:' % (path, line) in err
    assert problem in err
    assert 'Traceback' not in err
    assert not output.exists() and list(tmp_path.iterdir()) == [path]


def test_missing_file_exits_2(capsys, tmp_path):
    code, out, err = run(capsys, 'train', '--edgelist', str(tmp_path / 'nope.txt'))
    assert code == 2 and 'nope.txt' in err


def test_unknown_dataset_exits_2(capsys):
    code, out, err = run(capsys, 'train', '--dataset', 'no-such-graph')
    assert code == 2 and 'no-such-graph' in err


@pytest.mark.parametrize('argv', [['train', '--dim', '0'], ['train', '--test-fraction', '1.5'],
                                  ['train', '--model', 'gnn'], ['frobnicate']])
def test_bad_flags_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2


@pytest.mark.core
def test_train_writes_embeddings_and_prints_auc(capsys, tmp_path):
    path = tmp_path / 'karate.txt'
    nx.write_edgelist(nx.karate_club_graph(), str(path), data=False)
    output = tmp_path / 'karate.emb'
    code, out, err = run(capsys, 'train', '--edgelist', str(path), '--output', str(output),
                         '--dim', '8', '--hidden-dim', '4', '--epochs', '2', '--negatives', '2',
                         '--batch-size', '64', '--test-fraction', '0.2', '--seed', '1', '--quiet')
    assert code == 0, err
    auc_line = out.strip().splitlines()[-1]
    assert auc_line.startswith('link prediction AUC: ')
    auc = float(auc_line.split(':')[1])
    assert 0 <= auc <= 1
    assert output.read_text().splitlines()[0] == '34 8'
    record = json.loads((tmp_path / 'karate.emb.json').read_text())
    assert record['seed'] == 1 and record['versions']['keras'] == '2.0.9'
    assert record['link_prediction']['auc'] == pytest.approx(auc, abs=1e-4)
    assert 'author2vec train' in record['command']
    assert sorted(os.listdir(tmp_path)) == ['karate.emb', 'karate.emb.json', 'karate.txt']


def test_datasets_lists_the_bundled_graphs(capsys):
    code, out, err = run(capsys, 'datasets')
    assert code == 0
    assert 'ca-grqc' in out and '5242' in out.replace(',', '')


def test_info_prints_the_stack(capsys):
    code, out, err = run(capsys, 'info')
    assert code == 0
    assert 'keras:         2.0.9' in out and 'floatX:        float32' in out
    assert 'device:        cpu' in out


def test_cuda_where_it_cannot_work_is_one_sentence(capsys):
    code, out, err = run(capsys, 'info', '--device', 'cuda')
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and 'CUDA is not available' in lines[0]
    assert 'GPU Docker image' in lines[0] and 'Traceback' not in err


def test_cuda_from_the_environment_is_refused_in_one_sentence_too(tmp_path):
    """The GPU image asks for CUDA by $AUTHOR2VEC_DEVICE, not --device: where CUDA cannot work the
    command says so in the same one sentence, exit status 2 (not an error of the command's own)."""
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, AUTHOR2VEC_DEVICE='cuda', PYTHONPATH=root)
    proc = subprocess.run([sys.executable, '-m', 'author2vec_keras.cli', 'info'], cwd=str(tmp_path),
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('author2vec: error: CUDA is not available: '), proc.stderr
    assert proc.stdout == ''


def test_benchmark_command_writes_table_json_and_plot(capsys, tmp_path):
    code, out, err = run(capsys, 'benchmark', '--dataset', 'karate', '--task', 'link-prediction',
                         '--methods', 'jaccard,adamic-adar,spectral', '--quick',
                         '--output-dir', str(tmp_path), '--no-progress')
    assert code == 0, err
    assert '| jaccard' in out.lower() or 'jaccard' in out.lower()
    written = sorted(p.name for p in tmp_path.iterdir())
    assert [n.rsplit('.', 1)[1] for n in written] == ['json', 'md', 'png']
    record = json.loads(next(tmp_path.glob('*.json')).read_text())
    assert record['command'].startswith('author2vec benchmark --dataset karate')


def test_benchmark_unknown_method_exits_2(capsys, tmp_path):
    code, out, err = run(capsys, 'benchmark', '--dataset', 'karate', '--methods', 'gcn',
                         '--quick', '--output-dir', str(tmp_path))
    assert code == 2 and 'gcn' in err


def test_refused_device_does_not_leak_into_the_environment(capsys, monkeypatch):
    monkeypatch.delenv('AUTHOR2VEC_DEVICE', raising=False)
    assert run(capsys, 'info', '--device', 'cuda')[0] == 2
    assert 'AUTHOR2VEC_DEVICE' not in os.environ


def test_author2vec_model_needs_a_dataset_with_text(capsys):
    code, out, err = run(capsys, 'train', '--dataset', 'karate', '--model', 'author2vec')
    assert code == 2 and 'dataset with text' in err


@pytest.mark.slow
def test_train_full_author2vec_on_cane_cora(capsys, tmp_path):
    output = tmp_path / 'cora.emb'
    code, out, err = run(capsys, 'train', '--dataset', 'cane-cora', '--model', 'author2vec',
                         '--dim', '8', '--hidden-dim', '4', '--epochs', '1', '--negatives', '1',
                         '--batch-size', '1024', '--test-fraction', '0.2', '--quiet',
                         '--output', str(output))
    assert code == 0, err
    assert out.strip().splitlines()[-1].startswith('link prediction AUC: ')
    assert output.read_text().splitlines()[0].endswith(' 8')
