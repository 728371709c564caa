"""nbtorch: a compact deep-learning library with PyTorch's API, built to be read.

``import nbtorch as torch`` runs ordinary PyTorch course code: tensors, autograd,
``nn``, ``optim``, data loading and vision, on numpy and Numba (and Numba CUDA).
"""

__version__ = "0.1.0"

from . import (
    _tensor_methods,  # noqa: F401  (binds the Tensor methods)
    cuda,  # noqa: F401  (nbtorch.cuda; numba.cuda loads with the first cuda tensor)
    func,  # noqa: F401  (nbtorch.func: grad, jacrev, jacfwd, hessian, vmap)
    linalg,  # noqa: F401  (nbtorch.linalg: norms, det, inv, solve)
    nn,  # noqa: F401  (nbtorch.nn: Module, layers, functional, init, utils)
    optim,  # noqa: F401  (nbtorch.optim, after the core it builds on)
    special,  # noqa: F401  (nbtorch.special: expit, xlogy, ndtr, ...)
    utils,  # noqa: F401  (nbtorch.utils.data: Dataset, DataLoader)
)
from ._config import show_config
from ._creation import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    ones,
    ones_like,
    set_default_tensor_type,
    tensor,
    zeros,
    zeros_like,
)
from ._device import device
from ._dtype import (
    bool_ as bool,  # noqa: A001
)
from ._dtype import (
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    set_default_dtype,
    uint8,
)
from ._ops.aliases import *  # noqa: F403  (greater, sgn, fix, split_with_sizes, ...)
from ._ops.arithmetic import (
    add,
    div,
    divide,
    mul,
    multiply,
    neg,
    negative,
    pow,
    rsub,
    sub,
    subtract,
    true_divide,
)
from ._ops.arrange import *  # noqa: F403  (diff, rot90, block_diag, cartesian_prod, ...)
from ._ops.binary import *  # noqa: F403
from ._ops.contract import *  # noqa: F403  (einsum, tensordot, kron, cdist)
from ._ops.convert import to
from ._ops.counting import *  # noqa: F403  (unique_consecutive, histogram)
from ._ops.covariance import *  # noqa: F403  (cov, corrcoef)
from ._ops.cumulative import *  # noqa: F403  (logcumsumexp, trapezoid, ...)
from ._ops.decompositions import *  # noqa: F403  (svd, qr, cholesky)
from ._ops.diagonals import *  # noqa: F403  (diag_embed, diagflat, diagonal_scatter)
from ._ops.gamma_bessel import *  # noqa: F403  (lgamma, digamma, polygamma, mvlgamma, i0)
from ._ops.integer_math import *  # noqa: F403  (gcd, lcm, bitwise shifts)
from ._ops.join import *  # noqa: F403  (every name in join.__all__)
from ._ops.linalg import *  # noqa: F403
from ._ops.linalg_extra import *  # noqa: F403  (logdet, slogdet, pinverse, ...)
from ._ops.logic import *  # noqa: F403
from ._ops.lu import *  # noqa: F403  (lu, lu_unpack, lu_solve)
from ._ops.math_extra import *  # noqa: F403  (xlogy, copysign, asinh, logit, ...)
from ._ops.matmul import bmm, dot, inner, matmul, mm, mv
from ._ops.matrix_exp import *  # noqa: F403  (matrix_exp)
from ._ops.memory import *  # noqa: F403  (layout, strided, empty_strided, ...)
from ._ops.minmax import *  # noqa: F403  (aminmax, cummax, cummin)
from ._ops.nan_reduce import *  # noqa: F403  (nansum, nanmean)
from ._ops.nn_activation_extra import *  # noqa: F403  (prelu, rrelu, selu, celu, ...)
from ._ops.nn_adaptive_pool import *  # noqa: F403  (adaptive_avg_pool1d)
from ._ops.nn_basic import *  # noqa: F403  (bilinear, cosine_similarity, ...)
from ._ops.nn_channel_shuffle import *  # noqa: F403  (channel_shuffle)
from ._ops.nn_conv import *  # noqa: F403  (conv1d, conv2d, conv_transpose2d)
from ._ops.nn_norm import *  # noqa: F403  (layer_norm, group_norm)
from ._ops.nn_norm_extra import *  # noqa: F403  (rms_norm)
from ._ops.nn_pdist import *  # noqa: F403  (pdist)
from ._ops.nn_pixel_shuffle import *  # noqa: F403  (pixel_shuffle, pixel_unshuffle)
from ._ops.nn_pool import *  # noqa: F403  (max_pool1d, max_pool2d, avg_pool1d)
from ._ops.norms import *  # noqa: F403  (dist, renorm)
from ._ops.place import *  # noqa: F403  (index_put, index_copy, masked_scatter, ...)
from ._ops.pointwise import *  # noqa: F403  (every name in pointwise.__all__)
from ._ops.products import *  # noqa: F403  (vdot, addbmm, addr)
from ._ops.quantile import *  # noqa: F403  (quantile, nanquantile, mode)
from ._ops.real_numbers import *  # noqa: F403  (conj, real, adjoint, is_complex)
from ._ops.reduce import *  # noqa: F403
from ._ops.scan import *  # noqa: F403
from ._ops.scatter import *  # noqa: F403
from ._ops.scatter_reduce import *  # noqa: F403  (scatter_reduce, index_reduce)
from ._ops.search import *  # noqa: F403  (searchsorted, bucketize, isin, histc)
from ._ops.shape import *  # noqa: F403
from ._ops.sort import *  # noqa: F403
from ._ops.special import *  # noqa: F403  (logaddexp, hypot, erfinv, heaviside, ...)
from ._ops.stack_split import *  # noqa: F403  (dstack, column_stack, hsplit, ...)
from ._ops.strided import *  # noqa: F403  (as_strided)
from ._ops.triangular import *  # noqa: F403  (triangular_solve, cholesky_solve, ...)
from ._tensor import Size, Tensor
from ._tensor_str import set_printoptions
from ._threads import get_num_threads, set_num_threads
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .random import (
    Generator,
    bernoulli,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    multinomial,
    normal,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
    set_rng_state,
)
from .serialization import load, save

half = float16
float = float32  # noqa: A001
double = float64
short = int16
int = int32  # noqa: A001
long = int64
