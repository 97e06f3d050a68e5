"""Operation handlers, one module per API, named by the specs' operationIds (`<module>.<function>`).

A handler is thin: parse (with `params.py` / `pagination.py`), query the world, shape the entities into
the API's JSON, render (`render.py`). Errors are raised as `errors.ApiError` and shaped per API there.
"""
