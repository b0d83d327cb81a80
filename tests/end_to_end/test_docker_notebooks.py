"""The notebooks as a user of the Docker images sees them, without Docker.

For every documented command that serves the notebooks (`make docker-notebooks`, read with
`make -n`, and the `docker run` lines of docker/README.md), the test lays out a directory the way
that image and command would: the Dockerfile's `COPY` lines filtered by its `.dockerignore`, the
package as its `pip install` line installs it (setup.py's build_py: the files a wheel holds), the
user's home from its `useradd`, `A2V_*` variables from its `ENV` lines and `-e`, the notebook
folder from the entry point's `--notebook-dir`, and the command's `-v` mounts on top. Everything
is read from the Dockerfiles, the entry point, the Makefile and the README, so the test follows
them when they change. Then the four notebooks run there in small mode, in the notebook folder,
with the package imported from the laid-out copy, and 02 and 03 must show the committed results
(numbers from results/*.json, their plots), having said where they read them.

Layouts that hold the same files for the notebooks (same home directory, same package, same
variables; today the GPU and CPU images and make's mounts all do) are executed once.
"""
import glob
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOTEBOOKS = ['01_custom_layer_in_keras.ipynb', '02_author2vec_vs_paper.ipynb',
             '03_benchmarks.ipynb', '04_your_own_papers.ipynb']

pytest.importorskip('nbclient', reason='pip install -r requirements-notebooks.txt')
pytest.importorskip('ipykernel', reason='pip install -r requirements-notebooks.txt')


def _read(*path):
    with open(os.path.join(ROOT, *path), encoding='utf8') as f:
        return f.read()


def _paper_comparison():
    """benchmarks/paper_comparison.py: the comparison's tables, as notebook 02 imports it."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'paper_comparison', os.path.join(ROOT, 'benchmarks', 'paper_comparison.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _runner():
    import importlib.util
    spec = importlib.util.spec_from_file_location('notebook_runner',
                                                  os.path.join(ROOT, 'notebooks', 'run.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- what the Makefile and docker/README.md run ----------------------------------------------

def _make_dry_run(*targets, container='docker'):
    """`make -n` of these targets with this engine: the shell commands, continuation lines
    joined."""
    out = subprocess.run(['make', '-n', '-s', '--no-print-directory', '-C', ROOT,
                          'CONTAINER=' + container, 'CONTAINER_BUILD_FLAGS='] + list(targets),
                         capture_output=True, text=True, check=True).stdout
    return [l.strip() for l in re.sub(r'\\\n\s*', ' ', out).splitlines() if l.strip()]


def _builds():
    """{image reference: Dockerfile path} from the Makefile's `docker build` commands."""
    builds = {}
    for line in _make_dry_run('docker-gpu', 'docker-cpu'):
        args = shlex.split(line)
        assert args[:2] == ['docker', 'build'], line
        tag, dockerfile = args[args.index('-t') + 1], args[args.index('-f') + 1]
        assert args[-1] == '.', 'the build context is the repository root: %s' % line
        builds[tag] = os.path.join(ROOT, dockerfile)
    return builds


def _readme_runs():
    """The `docker run` commands in docker/README.md's bash blocks."""
    blocks = re.findall(r'```(?:bash|sh)\n(.*?)```', _read('docker', 'README.md'), re.S)
    lines = re.sub(r'\\\n\s*', ' ', '\n'.join(blocks)).splitlines()
    return [l.strip() for l in lines if l.strip().startswith('docker run ')]


# docker run's options that take a value (the others used here are flags)
_VALUE_OPTIONS = {'-p', '--publish', '-v', '--volume', '-e', '--env', '--gpus', '--name',
                  '-u', '--user', '-w', '--workdir', '--shm-size'}
_FLAG_OPTIONS = {'--rm', '-i', '-t', '-it', '-ti', '-d', '--init'}


