"""Live training curves: ``LivePlot`` redraws loss/metric curves in place in a notebook;
``TrainingMonitor`` adds a ``tqdm.auto`` progress bar. In a terminal both print text lines.

Typical use, one call per step or epoch::

    monitor = TrainingMonitor(total=epochs, metrics=["loss", "accuracy"])
    for epoch in range(epochs):
        ...
        monitor.update(loss=train_loss, accuracy=test_acc)
    monitor.close()
"""

from __future__ import annotations

import math


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where figures can be redrawn in place)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


class LivePlot:
    """Curves of named metrics, redrawn every ``every`` updates.

    ``metrics`` are the names plotted; a name given to ``update`` that was not listed gets a
    curve of its own too. ``history`` keeps every value, for plotting or printing later.
    """

    def __init__(self, metrics=("loss",), title: str | None = None, every: int = 1,
                 xlabel: str = "step", notebook: bool | None = None):
        self.metrics = list(metrics)
        self.history: dict[str, list[float]] = {m: [] for m in self.metrics}
        self.steps: list[int] = []
        self.title = title
        self.every = max(1, int(every))
        self.xlabel = xlabel
        self.notebook = in_notebook() if notebook is None else notebook
        self._handle = None
        self._fig = None

    def update(self, step: int | None = None, **values: float) -> None:
        """Record new values (``update(loss=0.3, accuracy=0.91)``) and redraw when due."""
        self.steps.append(len(self.steps) + 1 if step is None else int(step))
        for name, value in values.items():
            series = self.history.setdefault(name, [math.nan] * (len(self.steps) - 1))
            if name not in self.metrics:
                self.metrics.append(name)
            series.append(float(value))
        for name in self.metrics:  # a metric not given this time keeps its place
            if len(self.history[name]) < len(self.steps):
                self.history[name].append(math.nan)
        if len(self.steps) % self.every == 0:
            self.draw()

    def figure(self):
        """The current curves as a matplotlib figure (one panel per metric)."""
        import matplotlib.pyplot as plt

        if self._fig is None:
            n = max(1, len(self.metrics))
            self._fig, _ = plt.subplots(1, n, figsize=(4 * n, 3), squeeze=False)
            plt.close(self._fig)  # drawn through display(), not by the notebook's auto-show
        fig = self._fig
        for ax, name in zip(fig.axes, self.metrics):
            ax.clear()
            ax.plot(self.steps, self.history[name], marker="." if len(self.steps) < 50 else None)
            ax.set_title(name)
            ax.set_xlabel(self.xlabel)
            ax.grid(alpha=0.3)
        if self.title:
            fig.suptitle(self.title)
        fig.tight_layout()
        return fig

    def draw(self) -> None:
        """Show the curves: in place in a notebook, as one text line in a terminal."""
        if not self.notebook:
            last = ", ".join(f"{m} {self.history[m][-1]:.4g}" for m in self.metrics
                             if self.history[m])
            print(f"{self.xlabel} {self.steps[-1]}: {last}")
            return
        from IPython.display import display

        fig = self.figure()
        if self._handle is None:
            self._handle = display(fig, display_id=True)
        else:
            self._handle.update(fig)

    def close(self) -> None:
        """Draw the final state (also when the last update was not a multiple of ``every``)."""
        if self.steps and len(self.steps) % self.every:
            self.draw()


class TrainingMonitor(LivePlot):
    """``LivePlot`` plus a progress bar (``tqdm.auto``) showing the latest values."""

    def __init__(self, total: int | None = None, metrics=("loss",), desc: str = "training",
                 **kwargs):
        super().__init__(metrics, **kwargs)
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, desc=desc, leave=True)

    def update(self, step: int | None = None, **values: float) -> None:
        self.bar.update(1)
        self.bar.set_postfix({k: f"{float(v):.4g}" for k, v in values.items()}, refresh=False)
        super().update(step, **values)

    def draw(self) -> None:
        if self.notebook:
            super().draw()  # in a terminal the bar already shows the values

    def close(self) -> None:
        super().close()
        self.bar.close()
