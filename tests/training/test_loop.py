"""The one training loop (`training/loop.py`): Keras callbacks, and the same bytes as before.

`tests/fixtures/loop_reference.npz` holds the embeddings and losses that the code before the
loop (commit f27d693 plus issue 35's `MIN_BATCHES`, commit 901c713: the epoch loop written in
`estimator.py` and `content_link.py`) trained for each case of `CASES` on Zachary's karate club
(`python tests/training/test_loop.py` records them again: only do so for a change meant to alter
the training). Without callbacks the loop must give these bytes. Tiny settings, shared with
other modules' (Theano compile cache).
"""
import csv
import json
import os
import signal
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(os.path.dirname(HERE), 'fixtures', 'loop_reference.npz')

SMALL = dict(dim=8, hidden_dim=4, negatives=2, epochs=2, random_state=3, verbose=0)
CASES = {
    'edges': dict(SMALL, batch_size=32),
    'walks': dict(SMALL, batch_size=48, pairs='walks', window=3, walks_per_node=2,
                  walk_length=10, context='separate'),
    'alternating': dict(SMALL, batch_size=24, schedule='alternating', optimizer='sgd', lr=0.1),
    'joint': dict(SMALL, batch_size=24, schedule='joint', projection=True, lr=0.01),
    'partitioned': dict(SMALL, batch_size=32, partitions=2),
}


def karate():
    from author2vec_keras.data import datasets
    return datasets.load('karate').graph


def content_inputs(graph, dim=8):
    """Authorship of 30 papers (each by the two ends of an edge) and their fixed vectors."""
    rng = np.random.default_rng(0)
    authorship, vectors = [], {}
    for j, (u, v) in enumerate(graph.edges[:30]):
        paper = 'P%02d' % j
        authorship += [(graph.nodes[u], paper), (graph.nodes[v], paper)]
        vectors[paper] = rng.normal(size=dim).astype(np.float32)
    return authorship, vectors


def estimator(case, **params):
    """The estimator of `case` (`CASES`), `params` added."""
    from author2vec_keras import Author2Vec, ContentLinkAuthor2Vec
    from author2vec_keras.training.partitioned_training import PartitionedAuthor2Vec
    settings = dict(CASES[case], **params)
    if case in ('alternating', 'joint'):
        return ContentLinkAuthor2Vec(**settings)
    if case == 'partitioned':
        return PartitionedAuthor2Vec(**settings)
    return Author2Vec(**settings)


def fit(est, graph, **fit_params):
    """`est.fit` on `graph` with the content inputs where the estimator takes them."""
    from author2vec_keras import ContentLinkAuthor2Vec
    if isinstance(est, ContentLinkAuthor2Vec):
        authorship, vectors = content_inputs(graph)
        fit_params.update(authorship=authorship, paper_vectors=vectors)
    return est.fit(graph, **fit_params)


def trained(est):
    """The arrays a case is compared on: the embeddings (and paper vectors) and the losses."""
    out = {'embeddings': np.array(est.embeddings_)}
    history = est.history_
    if history and isinstance(history[0], dict):
        out['paper_embeddings'] = np.array(est.paper_embeddings_)
        history = [[rec[k] for k in sorted(rec)] for rec in history]
    out['history'] = np.asarray(history, dtype=np.float64)
    return out


def record(path=REFERENCE):
    import tempfile
    graph, arrays = karate(), {}
    for case in CASES:
        with tempfile.TemporaryDirectory() as workdir:
            extra = {'workdir': workdir} if case == 'partitioned' else {}
            for key, value in trained(fit(estimator(case, **extra), graph)).items():
                arrays['%s/%s' % (case, key)] = value
    np.savez(path, **arrays)


@pytest.fixture(scope='module')
def graph():
    return karate()


@pytest.fixture(scope='module')
def reference():
    with np.load(REFERENCE) as arrays:
        return {key: arrays[key] for key in arrays}


def assert_as_recorded(est, case, reference, keys=None):
    for key, value in trained(est).items():
        if keys is None or key in keys:
            np.testing.assert_array_equal(value, reference['%s/%s' % (case, key)], err_msg=key)


