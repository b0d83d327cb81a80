"""Reading speed and peak memory of `bibliography.read_papers` on a generated bibliography.

    python benchmarks/papers_reading.py                  # 1M papers, JSON Lines and CSV
    python benchmarks/papers_reading.py --papers 20000   # a quick check
    python benchmarks/papers_reading.py --table-only     # re-render the table from the JSON

Writes one file per format in a temporary folder: N papers with the fields of a Semantic Scholar
export (JSON Lines: `paperId`, `title`, `abstract`, `year`, `authors[].{authorId, name}`) and of
a CSV export (`id,title,abstract,authors,year`, authors `;`-separated); titles of 6-14 words,
abstracts of 60-220 (about 900 characters, as arXiv's), 1-12 authors a paper drawn with a Zipf
law from a pool of N/3 people. Each file is read by `read_papers` in a child process of its own
(one core: the reader is one thread): papers/s from the time of the call alone, peak memory
from the child's own peak RSS (VmHWM; the interpreter and its imports included). The goal
(issue 30): at least 50,000 papers/s for each, under 2 GB for 1M papers.

Writes `results/papers_reading.json` (every measurement, versions, load average) and
`results/papers_reading.md` (the table); `--output` elsewhere.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
sys.path.insert(0, ROOT)

MiB = 2.0 ** 20
FORMATS = ('jsonl', 'csv')
GOAL = '>= 50,000 papers/s on one core, < 2 GB for 1M papers'

_SYLLABLES = ('ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vi', 'zo', 'an', 'el', 'is', 'or', 'um',
              'be', 'di', 'fa', 'go', 'hu', 'je', 'po', 'qu', 'se', 'ti', 'wa')


def _words(rng, n, syllables=(1, 4)):
    """`n` distinct made-up lower-case words."""
    out = set()
    while len(out) < n:
        k = rng.integers(syllables[0], syllables[1] + 1)
        out.add(''.join(rng.choice(_SYLLABLES, size=k)))
    return sorted(out)


def generate(path, fmt, n, seed=0):
    """Write `n` papers to `path` in `fmt` ('jsonl' or 'csv'), the same papers for both."""
    rng = np.random.default_rng(seed)
    vocab = np.array(_words(rng, 20000, (1, 5)))
    given = _words(rng, 3000, (2, 3))
    family = _words(rng, 20000, (2, 4))
    people = max(10, n // 3)
    first = rng.integers(0, len(given), size=people)
    last = rng.integers(0, len(family), size=people)
    names = ['%s %s' % (given[a].title(), family[b].title()) for a, b in zip(first, last)]
    word_p = 1.0 / np.arange(1, len(vocab) + 1)
    word_p /= word_p.sum()
    person_p = 1.0 / np.arange(1, people + 1) ** 0.8
    person_p /= person_p.sum()
    chunk = 10000
    with open(path, 'w', encoding='utf-8', newline='') as f:
        writer = csv.writer(f) if fmt == 'csv' else None
        if writer is not None:
            writer.writerow(['id', 'title', 'abstract', 'authors', 'year'])
        for lo in range(0, n, chunk):
            m = min(chunk, n - lo)
            title_len = rng.integers(6, 15, size=m)
            abstract_len = rng.integers(60, 221, size=m)
            n_authors = np.minimum(1 + rng.geometric(0.35, size=m) - 1, 12)
            n_authors = np.maximum(n_authors, 1)
            words = vocab[rng.choice(len(vocab), size=int((title_len + abstract_len).sum()),
                                     p=word_p)]
            who = rng.choice(people, size=int(n_authors.sum()), p=person_p)
            years = rng.integers(1990, 2025, size=m)
            w = a = 0
            for i in range(m):
                title = ' '.join(words[w:w + title_len[i]]).capitalize()
                w += title_len[i]
                abstract = ' '.join(words[w:w + abstract_len[i]]).capitalize() + '.'
                w += abstract_len[i]
                team = list(dict.fromkeys(who[a:a + n_authors[i]].tolist()))
                a += n_authors[i]
                pid = '%040x' % (lo + i) if fmt == 'jsonl' else 'P%d' % (lo + i)
                if writer is not None:
                    writer.writerow([pid, title, abstract, '; '.join(names[j] for j in team),
                                     int(years[i])])
                else:
                    f.write(json.dumps({
                        'paperId': pid, 'title': title, 'abstract': abstract,
                        'year': int(years[i]), 'venue': 'Journal of %s' % vocab[i % 50],
                        'authors': [{'authorId': str(1000000 + j), 'name': names[j]}
                                    for j in team]}) + '\n')


def child(path):
    """In the child process: read `path`, print what the parent records (one JSON line)."""
    import warnings

    from author2vec_keras.data.bibliography import read_papers
    from author2vec_keras.data.graph import DataWarning
    warnings.simplefilter('ignore', DataWarning)
    t0 = time.perf_counter()
    papers = read_papers(path)
    seconds = time.perf_counter() - t0
    print(json.dumps({'seconds': seconds, 'papers': len(papers), 'authors': len(papers.names),
                      'skipped': papers.skipped, 'peak_rss': _own_peak()}))


def _own_peak():
    """This process's peak RSS in bytes: VmHWM, its own memory's high-water mark (the kernel's
    ru_maxrss of a child also counts the parent's memory at the fork, here the generator's)."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(path, fmt):
    """Read `path` in a child process: its record (with its own peak RSS)."""
    argv = [sys.executable, os.path.abspath(__file__), '--child', path]
    env = dict(os.environ, OMP_NUM_THREADS='1', OPENBLAS_NUM_THREADS='1', MKL_NUM_THREADS='1')
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        status = proc.wait()
        out.seek(0)
        err.seek(0)
        text, problem = out.read().decode(), err.read().decode('utf-8', 'replace')
    if status != 0:
        raise RuntimeError('reading %s failed: %s' % (path, problem[-500:]))
    run = json.loads(text.strip().splitlines()[-1])
    run.update(format=fmt, file_mib=os.path.getsize(path) / MiB,
               papers_per_s=run['papers'] / run['seconds'],
               loadavg=open('/proc/loadavg').read().split()[:3])
    return run


