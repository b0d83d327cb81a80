"""The goal check of results/README.md ("Beyond one hop"), regenerated from the benchmark JSONs.

    python benchmarks/goal_check.py                  # rewrite the section in results/README.md
    python benchmarks/goal_check.py --print          # print it, write nothing
    python benchmarks/goal_check.py --results-dir DIR --readme PATH

Reads every `link-prediction_*.json` and `node-classification_*.json` in the results directory
(as `author2vec benchmark` writes them; quick runs are skipped) and writes, between the markers
`goal_check.GOAL_CHECK_MARKERS` of the README, for every link-prediction set the best walk
variant against the best of DeepWalk, node2vec, LINE, spectral and the heuristics under any
operator (reached / level / missed, and by how much), for every node-classification set the
best walk variant against DeepWalk's Micro-F1 at 50% labelled (the 2-point goal), and beside
each row the fit time of the walk methods over DeepWalk's with the load average recorded in the
JSONs (`goal_check.goal_check`). Exit status 2 when the README has no markers.
"""
import argparse
import glob
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))

from author2vec_keras.goal_check import (goal_check, goal_check_markdown,  # noqa: E402
                                         replace_between_markers)


def load_results(results_dir):
    out = []
    for pattern in ('link-prediction_*.json', 'node-classification_*.json'):
        for path in sorted(glob.glob(os.path.join(results_dir, pattern))):
            with open(path) as f:
                out.append(json.load(f))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--results-dir', default='results')
    parser.add_argument('--readme', default=None,
                        help='the file to rewrite in place (default RESULTS_DIR/README.md)')
    parser.add_argument('--print', action='store_true', help='print the section only')
    args = parser.parse_args(argv)
    section = goal_check_markdown(goal_check(load_results(args.results_dir)),
                                  source='`%s/*.json`' % args.results_dir.rstrip('/'))
    if args.print:
        print(section, end='')
        return 0
    readme = args.readme or os.path.join(args.results_dir, 'README.md')
    with open(readme) as f:
        text = f.read()
    try:
        new = replace_between_markers(text, section)
    except ValueError as e:
        print('goal_check: error: %s: %s' % (readme, e), file=sys.stderr)
        return 2
    if new != text:
        with open(readme, 'w') as f:
            f.write(new)
    print('%s: goal check %s' % (readme, 'rewritten' if new != text else 'unchanged'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
