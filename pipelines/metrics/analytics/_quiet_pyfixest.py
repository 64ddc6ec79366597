"""pyfixest configures the root logger (logging.basicConfig(level=INFO)) when one of its modules is
imported; that turns on INFO logs of every library in the process (kaleido, httpx, ...). Import
that module here once, then put the root logger back as it was."""

import logging

_root = logging.getLogger()
_level, _handlers = _root.level, list(_root.handlers)

import pyfixest.estimation.models.feols_compressed_  # noqa: E402, F401

_root.setLevel(_level)
for _handler in list(_root.handlers):
    if _handler not in _handlers:
        _root.removeHandler(_handler)
