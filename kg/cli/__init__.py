"""The command line: ``kg`` parses its arguments and delegates (``commands``, ``draw``; its
``main`` is the ``kg`` entry point, ``kg.cli:main``); ``kg serve`` builds the settings and runs
uvicorn (``serve``); beside a running ``kg serve``, the commands go through it (``service``).

May import every layer: it is the top.
"""

from kg.cli.commands import main

__all__ = ["main"]
