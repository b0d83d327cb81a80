"""Training checkpoints: the model with its optimizer state and the position (epoch, batch).

Every file goes through a temporary name and a rename (`io.save_model`, `io.atomic_open`), so a
`kill -9` leaves the last good checkpoint intact. A checkpoint records a fingerprint (package
version, parameters, graph); one made with anything else is refused with `CheckpointMismatch`.
"""
import hashlib
import json
import os

import numpy as np

from . import __version__
from .io import CheckpointMismatch, atomic_open, load_model, save_model

__all__ = ['Checkpoints', 'CheckpointMismatch', 'fingerprint', 'META']

META = 'checkpoint.json'


def fingerprint(params, graph):
    """What a checkpoint must match: package version, parameters (a dict) and the graph."""
    edges = hashlib.sha256(np.ascontiguousarray(graph.edges).tobytes()).hexdigest()
    return {'version': __version__, 'params': json.loads(json.dumps(params, default=str)),
            'num_nodes': graph.num_nodes, 'edges_sha256': edges}


class Checkpoints(object):
    """The checkpoints of one training run in `directory`.

    # Arguments
        directory: where `META` and the model files (`model-eEEEE-bBBBBBB.h5`) live.
        fingerprint: the run's `fingerprint(...)`.
    """

    def __init__(self, directory, fingerprint):
        self.directory = directory
        self.fingerprint = fingerprint

    def write(self, model, epoch, batch, history):
        """Save `model` (with its optimizer state) as the position `(epoch, batch)`."""
        os.makedirs(self.directory, exist_ok=True)
        name = 'model-e%04d-b%06d.h5' % (epoch, batch)
        save_model(model, os.path.join(self.directory, name))
        meta_path = os.path.join(self.directory, META)
        previous = _read_json(meta_path)
        meta = dict(self.fingerprint, epoch=epoch, batch=batch, model=name, history=history)
        with atomic_open(meta_path, 'w', encoding='utf8') as f:
            json.dump(meta, f, indent=1)
        if previous and previous.get('model') not in (None, name):
            old = os.path.join(self.directory, previous['model'])
            if os.path.exists(old):
                os.remove(old)

    def read(self):
        """`(model, meta)` of the last checkpoint, or None when there is none.

        Raises `CheckpointMismatch` naming what differs (package version, configuration, graph)
        or a missing model file.
        """
        meta = _read_json(os.path.join(self.directory, META))
        if meta is None:
            return None
        for key in ('version', 'params', 'num_nodes', 'edges_sha256'):
            if meta.get(key) != self.fingerprint[key]:
                raise CheckpointMismatch(
                    'the checkpoint in %s was made with another %s (%s, now %s); use another '
                    '--checkpoint-dir or drop --resume'
                    % (self.directory, 'package version' if key == 'version' else
                       'graph' if key in ('num_nodes', 'edges_sha256') else 'configuration',
                       _short(meta.get(key)), _short(self.fingerprint[key])))
        path = os.path.join(self.directory, meta['model'])
        if not os.path.exists(path):
            raise CheckpointMismatch('the checkpoint in %s names %s, which is missing'
                                     % (self.directory, meta['model']))
        return load_model(path), meta


def _read_json(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding='utf8') as f:
        return json.load(f)


def _short(value):
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) < 120 else text[:117] + '...'
