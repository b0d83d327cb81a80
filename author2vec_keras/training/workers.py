"""Hogwild worker processes over shared-memory tables: one epoch's batches trained by `N`
processes at once, as word2vec's threads and PyTorch-BigGraph's processes do.

Theano never releases the GIL on the CPU, so the workers are processes, forked after the train
function is compiled (no worker compiles). Before the fork every weight and optimizer slot of
the model is moved into anonymous shared memory (`share_model`: `MAP_SHARED` pages, which a
fork shares instead of copying); the compiled step updates the rows of a table in place (the
package's fused row-update C ops), so every worker writes into the same tables, without locks.
Worker `w` of `N` trains the `w`-th of `N` contiguous blocks of the epoch's batches (a batch
is a pure function of seed, epoch and batch number: each worker draws its own walks and
negatives, and a chunk of walk pairs, about 190 batches, is made by one worker, or two where
their blocks meet); the parent waits and returns the mean loss, as the one-process loop does.

    share_model(model)                              # idempotent; before every fork
    loss = train_epoch(model, batches, workers=2)   # the mean loss (an array)

Results with `N > 1` are not bit-reproducible: the workers' updates interleave as the machine
schedules them. A worker killed or crashed, or Ctrl-C in the parent, ends every worker; the
parent then raises (`WorkerError`, the worker's own exception, or `TrainingInterrupted` naming
the last checkpoint) and that checkpoint stays as it was (the tables, half an epoch on, are not
saved).
"""
import mmap
import os
import pickle
import signal
import sys

import numpy as np

from author2vec_keras.checks import ParameterError, finite_loss
from author2vec_keras.training.checkpoints import TrainingInterrupted, interrupt_between_steps

__all__ = ['share_model', 'is_shared', 'train_epoch', 'WorkerError', 'fork_available',
           'check_fork']

#: seconds between two looks of the parent at its workers (progress, Ctrl-C)
_POLL = 0.2
#: bytes copied at a time into shared memory (all-zero blocks are skipped, see `_share`)
_BLOCK = 1 << 22


class WorkerError(RuntimeError):
    """A worker process that died without its result (killed, or exited on its own)."""


class _SharedBuffer(mmap.mmap):
    """Anonymous shared memory made here (`is_shared` tells it from any other buffer)."""


def fork_available():
    """Whether this platform can fork worker processes (`os.fork`: not on Windows)."""
    return hasattr(os, 'fork')


def check_fork(workers):
    """None, or `checks.ParameterError` in one line when `workers > 1` processes cannot be
    forked here."""
    if workers > 1 and not fork_available():
        raise ParameterError('workers=%d needs os.fork, which this platform (%s) lacks: train '
                             'with workers=1' % (workers, sys.platform), ['workers'])


def is_shared(array):
    """Whether `array` lies in shared memory made by `share_model`."""
    base = array
    while isinstance(base, (np.ndarray, memoryview)):
        base = base.obj if isinstance(base, memoryview) else base.base
    return isinstance(base, _SharedBuffer)


def _state(model):
    """The variables a worker's steps change: every weight of `model` and of its optimizer
    (slots, the step counter), then what else its train function updates (a Dropout's random
    stream: shared, it goes on from epoch to epoch as in one process), each once, in order."""
    from author2vec_keras.nn.backend import updated_variables
    seen, out = set(), []
    optimizer = getattr(model, 'optimizer', None)
    for v in list(model.weights) + list(getattr(optimizer, 'weights', None) or []) + \
            updated_variables(model):
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def _share(value):
    """A copy of `value` in new shared memory. Blocks of zeros are not copied: the fresh pages
    are zero already, and an optimizer slot's untouched zeros (`_RowOptimizer._slot`) stay
    unallocated in both places."""
    value = np.require(value, requirements='C')  # not ascontiguousarray: 0-d stays 0-d
    buffer = _SharedBuffer(-1, max(value.nbytes, 1))
    array = np.frombuffer(buffer, dtype=value.dtype, count=value.size).reshape(value.shape)
    src, dst = value.reshape(-1).view(np.uint8), array.reshape(-1).view(np.uint8)
    for start in range(0, len(src), _BLOCK):
        block = src[start:start + _BLOCK]
        if block.any():
            dst[start:start + _BLOCK] = block
    return array


