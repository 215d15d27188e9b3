"""REST API edge (FastAPI).

Thin: parse input, check the route's permission, call one service method, map the result.
Errors are mapped in ``errors.py``; routes have no try/except.
"""
