"""The ARM template engine: a pure library (no HTTP, no SQL) that parses, validates and evaluates ARM JSON
templates for the Deployments API.

prepare() binds parameters and plans the resources (ids, dependency graph); PreparedDeployment.render() and
.outputs() evaluate bodies and outputs, calling back into a RuntimeHost for reference() and list*()."""

from . import functions as _functions  # registers the built-in functions
from .errors import TemplateError
from .hashing import arm_guid, unique_string
from .limits import Limits
from .plan import NestedDeployment, PlannedResource, PreparedDeployment
from .planner import prepare
from .scope import RuntimeHost, ScopeInfo
from .template import Template, parse_template

__all__ = [
    "Limits",
    "NestedDeployment",
    "PlannedResource",
    "PreparedDeployment",
    "RuntimeHost",
    "ScopeInfo",
    "Template",
    "TemplateError",
    "arm_guid",
    "parse_template",
    "prepare",
    "unique_string",
    "what_if_body",
]

del _functions


def what_if_body(prepared: PreparedDeployment, resource: PlannedResource, host: RuntimeHost) -> dict:
    """The body what-if compares with the stored resource: the same as the PUT body."""
    return prepared.render(resource, host)
