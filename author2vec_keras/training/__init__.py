"""The training wing: the estimators and what keeps a long fit safe.

`estimator` (`Author2Vec`), `content_link` (`ContentLinkAuthor2Vec`, the paper's content + link
model), `pair_embedding` (their shared base: parameters, a model's pass, outputs), `loop` (the
one epoch loop, driven by Keras callbacks), `presets` (named configurations), `checkpoints`
(resume, Ctrl-C), `memory` (the guard that refuses a run before it allocates), `partitions`,
`bucket_training`, `partitioned_training` and `distributed` (out-of-core and Ray training).
Reads the data and nn wings; Theano loads when a fit builds a model.
"""
