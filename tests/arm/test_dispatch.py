"""The direct routes (arm.dispatch) send every request where FastAPI's own router would."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Match

from arm_emulator.app import create_app
from arm_emulator.arm.endpoints import HANDLER_ATTRIBUTE
from arm_emulator.arm.middleware import FrontDoorApp
from arm_emulator.settings import Settings

# Path parameter values, plain and ones that look like the fixed segments around them.
VALUES = ("x1", "providers", "resourceGroups", "operations")
METHODS = ("GET", "PUT", "PATCH", "DELETE", "HEAD", "POST")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FrontDoorApp:
    return create_app(Settings(data_dir=Path(tmp_path_factory.mktemp("dispatch")), port=0))


def _starlette_choice(app: FrontDoorApp, method: str, path: str) -> tuple[Any, dict[str, Any]]:
    """The route and path parameters Starlette's router picks: the first full match, in order."""
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for route in app.routes:
        match, child = route.matches(scope)
        if match == Match.FULL:
            return route, child.get("path_params", {})
    return None, {}


def test_every_request_reaches_the_handler_fastapi_would_call(app: FrontDoorApp) -> None:
    assert app.front_door is not None
    direct = app.front_door.direct
    templates = {route.path for route in app.routes if hasattr(route, "path")}
    checked = directed = 0
    for template in sorted(templates):
        for value in VALUES:
            path = re.sub(r"{\w+}", value, template)
            for method in METHODS:
                route, params = _starlette_choice(app, method, path)
                handler = getattr(getattr(route, "endpoint", None), HANDLER_ATTRIBUTE, None)
                found = direct.match(method, path)
                if handler is None:
                    assert found is None, (method, path)  # FastAPI answers it (or its 404/405)
                else:
                    assert found == (handler, params), (method, path)
                    directed += 1
                checked += 1
    # Every declared resource type's routes are among the direct ones.
    assert directed > 50 and checked > directed
