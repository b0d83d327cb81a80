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
           'optimizer_name']

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
DENSE_TABLE_EXTRA = 0.5  # stock Keras optimizers: a dense gradient of the table lives while
# training, when the three copies above do not (measured: no more than row-wise at the peak)
PAIR_EXTRA = 1.0  # W_p, W_m: their gradient (measured 0 at the peak: weights and slots)
BATCH_FLOATS = 10  # float32 values per (pair, dimension) of a batch, forward and backward
# (measured 8.3)


def optimizer_name(optimizer):
    """The lower-case Keras name of an optimizer given by name, config dict or instance."""
    if isinstance(optimizer, str):
        name = optimizer
    elif isinstance(optimizer, dict):
        name = optimizer.get('class_name', '')
    else:
        name = type(optimizer).__name__
    name = name.lower()
    return name[3:] if name.startswith('row') else name


def estimate_training_memory(num_nodes, dim, hidden_dim=32, batch_size=512, optimizer='adam',
                             dense_updates=False, num_edges=0, negatives=5, parts=False):
    """Bytes a training run needs at its peak (see the module docstring).

    # Arguments
        num_nodes, dim: the embedding table's size.
        hidden_dim: the pair representation's size (`W_p`, `W_m` are `dim x hidden_dim`).
        batch_size: pairs per batch (also the scoring batch).
        optimizer: name, config dict or instance ('adam', 'sgd', 'adagrad', 'RowAdam', ...).
        dense_updates: Keras' stock optimizer (a dense table gradient) instead of the row-wise.
        num_edges: edges of the graph (0: unknown; batches are then taken as full).
        negatives: sampled non-edges per edge (a batch holds no more pairs than an epoch).
        parts: return a dict of the terms instead of their sum.

    # Returns
        int bytes, or a dict {term: bytes} with `parts=True`.
    """
    name = optimizer_name(optimizer)
    row = not dense_updates and name in SLOTS['row']
    slots = SLOTS['row'][name] if row else SLOTS['dense'].get(name, 2)  # unknown: as Adam
    table = 4.0 * num_nodes * dim
    rows = batch_size if not num_edges else min(batch_size, (1 + negatives) * int(num_edges))
    out = {
        'process': BASE_BYTES,
        'graph': EDGE_BYTES * int(num_edges),
        'table': table * (1 + slots + TABLE_EXTRA + (0 if row else DENSE_TABLE_EXTRA)),
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


def check_table_fits(num_nodes, dim, hidden_dim=32, batch_size=512, optimizer='adam',
                     dense_updates=False, num_edges=0, negatives=5, available=None):
    """Raise `MemoryError` with the figures if a training run cannot fit in memory.

    Arguments as `estimate_training_memory`; `available`: bytes (default: the memory
    available now). Returns the estimate in bytes.
    """
    parts = estimate_training_memory(num_nodes, dim, hidden_dim, batch_size, optimizer,
                                     dense_updates, num_edges, negatives, parts=True)
    needed = sum(parts.values())
    available = available_memory() if available is None else available
    if available is not None and needed > available:
        big = sorted(parts.items(), key=lambda kv: -kv[1])[:3]
        raise MemoryError(
            'training %d nodes x %d dimensions needs about %.1f GiB (%s), but only %.1f GiB is '
            'available; lower --dim%s or embed a smaller graph'
            % (num_nodes, dim, needed / 2.0 ** 30,
               ', '.join('%s %.1f GiB' % (k, v / 2.0 ** 30) for k, v in big),
               available / 2.0 ** 30, ', --batch-size' if parts['batch'] > parts['table'] else ''))
    return needed
