"""Bad input raises the exception PyTorch raises, with a message naming what was wrong, and
leaves every tensor as it was. Each case was found by a differential sweep against PyTorch
(``fn(module)`` is run with ``nbtorch`` and with ``torch`` as the module)."""

import io
import os

import numpy as np
import pytest

import nbtorch

pytestmark = pytest.mark.oracle


def same_error(fn, *words):
    """``fn(module)`` raises the same exception class in nbtorch as in PyTorch, and
    nbtorch's message contains each of ``words`` (the shape, dim or dtype at fault)."""
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as pt:
        fn(torch)
    with pytest.raises(Exception) as nb:
        fn(nbtorch)
    assert type(nb.value).__name__ == type(pt.value).__name__, (nb.value, pt.value)
    for word in words:
        assert word in str(nb.value), (word, str(nb.value))
    return nb.value


def t(m, *shape, dtype=None):
    return m.arange(float(np.prod(shape, dtype=int))).reshape(shape).to(dtype or m.float32)


# -- tensors and shapes ----------------------------------------------------------------------


def test_cat_of_a_non_tensor_names_its_position():
    same_error(lambda m: m.cat([t(m, 2), 3]), "element 1", "int")


@pytest.mark.parametrize("shape", [(2.0, 3), ("a",), (None,)])
def test_view_and_reshape_take_only_int_sizes(shape):
    same_error(lambda m: t(m, 2, 3).reshape(*shape), "shape")
    same_error(lambda m: t(m, 2, 3).view(*shape), "shape")


@pytest.mark.parametrize("assign", [False, True])
def test_boolean_mask_of_the_wrong_shape_names_the_mask_not_numpy(assign):
    def fn(m):
        x, mask = t(m, 2, 3), m.tensor([True, False, True])
        if assign:
            x[mask] = 1.0
        return x[mask]

    error = same_error(fn, "mask [3]", "[2, 3]")
    assert "axis" not in str(error)


def test_assignment_through_an_index_tensor_out_of_range_names_the_dimension():
    error = same_error(lambda m: t(m, 2, 3).__setitem__(m.tensor([3]), 1.0), "index 3",
                       "dimension 0")
    assert "axis" not in str(error)


def test_scatter_refuses_a_source_of_another_dtype():
    index = lambda m: m.tensor([[0]])  # noqa: E731
    same_error(lambda m: t(m, 2, 3).scatter(1, index(m), t(m, 1, 1, dtype=m.float64)), "dtype")
    same_error(lambda m: t(m, 2, 3).scatter_add(1, index(m), t(m, 1, 1, dtype=m.float64)))


def test_take_wants_a_long_index():
    same_error(lambda m: m.take(t(m, 2, 3), m.tensor([0]).int()), "long", "Int")
    same_error(lambda m: m.take(t(m, 2, 3), m.tensor([0.0])), "Float")


def test_fill_takes_a_number_or_zero_dim_tensor_only():
    same_error(lambda m: t(m, 2).fill_(t(m, 2)), "1 dimensions")


def test_float_alpha_with_integer_tensors_is_refused():
    ints = lambda m: m.tensor([1, 2])  # noqa: E731
    same_error(lambda m: m.add(ints(m), ints(m), alpha=0.5), "alpha")
    same_error(lambda m: m.sub(ints(m), ints(m), alpha=0.5), "alpha")
    same_error(lambda m: ints(m).add_(ints(m), alpha=2.0), "alpha")


def test_alpha_with_a_number_operand_follows_torch(torch):
    for m in (nbtorch, torch):
        assert m.add(m.tensor([1]), 2, alpha=2).tolist() == [5]
        assert m.add(m.tensor([1]), 1.0, alpha=0.5).tolist() == [1.5]
        assert m.sub(m.tensor([1.0]), 1, alpha=3).tolist() == [-2.0]


def test_data_must_be_set_to_a_tensor():
    same_error(lambda m: setattr(t(m, 2), "data", [1.0, 2.0]), "list")


@pytest.mark.parametrize("call", [
    lambda m: m.exp([1.0]),
    lambda m: m.abs("a"),
    lambda m: m.matmul(m.ones(2), [1.0, 2.0]),
    lambda m: m.ones(2, requires_grad=True).matmul([1.0, 2.0]),
])
def test_a_list_where_a_tensor_belongs_is_a_type_error(call):
    same_error(call, "must be Tensor")


