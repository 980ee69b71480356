"""Text from outside: characters RDF and XML cannot carry, and text fit for a log line.

* :func:`check_text` refuses text with a character XML 1.0 does not allow (control characters
  other than tab, line feed and carriage return; U+FFFE, U+FFFF) or a lone surrogate (half of
  a UTF-16 pair, not a character): written into the graph they would make every SVG and
  RDF/XML answer that shows them invalid for everyone.
* :func:`xml_safe` drops those characters from text about to be written as XML.
* :func:`log_safe` escapes line breaks and other control characters, so text a client sent
  cannot start a forged log line; :class:`SafeFormatter` applies it to every log record.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from kg.errors import InputError

#: Characters XML 1.0 cannot carry, and lone surrogates.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: Characters escaped in log lines: C0 and C1 controls, DEL, and the Unicode line separators.
_UNLOGGABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _describe(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate (U+{code:04X}), half of a UTF-16 pair and not a character"
    if code in (0xFFFE, 0xFFFF):
        return f"U+{code:04X}, which is not a character"
    return f"the control character U+{code:04X}, which XML cannot carry"


def illegal_character(text: str) -> str | None:
    """What is wrong with ``text`` (where the first bad character is, and what), or ``None``."""
    found = _ILLEGAL.search(text)
    if found is None:
        return None
    return f"character {found.start() + 1} is {_describe(found.group())}"


def check_text(text: str, where: str) -> str:
    """``text``, or :class:`InputError` naming ``where`` and the first bad character."""
    problem = illegal_character(text)
    if problem is not None:
        raise InputError(f"{where}: {problem}")
    return text


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry."""
    return _ILLEGAL.sub("", text)


def log_safe(text: str) -> str:
    """``text`` on one line: line breaks as ``\\n``/``\\r``, other controls as ``\\xNN``."""
    return _UNLOGGABLE.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}"), text)


class SafeFormatter(logging.Formatter):
    """A formatter whose every record is one line of its own.

    The message (with its arguments) is escaped with :func:`log_safe`; a traceback keeps its
    lines, each indented and escaped, so no line of it can pass for a record either. Combine
    it with another formatter class to keep that one's layout (it comes first in the bases).
    """

    def format(self, record: logging.LogRecord) -> str:
        safe = logging.makeLogRecord(record.__dict__)
        safe.msg, safe.args = log_safe(record.getMessage()), None
        return super().format(safe)

    def formatException(self, ei: Any) -> str:
        return _indented(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return _indented(stack_info)


def _indented(text: str) -> str:
    return "\n".join("    " + log_safe(line) for line in text.splitlines())