def table(runs):
    rows = ['| format | papers | authors | file MiB | seconds | papers/s | MiB/s | peak RSS MiB '
            '| load avg |', '|' + '---|' * 9]
    for r in runs:
        rows.append('| %s | {:,} | {:,} | %.0f | %.1f | {:,.0f} | %.1f | %.0f | %s |'.format(
            r['papers'], r['authors'], r['papers_per_s'])
            % (r['format'], r['file_mib'], r['seconds'], r['file_mib'] / r['seconds'],
               r['peak_rss'] / MiB, ' '.join(r['loadavg'])))
    return '\n'.join(rows) + '\n'


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--papers', type=int, default=1000000, help='papers per file (1M)')
    ap.add_argument('--formats', default=','.join(FORMATS))
    ap.add_argument('--workdir', default=None,
                    help='where the generated files go (default a temporary folder, removed)')
    ap.add_argument('--output', default=os.path.join(ROOT, 'results', 'papers_reading'))
    ap.add_argument('--table-only', action='store_true')
    ap.add_argument('--child', default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args.child)
    from author2vec_keras.evaluation.pipeline import versions
    from author2vec_keras.fileio import atomic_open
    if args.table_only:
        with open(args.output + '.json') as f:
            result = json.load(f)
    else:
        result = {'command': ' '.join(['python'] + sys.argv), 'versions': versions(),
                  'goal': GOAL, 'runs': []}
        with tempfile.TemporaryDirectory(dir=args.workdir) as workdir:
            for fmt in args.formats.split(','):
                path = os.path.join(workdir, 'papers.%s' % fmt)
                t0 = time.time()
                generate(path, fmt, args.papers)
                print('generated %s: %d papers, %.0f MiB (%.0f s)' % (
                    path, args.papers, os.path.getsize(path) / MiB, time.time() - t0),
                    flush=True)
                run = measure(path, fmt)
                os.remove(path)
                result['runs'].append(run)
                print('%-5s %10s papers/s  peak %6.0f MiB' % (
                    fmt, '{:,.0f}'.format(run['papers_per_s']), run['peak_rss'] / MiB),
                    flush=True)
        with atomic_open(args.output + '.json', 'w') as f:
            json.dump(result, f, indent=1)
    md = ('# Reading a bibliography: papers/s and peak memory of `read_papers`\n\n'
          'Written by `%s` (`benchmarks/papers_reading.py`): generated files with the fields '
          'of a Semantic Scholar export (JSON Lines) and of a CSV export, titles and abstracts '
          'of realistic length (about 1 KB a paper), 1-12 authors a paper; each read by '
          '`read_papers` in a child process of its own (one core); seconds of the call alone, '
          'peak RSS of the child (VmHWM; interpreter and imports included). Goal (issue 30): %s. '
          'Machine: 2 shared cores; the load average of each run is in its row.\n\n'
          % (result['command'], result['goal'])) + table(result['runs'])
    with atomic_open(args.output + '.md', 'w') as f:
        f.write(md)
    print(md)


if __name__ == '__main__':
    main()
