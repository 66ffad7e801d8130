"""Choose a thread-safe numba threading layer before any parallel kernel runs.

numba's `workqueue` layer aborts the whole process ("Concurrent access") when two Python threads
call `parallel=True` kernels at once, which thread workers do. The `threadsafe` choice makes
numba use OpenMP or TBB instead. This runs when `threads` is imported:
  - the user already chose a layer (NUMBA_THREADING_LAYER set): respected as is;
  - numba not imported yet: NUMBA_THREADING_LAYER=threadsafe goes into the environment (numba
    reads it on import; spawned process workers inherit it);
  - numba imported but no parallel kernel run yet: numba.config.THREADING_LAYER is set;
  - a layer already running: nothing can change it; a warning says so if it is workqueue.
Nothing is set when neither OpenMP nor TBB can be loaded (numba would then refuse to run any
parallel kernel); parallel kernels must then not be called from several thread workers at once.
Process workers are spawned, never forked, because GNU OpenMP does not survive a fork.
"""
import ctypes
import os
import sys
import warnings

_LIBRARIES = ('libgomp.so.1', 'libtbb.so.12', 'libtbb.so.2', 'libomp.dylib', 'libiomp5.so',
              'libtbb.12.dylib', 'libomp.so')
_done = False


def threadsafe_layer_available():
    for name in _LIBRARIES:
        try:
            ctypes.CDLL(name)
            return True
        except OSError:
            continue
    return False


def configure():
    global _done
    if _done:
        return
    _done = True
    if os.environ.get('NUMBA_THREADING_LAYER'):
        return
    numba = sys.modules.get('numba')
    if numba is None:
        if threadsafe_layer_available():
            os.environ['NUMBA_THREADING_LAYER'] = 'threadsafe'
        return
    try:
        from numba.np.ufunc import parallel
    except ImportError:
        return
    if getattr(parallel, '_is_initialized', False):
        if numba.threading_layer() == 'workqueue':
            warnings.warn("numba's workqueue threading layer is already running: parallel numba "
                          "kernels called from several thread workers at once will abort the "
                          "process. Import threads before running any parallel kernel, or set "
                          "NUMBA_THREADING_LAYER=threadsafe.", RuntimeWarning, stacklevel=3)
        return
    if numba.config.THREADING_LAYER == 'default' and threadsafe_layer_available():
        numba.config.THREADING_LAYER = 'threadsafe'
