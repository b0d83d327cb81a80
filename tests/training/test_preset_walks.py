"""The setting to reach for first (issue 23): the 'walks' preset of `Author2Vec` (walk pairs and a
separate context table, the tables' best row), reached by `from_preset('walks')` and
`author2vec train --preset walks`, beside the paper's model ('paper', the defaults, by name).
One small training through the command line (the Theano graph of test_walk_estimator's CLI
test: d=32, n_h=16, separate context table)."""
import os

import pytest

from author2vec_keras import Author2Vec, ContentLinkAuthor2Vec, cli
from author2vec_keras.checks import ParameterError
from author2vec_keras.evaluation import benchmark
from author2vec_keras.training.presets import (
    A2V_LUA,
    A2V_LUA_AS_RUN,
    CONTENT_LINK,
    PAPER,
    PRESETS,
    WALKS,
    preset_settings,
    presets_of,
)

#: the one message of a preset of the other estimator (`presets.preset_settings`)
OTHERS = "preset 'walks' configures Author2Vec, not ContentLinkAuthor2Vec; presets of " \
    "ContentLinkAuthor2Vec: a2v-lua, a2v-lua-as-run, content-link"


def test_one_registry_each_preset_names_its_estimator():
    assert {name: (p.estimator, p.settings) for name, p in PRESETS.items()} == {
        'a2v-lua': ('ContentLinkAuthor2Vec', A2V_LUA),
        'a2v-lua-as-run': ('ContentLinkAuthor2Vec', A2V_LUA_AS_RUN),
        'content-link': ('ContentLinkAuthor2Vec', CONTENT_LINK),
        'walks': ('Author2Vec', WALKS), 'paper': ('Author2Vec', PAPER)}
    assert presets_of('Author2Vec') == ['paper', 'walks']
    assert preset_settings('walks', 'Author2Vec') == WALKS
    assert preset_settings('walks', 'Author2Vec') is not WALKS  # a copy
    with pytest.raises(ValueError, match='^%s$' % OTHERS):
        ContentLinkAuthor2Vec.from_preset('walks')
    with pytest.raises(ValueError, match="^preset 'a2v-lua' configures ContentLinkAuthor2Vec, "
                                         "not Author2Vec; presets of Author2Vec: paper, walks$"):
        Author2Vec.from_preset('a2v-lua')
    with pytest.raises(ValueError, match="^preset must be one of 'a2v-lua', 'a2v-lua-as-run', "
                                         "'content-link', 'paper', 'walks'; got 'walk'$"):
        Author2Vec.from_preset('walk')


def test_from_preset_takes_only_the_estimators_parameters():
    assert Author2Vec.from_preset(None).get_params() == Author2Vec().get_params()
    assert Author2Vec.from_preset(None, dim=8).dim == 8
    with pytest.raises(ParameterError, match='^schedule is not a parameter of Author2Vec$') as e:
        Author2Vec.from_preset('walks', schedule='joint')
    assert e.value.names == ('schedule',)
    with pytest.raises(ValueError, match='^pairs is not a parameter of ContentLinkAuthor2Vec$'):
        ContentLinkAuthor2Vec.from_preset('a2v-lua', pairs='walks')


def test_the_walks_preset_settings():
    assert WALKS == {'pairs': 'walks', 'context': 'separate', 'window': 10, 'walks_per_node': 10,
                     'walk_length': 80, 'p': 1.0, 'q': 1.0, 'epochs': 10}
    est = Author2Vec.from_preset('walks')
    assert est.get_params() == dict(Author2Vec().get_params(), pairs='walks', context='separate')
    # the walk pairs' own defaults: word2vec's degree**0.75 negatives, Adam at 0.003
    assert (est._sampling(), est._learning_rate(), est._tables()) == ('degree', 0.003, 2)
    over = Author2Vec.from_preset('walks', dim=64, window=5, random_state=3)
    assert (over.dim, over.window, over.random_state, over.pairs) == (64, 5, 3, 'walks')
    # the paper's model is the estimator's defaults, by name
    assert Author2Vec.from_preset('paper').get_params() == Author2Vec().get_params()


