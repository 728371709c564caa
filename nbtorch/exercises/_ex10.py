"""Checker of exercise 10 (chapter 09, MNIST MLP): a model, its training loop and its
accuracy, on the MNIST subset shipped with nbtorch (6,000 training, 1,000 test images)."""

from __future__ import annotations

from ._feedback import expect_close, expect_equal, fail, run_parts

REQUIRED_ACCURACY = 0.88
MEAN, STD = 0.1307, 0.3081  # of MNIST's training pixels (in [0, 1])


def mnist_tensors(train: bool):
    """Images as (N, 784) float32, standardized with MEAN and STD as in the notebook, and
    labels as int64, from the embedded subset."""
    from ..vision.datasets import mnist_subset

    ds = mnist_subset(train=train)
    return (ds.data.reshape(len(ds), 784).float() / 255 - MEAN) / STD, ds.targets.long()


def true_accuracy(model, x, y) -> float:
    """The fraction of rows of x whose largest output is the label (computed in numpy)."""
    import nbtorch

    model.eval()
    with nbtorch.no_grad():
        scores = model(x).numpy()
    return float((scores.argmax(1) == y.numpy()).mean())


def _reference_model():
    import nbtorch
    from nbtorch import nn

    nbtorch.manual_seed(0)
    return nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))


def _build_model(build_model) -> None:
    import nbtorch

    model = build_model()
    if not isinstance(model, nbtorch.nn.Module):
        fail(f"build_model() should return an nn.Module, got {type(model).__name__}")
    if not list(model.parameters()):
        fail("the model has no parameters")
    out = model(nbtorch.rand(5, 784))
    expect_equal("the output shape of model(x) for x of shape (5, 784)", tuple(out.shape),
                 (5, 10))


def _accuracy(accuracy) -> None:
    x, y = mnist_tensors(train=False)
    model = _reference_model()  # untrained: about 10% right
    expect_close("accuracy(model, x, y) of an untrained model on the test images",
                 accuracy(model, x, y), true_accuracy(model, x, y))
    half = x[:500], y[:500]
    expect_close("accuracy(model, x[:500], y[:500])", accuracy(model, *half),
                 true_accuracy(model, *half))


def _train(train) -> None:
    from nbtorch.utils.data import DataLoader, TensorDataset

    x, y = mnist_tensors(train=True)
    model = _reference_model()
    train(model, DataLoader(TensorDataset(x[:2000], y[:2000]), batch_size=64, shuffle=True), 1)
    got = true_accuracy(model, *mnist_tensors(train=False))
    if got < 0.5:
        fail(f"one epoch of train(...) over 2,000 images gave a small MLP a test accuracy of "
             f"{got:.3f}; expected at least 0.5. Does every batch call zero_grad, backward "
             "and step?")


def _trained(model) -> None:
    got = true_accuracy(model, *mnist_tensors(train=False))
    if got < REQUIRED_ACCURACY:
        fail(f"test accuracy {got:.3f}, required {REQUIRED_ACCURACY}")
    print(f"test accuracy {got:.3f} (required {REQUIRED_ACCURACY})")


def ex10(*components, part: str | None = None) -> None:
    """Check exercise 10 (chapter 09): pass ``build_model`` (a fresh model maps (B, 784) to
    (B, 10)), ``accuracy`` (agrees with argmax in numpy), ``train`` (one epoch trains a
    small reference MLP to at least 50%), or your trained model (test accuracy at least
    ``REQUIRED_ACCURACY``, part ``trained``)."""
    import nbtorch

    checks = {"build_model": _build_model, "accuracy": _accuracy, "train": _train}
    parts = {}
    for c in components:
        if isinstance(c, nbtorch.nn.Module):
            parts["trained"] = lambda c=c: _trained(c)
        elif getattr(c, "__name__", None) in checks:
            parts[c.__name__] = lambda c=c: checks[c.__name__](c)
        else:
            raise ValueError(f"ex10 checks build_model, accuracy, train or a trained model; "
                             f"got {getattr(c, '__name__', c)!r}")
    run_parts("ex10", parts, part)
