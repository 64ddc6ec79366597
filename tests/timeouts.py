"""Caps on waits, shared by the suite: a cap only stops a hang, it is never a speed expectation.

A loaded machine makes a run slower, not red: every wait ends on its event, and these are the limits
after which a hang is reported.
"""

APPTEST_TIMEOUT = 600  # seconds for one AppTest script run