@pytest.mark.parametrize('case', sorted(CASES))
def test_without_callbacks_the_same_bytes_as_before(case, graph, reference, tmp_path):
    extra = {'workdir': str(tmp_path)} if case == 'partitioned' else {}
    assert_as_recorded(fit(estimator(case, **extra), graph), case, reference)


class Recorder(object):
    """A Keras callback (`LambdaCallback`) noting every call and the model it was given."""

    def __init__(self):
        from author2vec_keras.nn.backend import keras
        self.calls = []
        self.callback = keras.callbacks.LambdaCallback(
            on_epoch_begin=lambda epoch, logs: self.calls.append(('epoch_begin', epoch)),
            on_epoch_end=lambda epoch, logs: self.calls.append(('epoch_end', epoch,
                                                                dict(logs))),
            on_batch_end=lambda batch, logs: self.calls.append(('batch_end', batch)),
            on_train_begin=lambda logs: self.calls.append(('train_begin',)),
            on_train_end=lambda logs: self.calls.append(('train_end',)))

    def epoch_logs(self):
        return [call[2] for call in self.calls if call[0] == 'epoch_end']


def test_a_callback_gets_every_epoch_and_batch_and_changes_nothing(graph, reference):
    recorder = Recorder()
    est = fit(estimator('edges'), graph, callbacks=[recorder.callback])
    assert_as_recorded(est, 'edges', reference)
    steps = len(est._pair_sequence())
    names = [call[0] for call in recorder.calls]
    per_epoch = ['epoch_begin'] + ['batch_end'] * steps + ['epoch_end']
    assert names == ['train_begin'] + per_epoch * 2 + ['train_end']
    assert recorder.epoch_logs() == [{'loss': loss} for loss in est.history_]
    assert recorder.callback.model is est.model_
    assert recorder.callback.params['epochs'] == 2 and recorder.callback.params['steps'] == steps
    t = est.timings_  # as before: build, each epoch wall and CPU, total, cpu; and the seconds
    assert sorted(t) == ['before', 'build', 'cpu', 'epochs', 'epochs_cpu', 'total']  # resumed
    assert t['before'] == 0.0
    assert len(t['epochs']) == len(t['epochs_cpu']) == 2
    assert t['total'] >= t['build'] + sum(t['epochs'])


def test_content_link_callbacks_see_each_models_loss_and_the_epochs_embeddings(graph,
                                                                              reference):
    from author2vec_keras.nn.backend import keras
    seen = []
    est = estimator('alternating')
    callback = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(
        (epoch, dict(logs), est.embeddings_.copy(), list(est.history_))))
    fit(est, graph, callbacks=[callback])
    assert_as_recorded(est, 'alternating', reference)
    assert [epoch for epoch, _, _, _ in seen] == [0, 1]
    for epoch, logs, _, history in seen:
        rec = history[epoch]
        assert logs == {'content_loss': rec['content'], 'link_loss': rec['link'],
                        'loss': rec['content'] + rec['link']}
        assert len(history) == epoch + 1
    np.testing.assert_array_equal(seen[-1][2], est.embeddings_)
    assert not np.array_equal(seen[0][2], est.embeddings_)
    assert callback.model is est.link_model_  # the model of `embeddings_`


def test_early_stopping_stops_before_the_epochs(graph, tmp_path):
    from author2vec_keras.nn.backend import keras

    def stopper():  # no epoch improves the loss by 1: stops after the second
        return keras.callbacks.EarlyStopping(monitor='loss', min_delta=1.0, patience=1)
    ckpt = str(tmp_path / 'ckpt')
    est = fit(estimator('edges', epochs=5, checkpoint_dir=ckpt), graph, callbacks=[stopper()])
    assert len(est.history_) == len(est.timings_['epochs']) == 2
    with open(os.path.join(ckpt, 'checkpoint.json')) as f:
        assert json.load(f)['epoch'] == 2  # the epochs trained, resumable
    workdir = str(tmp_path / 'buckets')
    parts = fit(estimator('partitioned', epochs=5, workdir=workdir), graph,
                callbacks=[stopper()])
    assert len(parts.history_) == 2


