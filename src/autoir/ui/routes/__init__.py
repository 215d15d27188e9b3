"""UI routes, one module per page family; each route declares its permission (``ui.auth``)."""
