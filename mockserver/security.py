"""connexion's security middleware, with a short path for the header apiKey schemes (JWT, action secret).

connexion checks a secured operation by building a `ConnexionRequest`, its `Headers` and three wrappers
around the auth function per request, about an eighth of a cached request's CPU. For an operation whose
first security requirement is a single apiKey scheme read from a header, `SecurityOperation` here reads
that header straight from `scope["headers"]` and calls the scheme's auth function (resolved once, at start-up,
as connexion resolves it) with the arguments connexion would pass. When the function accepts the request,
the result goes into the scope exactly where connexion puts it (`connexion_context`: `user`,
`token_info`). Anything else (the header absent, the function refusing it, a cookie scheme, an operation
without security) goes through connexion's own path unchanged, so its problem types, messages and the order
in which alternatives are tried stay connexion's: the short path only ever decides "accepted".
"""

from __future__ import annotations

from connexion.lifecycle import ConnexionRequest
from connexion.middleware.security import SecurityAPI as _ConnexionSecurityAPI
from connexion.middleware.security import SecurityMiddleware as _ConnexionSecurityMiddleware
from connexion.middleware.security import SecurityOperation as _ConnexionSecurityOperation
from connexion.security import ApiKeySecurityHandler


class SecurityOperation(_ConnexionSecurityOperation):
    """connexion's check of one operation, with the header apiKey short path in front (see module doc)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._short = self._short_path()

    def _short_path(self):
        """(header name as bytes, auth function, keyword arguments) of the first requirement, or None."""
        if not self.security:
            return None
        first = self.security[0]
        if len(first) != 1:
            return None
        (name, scopes), = first.items()
        scheme = self.security_schemes.get(name) or {}
        if scheme.get("type") != "apiKey" or scheme.get("in") != "header" or scheme.get("x-authentication-scheme"):
            return None
        handler = self.security_handler_factory.security_handlers.get("apiKey")
        if not (isinstance(handler, type) and issubclass(handler, ApiKeySecurityHandler)):
            return None
        function = handler()._resolve_func(scheme)
        if function is None:
            return None
        kwargs = {}
        if handler._accepts_kwarg(function, handler.required_scopes_kw):
            kwargs[handler.required_scopes_kw] = scopes
        takes_request = handler._accepts_kwarg(function, handler.request_kw)
        return scheme["name"].lower().encode("latin-1"), function, kwargs, takes_request

    async def __call__(self, scope, receive, send):
        if self._short is not None:
            header, function, kwargs, takes_request = self._short
            # The first header of that name, the one Starlette's `Headers.get` (connexion's reader) returns.
            for key, value in scope["headers"]:
                if key == header:
                    try:
                        token_info = (function(value.decode("latin-1"), request=ConnexionRequest(scope), **kwargs)
                                      if takes_request else function(value.decode("latin-1"), **kwargs))
                    except Exception:  # noqa: BLE001 - connexion's own path decides what a refusal becomes
                        break
                    if token_info is None or not isinstance(token_info, dict):
                        break
                    # Where `ConnexionRequest.context` keeps it, without building the request to get there.
                    context = scope.setdefault("extensions", {}).setdefault("connexion_context", {})
                    context.update({"user": token_info.get("sub", token_info.get("uid")), "token_info": token_info})
                    await self.next_app(scope, receive, send)
                    return
        await super().__call__(scope, receive, send)


class SecurityAPI(_ConnexionSecurityAPI):
    def make_operation(self, operation) -> SecurityOperation:
        return SecurityOperation.from_operation(operation, next_app=self.next_app,
                                                security_handler_factory=self.security_handler_factory)


class SecurityMiddleware(_ConnexionSecurityMiddleware):
    """connexion's SecurityMiddleware, building `SecurityOperation`s with the header short path."""

    api_cls = SecurityAPI
