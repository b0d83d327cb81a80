"""What several test folders share: the repository root, the command in a child process."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start(args, env=None):
    """`python -m author2vec_keras.cli ARGS` of this checkout in a child process (pipes)."""
    env = dict(env or os.environ)
    env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
    return subprocess.Popen([sys.executable, '-m', 'author2vec_keras.cli'] + args, cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
