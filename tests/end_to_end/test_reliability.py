"""Reliability: resumable training after SIGKILL and Ctrl-C, refused foreign checkpoints,
NaN guard, memory guard, fuzzed command lines, and a shared Theano compile cache."""
import json
import os
import re
import signal
import time

import numpy as np
import pytest
from helpers import start
from hypothesis import HealthCheck, given, settings, strategies as st

from author2vec_keras import Author2Vec, cli
from author2vec_keras.data import datasets
from author2vec_keras.fileio import load_word2vec
from author2vec_keras.training.memory import check_table_fits, estimate_training_memory

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Cora (2,708 papers, 5,278 citations): small and real. Batch 64 makes an epoch last seconds.
TRAIN = ['train', '--dataset', 'cora', '--dim', '8', '--hidden-dim', '4', '--negatives', '1',
         '--batch-size', '64', '--test-fraction', '0', '--seed', '5', '--quiet']
PARAMS = dict(dim=8, hidden_dim=4, negatives=1, batch_size=64, random_state=5, verbose=0)
EPOCHS = 8  # an epoch takes under a second: enough of them to be killed in the middle


def wait_for_checkpoint(directory, process, epoch, timeout=300):
    meta = os.path.join(directory, 'checkpoint.json')
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(meta):
            with open(meta) as f:
                state = json.load(f)
            if state['epoch'] >= epoch:
                return state
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError('no checkpoint for epoch %d after %d s' % (epoch, timeout))


@pytest.fixture(scope='module')
def cora():
    return datasets.load('cora').graph


@pytest.fixture(scope='module')
def reference(cora):
    """The same training, never interrupted."""
    return Author2Vec(epochs=EPOCHS, **PARAMS).fit(cora)


def test_sigkill_mid_epoch_then_resume_gives_the_uninterrupted_result(tmp_path, reference):
    ckpt, out = str(tmp_path / 'ckpt'), str(tmp_path / 'cora.emb')
    args = TRAIN + ['--epochs', str(EPOCHS), '--checkpoint-dir', ckpt, '--output', out]
    process = start(args)
    state = wait_for_checkpoint(ckpt, process, epoch=1)
    process.kill()  # SIGKILL, in the middle of training
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert state['epoch'] < EPOCHS and not os.path.exists(out)
    resumed = start(args + ['--resume'])
    stdout, stderr = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, stderr.decode()
    tokens, vectors = load_word2vec(out)
    assert vectors.shape == (2708, 8)
    row = {t: v for t, v in zip(tokens, vectors)}
    expected = np.array([reference.embeddings_[i] for i in range(2708)])
    got = np.array([row[str(n)] for n in reference.graph_.nodes])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert [f for f in os.listdir(ckpt) if f.endswith('.tmp')] == []


# The content + link model on CANE-Cora (2,277 papers with abstracts, 4,771 citations).
A2V_TRAIN = ['train', '--dataset', 'cane-cora', '--model', 'author2vec', '--dim', '8',
             '--hidden-dim', '4', '--negatives', '1', '--batch-size', '64', '--test-fraction',
             '0', '--seed', '2', '--quiet']
A2V_EPOCHS = 5


@pytest.fixture(scope='module')
def cane_reference():
    """The content + link model trained without interruption (as the command line does)."""
    from author2vec_keras import ContentLinkAuthor2Vec
    ds = datasets.load('cane-cora')
    pairs, texts = datasets.content_inputs(ds)
    return ContentLinkAuthor2Vec(dim=8, hidden_dim=4, negatives=1, batch_size=64,
                                 epochs=A2V_EPOCHS, random_state=2, verbose=0).fit(
        ds.graph, pairs, paper_texts=texts)


def test_content_link_model_sigkill_then_resume_gives_the_uninterrupted_result(
        tmp_path, cane_reference):
    ckpt, out = str(tmp_path / 'ckpt'), str(tmp_path / 'cane.emb')
    args = A2V_TRAIN + ['--epochs', str(A2V_EPOCHS), '--checkpoint-dir', ckpt, '--output', out]
    process = start(args)
    state = wait_for_checkpoint(ckpt, process, epoch=1)
    process.kill()
    process.wait()
    assert process.returncode == -signal.SIGKILL and state['epoch'] < A2V_EPOCHS
    assert sorted(state['models']) == ['content', 'link']  # both models, their optimizers
    assert not os.path.exists(out)
    resumed = start(args + ['--resume'])
    stdout, stderr = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, stderr.decode()
    tokens, vectors = load_word2vec(out)
    row = dict(zip(tokens, vectors))
    got = np.array([row[str(n)] for n in cane_reference.graph_.nodes])
    np.testing.assert_allclose(got, cane_reference.embeddings_, rtol=1e-5, atol=1e-6)
    with open(out + '.json') as f:
        assert json.load(f)['loss_per_epoch'] == cane_reference.history_
    # a checkpoint of other papers is refused, naming what differs
    from author2vec_keras import ContentLinkAuthor2Vec
    pairs, texts = datasets.content_inputs('cane-cora')
    other = ContentLinkAuthor2Vec(dim=8, hidden_dim=4, negatives=1, batch_size=64,
                                  epochs=A2V_EPOCHS + 1, random_state=2, verbose=0,
                                  checkpoint_dir=ckpt)
    with pytest.raises(ValueError, match='another training data'):
        other.fit(cane_reference.graph_, pairs[:-5], resume=True,
                  paper_vectors={p: np.zeros(8) for p in texts})


