"""What the cuda tests that compare a computation on cuda with the same one on the CPU share:
run it on a device, take the gradients of a weighted sum of its output, compare."""

import copy

import numpy as np

import nbtorch as torch


def _backward_of_a_weighted_sum(out, device) -> None:
    """Backward of sum(w * out) with weights from -1 to 1, so that every output element's
    gradient differs (a plain sum would hide a permuted gradient)."""
    weights = np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)).astype(np.float32)
    (out * torch.tensor(weights).to(device)).sum().backward()


def output_and_grads(case, device: str):
    """``case(T)`` on ``device``, where ``T(array, grad=False)`` makes an input tensor there
    (one that requires grad with ``grad=True``): its output and those inputs' gradients."""
    inputs = []

    def T(array, grad=False):
        t = torch.tensor(array).to(device)
        if grad:
            inputs.append(t.requires_grad_())
        return t

    out = case(T)
    assert out.device.type == device
    if out.requires_grad:
        _backward_of_a_weighted_sum(out, device)
    return out.detach().cpu().numpy(), [t.grad.cpu().numpy() for t in inputs]


def assert_cuda_equals_cpu(case, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """``case`` (see ``output_and_grads``) gives the same output, dtype and input gradients
    on cuda as on the CPU."""
    out, grads = output_and_grads(case, "cpu")
    cuda_out, cuda_grads = output_and_grads(case, "cuda")
    assert cuda_out.dtype == out.dtype and cuda_out.shape == out.shape
    np.testing.assert_allclose(cuda_out, out, rtol=rtol, atol=atol)
    assert len(cuda_grads) == len(grads)
    for cuda_grad, grad in zip(cuda_grads, grads):
        np.testing.assert_allclose(cuda_grad, grad, rtol=rtol, atol=atol)


def _module_results(module, data, device: str) -> list:
    x = torch.tensor(data).to(device).requires_grad_()
    out = module(x)
    out = out[0] if isinstance(out, tuple) else out  # recurrent layers: (output, state)
    assert out.device.type == device
    _backward_of_a_weighted_sum(out, device)
    return ([out.detach().cpu().numpy(), x.grad.cpu().numpy()]
            + [p.grad.cpu().numpy() for p in module.parameters()]
            + [b.cpu().numpy() for b in module.buffers()])


def assert_module_on_cuda_equals_cpu(make, data, rtol: float = 1e-4,
                                     atol: float = 1e-5) -> None:
    """A module made by ``make()`` and its copy moved to cuda compute the same output, input
    and parameter gradients and buffers on ``data``."""
    torch.manual_seed(0)
    module = make()
    on_gpu = copy.deepcopy(module).cuda()
    assert all(p.is_cuda for p in on_gpu.parameters())
    want, got = _module_results(module, data, "cpu"), _module_results(on_gpu, data, "cuda")
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)
