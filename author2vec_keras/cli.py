"""The `author2vec` command: edge list or named dataset in, word2vec-format embeddings out.

    author2vec train --edgelist graph.txt --output graph.emb
    author2vec benchmark --dataset ca-astroph --task link-prediction
    author2vec datasets | info

Every flag's default is the estimator's (`Author2Vec().get_params()`); training and scoring go
through `pipeline`. Exit status: 0 success, 2 bad input or usage (the message names file, line
and problem), 1 any other failure.
"""
import argparse
import os
import shlex
import sys

from . import __version__
from .estimator import BATCHING, MODELS, PRESETS, SCHEDULES, Author2Vec, ContentLinkAuthor2Vec
from .negatives import SAMPLING
from .pipeline import TASKS

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1

#: the one source of the command line's defaults
DEFAULTS = Author2Vec().get_params()
#: `train`'s model flags: left unset (None) on the command line, they take the preset's value
#: (`--preset`) or else the estimator's default (`_estimator`)
MODEL_FLAGS = ('dim', 'hidden_dim', 'negatives', 'epochs', 'batch_size', 'optimizer', 'lr',
               'dense_updates', 'sampling', 'schedule', 'projection', 'batching')


class BadInput(Exception):
    """A problem with what the user gave us: reported in one line, exit status 2."""


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


def _add_model_arguments(parser, epochs_help, unset=False):
    """The flags `train` and `benchmark` share: the model's size and training.

    `unset`: leave them None when not given (`train`, where a preset may fill them).
    """
    for flag, name, text in (('--dim', 'dim', 'node vector size'), ('--epochs', 'epochs',
                                                                      epochs_help)):
        parser.add_argument(flag, type=_positive_int, default=None if unset else DEFAULTS[name],
                            help='%s (default %s)' % (text, _default(name, unset)))


def _default(name, preset_note=True):
    """A flag's default for its help text."""
    value = DEFAULTS.get(name, ContentLinkAuthor2Vec().get_params().get(name))
    return '%s%s' % (value, "; --preset gives the preset's" if preset_note else '')


