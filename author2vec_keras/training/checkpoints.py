"""Training checkpoints: the model(s) with their optimizer state and the position (epoch, batch).

Every file goes through a temporary name and a rename (`saving.save_model`,
`fileio.atomic_open`), so a `kill -9` leaves the last good checkpoint intact. A checkpoint
records a fingerprint (package version, parameters, graph, other inputs); one made with anything
else is refused with `CheckpointMismatch`, naming each parameter that differs and both values.
Models that share layers (the content + link model) are saved one file each and restored in
place into freshly built models (`saving.restore_model`), which keeps them sharing.
"""
import contextlib
import hashlib
import json
import os
import re
import signal
import threading

import numpy as np

from author2vec_keras import __version__
from author2vec_keras.fileio import atomic_open, temporary_target

__all__ = ['Checkpoints', 'CheckpointMismatch', 'check_within', 'fingerprint', 'digest', 'META',
           'interrupt_between_steps', 'describe_differences', 'TrainingInterrupted']

META = 'checkpoint.json'
#: a model file of `Checkpoints.write`: NAME-eEEEE-bBBBBBB.h5
_MODEL_FILE = re.compile(r'^\w+-e\d{4}-b\d{6}\.h5$')


class CheckpointMismatch(ValueError):
    """A checkpoint made with another graph, configuration or package version, or beyond the
    epochs asked for; `names`: the parameters the message names (the command line shows their
    flags)."""

    def __init__(self, message, names=()):
        super(CheckpointMismatch, self).__init__(message)
        self.names = tuple(names)

    def __reduce__(self):
        return (type(self), (str(self), self.names))


