"""Page links for long lists: first, last, the current page and its neighbours.

Rendered by ``templates/components/_pagination.html`` (GOV.UK pagination markup written out:
the govukPagination macro cost about 1 ms a page), whose links also load by htmx.
"""

from __future__ import annotations

from collections.abc import Callable


def page_count(total: int, page_size: int) -> int:
    """How many pages ``total`` items fill at ``page_size`` a page (at least one, so an empty list has a page)."""
    return max(1, -(-total // page_size))


def page_links(page: int, pages: int, href: Callable[[int], str]) -> dict | None:
    """Return ``{"items", "previous", "next"}`` for page ``page`` of ``pages``, or None for one page.

    ``href(n)`` gives page n's address; items are ``{"number", "current", "href"}`` or
    ``{"ellipsis": True}`` where pages are skipped.
    """
    if pages <= 1:
        return None
    items, previous = [], 0
    for number in sorted({1, page - 1, page, page + 1, pages} & set(range(1, pages + 1))):
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "current": number == page, "href": href(number)})
        previous = number
    return {
        "items": items,
        "previous": href(page - 1) if page > 1 else None,
        "next": href(page + 1) if page < pages else None,
    }