def test_ctrl_c_saves_mid_epoch_and_resumes(tmp_path):
    ckpt, out = str(tmp_path / 'ckpt'), str(tmp_path / 'cora.emb')
    args = TRAIN + ['--epochs', '50', '--checkpoint-dir', ckpt, '--output', out]
    process = start(args)
    wait_for_checkpoint(ckpt, process, epoch=1)
    time.sleep(1.0)  # into epoch 2 (the test only needs a position past the epoch end)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr.decode()
    with open(os.path.join(ckpt, 'checkpoint.json')) as f:
        state = json.load(f)
    # the command line's own way to continue, not the estimator's `fit(..., resume=True)`
    assert stderr.decode().splitlines()[-1] == (
        'author2vec: interrupted: saved epoch %d, batch %d in %s; --resume continues'
        % (state['epoch'] + 1, state['batch'], ckpt))
    assert b'fit(' not in stdout + stderr
    assert state['epoch'] < 50 and (state['epoch'], state['batch']) > (1, 0)
    resumed = start(TRAIN + ['--epochs', str(state['epoch'] + 1), '--checkpoint-dir', ckpt,
                             '--output', out, '--resume'])
    _, stderr = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, stderr.decode()
    assert load_word2vec(out)[1].shape == (2708, 8)


def test_ctrl_c_then_resume_records_every_epochs_loss_and_all_the_seconds(tmp_path, reference):
    """A run stopped by Ctrl-C mid-epoch and resumed: its record has the loss of every epoch
    as the uninterrupted run's (the stopped epoch's whole, not the resumed part's), and the
    seconds of both parts."""
    ckpt, out = str(tmp_path / 'ckpt'), str(tmp_path / 'cora.emb')
    args = TRAIN + ['--epochs', str(EPOCHS), '--checkpoint-dir', ckpt, '--output', out]
    process = start(args)
    wait_for_checkpoint(ckpt, process, epoch=1)
    time.sleep(0.3)  # into epoch 2
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=120)
    assert process.returncode == 130
    with open(os.path.join(ckpt, 'checkpoint.json')) as f:
        state = json.load(f)
    assert state['epoch'] < EPOCHS and state['state']['seconds'] > 0
    resumed = start(args + ['--resume'])
    _, stderr = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, stderr.decode()
    with open(out + '.json') as f:
        record = json.load(f)
    np.testing.assert_allclose(record['loss_per_epoch'], reference.history_, rtol=1e-5)
    before = record['resumed']['seconds_before']
    assert before == round(state['state']['seconds'], 2) > 0
    assert record['train_seconds'] == pytest.approx(before + record['resumed']['seconds_now'],
                                                    abs=0.02)


def test_resume_beyond_the_epochs_asked_for_is_refused(tmp_path, cora, capsys):
    """A checkpoint at the end of epoch 3 resumed with 2 epochs would write 3 epochs' vectors
    under a record of 2: refused, naming both; the command line with its flags, exit 2."""
    from author2vec_keras.training.checkpoints import CheckpointMismatch
    ckpt = str(tmp_path / 'ckpt')
    Author2Vec(epochs=3, checkpoint_dir=ckpt, **PARAMS).fit(cora)
    with pytest.raises(CheckpointMismatch, match=r'^the checkpoint in %s is at the end of epoch '
                                                 r'3, beyond epochs=2: ask for epochs=3 or more '
                                                 r'to resume it, or use another checkpoint_dir$'
                                                 % re.escape(ckpt)):
        Author2Vec(epochs=2, checkpoint_dir=ckpt, **PARAMS).fit(cora, resume=True)
    out = str(tmp_path / 'cora.emb')
    code = cli.main(TRAIN + ['--epochs', '2', '--checkpoint-dir', ckpt, '--resume', '--output',
                             out])
    err = capsys.readouterr().err
    assert code == 2 and err == (
        'author2vec: error: the checkpoint in %s is at the end of epoch 3, beyond --epochs 2: '
        'ask for --epochs 3 or more to resume it, or use another --checkpoint-dir\n' % ckpt)
    assert not os.path.exists(out)
    assert len(Author2Vec(epochs=3, checkpoint_dir=ckpt, **PARAMS).fit(
        cora, resume=True).history_) == 3  # as many: nothing to train, the vectors as saved


