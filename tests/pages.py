"""Reading the portal's pages in tests."""


def missing(page: str, *texts: str) -> list[str]:
    """Those of `texts` that `page` does not contain, in order: `assert not missing(page, ...)` checks that
    a page shows them all, and a failure names each one it lacks."""
    return [text for text in texts if text not in page]
