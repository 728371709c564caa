"""Interactive explorers built on ipywidgets: change a control, the figure is redrawn.

Each explorer keeps its controls in ``.controls`` and the numbers it drew in attributes
(``.path``, ``.values``, ``.output``), so it can be tested without a browser: set a
control's ``.value`` and check the new numbers. In a notebook, display the explorer itself.
"""

from __future__ import annotations

import numpy as np

# -- a 2-D loss surface for the gradient-descent playground ----------------------------------


def _rosenbrock(p):
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 10 * (y - x * x) ** 2


def _elongated_bowl(p):
    x, y = p[0], p[1]
    return 0.1 * x * x + 2 * y * y


SURFACES = {"rosenbrock": (_rosenbrock, (-1.5, 1.5), (-0.5, 2.0), (-1.2, 1.5)),
            "elongated bowl": (_elongated_bowl, (-4.0, 4.0), (-2.0, 2.0), (-3.5, 1.5))}


def descent_path(surface: str, optimizer: str, lr: float, momentum: float, steps: int):
    """The points visited by an nbtorch optimizer on one of ``SURFACES`` (an array (steps+1, 2))."""
    import nbtorch

    fn, _, _, start = SURFACES[surface]
    p = nbtorch.tensor(start, dtype=nbtorch.float64, requires_grad=True)
    opt = {
        "SGD": lambda: nbtorch.optim.SGD([p], lr=lr),
        "SGD + momentum": lambda: nbtorch.optim.SGD([p], lr=lr, momentum=momentum),
        "RMSprop": lambda: nbtorch.optim.RMSprop([p], lr=lr),
        "Adam": lambda: nbtorch.optim.Adam([p], lr=lr, betas=(momentum, 0.999)),
    }[optimizer]()
    path = [p.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        fn(p).backward()
        opt.step()
        path.append(p.detach().numpy().copy())
        if not np.all(np.isfinite(path[-1])) or np.abs(path[-1]).max() > 1e6:
            break  # diverged: the learning rate is too large
    return np.array(path)


class _Explorer:
    """Shared plumbing: a widget box (controls above, figure below) that redraws on change."""

    def __init__(self, controls: dict):
        import ipywidgets as widgets
        import matplotlib.pyplot as plt

        self.controls = controls
        self.out = widgets.Output()
        self.fig = None
        self._plt = plt
        for c in controls.values():
            c.observe(lambda change: self.update(), names="value")
        self.widget = widgets.VBox([widgets.HBox(list(controls.values())), self.out])
        self.update()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def update(self) -> None:
        """Recompute from the controls' values and redraw."""
        if self.fig is not None:
            self._plt.close(self.fig)
        self.fig = self.draw()
        self._plt.close(self.fig)
        self.out.clear_output(wait=True)
        with self.out:
            from IPython.display import display

            display(self.fig)


class GradientDescentPlayground(_Explorer):
    """Learning rate, momentum and optimizer on a 2-D loss surface; the path is redrawn."""

    def __init__(self, surface: str = "rosenbrock", steps: int = 100):
        import ipywidgets as widgets

        self.surface = surface
        controls = {
            "optimizer": widgets.Dropdown(options=["SGD", "SGD + momentum", "RMSprop", "Adam"],
                                          value="SGD + momentum", description="optimizer"),
            "lr": widgets.FloatLogSlider(value=0.01, base=10, min=-4, max=0,
                                         description="lr"),
            "momentum": widgets.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01,
                                            description="momentum"),
            "steps": widgets.IntSlider(value=steps, min=10, max=500, description="steps"),
        }
        super().__init__(controls)

    def draw(self):
        c = {k: w.value for k, w in self.controls.items()}
        self.path = descent_path(self.surface, c["optimizer"], c["lr"], c["momentum"],
                                 c["steps"])
        fn, xr, yr, _ = SURFACES[self.surface]
        gx, gy = np.meshgrid(np.linspace(*xr, 200), np.linspace(*yr, 200))
        z = fn(np.stack([gx, gy]))
        fig, ax = self._plt.subplots(figsize=(6, 4.5))
        ax.contour(gx, gy, np.log1p(z), levels=30, cmap="viridis")
        ax.plot(self.path[:, 0], self.path[:, 1], "r.-", ms=3, lw=1)
        ax.plot(*self.path[0], "ko")
        ax.set_xlim(*xr)
        ax.set_ylim(*yr)
        ax.set_title(f"{c['optimizer']}, lr={c['lr']:.3g}: loss "
                     f"{float(fn(self.path[-1])):.3g} after {len(self.path) - 1} steps")
        return fig


ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "elu", "gelu", "silu", "softplus")


