"""searchsorted, bucketize, isin and histc on cuda give the CPU's results (computed on the
device: the results stay there)."""

import numpy as np
import pytest

import nbtorch as torch

pytestmark = pytest.mark.cuda

rng = np.random.default_rng(0)
SEQ = np.sort(rng.integers(0, 6, 9)).astype(np.float32)
ROWS = np.sort(rng.integers(0, 6, (2, 5)), axis=1)
VALUES = np.concatenate([rng.uniform(-1, 7, 6), [np.nan, 2.0]]).astype(np.float32)

CASES = {
    "searchsorted": lambda T: torch.searchsorted(T(SEQ), T(VALUES.reshape(2, 4))),
    "searchsorted right": lambda T: torch.searchsorted(T(SEQ), T(VALUES), right=True),
    "searchsorted rows": lambda T: torch.searchsorted(T(ROWS), T(VALUES.reshape(2, 4)[:, :3]),
                                                      side="right"),
    "searchsorted sorter": lambda T: torch.searchsorted(
        T(SEQ[::-1].copy()), T(VALUES), sorter=T(np.arange(8, -1, -1))),
    "searchsorted scalar int32": lambda T: torch.searchsorted(T(SEQ), 3, out_int32=True),
    "bucketize": lambda T: torch.bucketize(T(VALUES), T(SEQ), right=True),
    "isin": lambda T: torch.isin(T(ROWS), T(np.array([1, 4, 4]))),
    "isin invert, floats": lambda T: torch.isin(T(VALUES), T(SEQ), invert=True),
    "histc": lambda T: torch.histc(T(VALUES), bins=5, min=-1, max=6),
    "histc, data range": lambda T: T(SEQ).histc(4),
}


def _result(case, device):
    out = CASES[case](lambda a: torch.tensor(a).to(device))
    assert out.device.type == device
    return out.cpu()


@pytest.mark.parametrize("case", list(CASES))
def test_result_equals_the_cpus(case):
    out, cuda_out = _result(case, "cpu"), _result(case, "cuda")
    assert cuda_out.dtype == out.dtype and cuda_out.shape == out.shape
    assert cuda_out.tolist() == out.tolist()
