"""What the notebooks draw: autograd graphs, AD evaluation traces, live training curves,
image grids, classifier diagnostics and interactive widgets."""

from .graph import GraphDrawing, draw_graph
from .images import show_feature_maps, show_filters, show_images
from .metrics import confusion_matrix, plot_decision_boundary
from .monitor import LivePlot, TrainingMonitor
from .trace import Trace, trace
from .widgets import activation_explorer, convolution_explorer, gradient_descent_playground

__all__ = [
    "GraphDrawing", "LivePlot", "Trace", "TrainingMonitor", "activation_explorer",
    "confusion_matrix", "convolution_explorer", "draw_graph", "gradient_descent_playground",
    "plot_decision_boundary", "show_feature_maps", "show_filters", "show_images", "trace",
]
