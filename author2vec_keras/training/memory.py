"""The memory guard: how much memory a training run needs, refused before it is allocated.

`estimate_training_memory` adds up, in float32, what `benchmarks/memory.py` measured at the peak
of real `author2vec train` runs (results/memory.md):

- the embedding table, `num_nodes x dim`, with its optimizer state (`SLOTS`: RowSGD none,
  RowAdagrad one accumulator, RowAdam two moments; Keras' stock optimizers their own slots, and
  a dense gradient of the whole table), and the copies made when it is read back and written;
- the pair layer's weights `W_p`, `W_m` (`dim x hidden_dim` each), updated densely: the
  weights, their optimizer slots (as many as the table's) and their gradient;
- the activations of one batch (its pairs, each two `dim`-vectors, through the forward and
  backward pass): `batch_size // (1 + negatives)` positives (at least one, and no more than
  the epoch has) each with its `negatives`, so `negatives` above `batch_size` sizes the batch;
- the sampling of those pairs (sources repeated, draws, rejection keys, the labelled batch),
  per pair; walk pairs are made `WALK_CHUNK` positives at a time, a few chunks kept;
- the walk starts of an epoch (`walks_per_node` per node, a few epochs kept) and the window's
  distance table (`min(window, walk_length - 1)` entries);
- the graph (edges, adjacency, split, negative sampling), per edge;
- the fixed cost of the process (Python, numpy, scipy, Theano, Keras, scikit-learn, gensim).

`check_table_fits` raises `MemoryError` with the figure when the estimate exceeds the memory
available. numpy only; no Theano.
"""
import numpy as np

from author2vec_keras.data.walks import CHUNK_SIZE as WALK_CHUNK  # positives made at once
from author2vec_keras.nn.slots import SLOTS, optimizer_kind, table_copies

__all__ = ['estimate_training_memory', 'check_table_fits', 'available_memory']

#: measured by benchmarks/memory.py (results/memory.md: peak RSS of real runs), rounded up
BASE_BYTES = 256 * 2 ** 20  # Python, numpy/scipy/Theano/Keras/sklearn/gensim, a compiled model
EDGE_BYTES = 400  # per edge: Graph, adjacency, split, negative sampler, epoch order (measured
# 270 incl. the nodes' ids; the reader's own peak, before, is lower)
TABLE_EXTRA = 3.5  # copies of the table besides itself and its optimizer slots, at the end of a
# run: the estimator's `embeddings_`, gensim's copy and its temporary writing the word2vec file
# (measured 3.0)
PAIR_EXTRA = 1.0  # W_p, W_m: their gradient (measured 0 at the peak: weights and slots)
BATCH_FLOATS = 10  # float32 values per (pair, dimension) of a batch, forward and backward
# (measured 8.3)
PAIR_BYTES = 128  # per sampled pair: the int64 arrays of `NegativeSampler.sample` (sources,
# targets, draws, rejection keys and index), the int32 pair and float32 label of the batch
# (counted from the code, about 100)
WALK_CHUNKS_KEPT = 4  # chunks cached by `sequences.WalkPairSequence` (the last three and one)
WALK_START_BYTES = 8 * 4  # per walk start: int64, the epochs cached and the permutations
# concatenated (`walks.WalkContextSampler.epoch_starts`)
WINDOW_BYTES = 24  # per distance of the window: int64 gaps, float64 weights and their CDF


