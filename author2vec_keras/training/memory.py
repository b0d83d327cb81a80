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
- the walk starts of an epoch (`walks_per_node` per node, a few epochs kept), the window's
  distance table (`min(window, walk_length - 1)` entries) and the steps of a walk
  (`walk_length`: the walkers still going at each step, as arrays and lists);
- the graph (edges, adjacency, split, negative sampling), per edge;
- the fixed cost of the process (Python, numpy, scipy, Theano, Keras, scikit-learn, gensim);
- each Hogwild worker beyond the first (`workers`): its own batch, sampling and walks, and the
  pages a fork copies as the worker writes them (`WORKER_BYTES`); the tables are shared.

`check_table_fits` raises `MemoryError` with the figure when the estimate exceeds the memory
available, `check_fits` for any other estimate (the benchmark's baselines). The memory available
is the least of what the process can still get (`memory_limits`): its address-space limit
(`RLIMIT_AS`, `prlimit --as`, `ulimit -v`) less its size now, its cgroup's limit (`memory.max`,
v1 `memory.limit_in_bytes`, of a container or a systemd unit) less its usage, and the machine's
`MemAvailable`. numpy only; no Theano.
"""
import os
import resource

import numpy as np

from author2vec_keras.data.walks import CHUNK_SIZE as WALK_CHUNK  # positives made at once
from author2vec_keras.nn.slots import SLOTS, optimizer_kind, table_copies

__all__ = ['estimate_training_memory', 'check_table_fits', 'check_fits', 'available_memory',
           'memory_limits']

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
WORKER_BYTES = 128 * 2 ** 20  # per extra worker process besides its batches and walks: the
# pages of the parent it writes to (Python objects, Theano's storage) (results/memory_workers.md:
# 97 MiB in all from 2 to 3 workers at 1M nodes, d=128)
WALK_START_BYTES = 8 * 4  # per walk start: int64, the epochs cached and the permutations
# concatenated (`walks.WalkContextSampler.epoch_starts`)
WINDOW_BYTES = 24  # per distance of the window: int64 gaps, float64 weights and their CDF
WALK_STEP_BYTES = 96  # per position of a walk: the steps and the walkers going at each, int64
# arrays and their Python lists (`walks.WalkContextSampler._walk_to`; counted from the code, 88)


def estimate_training_memory(num_nodes, dim, *, optimizer='adam', dense_updates=False,
                             hidden_dim=32, batch_size=512, num_edges=0, negatives=5,
                             walks=None, workers=1, parts=False):
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
        workers: Hogwild processes training at once (the tables shared, the rest their own).
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
        out['walks'] = sum(_walk_parts(num_nodes, walks).values())
    if workers > 1:
        own = out['batch'] + out['sampling'] + out.get('walks', 0) + WORKER_BYTES
        out['workers'] = (int(workers) - 1) * own
    out = {k: int(np.ceil(v)) for k, v in out.items()}
    return out if parts else sum(out.values())


def _walk_parts(num_nodes, walks):
    """The walks' bytes by the flag that sizes them."""
    return {'--walks-per-node': WALK_START_BYTES * float(walks['walks_per_node']) * num_nodes,
            '--window': WINDOW_BYTES * float(min(walks['window'], walks['walk_length'] - 1)),
            '--walk-length': WALK_STEP_BYTES * float(walks['walk_length'])}


def _read_number(path):
    """The first word of a file as an int; None when missing, unreadable or 'max'."""
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _cgroup_headroom(root='/sys/fs/cgroup', membership='/proc/self/cgroup'):
    """Bytes this process's cgroup (and those above it) can still take, or None: v2's
    `memory.max` less `memory.current`, v1's `memory.limit_in_bytes` less
    `memory.usage_in_bytes` (`root`: where the cgroup filesystems are mounted; `membership`:
    the process's cgroups, `hierarchy:controllers:path` a line)."""
    try:
        with open(membership) as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    headroom = []
    for line in lines:
        parts = line.split(':', 2)
        if len(parts) != 3:
            continue
        hierarchy, controllers, path = parts
        if hierarchy == '0' and controllers == '':
            base, limit_file, usage_file = root, 'memory.max', 'memory.current'
        elif 'memory' in controllers.split(','):
            base, limit_file, usage_file = os.path.join(root, 'memory'), \
                'memory.limit_in_bytes', 'memory.usage_in_bytes'
        else:
            continue
        path = path.strip('/')
        while True:  # this cgroup, then each above it: the tightest limit counts
            directory = os.path.join(base, path) if path else base
            limit = _read_number(os.path.join(directory, limit_file))
            usage = _read_number(os.path.join(directory, usage_file))
            if limit is not None and usage is not None and limit < 2 ** 60:  # v1: no limit
                headroom.append(max(limit - usage, 0))
            if not path:
                break
            path = os.path.dirname(path)
    return min(headroom) if headroom else None