def _parse_run(line):
    """A `docker run` command -> dict(image, command, mounts [(host, container)], env)."""
    args = shlex.split(line.replace('$(CURDIR)', ROOT).replace('${PWD}', ROOT)
                       .replace('$PWD', ROOT), comments=True)
    assert args[:2] == ['docker', 'run'], line
    i, mounts, env = 2, [], {}
    while args[i].startswith('-'):
        option, value = args[i].split('=', 1) if '=' in args[i] else (args[i], None)
        if option in _FLAG_OPTIONS:
            i += 1
            continue
        assert option in _VALUE_OPTIONS, 'teach this test docker run %s (in: %s)' % (option, line)
        if value is None:
            value, i = args[i + 1], i + 2
        else:
            i += 1
        if option in ('-v', '--volume'):
            host, container = value.split(':')[:2]
            assert os.path.isabs(host) and os.path.isabs(container), line
            mounts.append((host, container))
        elif option in ('-e', '--env'):
            key, equals, val = value.partition('=')
            env[key] = val if equals else os.environ.get(key)
    return {'image': args[i], 'command': args[i + 1:], 'mounts': mounts, 'env': env}


def notebook_commands():
    """(name, parsed docker run) of every documented command that serves the notebooks."""
    make = [l for l in _make_dry_run('docker-notebooks') if l.startswith('docker run ')]
    assert len(make) == 1, make
    commands = [('make-docker-notebooks', _parse_run(make[0]))]
    for line in _readme_runs():
        run = _parse_run(line)
        if run['command'] in ([], ['notebook']):
            commands.append(('readme-%s' % run['image'].split(':')[-1], run))
    return commands


COMMANDS = notebook_commands()
BUILDS = _builds()


# --- the Dockerfile: what it copies where -------------------------------------------------------

def _instructions(dockerfile):
    """[(INSTRUCTION, arguments)], comments dropped, continuation lines joined."""
    with open(dockerfile, encoding='utf8') as f:
        lines = [l for l in f.read().splitlines() if not l.lstrip().startswith('#')]
    text = re.sub(r'\\\n', ' ', '\n'.join(lines))
    return [(l.split(None, 1)[0].upper(), l.split(None, 1)[1] if ' ' in l.strip() else '')
            for l in (x.strip() for x in text.splitlines()) if l]


def _pattern_regex(pattern):
    """A .dockerignore pattern as a regex on slash-separated paths (moby/patternmatcher)."""
    out, i = '', 0
    while i < len(pattern):
        if pattern.startswith('**/', i):
            out, i = out + '(?:.*/)?', i + 3
        elif pattern.startswith('**', i):
            out, i = out + '.*', i + 2
        elif pattern[i] == '*':
            out, i = out + '[^/]*', i + 1
        elif pattern[i] == '?':
            out, i = out + '[^/]', i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile('^' + out + '$')


def dockerignore(dockerfile):
    """`excluded(relative path)` from `<Dockerfile>.dockerignore` (else the context's): the last
    pattern that matches the path or one of its parents decides, `!` re-includes."""
    path = dockerfile + '.dockerignore'
    if not os.path.exists(path):
        path = os.path.join(ROOT, '.dockerignore')
    rules = []
    if os.path.exists(path):
        for line in open(path, encoding='utf8').read().splitlines():
            line = line.strip()
            if line and not line.startswith('#'):
                negate = line.startswith('!')
                pattern = os.path.normpath(line.lstrip('!').strip('/'))
                rules.append((_pattern_regex(pattern), negate))

    def excluded(rel):
        parts = rel.split('/')
        prefixes = ['/'.join(parts[:k]) for k in range(1, len(parts) + 1)]
        verdict = False
        for regex, negate in rules:
            if any(regex.match(p) for p in prefixes):
                verdict = not negate
        return verdict
    return excluded


