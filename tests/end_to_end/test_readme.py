"""Every Python block of README.md runs as it stands, in order, as one session (issue 26)."""
import os
import re

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def readme_blocks():
    """The ```python blocks of README.md, in order, each with the line it starts on."""
    with open(os.path.join(ROOT, 'README.md'), encoding='utf-8') as f:
        text = f.read()
    return [(text.count('\n', 0, m.start()) + 2, m.group(1))
            for m in re.finditer(r'```python\n(.*?)```', text, re.S)]


def test_every_python_block_runs(tmp_path, monkeypatch, capsys):
    blocks = readme_blocks()
    assert len(blocks) >= 6
    monkeypatch.chdir(tmp_path)
    namespace = {}
    for line, code in blocks:
        # padded so that a traceback names the README's own line
        exec(compile('\n' * (line - 1) + code, 'README.md', 'exec'), namespace)
    out = capsys.readouterr().out.splitlines()
    start = next(k for k, l in enumerate(out) if l.startswith('adamic-adar AUC'))
    out = out[start:]  # what the pipeline block prints (the estimator before it shows epochs)
    # the blog's model, saved and loaded; the estimator on karate
    assert namespace['model'].output_shape == (None, 1)
    assert sorted(os.listdir(str(tmp_path))) == ['karate.emb', 'losses.csv', 'model.h5']
    assert namespace['est'].embeddings_.shape == (34, 128)
    # your own graph (the pipeline block, on bundled Cora)
    aucs = {l.split()[0]: float(l.split()[2]) for l in out[:3]}
    assert set(aucs) == {'adamic-adar', 'deepwalk', 'author2vec'}
    assert aucs['deepwalk'] > 0.7 and aucs['adamic-adar'] > 0.55, out
    assert 0 <= aucs['author2vec'] <= 1
    assert namespace['jaccard']['auc'] > 0.5
    micro = float(out[4].split(': ')[1])
    assert micro > 0.6, out  # DeepWalk on Cora, 7 classes
    assert namespace['split'].train_graph.num_nodes == 2708
    # the walk pairs, last: on karate
    assert np.isfinite(namespace['est'].embeddings_).all()
    assert namespace['est'].pairs == 'walks' and len(namespace['graph']) == 34
