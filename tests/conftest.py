"""Shared fixtures: one real graph and its link-prediction split, built once per session."""
import pytest


@pytest.fixture(scope='session')
def grqc():
    """ca-GrQc, the bundled real co-authorship graph (5,242 authors)."""
    from author2vec_keras.data import datasets
    return datasets.load('ca-grqc').graph


@pytest.fixture(scope='session')
def grqc_split(grqc):
    from author2vec_keras.data.splits import link_prediction_split
    return link_prediction_split(grqc, test_fraction=0.1, seed=0)