def _context_files(source, excluded):
    """The build context's files under `source` (relative, may be a glob) that the build sees."""
    files = []
    for top in sorted(glob.glob(os.path.join(ROOT, source))):
        if os.path.isfile(top):
            candidates = [top]
        else:
            candidates = [os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs]
        for path in sorted(candidates):
            rel = os.path.relpath(path, ROOT).replace(os.sep, '/')
            if not excluded(rel):
                files.append(rel)
    return files


def _useradd_home(run):
    args = shlex.split(run.split('useradd', 1)[1].split('&&')[0])
    with_value = {'-u', '--uid', '-s', '--shell', '-g', '--gid', '-G', '--groups',
                  '-c', '--comment'}
    i = 0
    while args[i].startswith('-'):
        if args[i] in ('-d', '--home-dir'):
            return args[i + 1]
        i += 2 if args[i] in with_value else 1
    return '/home/' + args[i]


def lay_out(dockerfile, run, root):
    """Lay out under `root` what a container of this image started by `run` holds.

    # Returns
        dict(root, home, notebook_dir, site: where the package is installed, env: the A2V_*
        variables), paths inside `root`.
    """
    def inside(path):
        return os.path.join(root, path.lstrip('/'))

    excluded = dockerignore(dockerfile)
    workdir, env, home, entrypoint, cmd, packages = '/', {}, None, None, None, []
    for instruction, arguments in _instructions(dockerfile):
        if instruction == 'COPY':
            args = json.loads(arguments) if arguments.startswith('[') else shlex.split(arguments)
            if any(a.startswith('--from') for a in args):
                continue                              # from another image, not the context
            args = [a for a in args if not a.startswith('--')]
            sources, dest = args[:-1], os.path.join(workdir, args[-1])
            into_dir = dest.endswith('/') or len(sources) > 1
            for source in sources:
                files = _context_files(source, excluded)
                assert files, '%s: COPY %s finds nothing in the build context (or .dockerignore ' \
                              'excludes it)' % (dockerfile, source)
                for rel in files:
                    if os.path.isdir(os.path.join(ROOT, source)):       # its contents go to dest
                        target = os.path.join(dest, os.path.relpath(rel, source.rstrip('/')))
                    elif into_dir or os.path.isdir(inside(dest)):
                        target = os.path.join(dest, os.path.basename(rel))
                    else:
                        target = dest
                    os.makedirs(os.path.dirname(inside(target)), exist_ok=True)
                    shutil.copyfile(os.path.join(ROOT, rel), inside(target))
        elif instruction == 'ENV':
            args = shlex.split(arguments)
            pairs = ([a.split('=', 1) for a in args] if '=' in args[0]
                     else [(args[0], ' '.join(args[1:]))])
            env.update({k: v for k, v in pairs if k.startswith('A2V_')})
        elif instruction == 'WORKDIR':
            workdir = os.path.join(workdir, arguments.strip())
        elif instruction == 'RUN' and 'useradd' in arguments:
            home = _useradd_home(arguments)
        elif instruction == 'RUN' and re.search(r'pip install\b', arguments):
            packages += [a for a in shlex.split(arguments)
                         if a.startswith('/') and os.path.exists(inside(a) + '/setup.py')]
        elif instruction == 'ENTRYPOINT':
            entrypoint = json.loads(arguments)
        elif instruction == 'CMD':
            cmd = json.loads(arguments)
    assert home, '%s creates no user' % dockerfile

    # the command: Jupyter through the entry point, in --notebook-dir
    assert (run['command'] or cmd) == ['notebook'], run
    script = open(inside(entrypoint[0]), encoding='utf8').read()
    assert 'jupyter notebook' in script, 'the entry point no longer starts Jupyter'
    notebook_dir = re.search(r'--notebook-dir="?([^"\s]+)', script).group(1)
    notebook_dir = notebook_dir.replace('${HOME}', home).replace('$HOME', home)

    for host, container in run['mounts']:      # a mount hides what the image has there
        assert os.path.exists(host), host
        shutil.rmtree(inside(container), ignore_errors=True)
        shutil.copytree(host, inside(container), symlinks=True)
    env.update({k: v for k, v in run['env'].items() if k.startswith('A2V_')})
    env = {k: inside(v) if v.startswith('/') else v for k, v in env.items()}

    # `pip install /opt/...`: the files setuptools puts in the wheel (no network, no `wheel`)
    site = os.path.join(root, '.site-packages')
    os.makedirs(site)
    for package in packages:
        subprocess.run([sys.executable, 'setup.py', '-q', 'build_py', '--build-lib', site],
                       cwd=inside(package), check=True, capture_output=True)
    return {'root': root, 'home': inside(home), 'notebook_dir': inside(notebook_dir), 'site': site,
            'env': env}


