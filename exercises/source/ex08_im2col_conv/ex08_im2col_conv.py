# %% [markdown]
# # Exercise 8 · Convolution by im2col · 用 im2col 实现卷积
#
# **Chapter 10 (convolutional networks 卷积神经网络).**
#
# A 2-D convolution (卷积) slides a `(C, kh, kw)` kernel (卷积核) over the image. **im2col**
# turns it into one matrix product (矩阵乘法): copy every window (窗口) into a column, then
# multiply by the kernels laid out as rows.
#
# 1. `im2col(x, kh, kw, stride=1, padding=0)`: `x` of shape `(N, C, H, W)` becomes
#    `(N, C*kh*kw, L)`, where `L = OH*OW` is the number of output positions,
#    `OH = (H + 2*padding - kh) // stride + 1` (and `OW` likewise), and column `l` holds the
#    window of output position `l` (row-major, 行优先). The rows are ordered channel first,
#    then kernel row, then kernel column: exactly like `torch.nn.functional.unfold`.
#    Hint: loop over the `kh*kw` kernel offsets (not over the output positions): for offset
#    `(p, q)` the slice `x[:, :, p:p + stride*OH:stride, q:q + stride*OW:stride]` holds that
#    element of every window. Stack them, then reshape. Pad with
#    `torch.nn.functional.pad(x, (padding,) * 4)`.
# 2. `conv2d(x, weight, bias=None, stride=1, padding=0)`: `weight` of shape `(O, C, kh, kw)`;
#    return `(N, O, OH, OW)`. One matrix product with `im2col(...)`, then a reshape, then the
#    bias (偏置) per output channel.
#
# Use nbtorch operations only: then autograd gives you the backward of your convolution for
# free (the hidden tests check its gradient with `gradcheck`, and compare with
# `torch.nn.functional.conv2d`). `check.ex8(im2col)` and `check.ex8(conv2d)` compare with a
# direct convolution written in numpy.

# %%
import numpy as np

import nbtorch as torch
import nbtorch.nn.functional as F
from nbtorch.autograd import gradcheck
from nbtorch.exercises import check


# %% solution="im2col"
def im2col(x, kh, kw, stride=1, padding=0):
    """(N, C, H, W) -> (N, C*kh*kw, OH*OW): one column per window."""
    ### BEGIN SOLUTION
    if padding:
        x = F.pad(x, (padding,) * 4)
    n, c, h, w = x.shape
    oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    pieces = [x[:, :, p:p + stride * oh:stride, q:q + stride * ow:stride]
              for p in range(kh) for q in range(kw)]
    return torch.stack(pieces, dim=2).reshape(n, c * kh * kw, oh * ow)
    ### END SOLUTION


# %% test="test_im2col" points=1
check.ex8(im2col, part="values")
### BEGIN HIDDEN TESTS
_x = torch.randn(1, 2, 4, 4, dtype=torch.float64)
_cols = im2col(_x, 2, 2)
assert tuple(_cols.shape) == (1, 8, 9), _cols.shape
np.testing.assert_allclose(_cols[0, :, 0].numpy(), _x[0, :, :2, :2].reshape(-1).numpy())
### END HIDDEN TESTS

# %% test="test_im2col_stride_padding" points=1
check.ex8(im2col, part="stride_padding")
### BEGIN HIDDEN TESTS
_x = torch.randn(2, 1, 7, 5, dtype=torch.float64)
_cols = im2col(_x, 3, 3, stride=2, padding=1)
assert tuple(_cols.shape) == (2, 9, 4 * 3), _cols.shape
np.testing.assert_allclose(_cols[:, 4].reshape(2, 4, 3).numpy(), _x[:, 0, ::2, ::2].numpy())
### END HIDDEN TESTS

# %% solution="conv2d"
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """(N, C, H, W) * (O, C, kh, kw) -> (N, O, OH, OW)."""
    ### BEGIN SOLUTION
    n = x.shape[0]
    o, _, kh, kw = weight.shape
    oh = (x.shape[2] + 2 * padding - kh) // stride + 1
    ow = (x.shape[3] + 2 * padding - kw) // stride + 1
    out = weight.reshape(o, -1) @ im2col(x, kh, kw, stride, padding)
    out = out.reshape(n, o, oh, ow)
    return out if bias is None else out + bias.reshape(1, o, 1, 1)
    ### END SOLUTION


# %% test="test_conv2d" points=2
check.ex8(conv2d, part="values")
### BEGIN HIDDEN TESTS
_x = torch.randn(3, 2, 6, 5, dtype=torch.float64)
_w, _b = torch.randn(5, 2, 3, 3, dtype=torch.float64), torch.randn(5, dtype=torch.float64)
np.testing.assert_allclose(conv2d(_x, _w, _b).numpy(), F.conv2d(_x, _w, _b).numpy(),
                           rtol=1e-10, atol=1e-12)
_x.requires_grad_()
_w.requires_grad_()
assert gradcheck(lambda a, k: conv2d(a, k), (_x[:1, :, :4, :4], _w[:2]))
### END HIDDEN TESTS

# %% test="test_conv2d_stride_padding" points=2
check.ex8(conv2d, part="stride_padding")
### BEGIN HIDDEN TESTS
_x = torch.randn(2, 3, 9, 8, dtype=torch.float64)
_w, _b = torch.randn(4, 3, 3, 5, dtype=torch.float64), torch.randn(4, dtype=torch.float64)
for _s, _p in [(3, 0), (2, 2), (1, 2)]:
    np.testing.assert_allclose(conv2d(_x, _w, _b, stride=_s, padding=_p).numpy(),
                               F.conv2d(_x, _w, _b, stride=_s, padding=_p).numpy(),
                               rtol=1e-10, atol=1e-12)
### END HIDDEN TESTS