def estimate_training_memory(num_nodes, dim, *, optimizer='adam', dense_updates=False,
                             hidden_dim=32, batch_size=512, num_edges=0, negatives=5,
                             walks=None, parts=False):
    """Bytes a training run needs at its peak (see the module docstring).

    # Arguments
        num_nodes, dim: the embedding table's size (partitioned training: the rows it holds).
        optimizer: name, config dict or instance ('adam', 'sgd', 'adagrad', `RowAdam()`, ...):
            a name means the row-wise version unless `dense_updates`; an instance is what it is.
        dense_updates: Keras' stock optimizer (a dense table gradient) instead of the row-wise.
        hidden_dim: the pair representation's size (`W_p`, `W_m` are `dim x hidden_dim`).
        batch_size: pairs per batch (also the scoring batch).
        num_edges: edges of the graph (0: unknown; batches are then taken as full).
        negatives: sampled non-edges per positive pair.
        walks: for walk pairs, a dict of `window`, `walks_per_node`, `walk_length` and
            `positives_per_epoch` (None: 2 per walk); None for edge pairs.
        parts: return a dict of the terms instead of their sum.

    # Returns
        int bytes, or a dict {term: bytes} with `parts=True`.
    """
    name, row = optimizer_kind(optimizer, dense_updates)
    slots = SLOTS['row'][name] if row else SLOTS['dense'].get(name, 2)  # unknown: as Adam
    table = 4.0 * num_nodes * dim
    pair = 1 + int(negatives)  # a positive and its negatives
    positives = int(num_edges)
    if walks is not None:
        positives = walks.get('positives_per_epoch') or 2 * walks['walks_per_node'] * num_nodes
    per_batch = max(1, int(batch_size) // pair)
    rows = (min(per_batch, positives) if positives else per_batch) * pair
    out = {
        'process': BASE_BYTES,
        'graph': EDGE_BYTES * int(num_edges),
        'table': table * (table_copies(optimizer, dense_updates) + TABLE_EXTRA),
        'pair layer': 4.0 * 2 * dim * hidden_dim * (1 + slots + PAIR_EXTRA),
        'batch': 4.0 * BATCH_FLOATS * rows * dim,
        'sampling': PAIR_BYTES * float(rows),
    }
    if walks is not None:
        chunk = min(WALK_CHUNK, positives) * pair * WALK_CHUNKS_KEPT
        out['sampling'] = PAIR_BYTES * float(max(rows, chunk))
        out['walks'] = WALK_START_BYTES * float(walks['walks_per_node']) * num_nodes + \
            WINDOW_BYTES * float(min(walks['window'], walks['walk_length'] - 1))
    out = {k: int(np.ceil(v)) for k, v in out.items()}
    return out if parts else sum(out.values())


def available_memory():
    """Bytes of memory available to this process (Linux MemAvailable), or None."""
    try:
        with open('/proc/meminfo') as f:
            for line in f:
                if line.startswith('MemAvailable:'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def check_table_fits(num_nodes, dim, *, optimizer='adam', dense_updates=False, hidden_dim=32,
                     batch_size=512, num_edges=0, negatives=5, walks=None, available=None,
                     advice=None):
    """Raise `MemoryError` with the figures if a training run cannot fit in memory.

    The one memory guard: `Author2Vec`, `ContentLinkAuthor2Vec` and `PartitionedAuthor2Vec`
    (with the rows it holds) call it before they build a model or draw a pair. The message
    ends with what to lower, naming the flag and its value (`lower --negatives (1000000000)`)
    when the pairs or walks, not the table, are the largest part.

    # Arguments
        As `estimate_training_memory`, and
        available: bytes (default: the memory available now).
        advice: what to do when the table is the largest part, for the message (default:
            lower --dim, or --partitions).

    # Returns
        The estimate in bytes.
    """
    parts = estimate_training_memory(num_nodes, dim, optimizer=optimizer,
                                     dense_updates=dense_updates, hidden_dim=hidden_dim,
                                     batch_size=batch_size, num_edges=num_edges,
                                     negatives=negatives, walks=walks, parts=True)
    needed = sum(parts.values())
    available = available_memory() if available is None else available
    if available is not None and needed > available:
        big = sorted(parts.items(), key=lambda kv: -kv[1])[:3]
        if big[0][0] in ('batch', 'sampling'):
            advice = 'lower --negatives (%d)' % negatives if 1 + negatives > batch_size else \
                'lower %s--batch-size (%d)' % ('--dim (%d) or ' % dim if big[0][0] == 'batch'
                                               else '', batch_size)
        elif big[0][0] == 'walks':
            advice = 'lower --walks-per-node (%d)' % walks['walks_per_node'] \
                if WALK_START_BYTES * walks['walks_per_node'] * num_nodes > \
                WINDOW_BYTES * min(walks['window'], walks['walk_length'] - 1) else \
                'lower --window (%d) or --walk-length (%d)' % (walks['window'],
                                                               walks['walk_length'])
        elif advice is None:
            advice = 'lower --dim, or train out of core with --partitions'
        raise MemoryError(
            'training %d nodes x %d dimensions needs about %.1f GiB (%s), but only %.1f GiB is '
            'available; %s' % (num_nodes, dim, needed / 2.0 ** 30,
                               ', '.join('%s %.1f GiB' % (k, v / 2.0 ** 30) for k, v in big),
                               available / 2.0 ** 30, advice))
    return needed