def test_the_tables_walk_rows_are_the_preset():
    made = benchmark.make_method('author2vec-walks-separate', seed=2).get_params()
    assert made == Author2Vec.from_preset('walks', random_state=2, verbose=0).get_params()
    shared = benchmark.make_method('author2vec-walks', seed=0).get_params()
    assert shared == dict(made, context='shared', random_state=0)


def _resolve(argv):
    args = cli.build_parser().parse_args(['train'] + argv)
    args.command_line = ''
    return cli._estimator(args, None)[0].get_params()


def test_the_command_line_resolves_the_preset_flags_override_it():
    defaults = dict(Author2Vec().get_params(), verbose=1)
    assert _resolve([]) == defaults  # no flag: the paper's model, as `make demo` trains it
    assert _resolve(['--preset', 'paper']) == defaults
    assert _resolve(['--preset', 'walks']) == dict(defaults, pairs='walks', context='separate')
    got = _resolve(['--preset', 'walks', '--window', '5', '--context', 'shared', '--epochs', '3',
                    '--q', '2'])
    assert (got['pairs'], got['window'], got['context'], got['epochs'], got['q']) == \
        ('walks', 5, 'shared', 3, 2.0)
    # one flag back to the paper's pairs
    assert _resolve(['--preset', 'walks', '--pairs', 'edges'])['pairs'] == 'edges'


def test_the_command_line_flags_override_the_presets_model():
    assert _resolve(['--preset', 'paper', '--model', 'blog'])['model'] == 'blog'
    assert _resolve(['--preset', 'walks', '--model', 'blog'])['pairs'] == 'walks'


@pytest.mark.parametrize('argv, message', [
    # the one message of `preset_settings`, in the command line's words (`cli._flagged`)
    (['--preset', 'walks', '--model', 'author2vec', '--dataset', 'cane-cora'],
     OTHERS.replace("preset 'walks'", '--preset walks').replace(
         'ContentLinkAuthor2Vec', '--model author2vec').replace(
         'Author2Vec', '--model paper or blog')),
    (['--preset', 'walks', '--pairs', 'edges', '--window', '4'], '--window needs --pairs walks'),
    (['--preset', 'walks', '--partitions', '2', '--workdir', 'WORK'],
     '--preset walks (--pairs walks) is not supported with --partitions'),
    (['--preset', 'a2v-lua'], '--preset a2v-lua configures --model author2vec, not --model '
                              'paper or blog; presets of --model paper or blog: paper, walks')])
def test_a_preset_that_does_not_apply_exits_2_in_one_line(argv, message, capsys, tmp_path):
    argv = [str(tmp_path / 'w') if a == 'WORK' else a for a in argv]
    code = cli.main(['train', '--output', str(tmp_path / 'x.emb')] + argv)
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count('\n') == 1, err
    assert not os.path.exists(str(tmp_path / 'x.emb'))


def test_an_unknown_preset_exits_2_naming_the_flag(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        cli.main(['train', '--preset', 'walk', '--output', str(tmp_path / 'x.emb')])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "--preset: invalid choice: 'walk'" in err
    assert not os.listdir(str(tmp_path))


def test_train_with_the_preset_on_ca_grqc(capsys, tmp_path):
    output = tmp_path / 'grqc.emb'
    code = cli.main(['train', '--dataset', 'ca-grqc', '--preset', 'walks', '--output',
                     str(output), '--dim', '32', '--hidden-dim', '16', '--epochs', '2',
                     '--window', '5', '--walks-per-node', '4', '--walk-length', '40',
                     '--test-fraction', '0.5', '--seed', '0', '--quiet'])
    out, err = capsys.readouterr()
    assert code == 0, err
    auc = float(out.strip().splitlines()[-1].split(':')[1])
    # measured 0.90 (the same flags without --preset, i.e. the paper's edges: 0.62)
    assert auc > 0.85, auc
    import json
    params = json.loads((tmp_path / 'grqc.emb.json').read_text())['params']
    assert (params['pairs'], params['context'], params['window']) == ('walks', 'separate', 5)
