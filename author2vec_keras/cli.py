"""The `author2vec` command: edge list or named dataset in, word2vec-format embeddings out.

Exit status: 0 success, 2 bad input or usage (the message names file, line and problem),
1 any other failure.
"""
import argparse
import json
import os
import platform
import shlex
import sys
import time

from . import __version__

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1


class BadInput(Exception):
    """A problem with what the user gave us: reported in one line, exit status 2."""


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError('expected a positive integer, got %r' % text)
    if value < 1:
        raise argparse.ArgumentTypeError('expected a positive integer, got %r' % text)
    return value


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError('expected a number in [0, 1), got %r' % text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError('expected a number in [0, 1), got %r' % text)
    return value


def _device_parent():
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument('--device', default=None,
                        help="'cpu' or 'cuda' (Theano device; cuda needs the GPU image). "
                             "Default: $AUTHOR2VEC_DEVICE, else cpu.")
    return parent


def build_parser():
    parser = argparse.ArgumentParser(
        prog='author2vec',
        description='Author2Vec node embeddings (the blog\'s custom Keras layer on keras 2.0.9 '
                    '+ Theano): train on a graph, write word2vec-format embeddings.')
    parser.add_argument('--version', action='version', version='%(prog)s ' + __version__)
    commands = parser.add_subparsers(dest='command', metavar='COMMAND')
    commands.required = True
    device = _device_parent()

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
    train.add_argument('--model', choices=['paper', 'blog', 'author2vec'], default='paper',
                       help="'paper': softmax link model (default); 'blog': the blog's stack; "
                            "'author2vec': the full content + link model (datasets with text: "
                            "aan, cane-cora)")
    train.add_argument('--schedule', choices=['alternating', 'joint', 'link', 'content'],
                       default='alternating',
                       help='with --model author2vec: alternate the content and link models '
                            'each epoch (the authors\' code), train them jointly, or one alone')
    train.add_argument('--projection', action='store_true',
                       help="with --model author2vec: tanh(W e + b) on each side first (the "
                            "authors' a2v.lua)")
    train.add_argument('--dim', type=_positive_int, default=128,
                       help='node vector size (default 128)')
    train.add_argument('--hidden-dim', type=_positive_int, default=32,
                       help='pair representation size (default 32)')
    train.add_argument('--negatives', type=_positive_int, default=5,
                       help='sampled non-edges per edge (default 5)')
    train.add_argument('--sampling', choices=['uniform', 'degree'], default='uniform',
                       help='negative sampling distribution (default uniform)')
    train.add_argument('--epochs', type=_positive_int, default=10,
                       help='passes over the training edges (default 10)')
    train.add_argument('--batch-size', type=_positive_int, default=512,
                       help='pairs per gradient step (default 512)')
    train.add_argument('--optimizer', default='adam',
                       help='Keras optimizer name (default adam); sgd, adagrad and adam update '
                            'only the embedding rows a batch touches')
    train.add_argument('--dense-updates', action='store_true',
                       help="use Keras' stock optimizer, which updates the whole embedding "
                            'table every batch (slow on large graphs)')
    train.add_argument('--test-fraction', type=_fraction, default=0.1,
                       help='fraction of edges held out for link prediction (default 0.1; '
                            '0 trains on all edges and skips the evaluation)')
    train.add_argument('--seed', type=int, default=0, help='random seed (default 0)')
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

    from .benchmark import add_benchmark_arguments
    bench = commands.add_parser(
        'benchmark', parents=[device],
        help='run Author2Vec and the baselines side by side; markdown table, JSON, PNG',
        description='Run Author2Vec, DeepWalk, node2vec, LINE, spectral and the link heuristics '
                    'on the same data, split and protocol; print a markdown table (mean +/- std '
                    'over seeds) and write OUTPUT_DIR/TASK_DATASET.{json,md,png}.')
    add_benchmark_arguments(bench)

    commands.add_parser('datasets', help='list the bundled datasets')
    commands.add_parser('info', parents=[device],
                        help='print the Theano/Keras stack: versions, device, BLAS, compiledir')
    return parser


def _load_graph(args):
    from .graph import read_edgelist
    if args.edgelist:
        return read_edgelist(args.edgelist, directed=args.directed), \
            os.path.splitext(os.path.basename(args.edgelist))[0]
    from . import datasets
    name = datasets.DEFAULT if args.dataset is None else args.dataset
    try:
        return datasets.load(name).graph, name
    except datasets.DatasetError as e:
        raise BadInput(str(e))


def _versions():
    from .backend import info
    import numpy
    import sklearn
    stack = info()
    return {'author2vec_keras': __version__, 'python': platform.python_version(),
            'theano': stack['theano'], 'keras': stack['keras'], 'device': stack['device'],
            'numpy': numpy.__version__, 'scikit-learn': sklearn.__version__}


def cmd_train(args):
    if args.resume and not args.checkpoint_dir:
        raise BadInput('--resume needs --checkpoint-dir')
    graph, name = _load_graph(args)
    from sklearn.metrics import average_precision_score, roc_auc_score
    from .estimator import Author2Vec
    from .io import atomic_open
    from .splits import link_prediction_split

    output = args.output or name + '.emb'
    print('graph %s: %d nodes, %d edges' % (name, graph.num_nodes, graph.num_edges))
    train_graph, split = graph, None
    if args.test_fraction > 0:
        split = link_prediction_split(graph, test_fraction=args.test_fraction, seed=args.seed)
        train_graph = split.train_graph
        print('held out %d edges and %d non-edges for link prediction'
              % (len(split.test_edges), len(split.test_negatives)))
    params = dict(dim=args.dim, hidden_dim=args.hidden_dim, negatives=args.negatives,
                  epochs=args.epochs, batch_size=args.batch_size, optimizer=args.optimizer,
                  sampling=args.sampling, random_state=args.seed,
                  verbose=0 if args.quiet else 1)
    started = time.time()
    if args.model == 'author2vec':
        from .author2vec import train_author2vec
        if args.edgelist or name not in ('aan', 'cane-cora'):
            raise BadInput('--model author2vec needs a dataset with text: --dataset aan or '
                           '--dataset cane-cora')
        if args.checkpoint_dir:
            raise BadInput('--checkpoint-dir is not supported with --model author2vec yet')
        estimator = train_author2vec(name, schedule=args.schedule, split=split,
                                     projection=args.projection, **params)
    else:
        estimator = Author2Vec(model=args.model, row_wise=not args.dense_updates,
                               checkpoint_dir=args.checkpoint_dir, **params)
        estimator.fit(train_graph, resume=args.resume)
    seconds = time.time() - started
    record = {'command': args.command_line, 'dataset': name,
              'seed': args.seed, 'params': estimator.get_params(),
              'nodes': graph.num_nodes, 'edges': graph.num_edges,
              'train_seconds': round(seconds, 2), 'loss_per_epoch': estimator.history_,
              'versions': _versions()}
    if split is not None:
        scores = estimator.edge_probability(split.pairs)
        record['link_prediction'] = {
            'test_fraction': args.test_fraction,
            'auc': float(roc_auc_score(split.labels, scores)),
            'average_precision': float(average_precision_score(split.labels, scores))}
    estimator.save_embeddings(output)
    with atomic_open(output + '.json', 'w', encoding='utf8') as f:
        json.dump(record, f, indent=2, default=str)
    print('wrote %s (%d x %d) and %s.json' % (output, graph.num_nodes, args.dim, output))
    if split is not None:
        print('link prediction AUC: %.4f' % record['link_prediction']['auc'])
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


def cmd_benchmark(args):
    from .benchmark import benchmark_from_args
    try:
        benchmark_from_args(args, command=args.command_line)
    except ValueError as e:  # unknown method or dataset, a task the dataset has no labels for
        raise BadInput(str(e))
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
    from .graph import GraphFormatError
    from .io import CheckpointMismatch
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
