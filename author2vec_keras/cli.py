"""The `author2vec` command: edge list or named dataset in, word2vec-format embeddings out.

    author2vec train --edgelist graph.txt --output graph.emb
    author2vec train --papers papers.csv      (your bibliography: the content + link model)
    author2vec train --papers papers.csv --new-papers newcomers.csv   (+ vectors of new authors)
    author2vec benchmark --dataset ca-astroph --task link-prediction
    author2vec benchmark --edgelist graph.csv --labels labels.csv --task node-classification
    author2vec benchmark --papers papers.csv --protocol temporal --split-year 2010
    author2vec datasets | info

Every flag's default is the estimator's (`Author2Vec().get_params()`); training and scoring go
through `pipeline`. Exit status: 0 success, 2 bad input or usage (one line naming the file,
line or flag and the problem; nothing written), 1 any other failure (a benchmark method that
failed, after the others' results are written). Warnings take one line each.
"""
import argparse
import contextlib
import inspect
import os
import re
import shlex
import sys
import tempfile
import warnings

from author2vec_keras import __version__
from author2vec_keras.checks import CONTEXTS
from author2vec_keras.data.graph import DataWarning, GraphError
from author2vec_keras.data.negatives import SAMPLING
from author2vec_keras.evaluation.pipeline import TASKS
from author2vec_keras.nn.slots import SLOTS
from author2vec_keras.training.content_link import BATCHING, SCHEDULES, ContentLinkAuthor2Vec
from author2vec_keras.training.estimator import MODELS, PAIRS, Author2Vec
from author2vec_keras.training.pair_embedding import MAX_SEED
from author2vec_keras.training.presets import PRESETS

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1

#: the one source of the command line's defaults
DEFAULTS = Author2Vec().get_params()
#: `train`'s flags that are estimator parameters: left unset (None) on the command line, they
#: take the preset's value (`--preset`), else the estimator's default (`from_preset`)
PARAMETER_FLAGS = ('model', 'dim', 'hidden_dim', 'negatives', 'epochs', 'batch_size',
                   'optimizer', 'lr', 'dense_updates', 'sampling', 'schedule', 'projection',
                   'batching', 'pairs', 'window', 'walks_per_node', 'walk_length', 'p', 'q',
                   'positives_per_epoch', 'context', 'workers')
#: the flag of each estimator parameter that has one: `--` + the name with dashes, but these
FLAGS = dict({name: '--' + name.replace('_', '-') for name in PARAMETER_FLAGS + (
    'preset', 'checkpoint_dir', 'partitions', 'workdir', 'ray_address')},
    random_state='--seed')
#: the estimators as the command line picks them
ESTIMATOR_FLAGS = {'Author2Vec': '--model paper or blog', 'ContentLinkAuthor2Vec':
                   '--model author2vec', 'PartitionedAuthor2Vec': '--partitions'}


class BadInput(Exception):
    """A problem with what the user gave us: reported in one line, exit status 2."""


class OutputError(Exception):
    """An output that could not be written after the work (a full disk): one line naming the
    flag, exit status 1."""


class Parser(argparse.ArgumentParser):
    """argparse's parser with a usage error in one line, `author2vec: error: ...` (exit 2),
    without the usage block before it; `--help` still prints the whole help."""

    def error(self, message):
        self.exit(EXIT_BAD_INPUT, 'author2vec: error: %s\n' % message)


def _checked(convert, ok, expected):
    """An argparse type: `convert(text)` that must satisfy `ok`, else 'expected ..., got ...'."""
    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not ok(value):
            raise argparse.ArgumentTypeError('expected %s, got %r' % (expected, text))
        return value
    return parse


_positive_int = _checked(int, lambda v: v >= 1, 'a positive integer')
_positive_float = _checked(float, lambda v: 0 < v < float('inf'), 'a positive number')
_fraction = _checked(float, lambda v: 0 <= v < 1, 'a number in [0, 1)')
_seed = _checked(int, lambda v: 0 <= v <= MAX_SEED, 'an integer from 0 to %d' % MAX_SEED)
#: Keras 2.0.9's optimizers, and those of them with a row-wise version (`optimizers.ROW_WISE`)
OPTIMIZERS = tuple(SLOTS['dense'])
ROW_WISE = tuple(SLOTS['row'])
_optimizer = _checked(lambda text: text.lower(), lambda v: v in OPTIMIZERS,
                      'one of %s' % ', '.join(OPTIMIZERS))


