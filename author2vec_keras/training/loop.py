"""The one training loop: epochs of batches over compiled models, driven by Keras callbacks.

`EpochLoop` runs the epochs of `Author2Vec` and `ContentLinkAuthor2Vec`, and
`bucket_training.train_buckets` (the partitioned path) drives the same callbacks, as keras
2.0.9's `fit_generator` drives them: `set_model`, `set_params`, `on_train_begin`; per epoch
`on_epoch_begin`, `on_batch_begin` / `on_batch_end` around every batch and
`on_epoch_end(epoch, logs)` with the epoch's mean losses; `on_train_end`. `model.stop_training`
(`keras.callbacks.EarlyStopping` sets it) is read after every epoch, so training stops at an
epoch's end and the checkpoint stays exact. The progress bar (`Progress`) and the checkpoints
(`Checkpoint`) are callbacks too, in the order `Progress`, the user's, `Checkpoint` (a user's
callback sees the epoch before its checkpoint is written).

An epoch trains its phases in order (`Phase`: a compiled model and its batches; the content
then the link model for the alternating content + link model). A position `(epoch, batch)`
counts the epoch's batches over its phases, so training resumes from any batch. One pass of one
model over its batches is the estimator's `_fit_epoch(model, batches, epoch, first)` (the seam
for worker processes); Ctrl-C is taken between its steps (`checkpoints.interrupt_between_steps`)
and saves the position (`EpochLoop.interrupted`).

Per-batch hooks are called directly, only those a callback overrides (keras' `CallbackList`
times each batch's calls and takes a median: tens of microseconds per batch). Importing this
module is cheap: Keras loads when a loop runs.
"""
import collections
import sys
import time

from author2vec_keras.training.checkpoints import TrainingInterrupted, interrupt_between_steps

__all__ = ['Callback', 'Checkpoint', 'EpochLoop', 'Phase', 'Progress', 'batch_hooks',
           'callback_list', 'stopped']

#: one compiled model trained over its batches each epoch; `losses(mean loss array)` gives
#: the epoch record's entries (e.g. `{'link': 0.62}`)
Phase = collections.namedtuple('Phase', 'name model batches losses')


class Callback(object):
    """The interface of `keras.callbacks.Callback`, without importing Keras (the package's
    own callbacks; any Keras callback goes where these go)."""

    model, params = None, {}

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self.model = model

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass


