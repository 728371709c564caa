"""Every differentiable operation, as an ``autograd.Function``.

``forward`` computes on backend arrays (numpy or cuda) and returns arrays; ``backward``
(and ``jvp``) are written with Tensor operations, so gradients can be differentiated again.
Each module holds one family: arithmetic, unary math, reductions, shape, indexing, matrix.
"""
