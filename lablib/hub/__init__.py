"""``lablib hub``: the bimtek room on one server, with JupyterHub (the existing multi-user engine).

From a course and its roster: an OS account per participant (roster id = login name, PAM
checks the password), printable account cards for the trainer, a generated and commented
``jupyterhub_config.py`` in the course's ``hub/`` folder, the participants' nbgrader config
(course id, exchange at mode 1777) and the trainer's formgrader settings; then JupyterHub runs
in the foreground with the pip-installed Python ``configurable-http-proxy`` and
``jupyterhub-idle-culler`` as a hub service.

Modules: ``settings`` (what the hub is made of, one frozen record), ``logins`` (which roster
ids can be login names), ``accounts`` (OS users and their initial passwords), ``pages`` (the
jinja2 environment), ``cards`` (the printable page), ``config`` (the files JupyterHub and
nbgrader read), ``network`` (the address participants open), ``proxy`` (the Python proxy with
room for a whole room's requests), ``setup`` (accounts, cards and config together; late
arrivals), ``helm`` (the same settings as Zero to JupyterHub values), ``run`` (start it, print
the address, stop on Ctrl-C).
"""