def _fingerprint(layout):
    """What the notebooks can see: the files in the home directory and the installed package
    (caches left out), and the variables."""
    env = {k: v.replace(layout['root'], '') for k, v in layout['env'].items()}
    h = hashlib.sha256(json.dumps(sorted(env.items())).encode())
    for top in (layout['home'], layout['site']):
        for d, dirs, files in os.walk(top):
            dirs[:] = sorted(x for x in dirs if x not in ('__pycache__', '.ipynb_checkpoints'))
            for f in sorted(files):
                if not f.endswith('.pyc'):
                    path = os.path.join(d, f)
                    h.update(os.path.relpath(path, top).encode() + b'\0')
                    h.update(hashlib.sha256(open(path, 'rb').read()).digest())
    return h.hexdigest()


# --- the committed results, as the notebooks should show them -----------------------------------

def _json(name):
    return json.loads(_read('results', name))


def numbers_02():
    """Mean AUC (Hadamard) over seeds per dataset, configuration, method and protocol."""
    paper_comparison = _paper_comparison()
    runs = paper_comparison.a2v_runs(_json('author2vec_vs_paper.json'))
    table, _ = paper_comparison.a2v_summary(runs)
    values = {(dataset,) + row + (protocol,): '%.4f' % stats[0]
              for (dataset, row), cells in table.items()
              for (protocol, metric), stats in cells.items() if metric == 'auc_hadamard'}
    assert values
    return values


def numbers_03():
    """Hadamard AUC of each method (link prediction), Micro-F1 at 50% (node classification),
    RowAdam pairs/s (throughput), formatted as notebook 03 shows them."""
    out = {}
    for path in sorted(glob.glob(os.path.join(ROOT, 'results', '*_*.json'))):
        r = json.load(open(path))
        for m, s in (r.get('summary') or {}).items():
            if r.get('task') == 'link-prediction' and s.get('hadamard/auc'):
                out[(r['dataset'], m)] = '%.4f' % s['hadamard/auc'][0]
            elif r.get('task') == 'node-classification' and s.get('0.5/micro'):
                out[(r['dataset'], m)] = '%.2f' % (100 * s['0.5/micro'][0])
    for n, s in _json('throughput.json')['summary'].items():
        if s.get('ours'):
            out[('throughput', n)] = '{:,.0f}'.format(s['ours'])
    assert len(out) > 20
    return out


def _outputs(nb):
    return [o for c in nb.cells if c.cell_type == 'code' for o in c.get('outputs', [])]


def _text(nb):
    parts = []
    for o in _outputs(nb):
        parts.append(o.get('text', '') if o.get('output_type') == 'stream'
                     else o.get('data', {}).get('text/markdown', ''))
    return '\n'.join(parts)


def _images(nb):
    return [o for o in _outputs(nb) if len(o.get('data', {}).get('image/png', '')) > 5000]


def _first_output(nb):
    first = _outputs(nb)[0]
    assert first.get('output_type') == 'stream', first
    return first['text']


# --- the tests -----------------------------------------------------------------------------------

def test_both_images_serve_the_notebooks_in_a_documented_command():
    served = {BUILDS[run['image']] for _, run in COMMANDS}
    assert served == {os.path.join(ROOT, 'docker', 'Dockerfile'),
                      os.path.join(ROOT, 'docker', 'Dockerfile.cpu')}, COMMANDS
    assert 'make-docker-notebooks' in [name for name, _ in COMMANDS]


