"""Hogwild worker processes (`workers=N`): the tables in shared memory, each worker's updates
seen by the parent, a killed worker or Ctrl-C ending the run with the last checkpoint intact
and `resume=True` going on, `workers=1` on the one-process loop.

Real graphs (ca-GrQc, karate, the content model's tiny corpus); a worker is killed, or sends
the parent Ctrl-C, from inside its batches (a sequence wrapper), as a user's kill would.
"""
import json
import os
import re
import signal

import networkx as nx
import numpy as np
import pytest
from test_content_link import _corpus

from author2vec_keras import cli
from author2vec_keras.checks import ParameterError
from author2vec_keras.nn import models
from author2vec_keras.nn.optimizers import resolve
from author2vec_keras.nn.sequences import PairSequence
from author2vec_keras.training import workers
from author2vec_keras.training.checkpoints import TrainingInterrupted
from author2vec_keras.training.content_link import ContentLinkAuthor2Vec
from author2vec_keras.training.estimator import MIN_BATCHES, Author2Vec

pytestmark = pytest.mark.skipif(not workers.fork_available(), reason='needs os.fork')

#: ca-GrQc in small batches: an epoch of about 900 steps, long enough to be interrupted
GRQC = dict(dim=8, hidden_dim=4, negatives=1, batch_size=32, random_state=0, verbose=0)


def _children():
    """Process ids of this process's children still there (zombies included)."""
    out = []
    for task in os.listdir('/proc/self/task'):
        with open('/proc/self/task/%s/children' % task) as f:
            out += [int(p) for p in f.read().split()]
    return out


@pytest.fixture(scope='module')
def compiled(grqc):
    """The paper model on ca-GrQc, compiled once, with the epoch's batches."""
    np.random.seed(0)
    model = models.paper_model(grqc.num_nodes, 8, 4, optimizer=resolve('adam'))
    return model, PairSequence(grqc, negatives=1, batch_size=64, seed=0)


def test_two_workers_write_the_parents_tables(compiled):
    model, batches = compiled
    first = len(batches) - 40  # the last 40 batches: 20 each, leaving most rows untouched
    blocks = workers._blocks(first, len(batches), 2)
    rows = [set(np.unique(np.concatenate([batches[i][0].ravel() for i in b]))) for b in blocks]
    only = [np.array(sorted(rows[0] - rows[1])), np.array(sorted(rows[1] - rows[0]))]
    before = models.node_embeddings(model).copy()
    untouched = np.array(sorted(set(range(len(before))) - rows[0] - rows[1]))
    assert len(only[0]) > 100 and len(only[1]) > 100 and len(untouched) > 100
    loss = workers.train_epoch(model, batches, 2, first=first)
    assert loss.shape == (1,) and 0 < loss[0] < 1
    after = models.node_embeddings(model)
    for w in (0, 1):  # the rows only worker w trained changed here, in the parent
        assert (after[only[w]] != before[only[w]]).any(axis=1).all(), w
    np.testing.assert_array_equal(after[untouched], before[untouched])
    state = workers._state(model)  # every weight and optimizer slot, in shared memory
    assert len(state) == len(model.weights) + len(model.optimizer.weights)
    assert all(workers.is_shared(v.get_value(borrow=True, return_internal_type=True))
               for v in state)
    assert model.optimizer.iterations.get_value() > len(blocks[1])  # both count their steps
    assert _children() == []


def test_share_model_is_idempotent_and_shares_again_after_set_weights(compiled):
    model, _ = compiled
    models.train_step(model)
    workers.share_model(model)
    assert workers.share_model(model) == 0
    values = model.get_weights()
    model.set_weights(values)  # keras copies: the table is private again
    table = model.weights[0]
    assert not workers.is_shared(table.get_value(borrow=True, return_internal_type=True))
    assert workers.share_model(model) >= values[0].nbytes
    assert workers.is_shared(table.get_value(borrow=True, return_internal_type=True))
    for old, new in zip(values, model.get_weights()):
        np.testing.assert_array_equal(old, new)


class _Stopped(Author2Vec):
    """`Author2Vec` whose worker, at `stop_at` (epoch, batch), is killed (`how='kill'`) or
    sends its parent Ctrl-C (`how='ctrl-c'`)."""
    stop_at, how = None, None

    def _fit_epoch(self, model, batches, epoch, first=0, sums=None):
        parent, stop, how = os.getpid(), self.stop_at, self.how

        class Batches(object):
            def __len__(self):
                return len(batches)

            def __getitem__(self, i):
                if (epoch, i) == stop and os.getpid() != parent:
                    if how == 'kill':
                        os.kill(os.getpid(), signal.SIGKILL)
                    os.kill(parent, signal.SIGINT)
                return batches[i]
        return super(_Stopped, self)._fit_epoch(model, Batches(), epoch, first, sums)


