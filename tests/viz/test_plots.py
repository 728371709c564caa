"""LivePlot/TrainingMonitor, image grids, confusion matrix and decision boundaries."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nbtorch  # noqa: E402
from nbtorch.viz.images import show_feature_maps, show_filters, show_images  # noqa: E402
from nbtorch.viz.metrics import confusion_matrix, plot_decision_boundary  # noqa: E402
from nbtorch.viz.monitor import LivePlot, TrainingMonitor  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_liveplot_keeps_history_and_prints_in_a_terminal(capsys):
    plot = LivePlot(["loss"], notebook=False)
    for step, loss in enumerate([1.0, 0.5, 0.25], start=1):
        plot.update(loss=loss, accuracy=step / 4)
    assert plot.history["loss"] == [1.0, 0.5, 0.25]
    assert plot.history["accuracy"] == [0.25, 0.5, 0.75]
    assert plot.metrics == ["loss", "accuracy"]
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == "step 3: loss 0.25, accuracy 0.75"


def test_liveplot_figure_holds_the_curves():
    plot = LivePlot(["loss", "acc"], notebook=False, every=100)
    values = np.linspace(2, 0.1, 7)
    for v in values:
        plot.update(loss=v, acc=1 - v / 2)
    fig = plot.figure()
    line = fig.axes[0].get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), values)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "acc"]


def test_liveplot_missing_metric_keeps_alignment():
    plot = LivePlot(["loss", "val"], notebook=False, every=100)
    plot.update(loss=1.0)
    plot.update(loss=0.5, val=0.7)
    assert np.isnan(plot.history["val"][0]) and plot.history["val"][1] == 0.7


def test_training_monitor_counts_steps():
    monitor = TrainingMonitor(total=3, metrics=["loss"], notebook=False, every=100)
    for v in (3.0, 2.0, 1.0):
        monitor.update(loss=v)
    monitor.close()
    assert monitor.bar.n == 3 and monitor.history["loss"] == [3.0, 2.0, 1.0]


def test_show_images_grid_and_labels():
    images = nbtorch.rand(10, 1, 5, 5)
    fig = show_images(images, labels=list(range(10)), nrow=4)
    axes = fig.axes
    assert len(axes) == 12  # 3 rows of 4
    shown = [ax for ax in axes if ax.get_images()]
    assert len(shown) == 10
    assert [ax.get_title() for ax in shown] == [str(i) for i in range(10)]
    first = shown[0].get_images()[0].get_array()
    a = images[0, 0].numpy()
    np.testing.assert_allclose(first, (a - a.min()) / (a.max() - a.min()), rtol=1e-6)


def test_show_images_from_a_dataset_of_pairs():
    data = [(nbtorch.rand(1, 4, 4), i % 3) for i in range(5)]

    class Pairs:
        def __len__(self):
            return len(data)

        def __getitem__(self, i):
            return data[i]

    fig = show_images(Pairs(), nrow=5)
    titles = [ax.get_title() for ax in fig.axes if ax.get_images()]
    assert titles == ["0", "1", "2", "0", "1"]


def test_confusion_matrix_counts_match_numpy():
    rng = np.random.default_rng(0)
    t = rng.integers(0, 4, 200)
    p = np.where(rng.random(200) < 0.7, t, rng.integers(0, 4, 200))
    matrix, fig = confusion_matrix(nbtorch.tensor(t), nbtorch.tensor(p), num_classes=4)
    expected = np.zeros((4, 4), dtype=np.int64)
    for a, b in zip(t, p):
        expected[a, b] += 1
    np.testing.assert_array_equal(matrix.numpy(), expected)
    np.testing.assert_array_equal(fig.axes[0].get_images()[0].get_array(), expected)
    with pytest.raises(ValueError, match="differ in length"):
        confusion_matrix([0, 1], [0], plot=False)


def test_decision_boundary_colours_by_prediction():
    X = nbtorch.tensor([[-1.0, 0.0], [1.0, 0.0]])
    y = nbtorch.tensor([0, 1])
    model = lambda pts: pts[:, 0]  # class 1 where x > 0  # noqa: E731
    fig = plot_decision_boundary(model, X, y, resolution=20)
    ax = fig.axes[0]
    assert ax.get_xlim()[0] < -1 and ax.get_xlim()[1] > 1
    assert len(ax.collections) >= 2  # filled contours and the scatter


def test_show_filters_draws_one_panel_per_filter():
    conv = nbtorch.nn.Conv2d(1, 6, kernel_size=3)
    fig = show_filters(conv, nrow=3)
    panels = [ax for ax in fig.axes if ax.get_images()]
    assert len(panels) == 6
    w = conv.weight.detach().numpy()[2, 0]
    np.testing.assert_allclose(panels[2].get_images()[0].get_array(),
                               (w - w.min()) / (w.max() - w.min()), rtol=1e-6)


def test_show_feature_maps_runs_the_model_and_removes_its_hooks():
    nn = nbtorch.nn
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 2, 3))
    x = nbtorch.randn(1, 1, 8, 8)
    fig = show_feature_maps(model, x, max_maps=4)
    rows = {ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")}
    assert rows == {"0 (4, 8, 8)", "2 (2, 6, 6)"}
    with nbtorch.no_grad():
        first = model[0](x)[0, 1].numpy()
    maps = [ax for ax in fig.axes if ax.get_images()]
    np.testing.assert_allclose(maps[1].get_images()[0].get_array(), first, rtol=1e-6)
    assert all(not m._forward_hooks for m in model.modules())
    with pytest.raises(ValueError, match="no layers"):
        show_feature_maps(nn.Sequential(nn.Linear(2, 2)), nbtorch.randn(1, 2))