def _add_input_arguments(parser, dataset_help, edgelist_help, labels=False):
    """--dataset or --edgelist, --directed, --header / --no-header (and --labels)."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument('--dataset', default=None, help=dataset_help)
    source.add_argument('--edgelist', default=None, metavar='PATH', help=edgelist_help)
    parser.add_argument('--directed', action='store_true',
                        help='treat the edge list as directed (default undirected)')
    if labels:
        parser.add_argument('--labels', default=None, metavar='PATH',
                            help='with --edgelist: node labels, "node label [label ...]" per '
                                 'line (single- or multi-label), for node classification and '
                                 'clustering')
    header = parser.add_mutually_exclusive_group()
    header.add_argument('--header', action='store_const', const=True, default=None,
                        help='the first non-comment line of the file%s is a header: skip it '
                             '(default: a header when its fields cannot be node ids while the '
                             'others\' are, skipped with a notice)' % ('s' if labels else ''))
    header.add_argument('--no-header', dest='header', action='store_const', const=False,
                        help='the first non-comment line is data')


def _add_papers_arguments(parser, description=None):
    """--papers, --papers-format, --author-key, --merge-name-variants: a bibliography as the
    input of `train` (or of `benchmark`, with its own `description`); returns the group."""
    from author2vec_keras.data.bibliography import AUTHOR_KEYS, FORMATS
    group = parser.add_argument_group(
        'your papers', description or 'a bibliography instead of --dataset/--edgelist: the '
        'co-author graph, each author\'s papers and their text (title and abstract); --model '
        'author2vec by default; writes OUTPUT.authors.tsv (key, name, papers) beside the '
        'embeddings')
    group.add_argument('--papers', default=None, metavar='PATH',
                       help='CSV/TSV with a header (id, title, abstract, authors separated by '
                            '";" or "|", year or date), JSON Lines or JSON (OpenAlex, Semantic '
                            'Scholar, arXiv snapshot, DBLP/AMiner records), BibTeX, arXiv .abs '
                            'files (a folder or a tar); .gz read as such')
    group.add_argument('--papers-format', choices=FORMATS, default=None,
                       help='the format of --papers (default from its extension)')
    group.add_argument('--author-key', choices=AUTHOR_KEYS, default=None,
                       help="who is who: 'id', the file's author ids where it has them "
                            "(default), or 'name', normalised names")
    group.add_argument('--merge-name-variants', action='store_true',
                       help="merge one person's spellings (E. Witten / Edward Witten: same "
                            'last name, initials that agree, one full-name candidate); also '
                            'for --dataset hep-th')
    return group


def _add_model_arguments(parser, epochs_help, unset_note='', workers_help=''):
    """The flags `train` and `benchmark` share: the model's size and training, None when not
    given (a preset, or the benchmark's quick mode, may fill them); `unset_note` says which."""
    for flag, name, text in (('--dim', 'dim', 'node vector size'), ('--epochs', 'epochs',
                                                                      epochs_help)):
        parser.add_argument(flag, type=_positive_int, default=None,
                            help='%s (default %s%s)' % (text, _default(name, False), unset_note))
    parser.add_argument('--workers', type=_positive_int, default=None, metavar='N',
                        help='processes training each epoch (with --partitions: each bucket) '
                             'at once (Hogwild over shared-memory tables; up to the number of '
                             'cores; default 1)%s. N > 1 is faster '
                             'but not bit-reproducible' % workers_help)


def _default(name, preset_note=True):
    """A flag's default for its help text."""
    value = DEFAULTS.get(name, ContentLinkAuthor2Vec().get_params().get(name))
    return '%s%s' % (value, "; --preset gives the preset's" if preset_note else '')


def build_parser():
    parser = Parser(
        prog='author2vec',
        description='Author2Vec node embeddings (the blog\'s custom Keras layer on keras 2.0.9 '
                    '+ Theano): train on a graph, write word2vec-format embeddings.')
    parser.add_argument('--version', action='version', version='%(prog)s ' + __version__)
    commands = parser.add_subparsers(dest='command', metavar='COMMAND')
    commands.required = True
    device = argparse.ArgumentParser(add_help=False)
    device.add_argument('--device', default=None,
                        help="'cpu', 'cuda', 'cudaN' or 'openclP:D' (Theano device; cuda and "
                             "opencl need the GPU image or a `make venv-gpu` venv). "
                             "Default: $AUTHOR2VEC_DEVICE, else cpu.")

    train = commands.add_parser(
        'train', parents=[device],
        help='hold out edges, train, write embeddings, print the held-out link prediction AUC',
        description='Hold out a fraction of the edges (node2vec protocol), train the model on '
                    'the rest, write the embeddings in word2vec text format and print the '
                    'link prediction AUC on the held-out edges vs as many sampled non-edges.')
    _add_input_arguments(
        train, dataset_help='a bundled dataset by name (see `author2vec datasets`); default '
                            'ca-grqc when no --edgelist is given',
        edgelist_help='edge list file: "u v [weight]" per line, spaces/TABs/commas (CSV, TSV, '
                      'quoted fields), # comments, one header line')
    train.add_argument('--model', choices=list(MODELS) + ['author2vec'], default=None,
                       help="'paper': the paper's softmax Link-Info model (default); 'blog': the "
                            "blog's stack (these two: Author2Vec); 'author2vec': the full "
                            "content + link model (ContentLinkAuthor2Vec; datasets with text: "
                            "aan, cane-cora; the default with --papers)")
    papers = _add_papers_arguments(train)
    papers.add_argument('--new-papers', default=None, metavar='PATH',
                        help='with the content model: papers whose authors may be new to the '
                             'graph (read as --papers is: --papers-format, --author-key); '
                             'writes every author of them to --new-output: a known author '
                             'its trained vector, a new one a vector fitted from the text of '
                             'their papers against the trained content model '
                             '(ContentLinkAuthor2Vec.transform_authors)')
    papers.add_argument('--new-output', default=None, metavar='PATH',
                        help='the embedding file of --new-papers\' authors (default: NEW.emb, '
                             'NEW the stem of --new-papers), with PATH.authors.tsv beside it')
    train.add_argument('--preset', choices=sorted(PRESETS), default=None,
                       help="a named configuration (presets.PRESETS); flags given beside it "
                            "override it. 'walks': the best vectors of the benchmark tables, "
                            "the paper model on walk-context pairs of DeepWalk's 10 x 80 walks "
                            "(window 10) with a separate context table (presets.WALKS; "
                            "--pairs walks --context separate). 'paper': the paper's Link-Info "
                            "model on the edges (the defaults, by name). With --model "
                            "author2vec, the authors' code (d=100, n_h=50, projection, SGD lr "
                            "0.1, alternating, 100 epochs, one step per paper / author): "
                            "'a2v-lua' with one author table, as the paper and the code intend "
                            "(presets.A2V_LUA); 'a2v-lua-as-run' with one per model, the "
                            "content model's exported, as the released code ran "
                            "(presets.A2V_LUA_AS_RUN); 'content-link', the setting that learns "
                            "(alternating, d=100, n_h=50, Adam 0.01, batch 4096, 4 epochs; "
                            "presets.CONTENT_LINK)")
    train.add_argument('--schedule', choices=SCHEDULES, default=None,
                       help='with --model author2vec: alternate the content and link models '
                            'each epoch (the authors\' code), train them jointly, or one alone '
                            '(default %s)' % _default('schedule'))
    train.add_argument('--projection', action='store_true', default=None,
                       help="with --model author2vec: tanh(W e + b) on each side first (the "
                            "authors' a2v.lua)")
    train.add_argument('--batching', choices=BATCHING, default=None,
                       help="with --model author2vec: 'pairs' (--batch-size pairs per step) or "
                            "'grouped' (one step per paper and per author, as a2v.lua) "
                            '(default %s)' % _default('batching'))
    _add_model_arguments(train, 'passes over the training edges',
                         unset_note="; --preset gives the preset's")
    train.add_argument('--hidden-dim', type=_positive_int, default=None,
                       help='pair representation size (default %s)' % _default('hidden_dim'))
    train.add_argument('--negatives', type=_positive_int, default=None,
                       help='sampled non-edges per edge (default %s)' % _default('negatives'))
    train.add_argument('--sampling', choices=SAMPLING, default=None,
                       help='negative sampling distribution (default: uniform with --pairs '
                            'edges, degree with --pairs walks; --preset gives the preset\'s)')
    walks = train.add_argument_group(
        'training pairs', 'the edges (the paper) or node pairs that co-occur on random walks '
        '(DeepWalk\'s contexts; node2vec\'s with --p/--q), and where the second node of a pair '
        'is read from')
    walks.add_argument('--pairs', choices=PAIRS, default=None,
                       help='positive pairs: edges (default; --preset walks: walks) or walks')
    walks.add_argument('--window', type=_positive_int, default=None,
                       help='--pairs walks: largest distance along a walk (default %s)'
                            % DEFAULTS['window'])
    walks.add_argument('--walks-per-node', type=_positive_int, default=None,
                       help='--pairs walks: walks started at every node per pass (default '
                            '%s)' % DEFAULTS['walks_per_node'])
    walks.add_argument('--walk-length', type=_checked(int, lambda v: v >= 2, 'an integer >= 2'),
                       default=None,
                       help='--pairs walks: nodes per walk (default %s)' % DEFAULTS['walk_length'])
    walks.add_argument('--p', type=_positive_float, default=None,
                       help="--pairs walks: node2vec's return parameter (default %s)"
                            % DEFAULTS['p'])
    walks.add_argument('--q', type=_positive_float, default=None,
                       help="--pairs walks: node2vec's in-out parameter (default %s)"
                            % DEFAULTS['q'])
    walks.add_argument('--positives-per-epoch', type=_positive_int, default=None,
                       help='--pairs walks: positive pairs per epoch (default: 2 per walk, '
                            '2 x --walks-per-node per node)')
    walks.add_argument('--context', choices=CONTEXTS, default=None,
                       help='shared: both nodes of a pair from one table (default, the blog; '
                            '--preset walks: separate); '
                            'separate: the second from a context table (a2v.lua, LINE 2nd '
                            'order); the embedding is then the mean of the two tables')
    train.add_argument('--batch-size', type=_positive_int, default=None,
                       help='pairs per gradient step (default %s)' % _default('batch_size'))
    train.add_argument('--optimizer', type=_optimizer, default=None,
                       help='Keras optimizer: %s (default %s); %s update only the embedding '
                            'rows a batch touches'
                            % (', '.join(OPTIMIZERS), _default('optimizer'), ', '.join(ROW_WISE)))
    train.add_argument('--lr', type=_positive_float, default=None,
                       help="learning rate (default: the optimizer's own; --preset gives the "
                            "preset's)")
    train.add_argument('--dense-updates', action='store_true', default=None,
                       help="use Keras' stock optimizer, which updates the whole embedding "
                            'table every batch (slow on large graphs)')
    train.add_argument('--test-fraction', type=_fraction, default=0.1,
                       help='fraction of edges held out for link prediction (default 0.1; '
                            '0 trains on all edges and skips the evaluation)')
    train.add_argument('--seed', type=_seed, default=DEFAULTS['random_state'],
                       help='random seed, 0 to %d (default %%(default)s)' % MAX_SEED)
    train.add_argument('--output', default=None, metavar='PATH',
                       help='embedding file to write (default NAME.emb); a PATH.json beside '
                            'it records the versions, seed, command and scores')
    train.add_argument('--checkpoint-dir', default=None, metavar='DIR',
                       help='save the model, optimizer state and position there after every '
                            'epoch and on Ctrl-C (atomically)')
    train.add_argument('--resume', action='store_true',
                       help='continue from the checkpoint in --checkpoint-dir or --workdir '
                            '(same graph, split and parameters)')
    train.add_argument('--partitions', type=_positive_int, default=None, metavar='P',
                       help='train out of core, PyTorch-BigGraph style: P node partitions, '
                            'P x P edge buckets, two partitions in memory at a time, the rest '
                            'in --workdir (checkpointed after every bucket)')
    train.add_argument('--workdir', default=None, metavar='DIR',
                       help='with --partitions: directory of the partitions, buckets and '
                            'checkpoints (on a shared filesystem for a Ray cluster)')
    train.add_argument('--ray-address', default=None, metavar='ADDRESS',
                       help="with --partitions: train the buckets on Ray workers: 'local' "
                            "starts a local cluster, 'auto' (or HOST:PORT) joins a running one "
                            "(pip install 'author2vec_keras[distributed]')")
    train.add_argument('--ray-workers', type=_positive_int, default=None, metavar='N',
                       help='with --ray-address: bucket workers (default P // 2, the most '
                            'buckets that can run without sharing a partition)')
    train.add_argument('--quiet', action='store_true', help='no progress bars')

    from author2vec_keras.evaluation.methods import METHODS, names
    bench = commands.add_parser(
        'benchmark', parents=[device],
        help='run Author2Vec and the baselines side by side; markdown table, JSON, PNG',
        description='Run Author2Vec, DeepWalk, node2vec, LINE, spectral and the link heuristics '
                    'on the same data, split and protocol; print a markdown table (mean +/- std '
                    'over seeds) and write OUTPUT_DIR/TASK_DATASET.{json,md,png}.')
    _add_input_arguments(
        bench, dataset_help='bundled dataset name (see `author2vec datasets`; default karate '
                            'when no --edgelist is given)',
        edgelist_help='your own graph: an edge list as for `train`; files are named after it '
                      '(TASK_STEM.json)', labels=True)
    bench.add_argument('--task', choices=TASKS, default=None,
                       help='link-prediction (default), node-classification, clustering, '
                            'outliers')
    bench.add_argument('--methods', default=None,
                       help='comma separated subset of: %s (default: all for the task; the '
                            'heuristics %s: link prediction only)'
                            % (', '.join(METHODS), ', '.join(names(kind='heuristic'))))
    bench.add_argument('--seeds', type=_positive_int, default=1,
                       help='number of seeds (splits/initialisations), default 1')
    bench.add_argument('--quick', action='store_true',
                       help='tiny settings for a smoke test (CI)')
    bench.add_argument('--output-dir', default='results', metavar='DIR',
                       help='where to write TASK_DATASET.{json,md,png} (default results)')
    _add_model_arguments(bench, "Author2Vec's passes over the edges",
                         unset_note='; --quick: d 16 and enough epochs for a small graph',
                         workers_help=" of the Author2Vec methods, and DeepWalk's and "
                                      "node2vec's gensim threads (default 2, 1 with --quick)")
    bench.add_argument('--p', type=_positive_float, default=1.0,
                       help="node2vec's p (default 1)")
    bench.add_argument('--q', type=_positive_float, default=1.0,
                       help="node2vec's q (default 1)")
    bench.add_argument('--shuffles', type=_positive_int, default=None,
                       help='node classification: random splits per training ratio per seed '
                            '(default 10)')
    bench.add_argument('--resume', action='store_true',
                       help='keep methods already finished in OUTPUT_DIR/TASK_DATASET.json, '
                            'run the others')
    bench.add_argument('--rerun', metavar='METHODS', default=None,
                       help='with --resume: run these methods (comma separated, among --methods) '
                            'again, their rows replaced (after a change to the method)')
    bench.add_argument('--no-progress', action='store_true', help='no progress bar')
    from author2vec_keras.data.paper_splits import PROTOCOLS
    from author2vec_keras.evaluation.papers_benchmark import DEFAULT_METHODS
    papers = _add_papers_arguments(
        bench, 'who will write with whom: --papers FILE (or --dataset hep-th / aan) with '
        '--protocol runs the content + link model, the link-only methods, TF-IDF and their '
        'combination on a split of the bibliography; writes OUTPUT_DIR/papers-PROTOCOL[-YEAR]'
        '_NAME.{json,md,png}; --methods from the list above plus content-link, '
        'content-link-cosine, tfidf, combination (default: %s)' % ', '.join(DEFAULT_METHODS))
    papers.add_argument('--protocol', choices=PROTOCOLS, default=None,
                        help='temporal (default with --papers): train on the papers up to '
                             '--split-year, test on the co-author pairs that first appear '
                             'after it; holdout: half the co-author pairs held out, their '
                             'joint papers never read (unless --leaky)')
    papers.add_argument('--split-year', type=_checked(int, lambda v: True, 'a year'),
                        default=None, metavar='YEAR',
                        help='temporal: the last year the methods read')
    papers.add_argument('--min-papers', type=_positive_int, default=None, metavar='N',
                        help='temporal: authors with at least N papers up to the split year are '
                             'the candidates (default 1)')
    papers.add_argument('--leaky', action='store_true',
                        help="holdout: the content methods also read the held-out pairs' joint "
                             'papers (the leak; labelled LEAKY in every output)')

    commands.add_parser('datasets', help='list the bundled datasets')
    commands.add_parser('info', parents=[device],
                        help='print the Theano/Keras stack: versions, device, BLAS, compiledir')
    return parser


def _check_writable(path, flag, directory=False):
    """BadInput unless `path` (a file, or a directory) can be written: checked before any work,
    so a run never fails at its end for want of a place to write. A symlink is followed (the
    file written is its target). A file must be a regular file or nothing yet (never a
    device, FIFO or socket, which the write would replace) and, when it exists, writable; the
    nearest existing directory above it must take a new file (tried, and the file removed at
    once: as root, `os.access` says yes to /proc and /sys)."""
    from author2vec_keras.fileio import not_a_file
    real = os.path.realpath(path)
    kind = not_a_file(real)
    if directory and os.path.exists(real) and kind != 'a directory':
        raise BadInput('%s %s is %s, not a directory' % (flag, path, kind or 'a file'))
    if not directory and kind is not None:
        raise BadInput('%s %s is %s, not a file' % (flag, path, kind))
    if not directory and os.path.exists(real) and not os.access(real, os.W_OK):
        raise BadInput('%s %s is read-only' % (flag, path))
    parent = os.path.dirname(real)
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    try:
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError:
        raise BadInput('%s %s: cannot write in %s' % (flag, path, parent)) from None


def _check_not_an_input(path, flag, inputs):
    """BadInput when the file `path` would write is one of `inputs` ({flag: path}), or this
    command's own stdout or stderr redirected to a file (`--output /dev/stdout > x`: replaced,
    the rest of the output would go to a deleted file)."""
    real = os.path.realpath(path)
    for fd, name in ((1, 'standard output'), (2, 'standard error')):
        try:
            same = os.path.samestat(os.stat(real), os.fstat(fd))
        except OSError:
            same = False
        if same:
            raise BadInput('%s %s is this command\'s %s: give a file name' % (flag, path, name))
    for input_flag, name in inputs.items():
        if name and (os.path.realpath(name) == real or os.path.exists(real) and
                     os.path.exists(name) and os.path.samefile(name, real)):
            raise BadInput('%s %s is the input %s %s: it would be overwritten'
                           % (flag, path, input_flag, name))


def _check_outputs(args):
    """`train`'s output locations (--output and the record beside it, --checkpoint-dir,
    --workdir), checked before the graph is read; returns the embedding file's path."""
    from author2vec_keras.data import datasets
    name = datasets.file_stem(args.edgelist) if args.edgelist else \
        datasets.file_stem(args.papers) if getattr(args, 'papers', None) else \
        datasets.DEFAULT if args.dataset is None else args.dataset
    output = args.output or name + '.emb'
    for path in (output, output + '.json'):
        _check_not_an_input(path, '--output', {'--edgelist': args.edgelist,
                                               '--papers': args.papers,
                                               '--new-papers': args.new_papers})
        _check_writable(path, '--output')
    for flag in ('checkpoint_dir', 'workdir'):
        if getattr(args, flag):
            _check_writable(getattr(args, flag), '--' + flag.replace('_', '-'), directory=True)
    if args.new_output and not args.new_papers:
        raise BadInput('--new-output goes with --new-papers')
    if args.new_papers:
        args.new_output = args.new_output or datasets.file_stem(args.new_papers) + '.emb'
        inputs = {'--edgelist': args.edgelist, '--papers': args.papers,
                  '--new-papers': args.new_papers}
        for path in (args.new_output, args.new_output + '.authors.tsv'):
            if os.path.realpath(path) in (os.path.realpath(output),
                                          os.path.realpath(output + '.json')):
                raise BadInput('--new-output %s is the file --output writes' % path)
            _check_not_an_input(path, '--new-output', inputs)
            _check_writable(path, '--new-output')
    return output


def _read_new_papers(args, estimator):
    """The `Papers` of --new-papers, read before any training (a bad file: one line, exit 2);
    None without the flag."""
    from author2vec_keras.data.bibliography import read_papers
    if not args.new_papers:
        return None
    if not isinstance(estimator, ContentLinkAuthor2Vec) or not estimator.uses_content:
        raise BadInput('--new-papers fits new authors against the content model: it goes with '
                       '--model author2vec (with --papers, the default) and a --schedule that '
                       'trains it (not link)')
    from author2vec_keras.fileio import word2vec_tokens
    papers = read_papers(args.new_papers, format=args.papers_format,
                         author_key=args.author_key or 'id')
    try:
        word2vec_tokens(sorted(papers.names))
    except ValueError as e:
        raise BadInput('--new-papers %s: %s' % (args.new_papers, e)) from None
    print('%s: %d papers, %d authors' % (args.new_papers, len(papers), len(papers.names)))
    return papers


def notice(text):
    """One line on stderr, `author2vec: notice: ...`: something done that the user did not
    ask for in words, not an error."""
    print('author2vec: notice: %s' % text, file=sys.stderr)


def _missing_folders(path):
    """The folders above `path` (a file) that do not exist yet, the outermost first."""
    missing = []
    parent = os.path.dirname(os.path.abspath(path))
    while parent and not os.path.exists(parent):
        missing.insert(0, parent)
        parent = os.path.dirname(parent)
    return missing


def _rewritten_ids_notice(nodes, tokens):
    """A notice when node ids are written otherwise as word2vec tokens (their whitespace as
    `_`): how many, and the first as an example."""
    changed = [(v, t) for v, t in zip(nodes, tokens) if str(v) != t]
    if changed:
        v, t = changed[0]
        notice('%d node id%s written with %s whitespace as _ (word2vec tokens are one word), '
               'e.g. %s -> %s' % (len(changed), 's' if len(changed) > 1 else '',
                                  'their' if len(changed) > 1 else 'its', _excerpt(v), t[:80]))


def _excerpt(value):
    text = repr(value) if not isinstance(value, str) else "'%s'" % value
    return text if len(text) <= 80 else text[:80] + '...'


def _resume_notice(args):
    """One line on stderr when --resume finds no checkpoint: training starts from scratch
    (a notice, not an error: the first run of a script that always passes --resume)."""
    from author2vec_keras.training.checkpoints import META
    from author2vec_keras.training.partitions import PartitionStore
    directory, name = (args.workdir, PartitionStore.CHECKPOINT) if args.partitions else \
        (args.checkpoint_dir, META)
    if not os.path.exists(os.path.join(directory, name)):
        print('author2vec: notice: --resume: no checkpoint in %s yet; training from scratch'
              % directory, file=sys.stderr)


@contextlib.contextmanager
def _naming(source):
    """A `GraphError` (a graph that cannot be trained or held out) names `source`, the file or
    dataset it came from."""
    try:
        yield
    except GraphError as e:
        raise GraphError('%s: %s' % (source, e)) from None


def _load(args):
    """(Graph, name, Dataset or None) for `train`'s --edgelist or --dataset."""
    from author2vec_keras.data import datasets
    from author2vec_keras.data.readers import read_edgelist
    if getattr(args, 'papers', None) or args.papers_format or args.author_key or \
            (getattr(args, 'merge_name_variants', False) and args.edgelist):
        return _load_papers(args)
    if args.edgelist:
        return read_edgelist(args.edgelist, directed=args.directed, header=args.header), \
            datasets.file_stem(args.edgelist), None
    if args.directed or args.header is not None:
        raise BadInput('--directed and --header/--no-header go with --edgelist')
    name = datasets.DEFAULT if args.dataset is None else args.dataset
    try:
        ds = datasets.load(name)
    except datasets.DatasetError as e:
        raise BadInput(str(e))
    if getattr(args, 'merge_name_variants', False):
        if 'bibliography' not in ds.extra:
            raise BadInput('--merge-name-variants goes with --papers or a dataset of papers '
                           '(hep-th), not --dataset %s' % name)
        merged = datasets.from_papers(ds.extra['bibliography'], merge_variants=True)
        ds.graph, ds.text, ds.extra = merged.graph, merged.text, merged.extra
        _print_merged(ds)
    return ds.graph, name, ds


def _print_merged(ds):
    merged = ds.extra['bibliography'].merged
    print('--merge-name-variants: %d name variants merged into %d authors (%d authors left)'
          % (len(merged), len(set(merged.values())), ds.graph.num_nodes))


def _load_papers(args):
    """(Graph, name, Dataset) of --papers; --model author2vec unless --model is given."""
    from author2vec_keras.data import datasets
    if not args.papers:
        raise BadInput('--%s goes with --papers' % (
            'papers-format' if args.papers_format else 'author-key' if args.author_key
            else 'merge-name-variants'))
    for flag, given in (('--dataset', args.dataset), ('--edgelist', args.edgelist),
                        ('--directed', args.directed), ('--header/--no-header',
                                                        args.header is not None)):
        if given:
            raise BadInput('%s does not go with --papers (the co-author graph is read from '
                           'the papers)' % flag)
    ds = datasets.from_papers(args.papers, format=args.papers_format,
                              author_key=args.author_key or 'id',
                              merge_variants=args.merge_name_variants)
    if args.model is None:
        args.model = 'author2vec'
    print('%s: %d papers, %d authors' % (args.papers, len(ds.extra['bibliography']),
                                        ds.graph.num_nodes))
    if args.merge_name_variants:
        _print_merged(ds)
    return ds.graph, ds.name, ds


def _flagged(error):
    """An estimator's ValueError in the command line's words: each parameter it names
    (`checks.ParameterError.names`) as its flag (`FLAGS`), a setting `name='value'` as
    `--name value`, and each estimator as the flags that pick it."""
    text = str(error)
    for name in getattr(error, 'names', ()):
        flag = FLAGS.get(name)
        if flag is None:  # a parameter without a flag (set by a preset): as it is
            continue
        text = re.sub(r"(?<![\w'-])%s(?:(?:=| (?='))('[^']*'|[\w.+-]+))?(?![\w'-])"
                      % re.escape(name),
                      lambda m: flag + ('' if m.group(1) is None else ' ' + m.group(1).strip("'")),
                      text)
    for estimator, flags in ESTIMATOR_FLAGS.items():
        text = re.sub(r'\b%s\b' % estimator, flags, text)
    return text


def _estimator(args, dataset):
    """The estimator `train` fits, and the extra arguments of its `fit`.

    The flags given are passed to `from_preset` (a flag left unset takes the preset's value,
    else the estimator's default), and the estimator checks them (`check_params`): its
    ValueError exits 2 naming the flags (`_flagged`). What is left here is about the command
    line's own flags (--partitions) and the dataset.
    """
    content_model = args.model == 'author2vec'
    given = {name: getattr(args, name) for name in PARAMETER_FLAGS
             if getattr(args, name) is not None}
    if content_model:
        del given['model']
    given.update(random_state=args.seed, verbose=0 if args.quiet else 1,
                 checkpoint_dir=args.checkpoint_dir)
    cls = ContentLinkAuthor2Vec if content_model else Author2Vec
    try:
        estimator = cls.from_preset(args.preset, **given)
        estimator.check_params()
    except ValueError as e:
        raise BadInput(_flagged(e)) from None
    if args.partitions:
        return _partitioned(args, estimator, given), {'resume': args.resume}
    if content_model and (dataset is None or dataset.text is None):
        raise BadInput('--model author2vec needs a dataset with text: --dataset aan or '
                       '--dataset cane-cora')
    return estimator, {'resume': args.resume}


def _partitioned(args, estimator, given):
    """`estimator` (an `Author2Vec`) trained out of core (--partitions): what the partitioned
    training has no parameter for (walk pairs, the context table, the blog model) must be
    `Author2Vec`'s default."""
    from author2vec_keras.training.partitioned_training import PartitionedAuthor2Vec
    params = estimator.get_params()
    names = set(inspect.signature(PartitionedAuthor2Vec).parameters)
    for name in inspect.signature(Author2Vec).parameters:  # in the constructor's order
        if name not in names and params[name] != DEFAULTS[name]:
            setting = '%s %s' % (FLAGS[name], params[name])
            raise BadInput('%s is not supported with --partitions (out-of-core training '
                           'trains on the edges, bucket by bucket)'
                           % (setting if name in given else
                              '--preset %s (%s)' % (args.preset, setting)))
    estimator = PartitionedAuthor2Vec(
        partitions=args.partitions, workdir=args.workdir, ray_address=args.ray_address,
        workers=args.ray_workers if args.ray_address else args.workers,
        **{k: v for k, v in params.items() if k in names and k != 'workers'})
    try:
        estimator.check_params()
    except ValueError as e:
        raise BadInput(_flagged(e)) from None
    return estimator


def _check_partition_flags(args, graph):
    """BadInput naming the flag when the partitioned-training flags do not fit together."""
    if args.partitions is None:
        for flag in ('workdir', 'ray_address', 'ray_workers'):
            if getattr(args, flag) is not None:
                raise BadInput('--%s needs --partitions' % flag.replace('_', '-'))
        return
    if not args.workdir:
        raise BadInput('--partitions needs --workdir DIR for the partitions and checkpoints')
    if args.partitions > graph.num_nodes:
        raise BadInput('--partitions %d is more than the graph\'s %d nodes'
                       % (args.partitions, graph.num_nodes))
    for flag, bad in (('--model', args.model not in (None, 'paper')),
                      ('--checkpoint-dir', args.checkpoint_dir)):
        if bad:
            raise BadInput('%s is not supported with --partitions (the paper model, trained '
                           'row-wise with %s; --workdir holds the checkpoints)'
                           % (flag, ', '.join(ROW_WISE)))
    if args.ray_workers is not None and args.ray_address is None:
        raise BadInput('--ray-workers needs --ray-address')
    if args.workers not in (None, 1) and args.ray_address is not None:
        raise BadInput('--workers trains each bucket in N processes here; with --ray-address, '
                       '--ray-workers N trains N buckets at once')
    if args.ray_address is not None:
        import importlib.util
        if importlib.util.find_spec('ray') is None:
            raise BadInput("--ray-address needs Ray: pip install 'author2vec_keras[distributed]'")


def cmd_train(args):
    import json

    from author2vec_keras.data.datasets import content_inputs
    from author2vec_keras.data.splits import removable_edges
    from author2vec_keras.evaluation import pipeline
    from author2vec_keras.fileio import atomic_open, word2vec_token, word2vec_tokens
    if args.resume and not (args.checkpoint_dir or args.workdir):
        raise BadInput('--resume needs --checkpoint-dir (or --workdir with --partitions)')
    output = _check_outputs(args)
    folders = _missing_folders(output)
    graph, name, dataset = _load(args)
    try:
        tokens = word2vec_tokens(graph.nodes)  # the ids as --output writes them: before any
    except ValueError as e:  # training
        raise BadInput('%s: %s' % (args.edgelist or 'dataset ' + name, e)) from None
    _check_partition_flags(args, graph)
    estimator, fit_params = _estimator(args, dataset)
    new_papers = _read_new_papers(args, estimator)
    if args.partitions and graph.num_edges and graph.weights.min() < graph.weights.max():
        warnings.warn('--partitions trains on every edge alike: the edge weights are not used',
                      DataWarning)
    source = args.edgelist or args.papers or 'dataset ' + name
    print('%s: %d nodes, %d edges' % (source, graph.num_nodes, graph.num_edges))
    with _naming(source):
        estimator.check_fit(graph)  # no edges, no possible negative, memory: before any work
        if args.resume:
            _resume_notice(args)
        test_fraction = args.test_fraction
        no_auc = None
        if test_fraction > 0 and removable_edges(graph) == 0:
            no_auc = ('no edge can be held out without disconnecting the graph (a tree or '
                      'forest): training on all %d edges, no link prediction AUC'
                      % graph.num_edges)
            print(no_auc)
            test_fraction = 0
        setup = pipeline.prepare('link-prediction', graph, seed=args.seed,
                                 test_fraction=test_fraction, classifier=False)
    if setup.split is not None and len(setup.split.test_edges):
        print('held out %d edges and %d non-edges for link prediction'
              % (len(setup.split.test_edges), len(setup.split.test_negatives)))
    elif setup.split is not None:
        no_auc = ('--test-fraction %g of %d edges holds out none: training on all of them, no '
                  'link prediction AUC' % (args.test_fraction, graph.num_edges))
        print(no_auc)
    if isinstance(estimator, ContentLinkAuthor2Vec):
        pairs, texts = content_inputs(dataset, setup.split)
        fit_params = dict(fit_params, authorship=pairs, paper_texts=texts)
    metrics, timings = pipeline.fit_and_score(estimator, setup, seed=args.seed,
                                              fit_params=fit_params)
    before = getattr(estimator, 'seconds_before_', 0.0)  # a resumed run's earlier part
    record = pipeline.record(args.command_line, args.seed, dataset=name,
                             params=estimator.get_params(), nodes=graph.num_nodes,
                             edges=graph.num_edges, train_seconds=round(timings['fit'] + before, 2),
                             loss_per_epoch=estimator.history_)
    if before:
        record['resumed'] = {'seconds_before': round(before, 2),
                             'seconds_now': round(timings['fit'], 2)}
    if metrics:
        record['link_prediction'] = {'test_fraction': args.test_fraction,
                                     'auc': metrics['own']['auc'],
                                     'average_precision': metrics['own']['ap']}
    elif no_auc:
        record['link_prediction'] = {'test_fraction': args.test_fraction, 'auc': None,
                                     'note': no_auc}
    _rewritten_ids_notice(graph.nodes, tokens)
    try:  # a full disk, a file size limit, a file made read-only since the check: one line
        estimator.save_embeddings(output)
        if folders:
            notice('--output: created the folder%s %s' % (
                's' if len(folders) > 1 else '',
                os.path.relpath(folders[-1]) if not os.path.isabs(output) else folders[-1]))
        with atomic_open(output + '.json', 'w', encoding='utf8') as f:
            json.dump(record, f, indent=2, default=str)
        print('wrote %s (%d x %d) and %s.json' % (output, graph.num_nodes, estimator.dim,
                                                  output))
        if dataset is not None and 'bibliography' in dataset.extra:
            from author2vec_keras.data.bibliography import write_author_names
            write_author_names(output + '.authors.tsv', dataset.extra['bibliography'],
                               [word2vec_token(v) for v in graph.nodes])
            print('wrote %s.authors.tsv (key, name, papers)' % output)
    except OSError as e:
        raise OutputError('--output %s: cannot write it: %s%s' % (
            args.output or output, e.strerror or e, '; the trained model is in --checkpoint-dir '
            '%s (--resume writes it without training again)' % args.checkpoint_dir
            if args.checkpoint_dir else '')) from None
    if new_papers is not None:
        try:
            _write_new_authors(args, estimator, new_papers)
        except OSError as e:
            raise OutputError('--new-output %s: cannot write it: %s'
                              % (args.new_output, e.strerror or e)) from None
    if metrics:
        print('link prediction AUC: %.4f' % metrics['own']['auc'])
    return 0


def _write_new_authors(args, estimator, papers):
    """--new-output: the vectors of --new-papers' authors (`transform_authors`) and the
    name map beside them."""
    from author2vec_keras.data.bibliography import write_author_names
    from author2vec_keras.fileio import save_word2vec, word2vec_token
    keys, vectors = estimator.transform_authors(papers, random_state=args.seed)
    known = sum(k in estimator.graph_.node_index for k in keys)
    save_word2vec(args.new_output, keys, vectors)
    write_author_names(args.new_output + '.authors.tsv', papers,
                       [word2vec_token(k) for k in keys])
    print('wrote %s (%d x %d: %d known authors, their trained vectors; %d new, fitted from '
          'their papers) and %s.authors.tsv' % (args.new_output, len(keys), vectors.shape[1],
                                                known, len(keys) - known, args.new_output))


def _benchmark_status(path):
    """The exit status of a benchmark that wrote `path` (its JSON): 0, or `EXIT_FAILURE` with one
    line naming every method that failed (the others' results are kept)."""
    import json
    with open(path) as f:
        runs = json.load(f)['runs']
    failed = {m: r['error'] for m, rs in runs.items() for r in rs if 'error' in r}
    if failed:
        print('author2vec: error: %d of %d methods failed (%s); the others\' results are in %s'
              % (len(failed), len(runs), '; '.join('%s: %s' % kv for kv in failed.items()),
                 path), file=sys.stderr)
        return EXIT_FAILURE
    return 0


def cmd_benchmark(args):
    from author2vec_keras.data import datasets
    from author2vec_keras.evaluation.benchmark import parse_methods, run_benchmark
    _check_writable(args.output_dir, '--output-dir', directory=True)
    if args.papers or args.protocol or args.split_year is not None or args.leaky or \
            args.min_papers is not None:
        return _benchmark_papers(args)
    for flag, given in (('--papers-format', args.papers_format), ('--author-key',
                                                                  args.author_key),
                        ('--merge-name-variants', args.merge_name_variants)):
        if given:
            raise BadInput('%s goes with --papers (or --protocol)' % flag)
    args.task = args.task or 'link-prediction'
    try:
        asked = parse_methods(args.methods, args.task)
    except ValueError as e:
        raise BadInput('--methods: %s' % e)
    try:
        rerun = parse_methods(args.rerun, args.task) if args.rerun else []
    except ValueError as e:
        raise BadInput('--rerun: %s' % e)
    if rerun and not args.resume:
        raise BadInput('--rerun goes with --resume (without it every method runs again)')
    if set(rerun) - set(asked):
        raise BadInput('--rerun: %s is not among the methods run (--methods)'
                       % ','.join(sorted(set(rerun) - set(asked))))
    if args.edgelist and args.task == 'node-classification' and not args.labels:
        raise BadInput('node classification needs labels: --labels FILE')
    if args.edgelist:
        dataset = datasets.from_files(args.edgelist, labels=args.labels,
                                      directed=args.directed, header=args.header)
        if args.task == 'node-classification':
            from author2vec_keras.evaluation.protocols import check_labels
            try:
                check_labels(dataset.labels)
            except ValueError as e:
                raise BadInput('%s: %s' % (args.labels, e)) from None
    elif args.labels or args.directed or args.header is not None:
        raise BadInput('--labels, --directed and --header/--no-header go with --edgelist')
    else:
        dataset = args.dataset or 'karate'
    try:
        with _naming(args.edgelist or 'dataset ' + dataset):
            path = run_benchmark(dataset, args.task, methods=args.methods, seeds=args.seeds,
                                 quick=args.quick, output_dir=args.output_dir,
                                 command=args.command_line, dim=args.dim, p=args.p, q=args.q,
                                 shuffles=args.shuffles, epochs=args.epochs,
                                 resume=args.resume, rerun=rerun,
                                 progress=not args.no_progress, workers=args.workers)
    except ValueError as e:  # unknown method or dataset, a task the data cannot run, a graph
        raise BadInput(str(e))  # too small: refused before any file is written
    return _benchmark_status(path)


def _benchmark_papers(args):
    """`benchmark --papers FILE | --dataset NAME --protocol ...`: the papers benchmark."""
    from author2vec_keras.data import datasets
    from author2vec_keras.evaluation import papers_benchmark as pb
    for flag, given in (('--task', args.task), ('--edgelist', args.edgelist),
                        ('--labels', args.labels), ('--directed', args.directed),
                        ('--header/--no-header', args.header is not None),
                        ('--shuffles', args.shuffles)):
        if given:
            raise BadInput('%s does not go with the papers benchmark (--papers, --protocol)'
                           % flag)
    if args.papers and args.dataset:
        raise BadInput('--papers and --dataset: give one bibliography')
    if not args.papers and not args.dataset:
        raise BadInput('the papers benchmark needs --papers FILE or --dataset hep-th (or aan)')
    if not args.papers and (args.papers_format or args.author_key):
        raise BadInput('--%s goes with --papers' % ('papers-format' if args.papers_format
                                                     else 'author-key'))
    protocol = args.protocol or 'temporal'
    if protocol == 'temporal' and args.split_year is None:
        raise BadInput('--protocol temporal needs --split-year YEAR (the last year the methods '
                       'read)')
    if protocol == 'holdout':
        for flag, given in (('--split-year', args.split_year is not None),
                            ('--min-papers', args.min_papers is not None)):
            if given:
                raise BadInput('%s goes with --protocol temporal' % flag)
    elif args.leaky:
        raise BadInput('--leaky goes with --protocol holdout (the temporal protocol reads only '
                       'the papers up to the split year)')
    try:
        pb.parse_methods(args.methods)
    except ValueError as e:
        raise BadInput('--methods: %s' % e)
    if args.papers:
        source = args.papers
        papers = datasets.from_papers(args.papers, format=args.papers_format,
                                      author_key=args.author_key or 'id')
    else:
        source = papers = args.dataset
    try:
        path = pb.run_papers_benchmark(
            papers, protocol, split_year=args.split_year, methods=args.methods,
            seeds=args.seeds, quick=args.quick, output_dir=args.output_dir,
            command=args.command_line, dim=args.dim, epochs=args.epochs, p=args.p, q=args.q,
            min_papers=args.min_papers or 1, leaky=args.leaky, resume=args.resume,
            progress=not args.no_progress, merge_variants=args.merge_name_variants)
    except ValueError as e:  # a year outside the data, no test pair, --resume with other
        raise BadInput('%s: %s' % (source, e))  # settings: before any file is written
    return _benchmark_status(path)


def cmd_datasets(args):
    from author2vec_keras.data import datasets
    rows = datasets.describe_all()
    header = ('name', 'nodes', 'edges', 'labels', 'source')
    table = [header] + [tuple(str(c) for c in row) for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for row in table:
        print('  '.join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    return 0


def cmd_info(args):
    from author2vec_keras.nn.backend import info
    for key, value in info().items():
        print('%-14s %s' % (key + ':', value))
    return 0


COMMANDS = {'train': cmd_train, 'benchmark': cmd_benchmark, 'datasets': cmd_datasets,
            'info': cmd_info}


def show_warning(message, category, filename, lineno, file=None, line=None):
    """`warnings.showwarning` for the command line: one line, `author2vec: warning: ...`,
    without the source line of the package that warned."""
    stream = sys.stderr if file is None else file
    try:
        stream.write('author2vec: warning: %s\n' % ' '.join(str(message).split()))
    except (OSError, ValueError):  # stderr closed: nothing to tell
        pass


def main(argv=None):
    """Entry point of the `author2vec` command; returns the exit status."""
    with warnings.catch_warnings():  # restored on return: main() may run inside a program
        warnings.showwarning = show_warning
        return _main(argv)


def _main(argv):
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    args.command_line = shlex.join(['author2vec'] + argv)
    if hasattr(args, 'device'):  # a command that runs Theano: its device is checked first
        # --device, else $AUTHOR2VEC_DEVICE / THEANO_FLAGS / .theanorc (the GPU image's default is
        # cuda): either way a CUDA or OpenCL device that cannot be opened is refused in one
        # sentence, exit status 2 (never a silent fall back to the CPU)
        previous = os.environ.get('AUTHOR2VEC_DEVICE')
        if args.device:
            os.environ['AUTHOR2VEC_DEVICE'] = args.device  # read when the backend is first imported
        try:
            from author2vec_keras.nn.backend import setup
            setup(args.device)
        except RuntimeError as e:  # a GPU that cannot be opened here: one sentence
            if previous is None:  # unset again if --device set it (THEANO_FLAGS sets nothing)
                os.environ.pop('AUTHOR2VEC_DEVICE', None)
            else:
                os.environ['AUTHOR2VEC_DEVICE'] = previous
            print('author2vec: error: %s' % e, file=sys.stderr)
            return EXIT_BAD_INPUT
    from author2vec_keras.data.readers import GraphFormatError
    from author2vec_keras.training.checkpoints import CheckpointMismatch, TrainingInterrupted
    try:
        return COMMANDS[args.command](args)
    except (GraphFormatError, GraphError, BadInput, FileNotFoundError, IsADirectoryError,
            UnicodeDecodeError, MemoryError, CheckpointMismatch) as e:
        print('author2vec: error: %s' % (_flagged(e) if isinstance(e, CheckpointMismatch) and
                                         e.names else e), file=sys.stderr)
        return EXIT_BAD_INPUT
    except OutputError as e:
        print('author2vec: error: %s' % e, file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt as e:
        print('author2vec: interrupted%s' % (': ' + e.resume_hint('--resume') if
                                             isinstance(e, TrainingInterrupted) else ''),
              file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001  one line for the user, not a traceback
        if os.environ.get('AUTHOR2VEC_TRACEBACK'):
            raise
        print('author2vec: error: %s: %s' % (type(e).__name__, e), file=sys.stderr)
        return EXIT_FAILURE


if __name__ == '__main__':
    sys.exit(main())