def _address_space_headroom():
    """Bytes the address-space limit (`RLIMIT_AS`) leaves above the process's size now
    (`VmSize`), or None without a limit."""
    soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    if soft == resource.RLIM_INFINITY:
        return None
    try:
        with open('/proc/self/status') as f:
            size = next(int(line.split()[1]) * 1024 for line in f if line.startswith('VmSize:'))
    except (OSError, StopIteration, ValueError):
        return None
    return max(soft - size, 0)


def _mem_available():
    """Linux `MemAvailable` in bytes, or None."""
    try:
        with open('/proc/meminfo') as f:
            for line in f:
                if line.startswith('MemAvailable:'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


#: the limits `memory_limits` reads, by the words a refusal names them with
LIMITS = (('the address-space limit, RLIMIT_AS', _address_space_headroom),
          ("the cgroup's memory limit", _cgroup_headroom),
          ('MemAvailable', _mem_available))


def memory_limits():
    """{what limits it: bytes this process can still get} for each limit that applies: the
    address-space limit (`RLIMIT_AS`) less the process's size, the cgroup's limit less its
    usage, the machine's `MemAvailable`."""
    out = {}
    for name, read in LIMITS:
        value = read()
        if value is not None:
            out[name] = value
    return out


def available_memory():
    """Bytes of memory this process can still get: the least of `memory_limits`, or None."""
    limits = memory_limits()
    return min(limits.values()) if limits else None


def _available(available):
    """(bytes, ' (what limits it)') of `available`, or of the tightest of `memory_limits`."""
    if available is not None:
        return available, ''
    limits = memory_limits()
    if not limits:
        return None, ''
    name = min(limits, key=limits.get)
    return limits[name], ' (%s)' % name


def check_fits(what, parts, advice, available=None):
    """Raise `MemoryError` when the bytes `parts` ({term: bytes}) add up to more than the
    memory available: '`what` needs about X GiB (the largest terms), but only Y GiB is
    available (what limits it); `advice`'.

    # Arguments
        what: what would be run, for the message ('spectral: 34 nodes x 100000000 dimensions').
        parts: {term: bytes}.
        advice: what to lower, naming its flag ('lower --dim (100000000)').
        available: bytes (default: the least of `memory_limits`).

    # Returns
        The bytes needed.
    """
    needed = int(sum(parts.values()))
    available, limit = _available(available)
    if available is not None and needed > available:
        big = sorted(parts.items(), key=lambda kv: -kv[1])[:3]
        raise MemoryError('%s needs about %.1f GiB (%s), but only %.1f GiB is available%s; %s'
                          % (what, needed / 2.0 ** 30,
                             ', '.join('%s %.1f GiB' % (k, v / 2.0 ** 30) for k, v in big),
                             available / 2.0 ** 30, limit, advice))
    return needed


def check_table_fits(num_nodes, dim, *, optimizer='adam', dense_updates=False, hidden_dim=32,
                     batch_size=512, num_edges=0, negatives=5, walks=None, workers=1,
                     available=None, advice=None):
    """Raise `MemoryError` with the figures if a training run cannot fit in memory.

    The one memory guard: `Author2Vec`, `ContentLinkAuthor2Vec` and `PartitionedAuthor2Vec`
    (with the rows it holds) call it before they build a model or draw a pair. The message
    ends with what to lower, naming the flag and its value (`lower --negatives (1000000000)`),
    of the largest part: the table (`--dim`), the pair layer (`--hidden-dim`), the batch or the
    sampling (`--batch-size`, `--negatives`), the walks (`--walks-per-node`, `--walk-length`),
    the extra workers (`--workers`).

    # Arguments
        As `estimate_training_memory`, and
        available: bytes (default: the least of `memory_limits`).
        advice: what to do when the table is the largest part, for the message (default:
            lower --dim (its value), or train out of core with --partitions).

    # Returns
        The estimate in bytes.
    """
    parts = estimate_training_memory(num_nodes, dim, optimizer=optimizer,
                                     dense_updates=dense_updates, hidden_dim=hidden_dim,
                                     batch_size=batch_size, num_edges=num_edges,
                                     negatives=negatives, walks=walks, workers=workers,
                                     parts=True)
    largest = max(parts, key=parts.get)
    if largest in ('batch', 'sampling'):
        advice = 'lower --negatives (%d)' % negatives if 1 + negatives > batch_size else \
            'lower %s--batch-size (%d)' % ('--dim (%d) or ' % dim if largest == 'batch'
                                           else '', batch_size)
    elif largest == 'walks':
        sizes = _walk_parts(num_nodes, walks)
        flag = max(sizes, key=sizes.get)
        advice = 'lower %s (%d)' % (flag, walks[flag[2:].replace('-', '_')])
    elif largest == 'pair layer':
        advice = 'lower --hidden-dim (%d)%s' % (hidden_dim, ' or --dim (%d)' % dim
                                                if dim > hidden_dim else '')
    elif largest == 'workers':
        advice = 'lower --workers (%d)' % workers
    elif largest == 'graph':
        advice = 'the graph itself (%d edges) is too large for this memory' % num_edges
    elif advice is None:
        advice = 'lower --dim (%d), or train out of core with --partitions' % dim
    return check_fits('training %d nodes x %d dimensions' % (num_nodes, dim), parts, advice,
                      available)
