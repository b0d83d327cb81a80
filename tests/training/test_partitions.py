"""Partitions and buckets (numpy only): layout, bucket files, bucket batches and negatives,
bucket order, the lock-server rule, the working directory's files."""
import json
import os
import random
import subprocess
import sys

import numpy as np
import pytest

from author2vec_keras.data import datasets
from author2vec_keras.data.generators import power_law_graph
from author2vec_keras.data.graph import Graph
from author2vec_keras.training.partitions import (
    BucketPairs,
    BucketScheduler,
    PartitionLayout,
    PartitionStore,
    bucket_order,
    bucket_pairs,
    read_bucket,
    read_rows_into,
    write_buckets,
)


@pytest.fixture(scope='module')
def cora():
    return datasets.load('cora').graph


@pytest.fixture(scope='module')
def bucketed(cora, tmp_path_factory):
    layout = PartitionLayout(cora.num_nodes, 4, seed=1)
    store = PartitionStore(str(tmp_path_factory.mktemp('work')))
    counts = write_buckets(cora, layout, store.buckets)
    return layout, store, counts


def test_layout_is_balanced_seeded_and_consistent():
    layout = PartitionLayout(10, 3, seed=0)
    assert layout.sizes.tolist() == [4, 3, 3] and layout.table_rows == 8
    for p in range(3):
        members = layout.members(p)
        assert (layout.partition[members] == p).all()
        assert layout.offset[members].tolist() == list(range(len(members)))
    everyone = np.sort(np.concatenate([layout.members(p) for p in range(3)]))
    assert everyone.tolist() == list(range(10))
    assert PartitionLayout(10, 3, seed=0).partition.tolist() == layout.partition.tolist()
    assert PartitionLayout(10, 3, seed=1).partition.tolist() != layout.partition.tolist()
    assert PartitionLayout(10, 1).table_rows == 10  # one partition: one half


@pytest.mark.parametrize('parts', [0, 11])
def test_layout_rejects_impossible_partition_counts(parts):
    with pytest.raises(ValueError, match='partitions must be between 1 and'):
        PartitionLayout(10, parts)


def test_every_edge_is_in_exactly_one_bucket(cora, bucketed):
    layout, store, counts = bucketed
    assert counts.shape == (4, 4) and counts.sum() == cora.num_edges
    found = []
    for i, j in layout.buckets:
        local = read_bucket(store.buckets, i, j)
        assert local.dtype == np.int32 and len(local) == counts[i, j]
        found.append(np.stack([layout.members(i)[local[:, 0]],
                               layout.members(j)[local[:, 1]]], axis=1))
    found = np.concatenate(found)
    keys = np.sort(found[:, 0] * cora.num_nodes + found[:, 1])
    expected = np.sort(cora.edges[:, 0] * cora.num_nodes + cora.edges[:, 1])
    np.testing.assert_array_equal(keys, expected)
    # random partitions: each bucket has about 1/16 of the edges
    assert counts.min() > cora.num_edges / 16 * 0.7


def _pairs(cora, bucketed, i, j, **kwargs):
    layout, store, _ = bucketed
    base = {i: 0, j: layout.sizes[0]} if i != j else {i: 0}
    options = dict(negatives=3, batch_size=64, seed=4)
    options.update(kwargs)
    return bucket_pairs(store, i, j, base, layout.sizes, **options), base


def test_bucket_batches_cover_each_edge_once_with_valid_negatives(cora, bucketed):
    layout, store, counts = bucketed
    pairs, base = _pairs(cora, bucketed, 1, 3)
    to_node = np.full(2 * layout.sizes[0], -1)
    to_node[:layout.sizes[1]] = layout.members(1)
    to_node[base[3]:base[3] + layout.sizes[3]] = layout.members(3)
    batches = list(pairs.epoch(0))
    assert len(batches) == len(pairs) and sum(len(x) for x, _ in batches) == pairs.num_pairs
    X = np.concatenate([x for x, _ in batches])
    y = np.concatenate([t for _, t in batches])[:, 0]
    assert X.dtype == np.int32 and (to_node[X] >= 0).all()  # rows of the two partitions only
    pos, neg = to_node[X[y == 1]], to_node[X[y == 0]]
    assert len(pos) == counts[1, 3] and len(neg) == 3 * counts[1, 3]
    assert cora.has_edges(pos).all()
    keys = np.sort(np.minimum(pos[:, 0], pos[:, 1]) * cora.num_nodes +
                   np.maximum(pos[:, 0], pos[:, 1]))
    assert (np.diff(keys) > 0).all()  # each edge once
    # both orientations occur (undirected: random flips), sources come from both partitions
    assert 0.35 < (layout.partition[pos[:, 0]] == 1).mean() < 0.65
    # negatives: never an edge of the graph nor the source; targets from both partitions
    assert not cora.has_edges(neg).any() and (neg[:, 0] != neg[:, 1]).all()
    assert set(layout.partition[neg[:, 1]].tolist()) == {1, 3}
    # each positive is followed by its negatives, from the same source
    x = X.reshape(-1, 4, 2)
    assert (x[:, 1:, 0] == x[:, :1, 0]).all()