def test_checkpoint_from_another_configuration_is_refused(tmp_path, cora):
    ckpt = str(tmp_path / 'ckpt')
    Author2Vec(epochs=1, checkpoint_dir=ckpt, **PARAMS).fit(cora)
    other = Author2Vec(epochs=2, checkpoint_dir=ckpt, **dict(PARAMS, hidden_dim=5))
    with pytest.raises(ValueError, match=r'was made with other parameters \(hidden_dim: 4 in '
                                         r'the checkpoint, 5 now\); use another'):
        other.fit(cora, resume=True)
    smaller = cora.with_edges(cora.edges[:-10])
    with pytest.raises(ValueError, match='another graph'):
        Author2Vec(epochs=2, checkpoint_dir=ckpt, **PARAMS).fit(smaller, resume=True)
    # More epochs with the same configuration continue where the checkpoint stopped.
    more = Author2Vec(epochs=2, checkpoint_dir=ckpt, **PARAMS).fit(cora, resume=True)
    assert len(more.history_) == 2


def test_ctrl_c_waits_for_the_next_step_and_nested_blocks_share_it():
    from author2vec_keras.training.checkpoints import interrupt_between_steps
    with interrupt_between_steps() as outer:
        # noted, not raised (e.g. while a checkpoint is written)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.1)
        with interrupt_between_steps() as inner:  # the next epoch's loop
            assert inner is outer
            with pytest.raises(KeyboardInterrupt):
                inner()
            inner()  # taken once
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_resume_removes_what_a_kill_inside_a_write_left(tmp_path, cora):
    """A SIGKILL inside `io.atomic_path` leaves `.FILE.<random>.tmp`: the resume deletes the
    checkpoint's own temporaries and nothing else of the user's."""
    ckpt = tmp_path / 'ckpt'
    Author2Vec(epochs=1, checkpoint_dir=str(ckpt), **PARAMS).fit(cora)
    left = ['.model-e0002-b000000.h5.nezjm6cm.tmp', '.checkpoint.json.x1y2z3.tmp']
    other = ['.notes.txt.abc.tmp', 'notes.txt']
    for name in left + other:
        (ckpt / name).write_bytes(b'half')
    Author2Vec(epochs=2, checkpoint_dir=str(ckpt), **PARAMS).fit(cora, resume=True)
    names = set(os.listdir(ckpt))
    assert not names & set(left) and set(other) <= names


def test_nan_loss_stops_with_epoch_and_batch(tmp_path, cora):
    from author2vec_keras.nn.backend import keras
    ckpt = str(tmp_path / 'ckpt')
    est = Author2Vec(epochs=1, checkpoint_dir=ckpt, optimizer=keras.optimizers.SGD(lr=1e38),
                     **PARAMS)
    with pytest.raises(FloatingPointError, match=r'epoch 1, batch \d+'):
        est.fit(cora)
    assert not os.path.exists(os.path.join(ckpt, 'checkpoint.json'))


def test_memory_guard_names_the_figure():
    need = estimate_training_memory(10 ** 9, 128)
    with pytest.raises(MemoryError, match=r'1000000000 nodes x 128 dimensions needs about '
                                          r'%.1f GiB \(table [\d.]+ GiB.*--partitions'
                       % (need / 2.0 ** 30)):
        check_table_fits(10 ** 9, 128, available=16 * 2 ** 30)
    assert check_table_fits(1000, 10, available=16 * 2 ** 30) == \
        estimate_training_memory(1000, 10) < 2 ** 30


@pytest.mark.parametrize('params, advice', [
    (dict(negatives=10 ** 9), 'lower --negatives (1000000000)'),
    (dict(negatives=10 ** 9, pairs='walks'), 'lower --negatives (1000000000)'),
    (dict(pairs='walks', walks_per_node=10 ** 9), 'lower --walks-per-node (1000000000)'),
    (dict(pairs='walks', window=10 ** 10, walk_length=10 ** 10),
     'lower --walk-length (10000000000)'),  # the window is at most the walk
    (dict(pairs='walks', walk_length=10 ** 9), 'lower --walk-length (1000000000)'),
    (dict(hidden_dim=10 ** 9), 'lower --hidden-dim (1000000000)'),
    (dict(workers=10 ** 6), 'lower --workers (1000000)'),  # each its own batches
    (dict(dim=10 ** 7, hidden_dim=8), 'lower --dim (10000000), or train out of core with '
                                      '--partitions'),
])
def test_memory_guard_counts_every_parameter_that_sizes_an_allocation(cora, params, advice):
    """The guard refuses before a pair is drawn (`check_fit` builds nothing), naming the flag
    of the largest part with its value."""
    est = Author2Vec(**dict(PARAMS, **params))
    with pytest.raises(MemoryError, match=r'^training 2708 nodes x %d dimensions needs about '
                                          r'[\d.]+ GiB .*; %s$' % (est.dim, re.escape(advice))):
        est.check_fit(cora)
    assert not hasattr(est, 'model_')