@pytest.mark.parametrize('how', ['kill', 'ctrl-c'])
def test_a_killed_worker_or_ctrl_c_keeps_the_last_checkpoint_and_resume_goes_on(
        grqc, tmp_path, how):
    ckpt = str(tmp_path / 'ckpt')
    params = dict(GRQC, epochs=3, workers=2, checkpoint_dir=ckpt)
    est = _Stopped(**params)
    steps = len(PairSequence(grqc, negatives=1, batch_size=32))
    est.stop_at, est.how = (1, steps - 20), how  # epoch 2, in the second worker's block
    if how == 'kill':
        with pytest.raises(workers.WorkerError) as stopped:
            est.fit(grqc)
        assert str(stopped.value) == ('worker 2 of 2 was killed by signal 9 (SIGKILL) in epoch '
                                      '2; the other workers were stopped and the last '
                                      'checkpoint is kept')
    else:
        est.stop_at = (1, 10)  # the first worker's block: the second one is still busy
        with pytest.raises(TrainingInterrupted) as stopped:
            est.fit(grqc)
        assert str(stopped.value) == ('saved epoch 2, batch 0 in %s; fit(..., resume=True) '
                                      'continues' % ckpt)
    assert _children() == []
    with open(os.path.join(ckpt, 'checkpoint.json')) as f:
        meta = json.load(f)
    assert (meta['epoch'], meta['batch'], len(meta['history'])) == (1, 0, 1)
    resumed = Author2Vec(**dict(params, workers=1)).fit(grqc, resume=True)  # any N resumes
    assert len(resumed.history_) == 3 and resumed.history_[0] == meta['history'][0]
    assert resumed.history_[2] < resumed.history_[0]


def test_a_non_finite_loss_in_a_worker_is_the_one_process_error():
    est = Author2Vec(dim=8, hidden_dim=4, epochs=3, batch_size=8, optimizer='sgd', lr=1e30,
                     workers=2, verbose=0)
    with pytest.raises(FloatingPointError, match=r'^training loss became (nan|inf) at epoch '
                                                 r'\d+, batch \d+; the last good checkpoint'):
        est.fit(nx.karate_club_graph())
    assert _children() == []


def test_one_worker_is_the_one_process_loop_to_the_bit():
    """workers=1 trains as `models.train_step` over the pair sequence, in this process."""
    graph = nx.karate_club_graph()
    params = dict(dim=8, hidden_dim=4, negatives=2, epochs=2, batch_size=16, random_state=5,
                  verbose=0)
    est = Author2Vec(workers=1, **params).fit(graph)
    np.random.seed(5)
    model = models.paper_model(34, 8, 4, optimizer=resolve('adam'))
    step = models.train_step(model)
    batches = PairSequence(est.graph_, negatives=2, batch_size=16, seed=5,
                           min_batches=MIN_BATCHES)  # karate: 20 batches an epoch
    for epoch in range(2):
        batches.set_epoch(epoch)
        for i in range(len(batches)):
            step(*batches[i])
    assert models.node_embeddings(model).tobytes() == est.embeddings_.tobytes()


def test_the_content_and_link_models_share_their_tables():
    graph, authorship, texts = _corpus()
    est = ContentLinkAuthor2Vec(dim=8, hidden_dim=4, negatives=2, epochs=2, batch_size=8,
                                doc2vec_epochs=5, workers=2, verbose=0)
    est.fit(graph, authorship=authorship, paper_texts=texts)
    assert len(est.history_) == 2 and all(np.isfinite(list(h.values())).all()
                                          for h in est.history_)
    for model in (est.content_model_, est.link_model_):
        for v in workers._state(model):
            assert workers.is_shared(v.get_value(borrow=True, return_internal_type=True))
    assert _children() == []


def test_workers_must_be_a_positive_integer():
    for bad in (0, 1.5, True):
        with pytest.raises(ParameterError, match='workers must be a positive integer'):
            Author2Vec(workers=bad).check_params()


def test_two_workers_through_the_command_line(capsys, tmp_path):
    output = str(tmp_path / 'grqc.emb')
    code = cli.main(['train', '--dataset', 'ca-grqc', '--workers', '2', '--dim', '32',
                     '--epochs', '5', '--seed', '1', '--quiet', '--output', output])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert float(out.strip().splitlines()[-1].split(':')[1]) > 0.8
    record = json.loads(open(output + '.json').read())
    assert record['params']['workers'] == 2


@pytest.mark.parametrize('argv, message', [
    (['--workers', '0'], "argument --workers: expected a positive integer, got '0'"),
    (['--workers', '2', '--partitions', '2', '--workdir', 'W', '--ray-address', 'local'],
     '--workers trains each bucket in N processes here; with --ray-address, --ray-workers N'),
])
def test_bad_workers_flag_exits_2_in_one_line(capsys, tmp_path, argv, message):
    path = tmp_path / 'karate.txt'
    nx.write_edgelist(nx.karate_club_graph(), str(path), data=False)
    argv = [a.replace('W', str(tmp_path / 'w')) for a in argv]
    try:
        code = cli.main(['train', '--edgelist', str(path), '--output',
                         str(tmp_path / 'k.emb')] + argv)
    except SystemExit as e:
        code = e.code
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and message in err, err


