"""bernoulli, bernoulli_ and multinomial on cuda: results on the device with the right
dtype, reproducible after manual_seed (the uniform numbers are drawn on the device), and
frequencies that follow the probabilities."""

import numpy as np
import pytest

import nbtorch as torch

pytestmark = pytest.mark.cuda

DRAWS = {
    "bernoulli": lambda: torch.bernoulli(torch.full((40,), 0.5, device="cuda")),
    "bernoulli p": lambda: torch.zeros(40, device="cuda", dtype=torch.float64).bernoulli(0.5),
    "bernoulli_": lambda: torch.zeros(40, device="cuda").bernoulli_(
        torch.full((40,), 0.5, device="cuda")),
    "multinomial": lambda: torch.multinomial(torch.ones(2, 6, device="cuda"), 8, True),
    "multinomial, no replacement": lambda: torch.ones(2, 6, device="cuda").multinomial(6),
}


@pytest.mark.parametrize("name", list(DRAWS))
def test_on_the_device_and_reproducible(name):
    torch.manual_seed(3)
    first = DRAWS[name]()
    assert first.device.type == "cuda"
    torch.manual_seed(3)
    assert torch.equal(DRAWS[name]().cpu(), first.cpu())
    torch.manual_seed(4)
    assert not torch.equal(DRAWS[name]().cpu(), first.cpu())


def test_frequencies():
    probs = torch.tensor([[0.0, 0.2, 0.5, 1.0]], device="cuda").expand(500, 4)
    freq = torch.bernoulli(probs).mean(0).cpu().numpy()
    want = np.array([0.0, 0.2, 0.5, 1.0])
    assert (np.abs(freq - want) <= 5 * np.sqrt(want * (1 - want) / 500)).all()
    weights = np.array([1.0, 0.0, 3.0])
    draws = torch.multinomial(torch.tensor(weights, device="cuda"), 800, True).cpu().numpy()
    counts = np.bincount(draws, minlength=3)
    assert counts[1] == 0
    expected = 800 * weights[[0, 2]] / 4
    assert (((counts[[0, 2]] - expected) ** 2) / expected).sum() < 1 + 6 * np.sqrt(2)
    rows = torch.tensor([[0.0, 2.0, 0.0, 1.0]], device="cuda").expand(20, 4)
    order = torch.multinomial(rows, 4).cpu().numpy()
    assert (np.sort(order, 1) == np.arange(4)).all() and np.isin(order[:, :2], [1, 3]).all()


def test_errors_as_on_the_cpu():
    with pytest.raises(RuntimeError, match="p_in >= 0"):
        torch.bernoulli(torch.tensor([0.5, 1.5], device="cuda"))
    with pytest.raises(RuntimeError, match="`inf`, `nan` or element < 0"):
        torch.multinomial(torch.tensor([1.0, -1.0], device="cuda"), 1)
