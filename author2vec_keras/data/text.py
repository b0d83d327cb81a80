"""Text to vectors for the content model: tokens, and gensim Doc2Vec paper vectors."""
import re

import numpy as np

__all__ = ['tokenize', 'doc2vec_vectors', 'doc2vec_model', 'infer_vectors']

_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


def tokenize(text):
    """Lower-cased word tokens (letters/digits, inner hyphens kept)."""
    return _TOKEN.findall(str(text).lower())


def doc2vec_model(texts, dim=100, epochs=20, min_count=2, seed=0, workers=1, dm=1, window=5):
    """gensim Doc2Vec (PV-DM by default) trained on a list of texts: `(vectors, model)`, the
    vectors `(len(texts), dim)` float32 (one tagged document per text, tag = its position).

    `workers=1` with a fixed `seed` is reproducible. Texts with no known word still get a
    (random-initialised, trained-free) row. The model infers vectors of new texts
    (`infer_vectors`).
    """
    from gensim.models.doc2vec import Doc2Vec, TaggedDocument
    docs = [TaggedDocument(tokenize(t), [i]) for i, t in enumerate(texts)]
    model = Doc2Vec(documents=docs, vector_size=dim, window=window, min_count=min_count,
                    epochs=epochs, dm=dm, workers=workers, seed=seed)
    out = np.asarray(model.dv.vectors, dtype=np.float32)
    if out.shape != (len(texts), dim):  # pragma: no cover  (gensim keeps one row per int tag)
        raise RuntimeError('Doc2Vec returned %r vectors for %d texts' % (out.shape, len(texts)))
    return out, model


def doc2vec_vectors(texts, dim=100, epochs=20, min_count=2, seed=0, workers=1, dm=1, window=5):
    """gensim Doc2Vec (PV-DM by default) vectors of a list of texts, `(len(texts), dim)` float32
    (`doc2vec_model`'s vectors)."""
    return doc2vec_model(texts, dim=dim, epochs=epochs, min_count=min_count, seed=seed,
                         workers=workers, dm=dm, window=window)[0]


def infer_vectors(model, texts, seed=0, epochs=None):
    """Vectors of new texts from a trained gensim Doc2Vec `model` (`infer_vector`, its words and
    weights frozen), `(len(texts), dim)` float32.

    Each text is inferred with the model's random state reset to `seed` first, so a text's
    vector depends on its words, the model and `seed` only (not on the other texts).
    """
    out = np.zeros((len(texts), model.dv.vector_size), dtype=np.float32)
    saved = model.random
    try:
        for i, text in enumerate(texts):
            model.random = np.random.RandomState(seed)  # gensim draws its negatives from it
            out[i] = model.infer_vector(tokenize(text), epochs=epochs)
    finally:
        model.random = saved
    return out