@pytest.mark.parametrize('engine,build', [('podman', ['podman', 'build']),
                                          ('buildah', ['buildah', 'bud'])])
def test_podman_and_buildah_build_the_same_files_as_docker(engine, build):
    """`make docker-gpu docker-cpu CONTAINER=podman|buildah`: the same Dockerfiles, tags and context
    as Docker's, in Docker's format (OCI's drops SHELL, so pipefail), with the Dockerfile's own
    .dockerignore (Docker finds `<Dockerfile>.dockerignore` itself; these are told)."""
    docker = {}
    for line in _make_dry_run('docker-gpu', 'docker-cpu'):
        args = shlex.split(line)
        docker[args[args.index('-t') + 1]] = args[args.index('-f') + 1]
    lines = _make_dry_run('docker-gpu', 'docker-cpu', container=engine)
    assert len(lines) == 2, lines
    for line in lines:
        args = shlex.split(line)
        assert args[:2] == build and args[-1] == '.', line
        assert args[args.index('--format') + 1] == 'docker', line
        tag, dockerfile = args[args.index('-t') + 1], args[args.index('-f') + 1]
        assert docker[tag] == dockerfile
        assert args[args.index('--ignorefile') + 1] == dockerfile + '.dockerignore'
        assert os.path.exists(os.path.join(ROOT, dockerfile + '.dockerignore'))