# -- creation and random ---------------------------------------------------------------------


def test_negative_sizes_are_refused():
    same_error(lambda m: m.randperm(-1), "negative dimension -1")
    same_error(lambda m: m.eye(-1), "-1")
    same_error(lambda m: m.eye(2, -3), "-3")


def test_normal_refuses_a_negative_std():
    same_error(lambda m: m.normal(0.0, -1.0, (2,)), "std")
    same_error(lambda m: m.normal(m.zeros(2), -m.ones(2)), "std")
    same_error(lambda m: m.zeros(2).normal_(0.0, -1.0), "std")


@pytest.mark.parametrize("data", [None, {"a": 1}, [[1.0], [None]]])
def test_tensor_of_data_without_a_dtype(data):
    same_error(lambda m: m.tensor(data), "infer dtype")


def test_like_functions_want_a_tensor():
    same_error(lambda m: m.zeros_like([1, 2]), "Tensor", "list")
    same_error(lambda m: m.full_like(3, 1.0), "Tensor", "int")


def test_integer_parameter_cannot_require_grad():
    same_error(lambda m: m.nn.Parameter(m.tensor([1, 2])), "floating point")


# -- convolution and pooling -----------------------------------------------------------------


def _image(m):
    return t(m, 1, 1, 5, 5)


@pytest.mark.parametrize("kwargs, words", [
    ({"stride": 0}, ["stride"]),
    ({"stride": (1, 0)}, ["stride"]),
    ({"padding": -1}, ["padding"]),
    ({"dilation": 0}, ["dilation", "[0, 0]"]),
])
def test_conv_refuses_non_positive_steps(kwargs, words):
    same_error(lambda m: m.nn.functional.conv2d(_image(m), t(m, 1, 1, 3, 3), **kwargs), *words)
    same_error(lambda m: m.nn.functional.conv_transpose2d(_image(m), t(m, 1, 1, 3, 3),
                                                          **kwargs), *words)


def test_conv1d_refuses_a_zero_stride():
    same_error(lambda m: m.nn.Conv1d(1, 2, 3, stride=0)(t(m, 1, 1, 5)), "stride")


@pytest.mark.parametrize("kwargs", [{"output_padding": 1}, {"output_padding": 2, "stride": 2}])
def test_conv_transpose_output_padding_must_be_below_stride_or_dilation(kwargs):
    same_error(lambda m: m.nn.ConvTranspose2d(1, 1, 3, **kwargs)(_image(m)),
               "output_padding_height")


def test_conv_transpose_refuses_negative_output_padding():
    same_error(lambda m: m.nn.functional.conv_transpose2d(_image(m), t(m, 1, 1, 3, 3), stride=2,
                                                          output_padding=-1), "output_padding")


@pytest.mark.parametrize("pool", ["max_pool2d", "avg_pool2d"])
@pytest.mark.parametrize("kwargs, words", [
    ({"kernel_size": 2, "stride": 0}, ["stride"]),
    ({"kernel_size": 0}, ["stride"]),
    ({"kernel_size": 2, "padding": -1}, ["pad"]),
])
def test_pooling_windows_that_do_not_fit(pool, kwargs, words):
    same_error(lambda m: getattr(m.nn.functional, pool)(t(m, 1, 1, 4, 4), **kwargs), *words)


def test_average_pooling_window_larger_than_the_input():
    same_error(lambda m: m.nn.functional.avg_pool2d(t(m, 1, 1, 4, 4), 5),
               "Output size is too small", "1x4x4")


def test_pooling_refuses_a_zero_dilation_and_1d_a_zero_stride():
    same_error(lambda m: m.nn.functional.max_pool2d(t(m, 1, 1, 4, 4), 2, dilation=0),
               "dilation")
    same_error(lambda m: m.nn.functional.max_pool1d(t(m, 1, 1, 4), 2, stride=0), "stride")
    same_error(lambda m: m.nn.functional.avg_pool1d(t(m, 1, 1, 4), 5), "too small")