def share_model(model):
    """Move every weight and optimizer slot of `model` (compiled; its train function is made
    here if needed, with the optimizer's slots) into shared memory, in place; those already
    there stay. Returns the number of bytes moved.

    A fork then shares them: what a worker's steps write, the parent and the other workers see.
    Call it right before forking: `set_weights` or a checkpoint restore replaces a variable's
    array by a private one again. Raises ValueError for a model on a GPU.
    """
    moved = 0
    for v in _state(model):
        value = v.get_value(borrow=True, return_internal_type=True)
        if not isinstance(value, np.ndarray):
            raise ValueError('worker processes share tables in CPU memory; %s is on another '
                             'device (%s): train with workers=1 there'
                             % (v.name, type(value).__name__))
        if not is_shared(value):
            array = _share(value)
            v.set_value(array, borrow=True)
            if v.get_value(borrow=True, return_internal_type=True) is not array:
                raise RuntimeError('%s did not take its shared array: Theano copied it'
                                   % (v.name,))
            moved += value.nbytes
    return moved


def _blocks(first, steps, workers):
    """The batches of each worker: `workers` contiguous ranges of `first .. steps - 1`."""
    bounds = np.linspace(first, steps, workers + 1).round().astype(int)
    return [range(bounds[w], bounds[w + 1]) for w in range(workers)]


def train_epoch(model, batches, workers, epoch=0, first=0, on_batch_end=None, checkpoints=None):
    """Train `model` on `batches[first:]` in `workers` forked processes (Hogwild).

    # Arguments
        model: a compiled Keras model; its train function is made here, before the fork.
        batches: a sequence of `(x, y)` (`len`, `[i]`), the same in every process (a
            `PairSequence` with its epoch set).
        workers: processes, each taking a contiguous block of the batches.
        epoch: the epoch (0-based), for the messages.
        first: the first batch to train.
        on_batch_end: None, or `f(batch, logs)` called here, in the parent, for each batch as
            the workers finish them (in the order of their count, not of the workers'
            batches), `logs` with `'loss'` the workers' running mean (the epoch loop's
            progress bar and the user's batch callbacks).
        checkpoints: the run's `Checkpoints`, or None: on Ctrl-C, the position of the last
            one (not rewritten) is what `TrainingInterrupted` says.

    # Returns
        The mean loss over the batches' rows, an array (total, then per output), as
        `PairEmbedding._fit_epoch`.

    # Raises
        The first worker's exception (e.g. the `FloatingPointError` of a non-finite loss),
        `WorkerError` for a worker that died, `TrainingInterrupted` (or KeyboardInterrupt when
        there is no checkpoint) on Ctrl-C; every worker is ended first.
    """
    from author2vec_keras.nn import backend
    from author2vec_keras.nn.models import train_step
    check_fork(workers)
    step = train_step(model)  # compiled here, once: the workers inherit it
    share_model(model)
    cells = [(backend.value_cell(v), v.get_value(borrow=True, return_internal_type=True))
             for v in _state(model)]
    steps = len(batches)
    blocks = [b for b in _blocks(first, steps, workers) if len(b)]
    # each worker's batches done, loss sum and rows so far, for the progress bar
    progress = np.frombuffer(_SharedBuffer(-1, 24 * max(len(blocks), 1)), dtype=np.float64,
                             count=3 * len(blocks)).reshape(-1, 3)
    reported = first
    sys.stdout.flush()
    sys.stderr.flush()
    pids, pending, results = {}, {}, {}
    try:
        with interrupt_between_steps() as check_interrupt:
            for w, block in enumerate(blocks):
                read, write = os.pipe()
                pid = os.fork()
                if pid == 0:  # the worker: never returns
                    os.close(read)
                    _worker(w, len(blocks), step, batches, block, epoch, write, progress[w],
                            cells)
                os.close(write)
                pids[w] = pid
                pending[w] = os.fdopen(read, 'rb')
            while pending:
                check_interrupt()
                _wait_readable(list(pending.values()), _POLL)
                for w, pipe in list(pending.items()):
                    message = _try_read(pipe)
                    if message is None:
                        continue
                    del pending[w]
                    pipe.close()
                    if message == 'eof':
                        raise WorkerError(_death(w, len(blocks), pids.pop(w), epoch))
                    os.waitpid(pids.pop(w), 0)
                    if message[0] == 'error':
                        raise message[1]
                    results[w] = message[1:]
                done, loss, rows = progress.sum(axis=0)
                if on_batch_end is not None:
                    for batch in range(reported, first + int(done)):
                        on_batch_end(batch, {'batch': batch, 'loss': loss / max(rows, 1)})
                reported = max(reported, first + int(done))
    except KeyboardInterrupt:
        _end(pids, pending)
        position = checkpoints.position() if checkpoints is not None else None
        if position is None:
            raise
        raise TrainingInterrupted(checkpoints.directory, position[0] + 1, position[1]) from None
    finally:
        _end(pids, pending)
    total = sum(r[0] for r in results.values()) if results else 0.0
    count = sum(r[1] for r in results.values())
    return total / max(count, 1)