def test_bucket_batches_are_pure_in_seed_and_epoch(cora, bucketed):
    a, _ = _pairs(cora, bucketed, 2, 2)
    b, _ = _pairs(cora, bucketed, 2, 2)
    first = [x for x, _ in a.epoch(5)]
    np.testing.assert_array_equal(np.concatenate(first), np.concatenate([x for x, _ in b.epoch(5)]))
    other = np.concatenate([x for x, _ in a.epoch(6)])
    assert not np.array_equal(np.concatenate(first), other)
    assert (np.concatenate(first) < a._rows).all()  # diagonal bucket: one partition's rows


def test_degree_negatives_prefer_hubs(cora, bucketed):
    layout, _, _ = bucketed
    uniform, _ = _pairs(cora, bucketed, 0, 1, negatives=5)
    by_degree, _ = _pairs(cora, bucketed, 0, 1, negatives=5, sampling='degree')
    to_node = np.concatenate([layout.members(0), layout.members(1)])  # rows of (0, 1)

    def mean_negative_degree(pairs):
        X = np.concatenate([x.reshape(-1, 6, 2)[:, 1:, 1].ravel() for x, _ in pairs.epoch(0)])
        return cora.degrees[to_node[X]].mean()
    assert mean_negative_degree(by_degree) > 1.5 * mean_negative_degree(uniform)


def test_directed_bucket_keeps_orientation():
    g = Graph([[0, 1], [1, 2], [2, 3], [3, 0], [0, 2]], directed=True)
    pairs = BucketPairs(g.edges, [(g.edges, 0, 0)], {0: 4}, {0: 0}, 0, 0, negatives=1,
                        batch_size=4, directed=True, seed=0)
    X = np.concatenate([x for x, _ in pairs.epoch(0)])
    y = np.concatenate([t for _, t in pairs.epoch(0)])[:, 0]
    assert sorted(map(tuple, X[y == 1].tolist())) == sorted(map(tuple, g.edges.tolist()))
    assert not g.has_edges(X[y == 0]).any()  # (1, 0) is allowed: only 0 -> 1 is an edge


def test_bucket_order_keeps_a_partition_between_buckets():
    order = bucket_order(4, epoch=0, seed=0)
    assert sorted(order) == [(i, j) for i in range(4) for j in range(4)]
    shares = [bool(set(a) & set(b)) for a, b in zip(order, order[1:])]
    assert sum(shares) >= 13  # of 15 steps: a jump only when no bucket shares a partition
    assert bucket_order(4, 0, 0) == order and bucket_order(4, 1, 0) != order
    assert bucket_order(3, 0, 0, buckets=[(0, 1), (2, 2)]) in ([(0, 1), (2, 2)],
                                                               [(2, 2), (0, 1)])


def test_scheduler_never_runs_two_buckets_on_one_partition():
    rng = random.Random(0)
    scheduler = BucketScheduler(bucket_order(6, 0, 0))
    running, finished, last, concurrency = [], [], {}, []
    while not scheduler.done:
        for worker in range(5):
            if worker in dict(running):
                continue
            bucket = scheduler.acquire(last.get(worker))
            if bucket is not None:
                running.append((worker, bucket))
        parts = [p for _, b in running for p in set(b)]
        assert len(parts) == len(set(parts)), running
        concurrency.append(len(running))
        worker, bucket = running.pop(rng.randrange(len(running)))
        scheduler.release(bucket)
        finished.append(bucket)
        last[worker] = bucket
    assert sorted(finished) == [(i, j) for i in range(6) for j in range(6)]
    assert max(concurrency) >= 3  # the workers did run side by side


def test_scheduler_prefers_a_bucket_sharing_the_previous_partition():
    scheduler = BucketScheduler([(0, 1), (2, 3), (3, 1)])
    assert scheduler.acquire(previous=(3, 3)) == (2, 3)
    assert scheduler.acquire(previous=(0, 0)) == (0, 1)
    assert scheduler.acquire() is None  # (3, 1) shares partitions with both running buckets
    scheduler.release((2, 3))
    assert scheduler.acquire() is None
    scheduler.release((0, 1))
    assert scheduler.acquire() == (3, 1)


