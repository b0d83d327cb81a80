"""Partitioned (out-of-core) training: it learns, the numpy scorer is the Keras model, a killed
run resumes to the uninterrupted result, foreign checkpoints are refused, and the CLI flags are
checked. Cora (2,708 nodes) in 4 partitions; one compiled model per fit (the Theano cache makes
the later ones cheap)."""
import json
import os
import signal
import time

import numpy as np
import pytest
from helpers import start

from author2vec_keras import cli
from author2vec_keras.data import datasets
from author2vec_keras.fileio import load_word2vec
from author2vec_keras.training.checkpoints import CheckpointMismatch
from author2vec_keras.training.partitioned_training import PartitionedAuthor2Vec

PARAMS = dict(partitions=4, dim=8, hidden_dim=4, negatives=1, batch_size=64, random_state=5,
              verbose=0)
TRAIN = ['train', '--dataset', 'cora', '--dim', '8', '--hidden-dim', '4', '--negatives', '1',
         '--batch-size', '64', '--test-fraction', '0', '--seed', '5', '--quiet',
         '--partitions', '4']
EPOCHS = 6


@pytest.fixture(scope='module')
def cora():
    return datasets.load('cora').graph


@pytest.fixture(scope='module')
def reference(cora, tmp_path_factory):
    """Uninterrupted partitioned training on the whole of Cora."""
    workdir = str(tmp_path_factory.mktemp('reference'))
    return PartitionedAuthor2Vec(epochs=EPOCHS, workdir=workdir, **PARAMS).fit(cora)


def test_fit_writes_partitions_and_a_node_order_table(reference, cora):
    emb = reference.get_embedding()
    assert isinstance(emb, np.memmap) and emb.shape == (cora.num_nodes, 8)
    assert len(reference.history_) == EPOCHS and reference.history_[-1] < reference.history_[0]
    names = sorted(os.listdir(reference.workdir))
    assert 'checkpoint.json' in names and 'embeddings.npy' in names
    assert len([n for n in names if n.startswith('emb_')]) == 4  # one generation each
    assert len([n for n in names if n.startswith('slots_')]) == 4  # RowAdam's m, v
    with open(os.path.join(reference.workdir, 'checkpoint.json')) as f:
        state = json.load(f)
    assert state['epoch'] == EPOCHS and state['done'] == []
    # each partition's file holds its nodes' final rows
    layout = reference.layout_
    for p in range(4):
        rows = np.load(os.path.join(reference.workdir,
                                    'emb_%d.g%d.npy' % (p, state['generations'][p])))
        np.testing.assert_array_equal(rows, emb[layout.members(p)])


def test_numpy_scorer_is_the_keras_model(reference, cora):
    from author2vec_keras.nn.models import edge_probability, paper_model
    model = paper_model(cora.num_nodes, 8, 4)
    model.set_weights([np.asarray(reference.embeddings_)] + reference.dense_weights_)
    pairs = np.random.default_rng(0).integers(0, cora.num_nodes, size=(500, 2))
    np.testing.assert_allclose(reference.edge_probability(pairs),
                               edge_probability(model, pairs), rtol=1e-5, atol=1e-6)


def test_it_learns_link_prediction(grqc_split, tmp_path):
    """ca-GrQc, 10% held out: 4 epochs in 4 partitions reach an AUC of about 0.91."""
    from author2vec_keras.evaluation.protocols import binary_scores
    est = PartitionedAuthor2Vec(partitions=4, workdir=str(tmp_path), dim=16, hidden_dim=8,
                                negatives=5, batch_size=256, epochs=4, random_state=5,
                                verbose=0).fit(grqc_split.train_graph)
    auc = binary_scores(grqc_split.labels, est.edge_probability(grqc_split.pairs))['auc']
    assert auc > 0.85


def test_two_processes_per_bucket_learn_link_prediction(grqc_split, tmp_path):
    """`workers=2` without Ray: each bucket trained by two forked processes over the table in
    shared memory; what they write reaches the partition files (else the AUC stays at 0.5)."""
    from author2vec_keras.evaluation.protocols import binary_scores
    est = PartitionedAuthor2Vec(partitions=4, workdir=str(tmp_path), dim=16, hidden_dim=8,
                                negatives=5, batch_size=256, epochs=4, random_state=5,
                                verbose=0, workers=2).fit(grqc_split.train_graph)
    auc = binary_scores(grqc_split.labels, est.edge_probability(grqc_split.pairs))['auc']
    assert auc > 0.85
    assert len(est.history_) == 4 and est.history_[-1] < est.history_[0]