def check_within(directory, epoch, started, epochs, where='checkpoint_dir'):
    """`CheckpointMismatch` when a checkpoint's position is beyond `epochs`: resuming it would
    train nothing and give vectors of more epochs than asked for, under a record of fewer.

    # Arguments
        directory: the checkpoint's directory, for the message.
        epoch: the epochs it has finished; started: whether it is inside the next one.
        epochs: the epochs asked for.
        where: the parameter of the directory ('checkpoint_dir', 'workdir').
    """
    needed = epoch + (1 if started else 0)
    if needed > epochs:
        raise CheckpointMismatch(
            'the checkpoint in %s is %s, beyond epochs=%d: ask for epochs=%d or more to resume '
            'it, or use another %s' % (directory, 'in epoch %d' % needed if started else
                                       'at the end of epoch %d' % epoch, epochs, needed, where),
            ['epochs', where])


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C in training, after the position was saved: what `str()` and `resume_hint` say.

    # Arguments
        directory: the checkpoint directory.
        epoch, batch: the position saved (epoch 1-based; the batch to train next).
        unit: what `batch` counts ('batch'; 'bucket' for partitioned training: buckets done).
    """

    def __init__(self, directory, epoch, batch, unit='batch'):
        super(TrainingInterrupted, self).__init__(directory, epoch, batch)
        self.directory, self.epoch, self.batch, self.unit = directory, epoch, batch, unit

    def resume_hint(self, resume='fit(..., resume=True)'):
        """'saved epoch E, batch B in DIR; RESUME continues' (the command line: '--resume')."""
        return 'saved epoch %d, %s %d in %s; %s continues' % (
            self.epoch, self.unit, self.batch, self.directory, resume)

    def __str__(self):
        return self.resume_hint()


@contextlib.contextmanager
def interrupt_between_steps():
    """Ctrl-C (SIGINT) taken between training steps, never inside one.

    Python's default handler raises `KeyboardInterrupt` wherever the main thread is; inside a
    weakref or garbage-collection callback (Theano and Keras run many) it is printed as
    "Exception ignored" and lost, and training runs on to its end. Here the handler only notes
    the signal; the loop calls the yielded `check()` between steps, which raises
    `KeyboardInterrupt` there. A second Ctrl-C raises at once (a step that never ends). Outside
    the main thread, or where the user installed a handler of their own, nothing changes.
    Nested blocks share the outermost one's check: a fit wraps its epochs, so a Ctrl-C while a
    checkpoint is written is raised at the next epoch's first step, after the write.
    """
    if _ACTIVE_CHECKS:
        yield _ACTIVE_CHECKS[-1]
        return
    pressed = []

    def check():
        if pressed:
            del pressed[:]
            raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield check
        return

    def note(signum, frame):
        if pressed:
            raise KeyboardInterrupt
        pressed.append(signum)

    signal.signal(signal.SIGINT, note)
    _ACTIVE_CHECKS.append(check)
    try:
        yield check
    finally:
        _ACTIVE_CHECKS.pop()
        signal.signal(signal.SIGINT, signal.default_int_handler)


#: the check of the `interrupt_between_steps` block in force (the outermost), if any
_ACTIVE_CHECKS = []


def fingerprint(params, graph, data=None):
    """What a checkpoint must match: package version, parameters (a dict), the graph, and
    `data`, a digest of any further training input (the content model's papers), or None."""
    edges = hashlib.sha256(np.ascontiguousarray(graph.edges).tobytes()).hexdigest()
    return {'version': __version__, 'params': json.loads(json.dumps(params, default=str)),
            'num_nodes': graph.num_nodes, 'edges_sha256': edges, 'data': data}


def digest(*arrays):
    """sha256 of arrays (and JSON-able values), for `fingerprint(..., data=digest(...))`."""
    h = hashlib.sha256()
    for a in arrays:
        if isinstance(a, np.ndarray):
            h.update(str((a.dtype.str, a.shape)).encode())
            h.update(np.ascontiguousarray(a).tobytes())
        else:
            h.update(json.dumps(a, default=str).encode())
    return h.hexdigest()


class Checkpoints(object):
    """The checkpoints of one training run in `directory`.

    # Arguments
        directory: where `META` and the model files (`model-eEEEE-bBBBBBB.h5`) live.
        fingerprint: the run's `fingerprint(...)`.
    """

    def __init__(self, directory, fingerprint):
        self.directory = directory
        self.fingerprint = fingerprint

    def write(self, model, epoch, batch, history, state=None):
        """Save the model(s), with their optimizer state, as the position `(epoch, batch)`.

        # Arguments
            model: a Keras model, or a dict name -> compiled model (models sharing layers).
            epoch, batch: where training continues from.
            history: the losses so far (any JSON value).
            state: optional JSON value kept with the position (e.g. a partial epoch's losses).
        """
        from author2vec_keras.nn import saving
        os.makedirs(self.directory, exist_ok=True)
        models = model if isinstance(model, dict) else {'model': model}
        files = {}
        for key in sorted(models):
            files[key] = '%s-e%04d-b%06d.h5' % (key, epoch, batch)
            saving.save_model(models[key], os.path.join(self.directory, files[key]))
        meta_path = os.path.join(self.directory, META)
        previous = _read_json(meta_path)
        meta = dict(self.fingerprint, epoch=epoch, batch=batch, history=history, state=state)
        if isinstance(model, dict):
            meta['models'] = files
        else:
            meta['model'] = files['model']
        with atomic_open(meta_path, 'w', encoding='utf8') as f:
            json.dump(meta, f, indent=1)
        for old in _files(previous or {}):
            if old not in files.values() and os.path.exists(os.path.join(self.directory, old)):
                os.remove(os.path.join(self.directory, old))

    def read(self, into=None):
        """`(model, meta)` of the last checkpoint, or None when there is none.

        # Arguments
            into: None to load the saved model (`saving.load_model`); or a dict name -> compiled
                model, as given to `write`, to restore each one's weights and optimizer state
                in place (`saving.restore_model`); then `(into, meta)` is returned.

        Raises `CheckpointMismatch` naming what differs (package version, configuration, graph,
        data) or a missing model file.
        """
        self._remove_temporaries()
        meta = _read_json(os.path.join(self.directory, META))
        if meta is None:
            return None
        differences = describe_differences(meta, self.fingerprint)
        if differences:
            raise CheckpointMismatch('the checkpoint in %s was made with %s; use another '
                                     '--checkpoint-dir or drop --resume'
                                     % (self.directory, differences))
        files = meta.get('models') or {'model': meta['model']}
        if (into is None) != ('model' in meta) or (into is not None and set(into) != set(files)):
            raise CheckpointMismatch('the checkpoint in %s holds %s, not the models asked for'
                                     % (self.directory, ', '.join(sorted(files))))
        for name in files.values():
            if not os.path.exists(os.path.join(self.directory, name)):
                raise CheckpointMismatch('the checkpoint in %s names %s, which is missing'
                                         % (self.directory, name))
        from author2vec_keras.nn import saving
        if into is None:
            return saving.load_model(os.path.join(self.directory, meta['model'])), meta
        for key, model in into.items():
            saving.restore_model(model, os.path.join(self.directory, files[key]))
        return into, meta


    def position(self):
        """`(epoch, batch)` of the last checkpoint written in `directory`, or None."""
        meta = _read_json(os.path.join(self.directory, META))
        return None if meta is None else (meta['epoch'], meta['batch'])

    def _remove_temporaries(self):
        """Delete the half-written files of a run killed inside an atomic write (this
        directory's own kinds only: `META` and model files)."""
        if not os.path.isdir(self.directory):
            return
        for name in os.listdir(self.directory):
            target = temporary_target(name)
            if target and (target == META or _MODEL_FILE.match(target)):
                os.remove(os.path.join(self.directory, name))


_WHAT = {'version': 'package version', 'num_nodes': 'graph', 'edges_sha256': 'graph',
         'data': 'training data (edge weights; papers, authorship)'}


def describe_differences(saved, now):
    """What differs between a checkpoint's fingerprint `saved` and the run's `now`, in words
    ('other parameters (random_state: 5 in the checkpoint, 6 now)'), or '' when nothing does.

    Parameters are named one by one with both values; the graph and the training data, which
    are digests, by what they are.
    """
    saved_params, params = saved.get('params') or {}, now.get('params') or {}
    changed = ['%s: %s in the checkpoint, %s now' % (name, _short(saved_params.get(name)),
                                                     _short(params.get(name)))
               for name in sorted(set(saved_params) | set(params))
               if saved_params.get(name) != params.get(name)]
    what = ['other parameters (%s)' % '; '.join(changed)] if changed else []
    if saved.get('version') != now.get('version'):
        what.insert(0, 'package version %s (now %s)' % (saved.get('version'), now.get('version')))
    for key in ('num_nodes', 'edges_sha256', 'data'):  # other data: said once, not with a graph
        if saved.get(key) != now.get(key) and not any(w.startswith('another') for w in what):
            what.append('another ' + _WHAT[key])
    return ', '.join(what)


def _files(meta):
    return list((meta.get('models') or {}).values()) + ([meta['model']] if meta.get('model')
                                                        else [])


def _read_json(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding='utf8') as f:
        return json.load(f)


def _short(value):
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) < 60 else text[:57] + '...'