@pytest.mark.parametrize("size", [-1, (2, -1)])
def test_adaptive_pooling_refuses_negative_sizes(size):
    same_error(lambda m: m.nn.AdaptiveAvgPool2d(size)(t(m, 1, 1, 4, 4)), "-1")


# -- normalisation and losses ----------------------------------------------------------------


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_names_the_statistic_of_the_wrong_size(training):
    def fn(m):
        bn = m.nn.BatchNorm1d(3)
        bn.train(training)
        return bn(t(m, 2, 4))

    error = same_error(fn, "running_mean", "4 elements not 3")
    assert "broadcast" not in str(error)


def test_batch_norm_checks_weight_and_bias_sizes():
    F = lambda m: m.nn.functional  # noqa: E731
    same_error(lambda m: F(m).batch_norm(t(m, 2, 4), None, None, m.ones(3), training=True),
               "weight")
    same_error(lambda m: F(m).batch_norm(t(m, 2, 4), None, None, None, m.ones(3),
                                         training=True), "bias")


def test_batch_norm_after_a_bad_call_is_unchanged():
    bn = nbtorch.nn.BatchNorm1d(3)
    before = {k: v.clone() for k, v in bn.state_dict().items()}
    with pytest.raises(RuntimeError):
        bn(t(nbtorch, 2, 4))
    for k, v in bn.state_dict().items():
        assert nbtorch.equal(v, before[k])


def test_cross_entropy_of_integer_logits_is_not_implemented():
    same_error(lambda m: m.nn.functional.cross_entropy(m.tensor([[1, 2]]), m.tensor([0])),
               "Long")


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("weight_shape", [(2,), (3, 1)])
def test_class_weights_must_cover_every_class(loss, weight_shape):
    same_error(lambda m: getattr(m.nn.functional, loss)(t(m, 2, 3), m.tensor([0, 1]),
                                                        weight=m.ones(weight_shape)),
               "all 3 classes", str(list(weight_shape)))


def test_cross_entropy_with_probabilities_checks_the_class_weights():
    same_error(lambda m: m.nn.functional.cross_entropy(t(m, 2, 3), t(m, 2, 3).softmax(1),
                                                       weight=m.ones(2)), "all 3 classes")


def test_huber_loss_refuses_a_non_positive_delta():
    same_error(lambda m: m.nn.functional.huber_loss(t(m, 2), t(m, 2), delta=0.0), "delta")


@pytest.mark.parametrize("target", [
    lambda m: m.tensor([0, 1]), lambda m: m.tensor([0.0, 1.0], dtype=m.float64)])
def test_binary_cross_entropy_wants_a_target_of_the_input_dtype(target):
    same_error(lambda m: m.nn.functional.binary_cross_entropy(m.tensor([0.3, 0.6]), target(m)),
               "Found dtype")


def test_binary_cross_entropy_with_logits_refuses_integer_targets():
    same_error(lambda m: m.nn.functional.binary_cross_entropy_with_logits(
        t(m, 2), m.tensor([0, 1])), "Float", "Long")


def test_clip_grad_norm_reads_norm_type_first():
    same_error(lambda m: m.nn.utils.clip_grad_norm_(m.nn.Linear(2, 2).parameters(), 1.0,
                                                    norm_type="foo"), "foo")


# -- data and files --------------------------------------------------------------------------


def test_random_split_refuses_fractions_outside_0_1():
    same_error(lambda m: m.utils.data.random_split(list(range(10)), [1.2, -0.2]), "index 0")


def test_samplers_want_booleans():
    data = lambda m: m.utils.data  # noqa: E731
    same_error(lambda m: data(m).RandomSampler([0, 1], replacement="a"), "replacement")
    same_error(lambda m: data(m).BatchSampler([0, 1], 1, "a"), "drop_last")


def test_save_into_a_missing_folder_names_it(tmp_path):
    path = str(tmp_path / "missing" / "f.pt")
    same_error(lambda m: m.save(m.zeros(2), path), str(tmp_path / "missing"))
    assert not os.path.exists(tmp_path / "missing")


def test_save_to_something_that_cannot_be_written():
    same_error(lambda m: m.save(m.zeros(2), 5), "file-like object")
    buffer = io.BytesIO()
    nbtorch.save(nbtorch.zeros(2), buffer)  # a binary file object still works
    assert buffer.getvalue()
