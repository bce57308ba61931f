"""Where courses created before lablib's layered package look for the grading protections.

Their ``nbgrader_config.py`` names ``lablib.protections.RestoreCourseCells`` and
``lablib.protections.KeepOnlyCourseFiles``; the classes live in ``lablib.course.protections``.
"""

from lablib.course.protections import KeepOnlyCourseFiles, RestoreCourseCells

__all__ = ["KeepOnlyCourseFiles", "RestoreCourseCells"]
