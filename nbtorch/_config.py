"""What nbtorch runs on: versions, BLAS, CUDA, graphviz and the data folder.

``nbtorch.show_config()`` is the first thing to run when something behaves
differently on your machine than on your teacher's: paste its output into
your question.
"""

import os
import platform
import shutil
import sys
from pathlib import Path


def data_root() -> Path:
    """The folder where datasets are downloaded to and read from.

    ``$NBTORCH_DATA`` if set, else ``$XDG_CACHE_HOME/nbtorch``, else
    ``~/.cache/nbtorch``. The course itself needs none of it: a small MNIST
    subset ships inside the package.
    """
    if os.environ.get("NBTORCH_DATA"):
        return Path(os.environ["NBTORCH_DATA"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "nbtorch"


def _blas() -> str:
    """Which BLAS numpy uses for matmul (nbtorch's matmul and conv go there)."""
    try:
        from threadpoolctl import threadpool_info  # optional: also reports threads

        for lib in threadpool_info():
            if lib["user_api"] == "blas":
                return f"{lib['internal_api']} {lib['version']} ({lib['num_threads']} threads)"
    except ImportError:
        pass
    try:
        import numpy

        blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas.get('version', '')}".strip()
    except Exception:  # older numpy has no mode="dicts"
        return "unknown"


def _cuda() -> str:
    """A real GPU, the CUDA simulator, or none.

    ``numba.cuda`` is imported here only, never by ``import nbtorch``: looking
    for a GPU driver is slow, and most students have none.
    """
    import numba

    if numba.config.ENABLE_CUDASIM:
        return "simulator (NUMBA_ENABLE_CUDASIM=1): CUDA kernels run on the CPU"
    try:
        from numba import cuda

        if cuda.is_available():
            name = cuda.get_current_device().name
            return f"GPU {name.decode() if isinstance(name, bytes) else name}"
    except Exception as err:  # a broken driver must not break show_config
        return f"not available ({type(err).__name__})"
    return "no GPU (set NUMBA_ENABLE_CUDASIM=1 to simulate one on the CPU)"


def show_config() -> None:
    """Print the versions and hardware nbtorch sees.

    One line each for nbtorch, Python, numpy, numba (with llvmlite, the
    compiler under it), the thread count, the BLAS library, CUDA, graphviz's ``dot`` (used to
    draw computational graphs) and the data folder. Example::

        >>> import nbtorch
        >>> nbtorch.show_config()            # doctest: +SKIP
        nbtorch    0.1.0
        Python     3.11.7 (CPython, Linux x86_64)
        ...
    """
    import llvmlite
    import numba
    import numpy

    from nbtorch import __version__, get_num_threads

    dot = shutil.which("dot")
    python = sys.version.split()[0]
    rows = {
        "nbtorch": __version__,
        "Python": f"{python} ({platform.python_implementation()}, "
        f"{platform.system()} {platform.machine()})",
        "numpy": numpy.__version__,
        "numba": f"{numba.__version__} (llvmlite {llvmlite.__version__})",
        "threads": f"{get_num_threads()} (set_num_threads; see nbtorch/_threads.py)",
        "BLAS": _blas(),
        "CUDA": _cuda(),
        "graphviz": f"dot at {dot}" if dot else "dot not found (install graphviz to draw graphs)",
        "data root": f"{data_root()} (set NBTORCH_DATA to change)",
    }
    for name, value in rows.items():
        print(f"{name:<10} {value}")
