"""The README's Python example for your own graph runs as it stands (on bundled Cora)."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def readme_block(section):
    """The first ```python block after the heading `section` in README.md."""
    with open(os.path.join(ROOT, 'README.md'), encoding='utf-8') as f:
        text = f.read()
    start = text.index(section)
    return re.search(r'```python\n(.*?)```', text[start:], re.S).group(1)


def test_your_own_graph_python_example_runs(tmp_path, monkeypatch, capsys):
    code = readme_block('### In Python: `pipeline`, `baselines`, `evaluation`')
    assert 'datasets.from_files' in code and 'pipeline.fit_and_score' in code
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(code, 'README.md', 'exec'), namespace)
    out = capsys.readouterr().out.splitlines()
    aucs = {line.split()[0]: float(line.split()[2]) for line in out[:3]}
    assert set(aucs) == {'adamic-adar', 'deepwalk', 'author2vec'}
    assert aucs['deepwalk'] > 0.7 and aucs['adamic-adar'] > 0.55, out
    assert 0 <= aucs['author2vec'] <= 1
    assert namespace['jaccard']['auc'] > 0.5
    micro = float(out[4].split(': ')[1])
    assert micro > 0.6, out  # DeepWalk on Cora, 7 classes
    assert namespace['split'].train_graph.num_nodes == 2708