def _wait_readable(files, timeout):
    import select
    try:
        select.select(files, [], [], timeout)
    except InterruptedError:  # a signal (Ctrl-C): the caller looks again
        pass


def _try_read(pipe):
    """A worker's whole message once its pipe is closed ('eof' if it sent none), else None."""
    import select
    if not select.select([pipe], [], [], 0)[0]:
        return None
    data = pipe.read()  # a worker writes its one message, then exits: read to the end
    return pickle.loads(data) if data else 'eof'


def _death(w, n, pid, epoch):
    """Reap a worker that sent nothing; what happened to it, in one line."""
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = ' (%s)' % signal.Signals(sig).name
        except ValueError:
            name = ''
        how = 'was killed by signal %d%s' % (sig, name)
    else:
        how = 'exited with status %d' % os.WEXITSTATUS(status)
    return ('worker %d of %d %s in epoch %d; the other workers were stopped and the last '
            'checkpoint is kept' % (w + 1, n, how, epoch + 1))


def _end(pids, pending):
    """Kill and reap every worker still running; close their pipes."""
    for pid in pids.values():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for pid in list(pids.values()):
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    pids.clear()
    for pipe in pending.values():
        pipe.close()
    pending.clear()


def _worker(w, n, step, batches, block, epoch, fd, progress, cells):
    """A forked worker: train `block`, write `('done', loss sum, rows)` or `('error', e)` to
    `fd`, and exit (never returning into the parent's code). `progress`: its batches done,
    loss sum and rows so far, in shared memory."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        parent = os.getppid()
        _die_with_parent()
        total, rows = 0.0, 0
        for k, i in enumerate(block):
            if os.getppid() != parent:  # the parent is gone
                os._exit(1)
            x, y = batches[i]
            out = np.atleast_1d(step(x, y)).astype(np.float64)
            finite_loss(out[0], 'epoch %d, batch %d' % (epoch + 1, i + 1))
            size = len(y[0] if isinstance(y, list) else y)
            total = total + out * size
            rows += size
            _keep_shared(cells)
            progress[:] = k + 1, total[0], rows
        message = ('done', total, rows)
        status = 0
    except BaseException as e:  # noqa: BLE001  sent to the parent, which raises it
        message = ('error', _picklable(e, w, n))
    try:
        data = pickle.dumps(message)
        while data:
            data = data[os.write(fd, data):]
        os.close(fd)
    finally:
        os._exit(status)


def _picklable(error, w, n):
    """`error`, or a RuntimeError saying it, when it cannot travel through a pipe."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # noqa: BLE001
        return RuntimeError('worker %d of %d: %s: %s' % (w + 1, n, type(error).__name__, error))


def _keep_shared(cells):
    """After a step: every variable must still hold its shared array. A step that gave one a
    new array (an update Theano did not make in place) has it copied back into the shared
    one (measured: the package's models update all of theirs in place)."""
    changed = [(cell, array) for cell, array in cells if cell[0] is not array]
    values = [np.array(cell[0]) for cell, _ in changed]  # first: one may hold another's array
    for (cell, array), value in zip(changed, values):
        array[...] = value
        cell[0] = array


def _die_with_parent():
    """Linux: the kernel kills this worker when its parent dies (`PR_SET_PDEATHSIG`)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
