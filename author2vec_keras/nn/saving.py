"""Keras models saved and loaded: through a temporary file, with every custom layer and
optimizer of the package known, compiled with its graph rewrites."""
import json
import os

import h5py

from author2vec_keras.fileio import atomic_path
from author2vec_keras.nn.backend import hdf5_string_attributes_as_bytes, keras, make_train_function

__all__ = ['save_model', 'restore_model', 'load_model']


def save_model(model, path):
    """`model.save(path)` through a temporary file, renamed when complete."""
    with atomic_path(path) as tmp:
        model.save(tmp)


def restore_model(model, path):
    """Load the weights and optimizer state that `save_model` wrote into `model`, in place.

    `model` is a compiled model of the same architecture. Unlike `load_model`, no new model is
    made, so models that share layers (the content + link model) keep sharing them.
    """
    model.load_weights(os.fspath(path))
    _restore_optimizer_state(model, path)
    return model


def _restore_optimizer_state(model, path):
    """The optimizer state in `path` (if any) into compiled `model`, as keras' `load_model`
    restores it (the train function is made first: it creates the optimizer's weights)."""
    with hdf5_string_attributes_as_bytes(), h5py.File(os.fspath(path), 'r') as f:
        if 'optimizer_weights' in f:
            group = f['optimizer_weights']
            names = [n.decode('utf8') for n in group.attrs['weight_names']]
            make_train_function(getattr(model, 'model', model))  # Sequential: its inner Model
            model.optimizer.set_weights([group[n][()] for n in names])


def load_model(path, custom_objects=None):
    """Load a model saved by `save_model` or `model.save`: every custom layer and optimizer of
    this package is known (`layers.CUSTOM_OBJECTS`, `optimizers.CUSTOM_OBJECTS`).

    As keras' `load_model`, with one difference: the model is compiled with the package's graph
    rewrites (`models.compile_model`) before its optimizer state is restored, so a loaded model
    trains and predicts with the same ops, and the same numbers, as the model that was saved.
    """
    from author2vec_keras.nn.layers import CUSTOM_OBJECTS as LAYERS
    from author2vec_keras.nn.models import compile_model
    from author2vec_keras.nn.optimizers import CUSTOM_OBJECTS as OPTIMIZERS
    objects = dict(LAYERS, **OPTIMIZERS)
    objects.update(custom_objects or {})
    model = keras.models.load_model(os.fspath(path), custom_objects=objects, compile=False)
    with hdf5_string_attributes_as_bytes(), h5py.File(os.fspath(path), 'r') as f:
        config = f.attrs.get('training_config')
    if config is None:  # saved uncompiled: keras warns and returns it uncompiled too
        return model
    config = json.loads(config.decode('utf8') if isinstance(config, bytes) else config)
    optimizer = keras.optimizers.deserialize(config['optimizer_config'], custom_objects=objects)
    compile_model(model, optimizer, loss=config['loss'], metrics=config['metrics'],
                  loss_weights=config['loss_weights'],
                  sample_weight_mode=config['sample_weight_mode'])
    _restore_optimizer_state(model, path)
    return model
