"""One lock for parsing SPARQL with rdflib.

rdflib's SPARQL grammar is built with pyparsing, whose parse actions learn how many arguments
they take on their first call by trying and catching ``TypeError``: two threads making that
first call at once can see each other's attempt fail ("<lambda>() missing 1 required positional
argument"). Parsing is pure Python, so it gains nothing from running in several threads at once.

The holder is ``kg.validation.validate``'s caching SPARQL processor (registered as rdflib's
``sparql`` processor), through which the SHACL-SPARQL constraints pySHACL runs are parsed.
The SPARQL guard's parses (``kg.http.sparqltree``) do not take it: they run in worker
processes of their own, one parse at a time each (``kg.store.workers``).
"""

from __future__ import annotations

import threading

PARSE_LOCK = threading.Lock()
