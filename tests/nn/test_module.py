"""Module: registration, traversal, modes, state_dict, conversion, hooks, repr."""

import copy
from collections import OrderedDict

import numpy as np
import pytest

import nbtorch
from nbtorch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(4, 2, bias=False)
        self.scale = nn.Parameter(nbtorch.ones(1))
        self.register_buffer("steps", nbtorch.zeros(1))
        self.register_buffer("cache", nbtorch.zeros(2), persistent=False)
        self.plain = nbtorch.zeros(3)  # a plain tensor attribute is not registered

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x))) * self.scale


def test_parameters_found_by_assignment():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["scale", "fc1.weight", "fc1.bias", "fc2.weight"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    assert [n for n, _ in net.named_buffers()] == ["steps", "cache"]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "fc2"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "act", "fc2"]
    assert len(list(net.modules())) == 4
    assert net.fc2.bias is None


def test_shared_parameters_counted_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, lin)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.children())) == 1


def test_reassignment_and_delete():
    net = Net()
    net.fc1 = nn.Linear(3, 5)
    assert net.fc1.out_features == 5
    with pytest.raises(TypeError):
        net.scale = nbtorch.ones(1)  # a plain tensor cannot replace a parameter
    net.scale = None
    assert "scale" not in dict(net.named_parameters())
    del net.fc2
    assert "fc2" not in dict(net.named_children())
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        _ = net.nothing


def test_register_errors():
    m = nn.Module()
    with pytest.raises(KeyError):
        m.register_buffer("a.b", nbtorch.zeros(1))
    with pytest.raises(TypeError):
        m.register_parameter("w", nbtorch.zeros(1))
    m.x = 1
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("x", nbtorch.zeros(1))

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(nbtorch.zeros(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()


def test_train_eval_apply_requires_grad_zero_grad():
    net = Net()
    net.eval()
    assert not net.training and not net.fc1.training
    net.train()
    assert net.fc1.training
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "Linear", "Net"]
    net(nbtorch.randn(5, 3)).sum().backward()
    assert net.fc1.weight.grad is not None
    net.zero_grad(set_to_none=False)
    assert float(net.fc1.weight.grad.abs().sum()) == 0
    net.zero_grad()
    assert net.fc1.weight.grad is None
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_state_dict_round_trip():
    a, b = Net(), Net()
    sd = a.state_dict()
    assert list(sd) == ["scale", "steps", "fc1.weight", "fc1.bias", "fc2.weight"]
    assert not sd["fc1.weight"].requires_grad
    result = b.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    # state_dict shares memory: changing the model changes the dict's tensors
    with nbtorch.no_grad():
        a.fc1.bias.zero_()
    assert float(sd["fc1.bias"].abs().sum()) == 0


def test_load_state_dict_strict_and_shapes():
    net = Net()
    sd = net.state_dict()
    del sd["fc1.bias"]
    sd["extra"] = nbtorch.zeros(1)
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "fc1.bias"'):
        net.load_state_dict(sd)
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["fc1.bias"] and result.unexpected_keys == ["extra"]
    bad = net.state_dict()
    bad["fc1.weight"] = nbtorch.zeros(2, 2)
    with pytest.raises(RuntimeError, match=r"size mismatch for fc1.weight: copying a param "
                       r"with shape .*\[2, 2\].* current model is .*\[4, 3\]"):
        net.load_state_dict(bad, strict=False)


def test_to_keeps_parameter_identity():
    net = Net()
    w = net.fc1.weight
    net(nbtorch.randn(2, 3)).sum().backward()
    net.double()
    assert net.fc1.weight is w and w.dtype == nbtorch.float64
    assert w.grad.dtype == nbtorch.float64
    assert net.steps.dtype == nbtorch.float64
    net.to(nbtorch.float32)
    assert w.dtype == nbtorch.float32
    assert net.cpu() is net and net.float() is net
    out = net(nbtorch.randn(2, 3))
    assert out.dtype == nbtorch.float32
    with pytest.raises(TypeError):
        net.to(nbtorch.int64)


def test_forward_hooks():
    net = Net()
    seen = []
    h1 = net.fc1.register_forward_hook(lambda m, args, out: seen.append(tuple(out.shape)))
    h2 = net.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    h3 = net.register_forward_hook(lambda m, args, out: out + 1)
    out = net(nbtorch.randn(5, 3))
    assert seen == [(5, 4)]
    x0 = net.fc2(net.act(net.fc1(nbtorch.zeros(5, 3)))) * net.scale
    np.testing.assert_allclose(out.detach().numpy(), x0.detach().numpy() + 1, rtol=1e-6)
    for h in (h1, h2, h3):
        h.remove()
    net(nbtorch.randn(1, 3))
    assert len(seen) == 2  # the fc1 hook ran once more for x0, not after removal


def test_deepcopy_and_missing_forward():
    net = Net()
    twin = copy.deepcopy(net)
    assert twin.fc1.weight is not net.fc1.weight
    assert isinstance(twin.fc1.weight, nn.Parameter)
    np.testing.assert_array_equal(twin.fc1.weight.detach().numpy(),
                                  net.fc1.weight.detach().numpy())
    with pytest.raises(NotImplementedError):
        nn.Module()(1)


def test_containers():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    sub = seq[:2]
    assert isinstance(sub, nn.Sequential) and len(sub) == 2 and sub[0] is seq[0]
    seq.append(nn.Sigmoid())
    assert len(seq) == 4 and [n for n, _ in seq.named_children()][-1] == "3"
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert named.fc is named[0]
    with pytest.raises(IndexError):
        seq[10]

    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    layers.append(nn.Linear(2, 1))
    assert len(layers) == 4 and len(list(layers.parameters())) == 8
    d = nn.ModuleDict({"a": nn.Linear(1, 1)})
    d["b"] = nn.ReLU()
    assert list(d.keys()) == ["a", "b"] and "a" in d
    plist = nn.ParameterList([nn.Parameter(nbtorch.ones(2)) for _ in range(2)])
    plist.append(nbtorch.zeros(3))
    assert len(plist) == 3 and isinstance(plist[2], nn.Parameter)
    assert len(list(plist.parameters())) == 3
    pdict = nn.ParameterDict({"w": nn.Parameter(nbtorch.ones(1))})
    assert [n for n, _ in pdict.named_parameters()] == ["w"]


@pytest.mark.oracle
def test_repr_matches_pytorch(torch):
    def build(nn_):
        return nn_.Sequential(OrderedDict([
            ("conv", nn_.Conv2d(1, 4, 3, padding=1)),
            ("bn", nn_.BatchNorm2d(4)),
            ("pool", nn_.MaxPool2d(2)),
            ("gn", nn_.GroupNorm(2, 4)),
            ("ln", nn_.LayerNorm(4)),
            ("block", nn_.Sequential(nn_.Linear(3, 4), nn_.ReLU(inplace=True),
                                     nn_.Dropout(0.2))),
            ("act", nn_.LeakyReLU(0.1)),
            ("head", nn_.ModuleList([nn_.Linear(4, 2, bias=False), nn_.Softmax(dim=1)])),
            ("emb", nn_.Embedding(10, 3, padding_idx=0)),
            ("loss", nn_.CrossEntropyLoss()),
            ("flat", nn_.Flatten()),
            ("gelu", nn_.GELU()),
            ("sp", nn_.Softplus()),
            ("ht", nn_.Hardtanh()),
            ("elu", nn_.ELU()),
            ("unflat", nn_.Unflatten(1, (2, 2))),
        ]))

    assert repr(build(nn)) == repr(build(torch.nn))