def test_docker_notebooks_with_podman_and_buildah():
    run = [l for l in _make_dry_run('docker-notebooks', container='podman')
           if l.startswith('podman run ')]
    assert len(run) == 1 and '--device nvidia.com/gpu=all' in run[0], run  # CDI, Podman's --gpus
    assert _parse_run(run[0].replace('podman run', 'docker run', 1).replace(
        '--device nvidia.com/gpu=all', '--gpus all'))['mounts'] == COMMANDS[0][1]['mounts']
    proc = subprocess.run(['make', '-s', '--no-print-directory', '-C', ROOT, 'CONTAINER=buildah',
                           'docker-notebooks', 'IMAGE=nonexistent', '-o', 'docker-gpu'],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and 'CONTAINER=docker or podman' in proc.stderr, proc.stderr


def test_dockerignore_patterns():
    excluded = dockerignore(os.path.join(ROOT, 'docker', 'Dockerfile'))
    assert excluded('tests/fixtures/test_graph.py') and excluded('.venv/bin/python')
    assert not excluded('author2vec_keras/nn/layers.py')
    assert excluded('author2vec_keras/__pycache__/layers.cpython-311.pyc')
    assert not excluded('results/throughput.json') and not excluded('notebooks/03_benchmarks.ipynb')
    assert excluded('results/demo_ca-grqc.emb') and excluded('notebooks/.ipynb_checkpoints/x.ipynb')


_EXECUTED = {}   # layout fingerprint -> {notebook: executed notebook}


@pytest.mark.parametrize('name,run', COMMANDS, ids=[n for n, _ in COMMANDS])
def test_notebooks_show_the_committed_results_in_the_container(name, run, tmp_path_factory):
    root = str(tmp_path_factory.mktemp(name))
    layout = lay_out(BUILDS[run['image']], run, root)
    env = {'PYTHONPATH': layout['site']}
    env.update({'A2V_RESULTS_DIR': None}, **layout['env'])   # the host's setting does not leak in

    # the package is the laid-out copy, not this checkout
    where = subprocess.run([sys.executable, '-c',
                            'import author2vec_keras; print(author2vec_keras.__file__)'],
                           cwd=layout['notebook_dir'], capture_output=True, text=True, check=True,
                           env=dict({k: v for k, v in os.environ.items() if k != 'PYTHONPATH'},
                                    PYTHONPATH=layout['site'])).stdout
    assert where.startswith(layout['site']), 'the image does not install the package: %s' % where
    assert set(NOTEBOOKS) <= set(os.listdir(layout['notebook_dir'])), \
        '%s serves no notebooks: %s' % (name, os.listdir(layout['notebook_dir']))

    key = _fingerprint(layout)
    if key not in _EXECUTED:
        runner = _runner()
        _EXECUTED[key] = {nb: runner.execute(os.path.join(layout['notebook_dir'], nb), small=True,
                                             env=env,
                                             output=os.path.join(root, 'executed-' + nb))[0]
                          for nb in NOTEBOOKS}
    executed = _EXECUTED[key]
    for nb in executed.values():
        assert all(c.get('execution_count') for c in nb.cells if c.cell_type == 'code')

    nb02, nb03 = executed[NOTEBOOKS[1]], executed[NOTEBOOKS[2]]
    for nb, wanted in ((nb02, 'author2vec_vs_paper.json'), (nb03, 'link-prediction_ppi.json')):
        first = _first_output(nb)
        assert first.startswith('results: reading ../results ') and wanted in first, \
            '%s: the notebook did not find the committed results; it said: %s' % (name, first)
    text02, text03 = _text(nb02), _text(nb03)
    missing = [k for k, v in numbers_02().items() if v not in text02]
    assert not missing, 'notebook 02 does not show the committed comparison for %s' % missing
    missing = [k for k, v in numbers_03().items() if v not in text03]
    assert not missing, 'notebook 03 does not show the committed results for %s' % missing
    # 02: the benchmark's bar chart, its training curves when a run was scored against epoch,
    # then the live run's figure; 03: link prediction, node classification, throughput
    paper_comparison = _paper_comparison()
    curves = bool(paper_comparison.a2v_curves(_json('author2vec_vs_paper.json')))
    assert len(_images(nb02)) == 2 + curves and len(_images(nb03)) == 3


def test_without_results_the_notebooks_say_so(tmp_path):
    """The issue's layout: a folder holding only notebooks/ (no results/)."""
    shutil.copytree(os.path.join(ROOT, 'notebooks'), str(tmp_path / 'notebooks'),
                    ignore=shutil.ignore_patterns('__pycache__'))
    nb, _ = _runner().execute(str(tmp_path / 'notebooks' / NOTEBOOKS[2]), small=True,
                              env={'A2V_RESULTS_DIR': None})
    first = _first_output(nb)
    assert first.startswith('results: none found in ../results (beside notebooks/, the default;')
    assert 'no such directory; this notebook only reads results' in first
    assert not _images(nb)


def test_results_rule(tmp_path, capsys):
    import importlib.util
    spec = importlib.util.spec_from_file_location('a2v_results',
                                                  os.path.join(ROOT, 'notebooks', 'a2v_results.py'))
    rule = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rule)
    # default: results/ beside notebooks/, wherever the kernel runs
    assert rule.results_dir({})[0] == os.path.join(ROOT, 'results')
    assert rule.results_dir({'A2V_RESULTS_DIR': ''})[0] == os.path.join(ROOT, 'results')
    assert rule.find_results(['throughput.json'], 'x', environ={}) == os.path.join(ROOT, 'results')
    assert 'throughput.json' in capsys.readouterr().out
    # the variable wins, and an empty directory is reported with what runs instead
    env = {'A2V_RESULTS_DIR': str(tmp_path)}
    assert rule.find_results(['*.json'], 'part 2 runs live', environ=env) == str(tmp_path)
    assert capsys.readouterr().out == ('results: none found in %s ($A2V_RESULTS_DIR); '
                                       'part 2 runs live\n' % tmp_path)
    (tmp_path / 'throughput.json').write_text('{}')
    rule.find_results(['*.json', 'throughput.json'], 'x', environ=env)
    assert capsys.readouterr().out == ('results: reading %s ($A2V_RESULTS_DIR): '
                                       'throughput.json\n' % tmp_path)
