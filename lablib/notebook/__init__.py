"""What runs in the participant's kernel and in the grading kernel: forms and their inputs,
sessions, the autograder test cells, pictures drawn from the answers, carried-over answers,
the static summary, and the generated nbgrader source notebooks. Built on ``core`` and
``curriculum``; never imports nbgrader (a kernel does not need it)."""
