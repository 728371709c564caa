"""Every differentiable operation, as an ``autograd.Function``.

``forward`` computes on backend arrays (numpy or cuda) and returns arrays; ``backward``
(and ``jvp``) are written with Tensor operations, so gradients can be differentiated again.
Each module holds one family: arithmetic, unary math, reductions, shape, indexing, matrix.
"""

from . import (
    arithmetic,
    arrange,
    binary,
    contract,
    convert,
    counting,
    cumulative,
    decompositions,
    diagonals,
    gamma_bessel,
    index,
    inplace,
    join,
    linalg,
    linalg_extra,
    logic,
    math_extra,
    matmul,
    minmax,
    nan_reduce,
    nn_activation,
    nn_activation_extra,
    nn_basic,
    nn_conv,
    nn_loss,
    nn_norm,
    nn_pool,
    nn_resample,
    norms,
    place,
    pointwise,
    products,
    quantile,
    reduce,
    scan,
    scatter,
    scatter_reduce,
    search,
    shape,
    sort,
    special,
    stack_split,
    strided,
)

# The modules whose ``TENSOR_METHODS`` become Tensor methods. A new op module is added here,
# and its ``__all__`` is imported by name in ``nbtorch/__init__.py`` (``nbtorch.einsum``).
OP_MODULES = (arithmetic, binary, convert, index, inplace, join, linalg, logic, matmul, pointwise,
              reduce, scan, scatter, shape, sort, nn_activation, nn_basic, nn_loss,
              nn_activation_extra,
              nn_conv, nn_norm, nn_pool, nn_resample, arrange, contract,
              minmax, nan_reduce, search, special, decompositions, linalg_extra,
              scatter_reduce, place, diagonals, stack_split, strided, quantile, cumulative,
              counting, norms, products, math_extra, gamma_bessel)
