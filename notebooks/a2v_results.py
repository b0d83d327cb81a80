"""Where the notebooks read the committed results: one rule, in one place.

    $A2V_RESULTS_DIR when set, else results/ beside the notebooks' folder
    (../results from notebooks/: the repository's results/ in a checkout, ~/results in the
    Docker images, which carry it and which `make docker-notebooks` mounts from the host).

The notebooks that read results call `find_results` in their first code cell; it prints the
directory and the files found there, or that none were found and what the notebook shows
instead, so the first output of the notebook says where its numbers come from.
"""
import glob
import os

RESULTS_ENV = 'A2V_RESULTS_DIR'
DEFAULT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'results')


def results_dir(environ=None):
    """The results directory of the rule above (absolute; it may not exist).

    # Arguments
        environ: mapping to read (default `os.environ`).

    # Returns
        (directory, how it was chosen).
    """
    environ = os.environ if environ is None else environ
    if environ.get(RESULTS_ENV):
        return os.path.abspath(os.path.expanduser(environ[RESULTS_ENV])), '$' + RESULTS_ENV
    return DEFAULT_DIR, 'beside notebooks/, the default; $%s overrides it' % RESULTS_ENV


def find_results(patterns, instead, environ=None):
    """The results directory, announced: prints where the notebook reads its results from.

    # Arguments
        patterns: glob patterns, relative to the directory, of the files the notebook reads.
        instead: what the notebook shows when none is there (for the message).
        environ: mapping to read (default `os.environ`).

    # Returns
        The directory (absolute), whether or not it holds any of the files.
    """
    directory, how = results_dir(environ)
    shown = os.path.relpath(directory) if directory == DEFAULT_DIR else directory
    found = sorted({os.path.basename(p) for pattern in patterns
                    for p in glob.glob(os.path.join(directory, pattern))})
    if found:
        print('results: reading %s (%s): %s' % (shown, how, ', '.join(found)))
    else:
        print('results: none found in %s (%s)%s; %s' % (
            shown, how, '' if os.path.isdir(directory) else ', no such directory', instead))
    return directory
