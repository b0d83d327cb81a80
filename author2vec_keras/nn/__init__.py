"""The network wing: the Keras 2.0.9 / Theano layer of the package.

`backend` (the only module that configures Theano and fixes the 2017 stack on today's Python;
every Keras private attribute is read there), `layers` (the blog's `NodeEmbeddingLayer`, fixed),
`models` (the paper's and the blog's models, content + link), `sequences` (the training pairs as
`keras.utils.Sequence`s), `optimizers` (row-wise SGD, Adagrad, Adam) and `slots` (their state
per weight, numpy only), `ops` and `rewrites` (the CPU step's Theano ops, C in `c/*.c`), `saving`
(models saved and loaded). Reads the data wing; importing a module here (but `slots`) imports
Theano and Keras.
"""
