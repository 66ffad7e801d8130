"""Which CUDA backend this process has, decided once on first use (never at `import torchlike`:
importing numba.cuda takes half a second and fails without cuda-bindings).

  'simulator'  numba.cuda imported with its simulator on (NUMBA_ENABLE_CUDASIM=1 was set before
               numba was imported): kernels run as Python threads on host memory;
  'gpu'        numba.cuda imported and found a device;
  'none'       numba-cuda is not installed, cuda-bindings is missing, or there is no GPU.
"""
import os

_state = {'mode': None, 'why': None, 'memory': None}

NOT_AVAILABLE = (
    "CUDA is not available (torch.cuda.mode() is 'none': numba-cuda is not installed or no GPU "
    "was found); install it with pip install -e '.[cuda]', or set NUMBA_ENABLE_CUDASIM=1 before "
    "starting Python to use numba's CUDA simulator")


def _decide():
    try:
        from numba import cuda
    except Exception as e:          # ImportError, or a broken cuda-bindings install
        return 'none', f"numba.cuda cannot be imported: {e}"
    try:
        from numba.cuda import config
        simulated = bool(config.ENABLE_CUDASIM)
    except Exception:
        simulated = os.environ.get('NUMBA_ENABLE_CUDASIM', '0') == '1'
    if simulated:
        return 'simulator', "NUMBA_ENABLE_CUDASIM=1: numba's CUDA simulator"
    try:
        if cuda.is_available():
            return 'gpu', "numba.cuda found a GPU"
    except Exception as e:
        return 'none', f"numba.cuda could not query the driver: {e}"
    return 'none', "numba.cuda is installed but found no GPU (or no CUDA driver)"


def mode():
    """'gpu', 'simulator' or 'none' (decided on the first call, then cached)."""
    m = _state['mode']
    if m is None:
        m, why = _decide()
        _state['mode'], _state['why'] = m, why
    return m


def modeReason():
    """One line saying why `mode()` is what it is."""
    mode()
    return _state['why']


def isAvailable():
    """True when CUDA tensors can be made: a GPU, or the simulator."""
    return mode() != 'none'


def _reset():
    """Forget the decision (tests only)."""
    _state['mode'] = _state['why'] = _state['memory'] = None


def memory():
    """The kernels/cuda/memory module; a clear RuntimeError when CUDA is not available."""
    m = _state['memory']
    if m is None:
        if mode() == 'none':
            raise RuntimeError(NOT_AVAILABLE)
        from kernels.cuda import memory as m
        _state['memory'] = m
    return m


def deviceCount():
    """Number of devices: 1 under the simulator or with a GPU (torchlike uses one), else 0."""
    if mode() == 'none':
        return 0
    if mode() == 'simulator':
        return 1
    from numba import cuda
    return len(cuda.gpus)


def getDevice():
    """The current device: always 0 (0-based; cutorch counted from 1)."""
    return 0


def setDevice(d):
    if d != 0:
        raise ValueError(f"setDevice: torchlike uses one device (0), got {d}")


def deviceName():
    """'SIMULATOR' under the simulator, the GPU's name on a GPU, None without CUDA."""
    m = mode()
    if m == 'none':
        return None
    if m == 'simulator':
        return 'SIMULATOR'
    from numba import cuda
    name = cuda.get_current_device().name
    return name.decode() if isinstance(name, bytes) else str(name)


def synchronize():
    """Wait for every queued kernel (a no-op without CUDA)."""
    if mode() != 'none':
        memory().synchronize()
