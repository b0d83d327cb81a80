"""The memory guard: how much memory a training run needs, refused before it is allocated.

`estimate_training_memory` adds up, in float32, what `benchmarks/memory.py` measured at the peak
of real `author2vec train` runs (results/memory.md):

- the embedding table, `num_nodes x dim`, with its optimizer state (`SLOTS`: RowSGD none,
  RowAdagrad one accumulator, RowAdam two moments; Keras' stock optimizers their own slots, and
  a dense gradient of the whole table), and the copies made when it is read back and written;
- the pair layer's weights `W_p`, `W_m` (`dim x hidden_dim` each), updated densely: the
  weights, their optimizer slots (as many as the table's) and their gradient;
- the activations of one batch (`batch_size` pairs, each two `dim`-vectors, through the forward
  and backward pass; a small graph's batch holds no more pairs than its epoch);
- the graph (edges, adjacency, split, negative sampling), per edge;
- the fixed cost of the process (Python, numpy, scipy, Theano, Keras, scikit-learn, gensim).

`check_table_fits` raises `MemoryError` with the figure when the estimate exceeds the memory
available. numpy only; no Theano.
"""
import numpy as np

__all__ = ['SLOTS', 'estimate_training_memory', 'check_table_fits', 'available_memory',
           'optimizer_kind', 'table_copies']

#: optimizer state per weight, in copies of the weight: row-wise optimizers (the default) and
#: Keras 2.0.9's stock ones (`--dense-updates`; its SGD always keeps a momentum buffer)
SLOTS = {
    'row': {'sgd': 0, 'adagrad': 1, 'adam': 2},
    'dense': {'sgd': 1, 'rmsprop': 1, 'adagrad': 1, 'adadelta': 2, 'adam': 2, 'adamax': 2,
              'nadam': 2},
}

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


def optimizer_kind(optimizer, dense_updates=False):
    """`(name, row_wise)`: the lower-case Keras name of an optimizer given by name, config dict
    or instance ('RowAdam' -> 'adam'), and whether it updates the table row-wise.

    A name or config is resolved as `optimizers.resolve` does (row-wise for sgd, adagrad and
    adam unless `dense_updates`); an instance is row-wise when it is one of `optimizers`' Row*.
    """
    if isinstance(optimizer, (str, dict)):
        name = optimizer if isinstance(optimizer, str) else optimizer.get('class_name', '')
        name = name.lower()
        if name.startswith('row'):
            return name[3:], True
        return name, not dense_updates and name in SLOTS['row']
    name = type(optimizer).__name__.lower()
    if name.startswith('row'):
        return name[3:], True
    return name, False


def table_copies(optimizer, dense_updates=False):
    """Arrays the size of the embedding table that training holds in the optimizer's hands:
    the table and its slots (`SLOTS`: RowSGD 1, RowAdagrad 2, RowAdam 3), and for a stock Keras
    optimizer the table's dense gradient too (`Adam`: 1 + 1 + 2 = 4)."""
    name, row = optimizer_kind(optimizer, dense_updates)
    if row:
        return 1 + SLOTS['row'][name]
    return 2 + SLOTS['dense'].get(name, 2)


def estimate_training_memory(num_nodes, dim, *, optimizer='adam', dense_updates=False,
                             hidden_dim=32, batch_size=512, num_edges=0, negatives=5,
                             parts=False):
    """Bytes a training run needs at its peak (see the module docstring).

    # Arguments
        num_nodes, dim: the embedding table's size (partitioned training: the rows it holds).
        optimizer: name, config dict or instance ('adam', 'sgd', 'adagrad', `RowAdam()`, ...):
            a name means the row-wise version unless `dense_updates`; an instance is what it is.
        dense_updates: Keras' stock optimizer (a dense table gradient) instead of the row-wise.
        hidden_dim: the pair representation's size (`W_p`, `W_m` are `dim x hidden_dim`).
        batch_size: pairs per batch (also the scoring batch).
        num_edges: edges of the graph (0: unknown; batches are then taken as full).
        negatives: sampled non-edges per edge (a batch holds no more pairs than an epoch).
        parts: return a dict of the terms instead of their sum.

    # Returns
        int bytes, or a dict {term: bytes} with `parts=True`.
    """
    name, row = optimizer_kind(optimizer, dense_updates)
    slots = SLOTS['row'][name] if row else SLOTS['dense'].get(name, 2)  # unknown: as Adam
    table = 4.0 * num_nodes * dim
    rows = batch_size if not num_edges else min(batch_size, (1 + negatives) * int(num_edges))
    out = {
        'process': BASE_BYTES,
        'graph': EDGE_BYTES * int(num_edges),
        'table': table * (table_copies(optimizer, dense_updates) + TABLE_EXTRA),
        'pair layer': 4.0 * 2 * dim * hidden_dim * (1 + slots + PAIR_EXTRA),
        'batch': 4.0 * BATCH_FLOATS * rows * dim,
    }
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
                     batch_size=512, num_edges=0, negatives=5, available=None, advice=None):
    """Raise `MemoryError` with the figures if a training run cannot fit in memory.

    The one memory guard: `Author2Vec`, `ContentLinkAuthor2Vec` and `PartitionedAuthor2Vec`
    (with the rows it holds) call it before they build a model.

    # Arguments
        As `estimate_training_memory`, and
        available: bytes (default: the memory available now).
        advice: what to do about it, for the message (default: lower --dim, or --partitions).

    # Returns
        The estimate in bytes.
    """
    parts = estimate_training_memory(num_nodes, dim, optimizer=optimizer,
                                     dense_updates=dense_updates, hidden_dim=hidden_dim,
                                     batch_size=batch_size, num_edges=num_edges,
                                     negatives=negatives, parts=True)
    needed = sum(parts.values())
    available = available_memory() if available is None else available
    if available is not None and needed > available:
        big = sorted(parts.items(), key=lambda kv: -kv[1])[:3]
        if advice is None:
            advice = 'lower --dim%s, or train out of core with --partitions' % (
                ' or --batch-size' if parts['batch'] > parts['table'] else '')
        raise MemoryError(
            'training %d nodes x %d dimensions needs about %.1f GiB (%s), but only %.1f GiB is '
            'available; %s' % (num_nodes, dim, needed / 2.0 ** 30,
                               ', '.join('%s %.1f GiB' % (k, v / 2.0 ** 30) for k, v in big),
                               available / 2.0 ** 30, advice))
    return needed