class Progress(Callback):
    """A progress bar per epoch on stderr (tqdm) with the last batch's loss, then a line with
    the epoch's losses and seconds on stdout.

    # Arguments
        start: the position training starts from, `(epoch, batch)`: the first bar starts there.
        unit: what a step is ('batch'; 'bucket' for partitioned training).
    """

    def __init__(self, start=(0, 0), unit='batch'):
        self.start, self.unit, self.bar = tuple(start), unit, None

    def on_epoch_begin(self, epoch, logs=None):
        from tqdm import tqdm
        self.started = time.time()
        self.bar = tqdm(total=self.params['steps'], unit=self.unit, file=sys.stderr,
                        initial=self.start[1] if epoch == self.start[0] else 0,
                        desc='epoch %d/%d' % (epoch + 1, self.params['epochs']))

    def on_batch_end(self, batch, logs=None):
        self.bar.set_postfix(loss='%.4f' % logs['loss'], refresh=False)
        self.bar.update(1)

    def on_epoch_end(self, epoch, logs=None):
        self.close()
        print('epoch %d/%d %s (%.1f s)' % (
            epoch + 1, self.params['epochs'],
            ' '.join('%s=%.4f' % kv for kv in sorted((logs or {}).items())),
            time.time() - self.started))

    def close(self):
        """End the bar (also when training stops on an error or Ctrl-C)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Checkpoint(Callback):
    """Writes the checkpoint (`Checkpoints.write`) after every epoch, and on Ctrl-C the
    position reached (`interrupted`).

    # Arguments
        checkpoints: the run's `Checkpoints`.
        models: what `Checkpoints.write` saves (a model, or a dict name -> compiled model).
        history: the list of epoch records (the loop appends to it).
        state: None, or `f()` -> a dict every checkpoint keeps beside its position (the
            seconds trained, so a resumed run's record counts them).
    """

    def __init__(self, checkpoints, models, history, state=None):
        self.checkpoints, self.models, self.history = checkpoints, models, history
        self.state = state

    def _state(self, **more):
        state = dict(self.state() if self.state is not None else {}, **more)
        return state or None

    def on_epoch_end(self, epoch, logs=None):
        self.checkpoints.write(self.models, epoch + 1, 0, self.history, state=self._state())

    def interrupted(self, epoch, batch, partial=None, sums=None):
        """Save the position `(epoch, batch)` (with the losses of the epoch's phases done,
        `partial`, and the loss sums of the phase it stopped in, `sums`: the resumed epoch's
        record is then the whole epoch's); returns the `TrainingInterrupted` to raise."""
        more = dict([('partial', partial)] if partial else [],
                    **({'sums': sums} if sums is not None else {}))
        self.checkpoints.write(self.models, epoch, batch, self.history,
                               state=self._state(**more))
        return TrainingInterrupted(self.checkpoints.directory, epoch + 1, batch)


def callback_list(callbacks, model, params):
    """keras' `CallbackList` of `callbacks` with `model` and `params` set (`epochs`, `steps`
    per epoch, `verbose`; `metrics`: the batch logs' `['loss']`), the model's `stop_training`
    cleared (as `fit_generator` does)."""
    from author2vec_keras.nn.backend import keras
    callbacks = keras.callbacks.CallbackList(list(callbacks))
    callbacks.set_model(model)
    callbacks.set_params(dict({'verbose': 0, 'do_validation': False, 'metrics': ['loss']},
                              **params))
    if model is not None:
        model.stop_training = False
    return callbacks


def batch_hooks(callbacks):
    """`(on_batch_begin, on_batch_end)`: lists of the callbacks' methods that do something
    (not `Callback`'s nor keras' empty ones)."""
    from author2vec_keras.nn.backend import keras
    hooks = ([], [])
    for name, found in zip(('on_batch_begin', 'on_batch_end'), hooks):
        empty = {getattr(keras.callbacks.Callback, name), getattr(Callback, name)}
        for callback in callbacks:
            method = getattr(callback, name)
            if getattr(method, '__func__', None) not in empty:
                found.append(method)
    return hooks


def stopped(model):
    """Whether a callback asked training to stop (`model.stop_training`)."""
    return bool(getattr(model, 'stop_training', False))


class EpochLoop(object):
    """The epochs of an estimator's `fit`, from a position to `epochs`.

    # Arguments
        phases: the `Phase`s of an epoch, in training order.
        epochs: the epochs in all.
        fit_epoch: `f(model, batches, epoch, first, sums)` -> mean loss array: one pass of a
            model over its batches from batch `first` (`sums`: the loss sums of the batches
            before it, a resumed phase's; `PairEmbedding._fit_epoch`: it calls `batch_hooks`
            around each step and `interrupted` on Ctrl-C).
        epoch_end: `f(losses)` -> `(history entry, logs)` of an epoch whose phases gave
            `losses` (a dict, the `Phase.losses` merged).
        history: the list of epoch records to append to (the estimator's `history_`).
        callbacks: the user's Keras callbacks (a list, or None).
        model: the model the callbacks get (`self.model`) and whose `stop_training` is read.
        checkpoint: a `Checkpoint`, or None.
        verbose: a `Progress` first.

    # Attributes
        batch_hooks: `(on_batch_begin, on_batch_end)` of the callbacks (`batch_hooks`).
        offset: the epoch's batches before the current phase's.
        timings: `{'epochs': [...], 'epochs_cpu': [...]}`, wall and process CPU seconds of each
            epoch trained, its callbacks and checkpoint included.
    """

    def __init__(self, phases, epochs, fit_epoch, epoch_end, history, callbacks=None,
                 model=None, checkpoint=None, verbose=1):
        self.phases, self.epochs, self.history = list(phases), epochs, history
        self.fit_epoch, self.epoch_end = fit_epoch, epoch_end
        self.user, self.model, self.checkpoint = list(callbacks or []), model, checkpoint
        self.verbose, self.progress = verbose, None
        self.batch_hooks = ((), ())
        self.offset, self.partial = 0, {}
        self.timings = {'epochs': [], 'epochs_cpu': []}

    def run(self, start=(0, 0), partial=None, sums=None):
        """Train from `start`, `(epoch, batch)`; `partial`: the losses of the phases of the
        start epoch already done, `sums` the loss sums of the phase it stops inside (a
        checkpoint's). Returns `self`."""
        self.progress = Progress(start) if self.verbose else None
        callbacks = ([self.progress] if self.progress else []) + self.user + \
            ([self.checkpoint] if self.checkpoint else [])
        callbacks = callback_list(callbacks, self.model, {
            'epochs': self.epochs, 'steps': sum(len(p.batches) for p in self.phases),
            'verbose': self.verbose})
        self.batch_hooks = batch_hooks(callbacks)
        callbacks.on_train_begin()
        try:
            with interrupt_between_steps():  # a Ctrl-C between epochs waits for the next step
                for epoch in range(start[0], self.epochs):
                    resumed = epoch == start[0]
                    self._epoch(callbacks, epoch, start[1] if resumed else 0,
                                partial if resumed else None, sums if resumed else None)
                    if stopped(self.model):
                        break
        except BaseException:
            if self.progress is not None:
                self.progress.close()
            raise
        callbacks.on_train_end()
        return self

    def _epoch(self, callbacks, epoch, first, partial, sums=None):
        wall, cpu = time.time(), time.process_time()
        for phase in self.phases:
            phase.batches.set_epoch(epoch)
        callbacks.on_epoch_begin(epoch)
        self.offset, self.partial = 0, dict(partial or {})
        for phase in self.phases:
            steps = len(phase.batches)
            if first < self.offset + steps:
                inside = self.offset < first  # the phase a checkpoint stopped in
                loss = self.fit_epoch(phase.model, phase.batches, epoch,
                                      max(0, first - self.offset), sums if inside else None)
                self.partial.update(phase.losses(loss))
            self.offset += steps
        entry, logs = self.epoch_end(self.partial)
        self.history.append(entry)
        callbacks.on_epoch_end(epoch, logs)
        self.timings['epochs'].append(time.time() - wall)
        self.timings['epochs_cpu'].append(time.process_time() - cpu)

    def interrupted(self, epoch, step, sums=None):
        """Ctrl-C before `step` of the current phase of `epoch` (`sums`: that phase's loss sums
        so far): the `TrainingInterrupted` to raise once the position is saved, or None (no
        checkpoints)."""
        if self.checkpoint is None:
            return None
        return self.checkpoint.interrupted(epoch, self.offset + step, self.partial, sums)