def activation_values(name: str, x: np.ndarray):
    """An activation and its derivative (by autograd) at the points ``x``."""
    import nbtorch
    import nbtorch.nn.functional as F

    t = nbtorch.tensor(x, dtype=nbtorch.float64, requires_grad=True)
    y = getattr(F, name)(t)
    (dy,) = nbtorch.autograd.grad(y.sum(), t)
    return y.detach().numpy(), dy.numpy()


class ActivationExplorer(_Explorer):
    """Pick an activation function: see it and its derivative."""

    def __init__(self):
        import ipywidgets as widgets

        controls = {"activation": widgets.Dropdown(options=list(ACTIVATIONS), value="relu",
                                                   description="activation")}
        self.x = np.linspace(-4, 4, 401)
        super().__init__(controls)

    def draw(self):
        name = self.controls["activation"].value
        self.values, self.derivative = activation_values(name, self.x)
        fig, ax = self._plt.subplots(figsize=(6, 3.5))
        ax.plot(self.x, self.values, label=f"{name}(x)")
        ax.plot(self.x, self.derivative, "--", label="derivative")
        ax.axhline(0, color="gray", lw=0.5)
        ax.axvline(0, color="gray", lw=0.5)
        ax.legend()
        ax.set_title(name)
        return fig


KERNELS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "blur": [[1 / 9] * 3] * 3,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "edges (Laplacian)": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "vertical edges (Sobel x)": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "horizontal edges (Sobel y)": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
}


def _default_image() -> np.ndarray:
    """A 28x28 picture with straight and round edges (no data files needed)."""
    yy, xx = np.mgrid[0:28, 0:28]
    img = ((np.abs(xx - 9) < 4) & (yy > 4) & (yy < 24)).astype(np.float64)
    img += (((xx - 19) ** 2 + (yy - 14) ** 2) < 30).astype(np.float64)
    return np.clip(img, 0, 1)


class ConvolutionExplorer(_Explorer):
    """A 3x3 kernel (a preset, then each value editable) applied to an image with conv2d."""

    def __init__(self, image=None):
        import ipywidgets as widgets

        img = _default_image() if image is None else np.asarray(
            image.detach().numpy() if hasattr(image, "_array") else image, dtype=np.float64)
        self.image = img.reshape(img.shape[-2:])
        cells = [widgets.FloatText(value=0.0, layout=widgets.Layout(width="60px"))
                 for _ in range(9)]
        self.cells = cells
        preset = widgets.Dropdown(options=list(KERNELS), value="vertical edges (Sobel x)",
                                  description="kernel")
        preset.observe(lambda change: self._load_preset(change["new"]), names="value")
        self._loading = False
        self._load_preset(preset.value, redraw=False)
        controls = {"preset": preset}
        controls.update({f"k{i}": c for i, c in enumerate(cells)})
        super().__init__(controls)
        import ipywidgets as w

        grid = w.GridBox(cells, layout=w.Layout(grid_template_columns="repeat(3, 64px)"))
        self.widget.children = (preset, grid, self.out)

    def _load_preset(self, name, redraw=True):
        self._loading = True
        for cell, v in zip(self.cells, np.ravel(KERNELS[name])):
            cell.value = float(v)
        self._loading = False
        if redraw:
            self.update()

    def update(self) -> None:
        if not self._loading:
            super().update()

    @property
    def kernel(self) -> np.ndarray:
        return np.array([c.value for c in self.cells]).reshape(3, 3)

    def draw(self):
        import nbtorch
        import nbtorch.nn.functional as F

        x = nbtorch.tensor(self.image[None, None], dtype=nbtorch.float64)
        k = nbtorch.tensor(self.kernel[None, None], dtype=nbtorch.float64)
        self.output = F.conv2d(x, k, padding=1)[0, 0].numpy()
        fig, axes = self._plt.subplots(1, 3, figsize=(8, 2.8),
                                       gridspec_kw={"width_ratios": [3, 1.4, 3]})
        axes[0].imshow(self.image, cmap="gray")
        axes[0].set_title("input")
        axes[1].imshow(self.kernel, cmap="bwr", vmin=-abs(self.kernel).max() or -1,
                       vmax=abs(self.kernel).max() or 1)
        for (i, j), v in np.ndenumerate(self.kernel):
            axes[1].text(j, i, f"{v:.2g}", ha="center", va="center", fontsize=8)
        axes[1].set_title("kernel")
        axes[2].imshow(self.output, cmap="gray")
        axes[2].set_title("output")
        for ax in axes:
            ax.axis("off")
        return fig


def gradient_descent_playground(surface: str = "rosenbrock", steps: int = 100):
    """Sliders for learning rate and momentum and a choice of optimizer on a 2-D surface."""
    return GradientDescentPlayground(surface, steps)


def activation_explorer():
    """A dropdown of activation functions, each drawn with its derivative."""
    return ActivationExplorer()


def convolution_explorer(image=None):
    """Edit a 3x3 kernel and see its convolution with an image."""
    return ConvolutionExplorer(image)