def test_store_creates_reads_and_writes_rows(tmp_path):
    store = PartitionStore(str(tmp_path))
    emb = store.create(store.path('emb', 0, 0), (1000, 8), seed=[1, 0])
    zeros = store.create(store.path('slots', 0, 0), (1000, 2, 8))
    a = np.load(emb)
    assert a.dtype == np.float32 and a.shape == (1000, 8)
    assert -0.05 <= a.min() < -0.049 and 0.049 < a.max() <= 0.05
    np.testing.assert_array_equal(a, np.load(store.create(str(tmp_path / 'again.npy'),
                                                          (1000, 8), seed=[1, 0], chunk=333)))
    assert not np.load(zeros).any()
    assert os.stat(zeros).st_blocks * 512 < 64000 - 4096  # sparse: zeros are not written
    table = np.ones((3000, 8), dtype=np.float32)
    read_rows_into(emb, table[1000:2000])
    np.testing.assert_array_equal(table[1000:2000], a)
    assert (table[:1000] == 1).all() and (table[2000:] == 1).all()
    with pytest.raises(ValueError, match=r'holds \(1000, 8\) float32, expected \(999, 8\)'):
        read_rows_into(emb, table[:999])


def test_commit_keeps_the_named_and_newer_generations(tmp_path):
    store = PartitionStore(str(tmp_path))
    for p, g in [(0, 0), (0, 3), (0, 5), (1, 0), (1, 3)]:
        store.create(store.path('emb', p, g), (2, 2))
    for g in (0, 3):
        np.savez(store.path('dense', generation=g), x=np.zeros(1))
    (tmp_path / 'mine.txt').write_text('a user file')
    state = {'generations': [3, 3], 'dense': 3, 'slots': 0}
    store.commit(state)
    names = sorted(os.listdir(str(tmp_path)))
    # g5 of partition 0 may be a bucket still running elsewhere: kept
    assert names == ['checkpoint.json', 'dense.g3.npz', 'emb_0.g3.npy', 'emb_0.g5.npy',
                     'emb_1.g3.npy', 'mine.txt']
    assert store.read() == state
    # a run killed while writing leaves io.atomic_path's temporaries; a user's .tmp is theirs
    for name in ('.dense.g4.npz.x1y2z3.tmp', '.checkpoint.json.ab_c.tmp', '.notes.txt.q.tmp'):
        (tmp_path / name).write_text('half written')
    store.commit(state)  # other workers may be writing: temporaries kept
    assert '.dense.g4.npz.x1y2z3.tmp' in os.listdir(str(tmp_path))
    store.collect(state, stale_only=False)  # on resume: nothing is running
    names = os.listdir(str(tmp_path))
    assert 'emb_0.g5.npy' not in names and '.notes.txt.q.tmp' in names
    assert not [n for n in names if n.startswith(('.dense', '.checkpoint'))]
    os.remove(str(tmp_path / '.notes.txt.q.tmp'))
    store.clear()
    assert os.listdir(str(tmp_path)) == ['mine.txt']


def test_export_puts_rows_in_node_order(tmp_path):
    layout = PartitionLayout(1000, 3, seed=2)
    store = PartitionStore(str(tmp_path))
    node_vectors = np.arange(1000 * 4, dtype=np.float32).reshape(1000, 4)
    for p in range(3):
        store.write(store.path('emb', p, 7), node_vectors[layout.members(p)])
    out = store.export(layout, {'generations': [7, 7, 7]}, 4, chunk=128)
    assert isinstance(out, np.memmap)
    np.testing.assert_array_equal(out, node_vectors)


def test_partitions_of_a_large_power_law_graph_are_balanced():
    g = power_law_graph(100000, average_degree=6, seed=0)
    layout = PartitionLayout(g.num_nodes, 8, seed=0)
    bucket = layout.partition[g.edges[:, 0]] * 8 + layout.partition[g.edges[:, 1]]
    counts = np.bincount(bucket, minlength=64)
    assert counts.max() / counts.mean() < 1.1  # hubs spread over the partitions


def test_imports_no_theano_or_keras():
    code = ('import sys, author2vec_keras.training.partitions; '
            'print(sorted(m for m in ("theano", "keras") if m in sys.modules))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.replace("'", '"')) == []
