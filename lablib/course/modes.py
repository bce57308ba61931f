"""The modes lablib gives a course's folders and files (why: ``lablib.course.privacy``)."""

from __future__ import annotations

import re

__all__ = ["CONFIG_MODE", "COURSE_DIR_MODE", "EXCHANGE_ROOT_MODE", "PRIVATE_DIR_MODE", "PRIVATE_FILE_MODE",
           "config_mode"]

COURSE_DIR_MODE = 0o700
PRIVATE_DIR_MODE = 0o700  # submitted/, autograded/, feedback/, .lablib/ inside the course
PRIVATE_FILE_MODE = 0o600  # gradebook, course record, a config holding a password
EXCHANGE_ROOT_MODE = 0o1777
CONFIG_MODE = 0o644  # a config without secrets: a trainer's group may read it (formgrader)

# a URL with a password: scheme://user:password@host
_PASSWORD_RE = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@'\"]*:[^/\s@'\"]+@", re.IGNORECASE)


def config_mode(text: str) -> int:
    """The mode ``nbgrader_config.py`` gets: 0600 when its text holds a password, else 0644.

    >>> oct(config_mode("c.CourseDirectory.db_url = 'postgresql://lab:rahasia@db/kursus'"))
    '0o600'
    >>> oct(config_mode("c.CourseDirectory.db_url = 'sqlite:///gradebook.db'"))
    '0o644'
    """
    return PRIVATE_FILE_MODE if _PASSWORD_RE.search(text) else CONFIG_MODE
