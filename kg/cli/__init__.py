"""The command line: ``kg`` parses its arguments and delegates (``commands``); ``kg serve``
builds the settings and runs uvicorn (``serve``).

May import every layer: it is the top.
"""
