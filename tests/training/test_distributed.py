"""The partitioned buckets on a local Ray cluster: 2 workers reach the AUC of 1 worker, no two
running buckets share a partition, each worker compiles once, the checkpoint is complete.

Skipped when Ray is not installed (`pip install 'author2vec_keras[distributed]'`); CI installs
it for this file (.ci/run)."""
import json
import os

import numpy as np
import pytest

ray = pytest.importorskip('ray', reason="Ray is not installed (pip install "
                                        "'author2vec_keras[distributed]'); CI runs these tests")

from author2vec_keras.evaluation.protocols import binary_scores  # noqa: E402
from author2vec_keras.training.distributed import connect  # noqa: E402
from author2vec_keras.training.partitioned_training import PartitionedAuthor2Vec  # noqa: E402

PARAMS = dict(partitions=4, dim=16, hidden_dim=8, negatives=5, batch_size=256, epochs=4,
              random_state=5, verbose=0, ray_address='local')


@pytest.fixture(scope='module')
def cluster():
    """One local Ray cluster of 2 CPUs for the module."""
    assert connect('local', num_cpus=2)
    yield
    ray.shutdown()


@pytest.fixture(scope='module')
def runs(cluster, grqc_split, tmp_path_factory):
    out = {}
    for workers in (1, 2):
        workdir = str(tmp_path_factory.mktemp('ray%d' % workers))
        est = PartitionedAuthor2Vec(workdir=workdir, workers=workers, **PARAMS)
        out[workers] = est.fit(grqc_split.train_graph)
    return out


def test_two_workers_reach_the_auc_of_one(runs, grqc_split):
    auc = {w: binary_scores(grqc_split.labels, est.edge_probability(grqc_split.pairs))['auc']
           for w, est in runs.items()}
    assert auc[1] > 0.85
    assert abs(auc[2] - auc[1]) < 0.02, auc


def test_both_workers_trained_and_each_compiled_once(runs):
    stats = runs[2].ray_stats_
    assert len(stats) == 4 * 16  # every bucket of every epoch once
    assert len(runs[2].ray_workers_) == 2
    pids = {s['pid'] for s in stats}
    assert pids == {w['pid'] for w in runs[2].ray_workers_}  # the same two processes throughout
    per_epoch = [sorted(tuple(s['bucket']) for s in stats if s['epoch'] == e) for e in range(4)]
    assert all(b == [(i, j) for i in range(4) for j in range(4)] for b in per_epoch)


def test_no_two_running_buckets_shared_a_partition(runs):
    """The lock server's record of the buckets out at once: never two on one partition (PBG's
    rule), and with two workers some buckets did run side by side."""
    stats = runs[2].ray_stats_
    for s in stats:
        running = [tuple(b) for b in s['running']]
        assert tuple(s['bucket']) in running
        parts = [p for b in running for p in set(b)]
        assert len(parts) == len(set(parts)), s
    assert max(len(s['running']) for s in stats) == 2
    assert all(len(s['running']) == 1 for s in runs[1].ray_stats_)


def test_checkpoint_names_every_partition_and_the_dense_weights(runs):
    workdir = runs[2].workdir
    with open(os.path.join(workdir, 'checkpoint.json')) as f:
        state = json.load(f)
    assert state['epoch'] == 4 and state['done'] == [] and len(state['history']) == 4
    for p, g in enumerate(state['generations']):
        rows = np.load(os.path.join(workdir, 'emb_%d.g%d.npy' % (p, g)))
        np.testing.assert_array_equal(rows, runs[2].embeddings_[runs[2].layout_.members(p)])
    with np.load(os.path.join(workdir, 'dense.g%d.npz' % state['dense'])) as f:
        assert int(f['state_0']) > 0  # the global step counted every worker's batches
