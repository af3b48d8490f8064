"""Adding pages from code (set-up and demo loaders)."""


def add_published_child(parent, page):
    """Add `page` under `parent` and publish it, unless it is there already: a page of its
    type, with its slug unless the site has only one page of that type (whose slug an editor
    may have changed). Returns the page in the tree, so that running a loader again changes
    nothing."""
    existing = type(page).objects.child_of(parent)
    if type(page).max_count != 1:
        existing = existing.filter(slug=page.slug)
    existing = existing.first()
    if existing is not None:
        return existing
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page
