"""Query model shared by the alert and incident lists: a small filter tree and paging options.

Edges parse OData into this tree; storage translates it to SQL. Field names are the Graph
property names, validated against the resource's field table.
"""
