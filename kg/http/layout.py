"""The frame every HTML page kg serves shares: the head, one header with the navigation, and
the style sheet ``/static/kg.css``.

Pages load nothing from elsewhere and carry no inline script or style: a page's script is a file
under ``/static/`` named by :func:`page` (``scripts``), so a strict Content-Security-Policy
(``script-src 'self'``) allows all of them.
"""

from __future__ import annotations

import html
from urllib.parse import quote

from kg.model.namespaces import ID, KG

STATIC = "/static"
STYLE = f"{STATIC}/kg.css"

#: The header's links, in order: (label, href). The names are what tests and people look for.
#: The charts are reached through their index, which lists the organisations the store has.
NAVIGATION: tuple[tuple[str, str], ...] = (
    ("GraphQL playground", "/graphql"),
    ("SPARQL", "/#sparql"),
    ("Organisation charts", "/orgchart"),
    ("Strategy timeline", "/timeline"),
    ("Ontology", "/def"),
    ("Data", "/#data"),
)


def esc(value: object) -> str:
    """``value`` as text safe in HTML element content and in quoted attribute values."""
    return html.escape(str(value), quote=True)


def href(iri: str) -> str | None:
    """Where kg shows ``iri``: its node page, its ontology term, or None (not kg's)."""
    if iri.startswith(str(ID)) and len(iri) > len(str(ID)):
        return "/id/" + path_segment(iri[len(str(ID)) :])
    if iri.startswith(str(KG)) and len(iri) > len(str(KG)):
        return "/def/" + quote(iri[len(str(KG)) :], safe="-._~")
    return None


#: What a path segment keeps as it is; the rest (``#``, ``?``, ``%``, spaces...) is
#: percent-encoded, so a link to any IRI reaches the server whole.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def path_segment(text: str) -> str:
    """``text`` (an id or a full IRI) as part of a link's path: ``org/openai`` and kg's ids stay
    as they are, ``http://example.com/org#acme`` becomes ``http://example.com/org%23acme``."""
    return quote(text, safe=_PATH_SAFE)


def query_value(text: str) -> str:
    """``text`` as a value in a link's query string."""
    return quote(text, safe="")


def chart_href(ident: str) -> str:
    """The organisation chart of ``ident`` (a short id, a node id or a full IRI)."""
    return "/orgchart/" + path_segment(ident)


def header(current: str = "") -> str:
    """The shared header: kg's name (a link to the front page) and the navigation.

    ``current`` is the href of the page being shown (marked ``aria-current="page"``)."""
    links = "".join(
        f'<a href="{esc(href)}"'
        + (' aria-current="page"' if href == current else "")
        + f">{esc(label)}</a>"
        for label, href in NAVIGATION
    )
    home = ' aria-current="page"' if current == "/" else ""
    return (
        f'<header class="kg-bar"><a class="kg-home" href="/"{home}><strong>kg</strong></a>'
        f'<nav aria-label="kg">{links}</nav></header>'
    )


def head(title: str, *, extra: str = "") -> str:
    """``<!doctype html>`` up to ``</head>``: charset, viewport, title, the shared style sheet."""
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · kg</title>"
        '<link rel="icon" href="data:,">'
        f'<link rel="stylesheet" href="{STYLE}">'
        f"{extra}</head>"
    )


def page(
    title: str,
    body: str,
    *,
    current: str = "",
    scripts: tuple[str, ...] = (),
    head_extra: str = "",
) -> str:
    """A complete HTML page: the shared head and header, ``body`` in ``<main>``, and the
    scripts (paths under ``/static/``) at the end."""
    return (
        head(title, extra=head_extra)
        + '<body class="kg-page"><a class="skip" href="#main">Skip to content</a>'
        + header(current)
        + f'<main id="main">{body}</main>'
        + "".join(f'<script src="{STATIC}/{esc(s)}"></script>' for s in scripts)
        + "</body></html>\n"
    )