def test_memory_estimate_grows_with_negatives_past_the_batch():
    """Below `batch_size` the negatives share the batch; above it each positive brings them
    all (a batch of `1 + negatives` pairs)."""
    def batch(negatives, **walks):
        return estimate_training_memory(100, 8, batch_size=512, num_edges=1000,
                                        negatives=negatives, parts=True,
                                        walks=walks or None)['batch']
    assert batch(1) == 4 * 10 * 8 * 512 and batch(5) == 4 * 10 * 8 * 510  # 85 x (1 + 5)
    assert batch(10 ** 6) == 4 * 10 * 8 * (10 ** 6 + 1)
    walks = dict(window=10, walks_per_node=10, walk_length=80, positives_per_epoch=None)
    assert estimate_training_memory(100, 8, walks=walks, parts=True)['walks'] > 0
    more = dict(walks, walks_per_node=100)
    assert estimate_training_memory(100, 8, walks=more, parts=True)['walks'] > \
        estimate_training_memory(100, 8, walks=walks, parts=True)['walks']


def test_memory_guard_counts_the_optimizer_slots():
    """The table's part follows the optimizer: RowSGD no slot, RowAdagrad one, RowAdam two,
    one 4.77 GiB table each at 10M x 128 (`slots.SLOTS`, also `optimizers.table_copies`)."""
    from author2vec_keras.nn.optimizers import table_copies
    gib = {name: estimate_training_memory(10 ** 7, 128, optimizer=name, parts=True)['table']
           / 2 ** 30 for name in ('sgd', 'adagrad', 'adam')}
    assert gib['adagrad'] - gib['sgd'] == pytest.approx(4.77, abs=0.01)
    assert gib['adam'] - gib['adagrad'] == pytest.approx(4.77, abs=0.01)
    assert [table_copies(name) for name in ('sgd', 'adagrad', 'adam')] == [1, 2, 3]
    sgd, adam = (check_table_fits(10 ** 7, 128, optimizer=name, available=2 ** 50)
                 for name in ('sgd', 'adam'))
    between = (sgd + adam) // 2
    with pytest.raises(MemoryError, match='needs about %.1f GiB .* --partitions'
                                          % (adam / 2.0 ** 30)):
        check_table_fits(10 ** 7, 128, optimizer='adam', available=between)
    check_table_fits(10 ** 7, 128, optimizer='sgd', available=between)  # fits


FLAGS = ['--dim', '--hidden-dim', '--negatives', '--epochs', '--batch-size', '--test-fraction',
         '--seed', '--model', '--sampling', '--dataset', '--partitions', '--workdir',
         '--ray-workers']


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flags=st.lists(st.tuples(st.sampled_from(FLAGS),
                                st.text(max_size=8).filter(lambda v: v not in datasets.names())),
                      max_size=4))
def test_fuzzed_command_lines_exit_2_with_a_message(flags, tmp_path, capsys):
    empty = tmp_path / 'empty.txt'
    empty.write_text('')
    argv = ['train'] + [token for flag, value in flags for token in (flag, value)]
    if '--dataset' not in argv:
        argv += ['--edgelist', str(empty)]
    try:
        code = cli.main(argv)
    except SystemExit as e:  # argparse: usage errors
        code = e.code
    err = capsys.readouterr().err
    assert code == 2
    assert 'error' in err and 'Traceback' not in err


@pytest.mark.slow
def test_two_processes_share_a_cold_compile_cache(tmp_path):
    """Two trainings at once compile into the same fresh Theano cache without corrupting it."""
    cache = str(tmp_path / 'theano')
    env = dict(os.environ, THEANO_FLAGS='base_compiledir=' + cache)
    outs = [str(tmp_path / ('run%d.emb' % i)) for i in range(2)]
    runs = [start(TRAIN + ['--epochs', '1', '--output', out], env=env) for out in outs]
    for run in runs:
        _, stderr = run.communicate(timeout=900)
        assert run.returncode == 0, stderr.decode()
    first, second = (load_word2vec(out)[1] for out in outs)
    np.testing.assert_array_equal(first, second)
    # A third process reuses the cache (no compile errors, same result).
    third = start(TRAIN + ['--epochs', '1', '--output', str(tmp_path / 'run2.emb')], env=env)
    _, stderr = third.communicate(timeout=600)
    assert third.returncode == 0, stderr.decode()
    np.testing.assert_array_equal(load_word2vec(str(tmp_path / 'run2.emb'))[1], first)
