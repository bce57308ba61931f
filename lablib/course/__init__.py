"""The nbgrader back office: the ``Course`` (``lablib.course.course``), its folder and config,
the roster and late enrolment, the grading protections, parallel grading and its kernels, the
gradebook reader, live scores and the status table. Never imports ipywidgets."""
