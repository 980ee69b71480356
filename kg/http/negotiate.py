"""HTTP content negotiation: pick the media type a client prefers among those we offer.

Reading an ``Accept`` header costs time linear in its length, so it is bounded first, at the door
(``kg.http.limits.HeadLimit`` calls :func:`check_accept` before any route runs): a header over
``max_accept`` bytes or ``max_accept_ranges`` media ranges is refused with 400. Not 406, which
says that none of the representations on offer is acceptable: a header kg will not read says
nothing about that; the request itself is at fault (RFC 9110, 15.5.1).
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.errors import InputError


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> bool:
        main, _, sub = media_type.partition("/")
        return self.type in ("*", main) and self.subtype in ("*", sub)

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")


def check_accept(values: list[bytes], max_bytes: int, max_ranges: int) -> None:
    """``InputError`` (400) when the ``Accept`` header (its fields ``values``, as a server
    received them) is over ``max_bytes`` bytes or ``max_ranges`` media ranges."""
    size = sum(len(v) for v in values) + max(0, len(values) - 1)
    if size > max_bytes:
        raise InputError(
            f"the Accept header is {size} bytes long, more than the limit of {max_bytes} "
            "(setting max_accept)"
        )
    ranges = sum(v.count(b",") + 1 for v in values)
    if ranges > max_ranges:
        raise InputError(
            f"the Accept header lists {ranges} media ranges, more than the limit of "
            f"{max_ranges} (setting max_accept_ranges)"
        )


def _ranges(accept: str) -> list[_Range]:
    out: list[_Range] = []
    for order, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        main, _, sub = media.partition("/")
        out.append(_Range(main, sub, q, order))
    return out


def choose(accept: str | None, offers: list[str]) -> str | None:
    """The offer the ``Accept`` header prefers, the first offer when there is no header or
    only wildcards decide, and None when the header accepts none of the offers."""
    if not offers:
        return None
    if accept is None or not accept.strip():
        return offers[0]
    ranges = _ranges(accept)
    if not ranges:
        return offers[0]
    best: tuple[float, int, int, int] | None = None
    chosen: str | None = None
    for index, offer in enumerate(offers):
        matching = [r for r in ranges if r.matches(offer.lower())]
        if not matching:
            continue
        # The most specific range that matches the offer decides its quality (RFC 9110).
        top = max(matching, key=lambda r: (r.specificity, -r.order))
        if top.q <= 0:
            continue
        # Higher q first; then an offer named explicitly over one reached by a wildcard;
        # then the client's order; then ours.
        key = (top.q, top.specificity, -top.order, -index)
        if best is None or key > best:
            best, chosen = key, offer
    return chosen