def build_parser():
    parser = argparse.ArgumentParser(
        prog='author2vec',
        description='Author2Vec node embeddings (the blog\'s custom Keras layer on keras 2.0.9 '
                    '+ Theano): train on a graph, write word2vec-format embeddings.')
    parser.add_argument('--version', action='version', version='%(prog)s ' + __version__)
    commands = parser.add_subparsers(dest='command', metavar='COMMAND')
    commands.required = True
    device = argparse.ArgumentParser(add_help=False)
    device.add_argument('--device', default=None,
                        help="'cpu' or 'cuda' (Theano device; cuda needs the GPU image). "
                             "Default: $AUTHOR2VEC_DEVICE, else cpu.")

    train = commands.add_parser(
        'train', parents=[device],
        help='hold out edges, train, write embeddings, print the held-out link prediction AUC',
        description='Hold out a fraction of the edges (node2vec protocol), train the model on '
                    'the rest, write the embeddings in word2vec text format and print the '
                    'link prediction AUC on the held-out edges vs as many sampled non-edges.')
    source = train.add_mutually_exclusive_group()
    source.add_argument('--dataset', default=None,
                        help='a bundled dataset by name (see `author2vec datasets`); '
                             'default ca-grqc when no --edgelist is given')
    source.add_argument('--edgelist', default=None, metavar='PATH',
                        help='edge list file: "u v [weight]" per line, spaces/TABs/commas, '
                             '# comments')
    train.add_argument('--directed', action='store_true',
                       help='treat the edge list as directed (default undirected)')
    train.add_argument('--model', choices=list(MODELS) + ['author2vec'],
                       default=DEFAULTS['model'],
                       help="'paper': the paper's softmax Link-Info model (default); 'blog': the "
                            "blog's stack; 'author2vec': the full content + link model "
                            "(datasets with text: aan, cane-cora)")
    train.add_argument('--preset', choices=sorted(PRESETS), default=None,
                       help="with --model author2vec: a named configuration; 'a2v-lua' is the "
                            "authors' code (estimator.A2V_LUA: d=100, n_h=50, projection, SGD "
                            "lr 0.1, alternating, 100 epochs, one step per paper / author); "
                            "flags given beside it override it")
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
    _add_model_arguments(train, 'passes over the training edges', unset=True)
    train.add_argument('--hidden-dim', type=_positive_int, default=None,
                       help='pair representation size (default %s)' % _default('hidden_dim'))
    train.add_argument('--negatives', type=_positive_int, default=None,
                       help='sampled non-edges per edge (default %s)' % _default('negatives'))
    train.add_argument('--sampling', choices=SAMPLING, default=None,
                       help='negative sampling distribution (default %s)' % _default('sampling'))
    train.add_argument('--batch-size', type=_positive_int, default=None,
                       help='pairs per gradient step (default %s)' % _default('batch_size'))
    train.add_argument('--optimizer', default=None,
                       help='Keras optimizer name (default %s); sgd, adagrad and adam '
                            'update only the embedding rows a batch touches'
                            % _default('optimizer'))
    train.add_argument('--lr', type=_positive_float, default=None,
                       help="learning rate (default: the optimizer's own; --preset gives the "
                            "preset's)")
    train.add_argument('--dense-updates', action='store_true', default=None,
                       help="use Keras' stock optimizer, which updates the whole embedding "
                            'table every batch (slow on large graphs)')
    train.add_argument('--test-fraction', type=_fraction, default=0.1,
                       help='fraction of edges held out for link prediction (default 0.1; '
                            '0 trains on all edges and skips the evaluation)')
    train.add_argument('--seed', type=int, default=DEFAULTS['random_state'],
                       help='random seed (default %(default)s)')
    train.add_argument('--output', default=None, metavar='PATH',
                       help='embedding file to write (default NAME.emb); a PATH.json beside '
                            'it records the versions, seed, command and scores')
    train.add_argument('--checkpoint-dir', default=None, metavar='DIR',
                       help='save the model, optimizer state and position there after every '
                            'epoch and on Ctrl-C (atomically)')
    train.add_argument('--resume', action='store_true',
                       help='continue from the checkpoint in --checkpoint-dir (same graph, '
                            'split and parameters)')
    train.add_argument('--quiet', action='store_true', help='no progress bars')

    from .benchmark import METHODS
    bench = commands.add_parser(
        'benchmark', parents=[device],
        help='run Author2Vec and the baselines side by side; markdown table, JSON, PNG',
        description='Run Author2Vec, DeepWalk, node2vec, LINE, spectral and the link heuristics '
                    'on the same data, split and protocol; print a markdown table (mean +/- std '
                    'over seeds) and write OUTPUT_DIR/TASK_DATASET.{json,md,png}.')
    bench.add_argument('--dataset', default='karate',
                       help='bundled dataset name (see `author2vec datasets`; default karate)')
    bench.add_argument('--task', choices=TASKS, default='link-prediction',
                       help='link-prediction (default), node-classification, clustering, '
                            'outliers')
    bench.add_argument('--methods', default=None,
                       help='comma separated subset of: %s (default: all for the task)'
                            % ', '.join(METHODS))
    bench.add_argument('--seeds', type=_positive_int, default=1,
                       help='number of seeds (splits/initialisations), default 1')
    bench.add_argument('--quick', action='store_true',
                       help='tiny settings for a smoke test (CI)')
    bench.add_argument('--output-dir', default='results',
                       help='where to write TASK_DATASET.{json,md,png} (default results)')
    _add_model_arguments(bench, "Author2Vec's passes over the edges")
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
    bench.add_argument('--no-progress', action='store_true', help='no progress bar')

    commands.add_parser('datasets', help='list the bundled datasets')
    commands.add_parser('info', parents=[device],
                        help='print the Theano/Keras stack: versions, device, BLAS, compiledir')
    return parser


def _load(args):
    """(Graph, name, Dataset or None) for `train`'s --edgelist or --dataset."""
    from .readers import read_edgelist
    if args.edgelist:
        return read_edgelist(args.edgelist, directed=args.directed), \
            os.path.splitext(os.path.basename(args.edgelist))[0], None
    from . import datasets
    name = datasets.DEFAULT if args.dataset is None else args.dataset
    try:
        ds = datasets.load(name)
    except datasets.DatasetError as e:
        raise BadInput(str(e))
    return ds.graph, name, ds


def _estimator(args, dataset):
    """The estimator `train` fits, and the extra arguments of its `fit`.

    A model flag left unset takes the preset's value (`--preset`), else the estimator's default.
    """
    if args.preset and args.model != 'author2vec':
        raise BadInput('--preset %s configures --model author2vec, not --model %s'
                       % (args.preset, args.model))
    base = ContentLinkAuthor2Vec().get_params() if args.model == 'author2vec' else DEFAULTS
    base = dict(base, **PRESETS.get(args.preset, {}))
    given = {name: getattr(args, name) for name in MODEL_FLAGS}
    value = {name: base.get(name) if given[name] is None else given[name] for name in given}
    params = {name: value[name] for name in ('dim', 'hidden_dim', 'negatives', 'epochs',
                                             'batch_size', 'optimizer', 'lr', 'dense_updates',
                                             'sampling')}
    params.update(random_state=args.seed, verbose=0 if args.quiet else 1,
                  checkpoint_dir=args.checkpoint_dir)
    if args.model != 'author2vec':
        for name in ('schedule', 'projection', 'batching'):
            if given[name] is not None:
                raise BadInput('--%s is a flag of --model author2vec' % name)
        return Author2Vec(model=args.model, **params), {'resume': args.resume}
    if dataset is None or dataset.text is None:
        raise BadInput('--model author2vec needs a dataset with text: --dataset aan or '
                       '--dataset cane-cora')
    extra = {k: v for k, v in base.items() if k not in params}
    extra.update(schedule=value['schedule'], projection=bool(value['projection']),
                 batching=value['batching'])
    return ContentLinkAuthor2Vec(**dict(extra, **params)), {'resume': args.resume}


