"""What the trainer and the narasumber take away, as pure functions of a ``Course``: feedback
pages, innovation documents, the cohort report, the showcase, score exports and the review
sheet. Pages come from jinja2 templates; the commands that call these live in ``lablib.cli``."""