def test_benchmark_gives_workers_to_author2vec_and_gensim(capsys, tmp_path):
    from author2vec_keras.evaluation.benchmark import make_method
    assert make_method('author2vec', quick=True).workers == 1  # unset: as before
    assert make_method('deepwalk', quick=True).workers == 1
    code = cli.main(['benchmark', '--dataset', 'karate', '--quick', '--epochs', '20',
                     '--methods', 'deepwalk,author2vec', '--workers', '2', '--no-progress',
                     '--output-dir', str(tmp_path)])
    assert code == 0, capsys.readouterr().err
    res = json.loads((tmp_path / 'link-prediction_karate_quick.json').read_text())
    assert (res['settings']['workers'], res['settings']['a2v_workers']) == (2, 2)
    assert [0 <= r['metrics']['own']['auc'] <= 1 for r in res['runs']['author2vec']] == [True]


@pytest.mark.parametrize('how', ['kill a worker', 'ctrl-c'])
def test_the_command_ends_in_one_line_and_resume_goes_on(tmp_path, how):
    """`author2vec train --workers 2` in a child process: once the first epoch's checkpoint is
    written, one of its workers gets SIGKILL (or the command gets SIGINT); one line, exit
    status not 0, no process left, and `--resume` (one worker) finishes from the checkpoint."""
    import time

    from helpers import start
    ckpt, output = str(tmp_path / 'ckpt'), str(tmp_path / 'grqc.emb')
    argv = ['train', '--dataset', 'ca-grqc', '--dim', '16', '--batch-size', '32',
            '--epochs', '3', '--seed', '1', '--quiet', '--checkpoint-dir', ckpt,
            '--output', output]
    proc = start(argv + ['--workers', '2'])
    deadline = time.time() + 600
    while not os.path.exists(os.path.join(ckpt, 'checkpoint.json')) and time.time() < deadline:
        time.sleep(0.2)
    while proc.poll() is None and time.time() < deadline:  # until the command ends
        if how == 'ctrl-c':  # once: a second Ctrl-C stops at once, wherever it lands
            os.kill(proc.pid, signal.SIGINT)
            break
        else:  # a worker that is still training (one that is ending may be missed: again)
            for child in _process_children(proc.pid):
                try:
                    os.kill(child, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                break
        time.sleep(0.5)
    out, err = proc.communicate(timeout=60)
    lines = err.decode().strip().splitlines()
    if how == 'ctrl-c':
        assert proc.returncode == 130
        assert re.fullmatch(r'author2vec: interrupted: saved epoch \d+, batch 0 in %s; --resume '
                            r'continues' % re.escape(ckpt), lines[-1]), lines[-3:]
    else:
        assert proc.returncode == 1
        assert re.fullmatch(r'author2vec: error: WorkerError: worker [12] of 2 was killed by '
                            r'signal 9 \(SIGKILL\) in epoch \d+; the other workers were stopped '
                            r'and the last checkpoint is kept', lines[-1]), lines[-3:]
    assert not [line for line in lines if 'Traceback' in line]
    assert _process_children(proc.pid) == []
    with open(os.path.join(ckpt, 'checkpoint.json')) as f:
        kept = json.load(f)
    assert kept['batch'] == 0 and len(kept['history']) == kept['epoch'] >= 1
    resumed = start(argv + ['--resume'])
    out, err = resumed.communicate(timeout=900)
    assert resumed.returncode == 0, err.decode()[-2000:]
    with open(output + '.json') as f:
        losses = json.load(f)['loss_per_epoch']
    assert len(losses) == 3 and losses[:kept['epoch']] == kept['history']  # went on from it


def _process_children(pid):
    """Process ids of `pid`'s children (its workers; none once it has ended)."""
    out = []
    try:
        for task in os.listdir('/proc/%d/task' % pid):
            with open('/proc/%d/task/%s/children' % (pid, task)) as f:
                out += [int(p) for p in f.read().split()]
    except OSError:
        pass
    return out


def test_the_callbacks_follow_the_workers_batches():
    """With workers the loop's batch callbacks run in the parent as the workers' batches finish:
    every batch of every epoch once, in order, with a finite running loss; the epoch's losses
    after."""
    from author2vec_keras.nn.backend import keras
    seen, epochs = [], []
    callback = keras.callbacks.LambdaCallback(
        on_batch_end=lambda batch, logs: seen.append((len(epochs), batch, logs['loss'])),
        on_epoch_end=lambda epoch, logs: epochs.append(logs['loss']))
    Author2Vec(dim=8, hidden_dim=4, negatives=1, batch_size=16, epochs=2, random_state=0,
               workers=2, verbose=0).fit(nx.karate_club_graph(), callbacks=[callback])
    assert [(e, b) for e, b, _ in seen] == [(e, b) for e in range(2) for b in range(MIN_BATCHES)]
    assert np.isfinite([loss for _, _, loss in seen]).all() and np.isfinite(epochs).all()