def cmd_train(args):
    import json
    from . import pipeline
    from .datasets import content_inputs
    from .io import atomic_open
    if args.resume and not args.checkpoint_dir:
        raise BadInput('--resume needs --checkpoint-dir')
    graph, name, dataset = _load(args)
    estimator, fit_params = _estimator(args, dataset)
    output = args.output or name + '.emb'
    print('graph %s: %d nodes, %d edges' % (name, graph.num_nodes, graph.num_edges))
    setup = pipeline.prepare('link-prediction', graph, seed=args.seed,
                             test_fraction=args.test_fraction, classifier=False)
    if setup.split is not None:
        print('held out %d edges and %d non-edges for link prediction'
              % (len(setup.split.test_edges), len(setup.split.test_negatives)))
    if isinstance(estimator, ContentLinkAuthor2Vec):
        pairs, texts = content_inputs(dataset, setup.split)
        fit_params = dict(fit_params, authorship=pairs, paper_texts=texts)
    metrics, timings = pipeline.fit_and_score(estimator, setup, seed=args.seed,
                                              fit_params=fit_params)
    record = pipeline.record(args.command_line, args.seed, dataset=name,
                             params=estimator.get_params(), nodes=graph.num_nodes,
                             edges=graph.num_edges, train_seconds=round(timings['fit'], 2),
                             loss_per_epoch=estimator.history_)
    if metrics:
        record['link_prediction'] = {'test_fraction': args.test_fraction,
                                     'auc': metrics['own']['auc'],
                                     'average_precision': metrics['own']['ap']}
    estimator.save_embeddings(output)
    with atomic_open(output + '.json', 'w', encoding='utf8') as f:
        json.dump(record, f, indent=2, default=str)
    print('wrote %s (%d x %d) and %s.json' % (output, graph.num_nodes, estimator.dim, output))
    if metrics:
        print('link prediction AUC: %.4f' % metrics['own']['auc'])
    return 0


def cmd_benchmark(args):
    from .benchmark import run_benchmark
    try:
        run_benchmark(args.dataset, args.task, methods=args.methods, seeds=args.seeds,
                      quick=args.quick, output_dir=args.output_dir, command=args.command_line,
                      dim=args.dim, p=args.p, q=args.q, shuffles=args.shuffles,
                      epochs=args.epochs, resume=args.resume, progress=not args.no_progress)
    except ValueError as e:  # unknown method or dataset, a task the dataset has no labels for
        raise BadInput(str(e))
    return 0


def cmd_datasets(args):
    from . import datasets
    rows = datasets.describe_all()
    header = ('name', 'nodes', 'edges', 'labels', 'source')
    table = [header] + [tuple(str(c) for c in row) for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for row in table:
        print('  '.join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    return 0


def cmd_info(args):
    from .backend import info
    for key, value in info().items():
        print('%-14s %s' % (key + ':', value))
    return 0


COMMANDS = {'train': cmd_train, 'benchmark': cmd_benchmark, 'datasets': cmd_datasets,
            'info': cmd_info}


def main(argv=None):
    """Entry point of the `author2vec` command; returns the exit status."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    args.command_line = shlex.join(['author2vec'] + argv)
    if getattr(args, 'device', None):
        previous = os.environ.get('AUTHOR2VEC_DEVICE')
        os.environ['AUTHOR2VEC_DEVICE'] = args.device  # read when the backend is first imported
        try:
            from .backend import setup
            setup(args.device)
        except RuntimeError as e:  # CUDA asked for where it cannot work: one sentence
            if previous is None:
                del os.environ['AUTHOR2VEC_DEVICE']
            else:
                os.environ['AUTHOR2VEC_DEVICE'] = previous
            print('author2vec: error: %s' % e, file=sys.stderr)
            return EXIT_BAD_INPUT
    from .checkpoints import CheckpointMismatch
    from .readers import GraphFormatError
    try:
        return COMMANDS[args.command](args)
    except (GraphFormatError, BadInput, FileNotFoundError, IsADirectoryError,
            UnicodeDecodeError, MemoryError, CheckpointMismatch) as e:
        print('author2vec: error: %s' % e, file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print('author2vec: interrupted', file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001  one line for the user, not a traceback
        if os.environ.get('AUTHOR2VEC_TRACEBACK'):
            raise
        print('author2vec: error: %s: %s' % (type(e).__name__, e), file=sys.stderr)
        return EXIT_FAILURE


if __name__ == '__main__':
    sys.exit(main())
