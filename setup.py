"""author2vec_keras: the Author2Vec link model as the blog's custom Keras layer, on keras 2.0.9
+ Theano."""
import os
import re

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def read(name):
    with open(os.path.join(HERE, name), encoding='utf8') as f:
        return f.read()


VERSION = re.search(r"__version__ = '([^']+)'", read('author2vec_keras/__init__.py')).group(1)

# The stack that runs here on Python 3.11 (see README, "The stack"). The GPU image swaps
# Theano-PyMC for Theano==1.0.5 + pygpu (docker/Dockerfile); the code serves both.
INSTALL_REQUIRES = [
    'Keras==2.0.9',
    'Theano-PyMC==1.1.2',
    'numpy==1.23.5',
    'scipy==1.10.1',
    'h5py>=3,<4',
    'networkx>=3.1',
    'scikit-learn>=1.3',
    'gensim>=4.3',
    'tqdm>=4.60',
    # BibTeX bibliographies (data/bibliography.py): bibtexparser 2 decodes LaTeX with pylatexenc
    'bibtexparser==2.1.0',
    'pylatexenc==2.11',
    'matplotlib>=3.7',
]

setup(
    name='author2vec_keras',
    version=VERSION,
    description='Author2Vec link model as a custom Keras 2.0.9 layer on Theano: node embeddings '
                'for link prediction, community and outlier detection',
    long_description=read('README.md'),
    long_description_content_type='text/markdown',
    license='MIT',
    python_requires='>=3.10',  # importlib.resources.files; bibtexparser 2
    packages=find_packages(exclude=['tests', 'tests.*', 'benchmarks']),
    package_data={'author2vec_keras.nn': ['c/*.c'],  # the C code of ops.py's Theano ops
                  'author2vec_keras.data.datasets': ['PROVENANCE.md', 'data/MANIFEST.tsv',
                                                'data/*/*.txt', 'data/*/*.gz', 'data/*/*.mat',
                                                # files over 5 MB, in parts .001, .002, ...
                                                'data/*/*.[0-9][0-9][0-9]']},
    install_requires=INSTALL_REQUIRES,
    extras_require={
        'test': ['pytest>=7', 'hypothesis>=6'],
        'notebooks': ['jupyter', 'nbclient', 'nbformat', 'ipykernel'],
        # Partitioned training on a Ray cluster (`author2vec train --ray-address ...`).
        'distributed': ['ray>=2.9'],
    },
    entry_points={'console_scripts': ['author2vec = author2vec_keras.cli:main']},
    classifiers=[
        'Programming Language :: Python :: 3',
        'Programming Language :: Python :: 3.11',
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
    ],
)
