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
    index,
    inplace,
    join,
    linalg,
    logic,
    matmul,
    minmax,
    nan_reduce,
    nn_activation,
    nn_basic,
    nn_conv,
    nn_loss,
    nn_norm,
    nn_pool,
    nn_resample,
    pointwise,
    reduce,
    scan,
    scatter,
    search,
    shape,
    sort,
    special,
)

# The modules whose ``__all__`` becomes part of ``nbtorch`` and whose ``TENSOR_METHODS`` become
# Tensor methods. A new op module is added here.
OP_MODULES = (arithmetic, binary, convert, index, inplace, join, linalg, logic, matmul, pointwise,
              reduce, scan, scatter, shape, sort, nn_activation, nn_basic, nn_loss,
              nn_conv, nn_norm, nn_pool, nn_resample, arrange, contract,
              minmax, nan_reduce, search, special)
