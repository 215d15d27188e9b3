"""OData query options ($filter, $orderby, $top, $skip, $count) → ``autoir.domain.queries``.

An adapter around the ``odata-query`` parser; imports ``domain`` only. Errors are
:class:`autoir.domain.errors.QueryInvalid` naming the option and the problem.
"""

from autoir.odata.options import parse_list_query

__all__ = ["parse_list_query"]