def test_a_bucket_epoch_is_a_sequence_of_the_batches_it_yields(tmp_path, cora):
    """`BucketPairs.epoch` as the workers take it: `len`, any batch by its number, the same
    batches in order as iterating it."""
    from author2vec_keras.training.partitions import (
        PartitionLayout,
        PartitionStore,
        bucket_pairs,
        write_buckets,
    )
    layout = PartitionLayout(cora.num_nodes, 2, 0)
    store = PartitionStore(str(tmp_path))
    write_buckets(cora, layout, store.buckets)
    pairs = bucket_pairs(store, 0, 1, {0: 0, 1: layout.sizes[0]}, layout.sizes, negatives=2,
                         batch_size=30, seed=3)
    epoch = pairs.epoch(1)
    listed = list(epoch)
    assert len(epoch) == len(listed) == len(pairs) > 10
    assert sum(len(x) for x, _ in listed) == epoch.num_pairs == pairs.num_pairs
    for b in (0, 7, len(epoch) - 1):
        np.testing.assert_array_equal(epoch[b][0], listed[b][0])
        np.testing.assert_array_equal(epoch[b][1], listed[b][1])
    with pytest.raises(IndexError):
        epoch[len(epoch)]


def wait_for_bucket(workdir, process, epoch, timeout=300):
    meta = os.path.join(workdir, 'checkpoint.json')
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(meta):
            with open(meta) as f:
                state = json.load(f)
            if (state['epoch'], len(state['done'])) >= (epoch, 1):
                return state
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    raise AssertionError('no checkpoint for epoch %d after %d s' % (epoch, timeout))


def test_sigkill_mid_run_then_resume_gives_the_uninterrupted_result(tmp_path, reference,
                                                                    cora):
    """`author2vec train --partitions` killed after a bucket of epoch 2; resumed (here, in
    this process: the same code path as `--resume`), it ends with the reference's vectors."""
    workdir, out = str(tmp_path / 'work'), str(tmp_path / 'cora.emb')
    process = start(TRAIN + ['--epochs', str(EPOCHS), '--workdir', workdir, '--output', out])
    state = wait_for_bucket(workdir, process, epoch=1)
    process.kill()  # SIGKILL, between or inside buckets
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert state['epoch'] < EPOCHS and not os.path.exists(out)
    resumed = PartitionedAuthor2Vec(epochs=EPOCHS, workdir=workdir, **PARAMS)
    resumed.fit(cora, resume=True)
    np.testing.assert_array_equal(resumed.embeddings_, reference.embeddings_)
    assert resumed.history_ == reference.history_
    assert resumed.pairs_trained_ < reference.pairs_trained_  # it did start from the checkpoint
    assert [f for f in os.listdir(workdir) if f.endswith('.tmp')] == []


def test_cli_writes_embeddings_and_resumes_from_the_workdir(tmp_path, reference, capsys):
    """The finished run again with --resume: nothing left to train, the same vectors out."""
    out = str(tmp_path / 'cora.emb')
    args = TRAIN + ['--epochs', str(EPOCHS), '--workdir', reference.workdir, '--output', out,
                    '--resume']
    assert cli.main(args) == 0
    tokens, vectors = load_word2vec(out)
    row = {t: v for t, v in zip(tokens, vectors)}
    got = np.array([row[str(n)] for n in reference.graph_.nodes])
    np.testing.assert_allclose(got, reference.embeddings_, rtol=1e-6)
    with open(out + '.json') as f:
        record = json.load(f)
    assert record['loss_per_epoch'] == reference.history_
    assert record['params']['partitions'] == 4


