"""The optimizers' state per weight, in copies of the weight: what the row-wise optimizers keep
(`optimizers.RowSGD`, `RowAdagrad`, `RowAdam`) and what Keras 2.0.9's stock ones keep.

numpy only (no Theano, no Keras): the memory guard reads it before any model is built.
"""

__all__ = ['SLOTS', 'optimizer_kind', 'table_copies']

#: optimizer state per weight, in copies of the weight: row-wise optimizers (the default) and
#: Keras 2.0.9's stock ones (`--dense-updates`; its SGD always keeps a momentum buffer)
SLOTS = {
    'row': {'sgd': 0, 'adagrad': 1, 'adam': 2},
    'dense': {'sgd': 1, 'rmsprop': 1, 'adagrad': 1, 'adadelta': 2, 'adam': 2, 'adamax': 2,
              'nadam': 2},
}


def optimizer_kind(optimizer, dense_updates=False):
    """`(name, row_wise)`: the lower-case Keras name of an optimizer given by name, config dict
    or instance ('RowAdam' -> 'adam'), and whether it updates the table row-wise.

    A name or config is resolved as `optimizers.resolve` does (row-wise for sgd, adagrad and
    adam unless `dense_updates`); an instance is row-wise when it is one of `optimizers`' Row*.
    """
    if isinstance(optimizer, (str, dict)):
        name = optimizer if isinstance(optimizer, str) else optimizer.get('class_name', '')
        name = name.lower()
        if name.startswith('row'):
            return name[3:], True
        return name, not dense_updates and name in SLOTS['row']
    name = type(optimizer).__name__.lower()
    if name.startswith('row'):
        return name[3:], True
    return name, False


def table_copies(optimizer, dense_updates=False):
    """Arrays the size of the embedding table that training holds in the optimizer's hands:
    the table and its slots (`SLOTS`: RowSGD 1, RowAdagrad 2, RowAdam 3), and for a stock Keras
    optimizer the table's dense gradient too (`Adam`: 1 + 1 + 2 = 4)."""
    name, row = optimizer_kind(optimizer, dense_updates)
    if row:
        return 1 + SLOTS['row'][name]
    return 2 + SLOTS['dense'].get(name, 2)
