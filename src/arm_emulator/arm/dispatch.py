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

from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .endpoints import HANDLER_ATTRIBUTE, ONE_TRANSACTION_ATTRIBUTE
from .error_handlers import error_response_for
from .registry import Registry

Handler = Callable[[Request, dict[str, str]], Awaitable[Response]]


class _IndexedHeaders(Headers):
    """Starlette's headers, looked up in a dict built at the first lookup (the first value of each
    name, as `Headers.get` finds it) instead of scanning the list, and raising, at every miss: a
    write looks up a dozen, most of them absent."""

    _index: dict[str, str] | None = None

    def _first_values(self) -> dict[str, str]:
        if self._index is None:
            self._index = {name.decode("latin-1"): value.decode("latin-1") for name, value in reversed(self._list)}
        return self._index

    def __getitem__(self, key: str) -> str:
        try:
            return self._first_values()[key.lower()]
        except KeyError:
            raise KeyError(key) from None

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return self._first_values().get(key.lower(), default)

    def __contains__(self, key: Any) -> bool:
        return isinstance(key, str) and key.lower() in self._first_values()


class ArmRequest(Request):
    """The request a direct route's handler gets: Starlette's, with indexed headers, and its body
    when the front door has read it already (`body`)."""

    def __init__(self, scope: Scope, receive: Receive, body: bytes | None = None) -> None:
        super().__init__(scope, receive)
        self._read_body = body

    async def body(self) -> bytes:
        if self._read_body is not None:
            return self._read_body
        return await super().body()

    @property
    def headers(self) -> Headers:
        if not hasattr(self, "_headers"):
            self._headers = _IndexedHeaders(scope=self.scope)
        return self._headers


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
        request = ArmRequest(scope, receive)
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

    def answer_now(
        self, handler: Handler, params: dict[str, str], scope: Scope, receive: Receive, body: bytes | None = None
    ) -> Response | None:
        """The handler's answer, computed without yielding to the event loop: the caller holds a store
        transaction, which no other request may join. None if the client has gone (nobody to answer).
        The request body must be buffered already (`receive` answers without waiting); `body`: all of
        it, when it was read whole."""
        scope["path_params"] = params
        request = ArmRequest(scope, receive, body)
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
