"""ARM's own routes, called directly instead of through FastAPI's per-request machinery.

The routes stay declared on FastAPI (for the OpenAPI document, and for the 404 and 405 answers), but
a request this table matches goes straight to its handler: no middleware stack, no dependency
solving, no parameter validation the handler would repeat (about a fifth of a GET's time, per the
profiles in benchmarks/). Matching is Starlette's: routes in their declared order, the first whose
path and method match wins; a request whose first match is not a direct route falls through.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .endpoints import HANDLER_ATTRIBUTE, ONE_TRANSACTION_ATTRIBUTE
from .error_handlers import error_response_for
from .registry import Registry

Handler = Callable[[Request, dict[str, str]], Awaitable[Response]]


class DirectRoutes:
    def __init__(self, routes: Iterable[Any], registry: Registry) -> None:
        self._registry = registry
        self._by_method: dict[str, list[tuple[re.Pattern[str], Handler | None]]] = {}
        for route in routes:
            regex, methods = getattr(route, "path_regex", None), getattr(route, "methods", None)
            if regex is None or not methods:
                break  # a mount or catch-all: what follows is FastAPI's alone
            handler = getattr(getattr(route, "endpoint", None), HANDLER_ATTRIBUTE, None)
            for method in methods:
                self._by_method.setdefault(method, []).append((regex, handler))

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        """The handler and path parameters of a direct route, or None to let FastAPI answer."""
        for regex, handler in self._by_method.get(method, ()):
            found = regex.match(path)
            if found is not None:
                return (handler, found.groupdict()) if handler is not None else None
        return None

    async def serve(self, handler: Handler, params: dict[str, str], scope: Scope, receive: Receive, send: Send) -> None:
        scope["path_params"] = params
        request = Request(scope, receive)
        try:
            response = await handler(request, params)
        except ClientDisconnect:
            return  # nobody is left to answer
        except Exception as error:  # every failure leaves as an ARM error, as on FastAPI's routes
            response = error_response_for(request, error, self._registry)
        await response(scope, receive, send)

    @staticmethod
    def in_one_transaction(handler: Handler) -> bool:
        """Whether the handler can run inside the request's one store transaction (`in_one_transaction`)."""
        return getattr(handler, ONE_TRANSACTION_ATTRIBUTE, False) is True

    def answer_now(self, handler: Handler, params: dict[str, str], scope: Scope, receive: Receive) -> Response | None:
        """The handler's answer, computed without yielding to the event loop: the caller holds a store
        transaction, which no other request may join. None if the client has gone (nobody to answer).
        The request body must be buffered already (`receive` answers without waiting)."""
        scope["path_params"] = params
        request = Request(scope, receive)
        coroutine = handler(request, params)
        try:
            try:
                coroutine.send(None)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            coroutine.close()  # its store blocks undo what they did
            raise RuntimeError(f"{getattr(handler, '__qualname__', handler)} waited inside its store transaction")
        except ClientDisconnect:
            return None
        except Exception as error:  # every failure leaves as an ARM error, as in `serve`
            return error_response_for(request, error, self._registry)