def test_csv_logger_writes_a_row_per_epoch(graph, reference, tmp_path):
    from author2vec_keras.nn.backend import keras
    path = str(tmp_path / 'losses.csv')
    est = fit(estimator('joint'), graph, callbacks=[keras.callbacks.CSVLogger(path)])
    assert_as_recorded(est, 'joint', reference)
    with open(path) as f:
        rows = list(csv.DictReader(f))
    assert [row['epoch'] for row in rows] == ['0', '1']
    for row, rec in zip(rows, est.history_):
        assert float(row['content_loss']) == pytest.approx(rec['content'])
        assert float(row['link_loss']) == pytest.approx(rec['link'])
        assert float(row['loss']) == pytest.approx(rec['link'] + rec['content'])


def test_ctrl_c_from_a_callback_saves_the_position_and_resume_continues(graph, reference,
                                                                        tmp_path):
    """A real SIGINT (as Ctrl-C) after batch 1 of epoch 2: taken before the next step, the
    position (epoch 2, batch 2) saved; the resumed fit ends with the uninterrupted bytes."""
    from author2vec_keras.nn.backend import keras
    from author2vec_keras.training.checkpoints import TrainingInterrupted
    ckpt = str(tmp_path / 'ckpt')
    ctrl_c = keras.callbacks.LambdaCallback(on_batch_end=lambda batch, logs: os.kill(
        os.getpid(), signal.SIGINT) if (len(est.history_), batch) == (1, 1) else None)
    est = estimator('walks', checkpoint_dir=ckpt)
    with pytest.raises(TrainingInterrupted) as stopped:
        fit(est, graph, callbacks=[ctrl_c])
    assert (stopped.value.epoch, stopped.value.batch) == (2, 2)
    with open(os.path.join(ckpt, 'checkpoint.json')) as f:
        state = json.load(f)
    # the position, the loss sums of its first two batches (issue 35: a resumed epoch's record
    # is the whole epoch's) and the seconds trained so far
    assert (state['epoch'], state['batch'], sorted(state['state'])) == (1, 2, ['seconds', 'sums'])
    assert state['state']['sums'][1] == 2 * CASES['walks']['batch_size']
    recorder = Recorder()
    resumed = fit(estimator('walks', checkpoint_dir=ckpt), graph, resume=True,
                  callbacks=[recorder.callback])
    assert_as_recorded(resumed, 'walks', reference, keys=['embeddings'])
    assert resumed.history_ == list(reference['walks/history'])
    assert [call[:2] for call in recorder.calls if call[0].startswith('epoch')] == \
        [('epoch_begin', 1), ('epoch_end', 1)]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_progress_is_a_line_per_epoch(graph, capsys):
    est = fit(estimator('edges', verbose=1), graph)
    out, err = capsys.readouterr()
    assert [line.rsplit(' (', 1)[0] for line in out.splitlines()] == [
        'epoch %d/2 loss=%.4f' % (e + 1, est.history_[e]) for e in range(2)]
    assert 'epoch 2/2' in err and 'batch' in err  # the bars


def test_partitioned_callbacks_get_the_pass_losses(graph, reference, tmp_path):
    recorder = Recorder()
    est = fit(estimator('partitioned', workdir=str(tmp_path)), graph,
              callbacks=[recorder.callback])
    assert_as_recorded(est, 'partitioned', reference)
    assert recorder.epoch_logs() == [{'loss': loss} for loss in est.history_]
    buckets = len([c for c in recorder.calls if c[0] == 'batch_end'])
    assert buckets == 2 * recorder.callback.params['steps'] > 0  # a bucket is a step
    ray = estimator('partitioned', workdir=str(tmp_path), ray_address='local')
    with pytest.raises(ValueError, match='callbacks'):
        fit(ray, graph, callbacks=[recorder.callback])


if __name__ == '__main__':
    sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
    record()
