"""nbgrader settings of the nbtorch course (this folder is the course directory).

Instructors: edit ``source/<exercise>/<exercise>.py`` and run ``python exercises/build.py``
(which writes the source notebooks and ``release/``); grade with ``make grade``.
"""

c = get_config()  # noqa: F821  (nbgrader defines get_config)

c.CourseDirectory.course_id = "nbtorch"
# The jupytext sources (<exercise>.py) hold the solutions: never copy them to students.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*",
                            "*.py"]
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
# Seconds a cell may run when autograding before it is interrupted (make grade TIMEOUT=...).
c.Execute.timeout = 60