def test_checkpoint_from_another_run_is_refused_and_more_epochs_continue(reference, cora):
    workdir = reference.workdir
    other = PartitionedAuthor2Vec(epochs=EPOCHS, workdir=workdir, **dict(PARAMS, hidden_dim=5))
    with pytest.raises(CheckpointMismatch, match=r'other parameters \(hidden_dim: 4 in the '
                                                 r'checkpoint, 5 now\); use another --workdir'):
        other.fit(cora, resume=True)
    with pytest.raises(CheckpointMismatch, match='another graph'):
        PartitionedAuthor2Vec(epochs=EPOCHS, workdir=workdir, **PARAMS).fit(
            cora.with_edges(cora.edges[:-10]), resume=True)
    with pytest.raises(CheckpointMismatch, match=r'is at the end of epoch %d, beyond epochs=%d: '
                                                 r'ask for epochs=%d or more to resume it, or '
                                                 r'use another workdir$'
                                                 % (EPOCHS, EPOCHS - 1, EPOCHS)):
        PartitionedAuthor2Vec(epochs=EPOCHS - 1, workdir=workdir, **PARAMS).fit(cora,
                                                                               resume=True)
    more = PartitionedAuthor2Vec(epochs=EPOCHS + 1, workdir=workdir, **PARAMS)
    more.fit(cora, resume=True)
    assert more.history_[:EPOCHS] == reference.history_ and len(more.history_) == EPOCHS + 1


@pytest.mark.parametrize('flags, message', [
    (['--partitions', '0'], "argument --partitions: expected a positive integer, got '0'"),
    (['--partitions', '4'], '--partitions needs --workdir'),
    (['--workdir', 'W'], '--workdir needs --partitions'),
    (['--ray-address', 'local'], '--ray-address needs --partitions'),
    (['--partitions', '9999', '--workdir', 'W'], "--partitions 9999 is more than the graph's "
                                                 "2708 nodes"),
    (['--partitions', '2', '--workdir', 'W', '--model', 'blog'],
     '--model is not supported with --partitions'),
    (['--partitions', '2', '--workdir', 'W', '--optimizer', 'rmsprop'],
     "partitioned training updates rows: --optimizer must be one of 'sgd', 'adagrad', 'adam'; "
     "got 'rmsprop'"),
    (['--partitions', '2', '--workdir', 'W', '--dense-updates'],
     '--dense-updates updates the whole table: partitioned training updates rows'),
    (['--partitions', '2', '--workdir', 'W', '--ray-workers', '2'],
     '--ray-workers needs --ray-address'),
])
def test_bad_partition_flags_exit_2_naming_the_flag(flags, message, tmp_path, capsys):
    flags = [str(tmp_path / 'w') if f == 'W' else f for f in flags]
    try:
        code = cli.main(['train', '--dataset', 'cora', '--quiet'] + flags)
    except SystemExit as e:  # argparse
        code = e.code
    err = capsys.readouterr().err
    assert code == 2 and message in err and 'Traceback' not in err
    assert not os.path.exists(str(tmp_path / 'w'))  # refused before anything was written


def test_estimator_checks_its_parameters(cora):
    for params, message in [(dict(workdir=None), 'needs a workdir'),
                            (dict(workdir='w', partitions=0), 'partitions must be a positive'),
                            (dict(workdir='w', optimizer='rmsprop'),
                             "^partitioned training updates rows: optimizer must be one of "
                             "'sgd', 'adagrad', 'adam'; got 'rmsprop'$"),
                            (dict(workdir='w', dense_updates=True),
                             '^dense_updates updates the whole table'),
                            (dict(workdir='w', sampling='zipf'), "sampling must be")]:
        with pytest.raises(ValueError, match=message):
            PartitionedAuthor2Vec(**params).fit(cora)


def test_nan_loss_stops_naming_the_bucket_and_keeps_the_last_checkpoint(cora, tmp_path):
    est = PartitionedAuthor2Vec(epochs=1, workdir=str(tmp_path), optimizer='sgd', lr=1e38,
                                **PARAMS)
    with pytest.raises(FloatingPointError, match=r'at epoch 1, bucket \(\d, \d\), batch \d+; '
                                                 r'the last good checkpoint is kept'):
        est.fit(cora)
    with open(os.path.join(str(tmp_path), 'checkpoint.json')) as f:
        assert json.load(f)['done'] == []  # the start, not the bucket that diverged
