"""The declarations a resource provider fills in; the engine interprets them and knows no provider."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import ModuleType
from typing import Any

from pydantic import BaseModel

from .projection import Shape, shape_of
from .resource_id import ResourceId

Body = dict[str, Any]


def _nothing_stored(_: str) -> Body | None:
    return None


# A stored resource's body by its id (any casing), or None: what hooks may read of other resources.
Lookup = Callable[[str], "Body | None"]


@dataclass(frozen=True)
class ResourceContext:
    """What a provider hook may know about the write it is shaping (no HTTP, no SQL)."""

    resource_id: ResourceId
    api_version: str
    tenant_id: str
    existing: Body | None
    lookup: Lookup = _nothing_stored


# A hook takes the body the engine built (id, name, type, location, tags, properties, ...) and
# returns it with the fields the real resource provider computes filled in.
BodyHook = Callable[[ResourceContext, Body], Body]


def unchanged(_: ResourceContext, body: Body) -> Body:
    """The hook of a type that has none: the body as the engine built it."""
    return body


@dataclass(frozen=True)
class ModelNames:
    """The class names of a resource type's generated models; the same in every api-version's module."""

    request: str
    response: str
    patch: str | None = None


@dataclass(frozen=True)
class ApiVersionModels:
    """The generated models one api-version uses to validate requests and shape responses.

    The module is imported on first use: a provider declares many versions, a run uses few.
    """

    module: str
    names: ModelNames

    @cached_property
    def _module(self) -> ModuleType:
        return importlib.import_module(self.module)

    @cached_property
    def request(self) -> type[BaseModel]:
        return getattr(self._module, self.names.request)  # type: ignore[no-any-return]

    @cached_property
    def response(self) -> type[BaseModel]:
        return getattr(self._module, self.names.response)  # type: ignore[no-any-return]

    @cached_property
    def patch(self) -> type[BaseModel] | None:
        return getattr(self._module, self.names.patch) if self.names.patch else None

    @cached_property
    def shape(self) -> Shape:
        """The fields this version shows of a stored resource (see arm.projection)."""
        return shape_of(self.response)

    @property
    def shape_loaded(self) -> bool:
        """Whether `shape` has been computed (its module imported), without computing it."""
        return "shape" in self.__dict__


def model_module(package: str, api_version: str) -> str:
    """Where `make generate` writes an api-version's models: `<package>.models_2024_03_31`."""
    return f"{package}.models_{api_version.replace('-', '_')}"


def versioned(package: str, api_versions: Iterable[str], names: ModelNames) -> dict[str, ApiVersionModels]:
    """A resource type's models at each of its api-versions, all generated into `package`."""
    return {v: ApiVersionModels(model_module(package, v), names) for v in api_versions}


@dataclass(frozen=True)
class LroStep:
    """One in-progress stop of a long-running operation."""

    provisioning_state: str
    operation_status: str


@dataclass(frozen=True)
class LroProfile:
    """How one verb answers: its initial HTTP status, the states it walks, the polling headers.

    No steps means the verb completes synchronously (the resource is `Succeeded` at once).
    """

    status_code: int
    steps: tuple[LroStep, ...] = ()
    async_operation_header: bool = True
    location_header: bool = False

    @property
    def synchronous(self) -> bool:
        return not self.steps


@dataclass(frozen=True)
class Lifecycle:
    """One profile per kind of write.

    `create`: PUT of a new resource; `replace`: PUT that changes an existing one; `unchanged`: PUT
    whose only changes (if any) are tags; `patch` / `patch_tags_only`: PATCH; `delete`: DELETE.
    """

    create: LroProfile
    replace: LroProfile
    unchanged: LroProfile
    patch: LroProfile
    patch_tags_only: LroProfile
    delete: LroProfile


@dataclass(frozen=True)
class NameRule:
    """The name pattern the provider enforces, and the sentence its error gives."""

    pattern: str
    explanation: str

    def matches(self, name: str) -> bool:
        return re.fullmatch(self.pattern, name) is not None


@dataclass(frozen=True)
class ActionContext:
    """What an action handler may know: the resource it is posted to (None for a provider-level
    action), the request's version and tenant, and read access to the store (no HTTP, no SQL)."""

    subscription_id: str
    api_version: str
    tenant_id: str
    resource_id: ResourceId | None
    resource: Body | None
    lookup: Lookup
    # (type name e.g. `Microsoft.HealthcareApis/services`, resource name) -> whether any subscription has one
    name_taken: Callable[[str, str], bool]


@dataclass(frozen=True)
class ActionResult:
    """What an action answers: a status and a JSON body (None: no body). An action that changes the
    resource it is posted to returns its new body as `resource`; the engine stores it (new ETag)."""

    status_code: int
    body: Body | None = None
    resource: Body | None = None


# A POST action: the context and the request's JSON body (None if it sent none) -> the answer.
# Raise ArmError (arm.errors) for an error answer.
ActionHandler = Callable[[ActionContext, "Body | None"], ActionResult]


@dataclass(frozen=True)
class Action:
    """A POST `{resource id}/{name}` (on a type) or `/subscriptions/{s}/providers/{namespace}/{name}`
    (on a provider). `name` is the URL segment, matched case-insensitively."""

    name: str
    handler: ActionHandler
    # False for an action callers post before the resource exists (a proxy's `validate`): the handler
    # then gets `resource=None`.
    resource_required: bool = True


# Read-only items computed from their parent's stored body (private link resources): the context of
# the parent (its id, the request's version) and its body -> the items' bodies (id, name, type, properties).
ComputedItems = Callable[[ResourceContext, Body], list[Body]]


# What any ARM resource name may be (ARM RPC: no `< > % & : \\ ? / #` or control characters, at most
# 260), for types whose provider adds no rule of its own (names the network RP makes, group ids).
ANY_ARM_NAME = NameRule(
    r"[^<>%&:\\?/#*\x00-\x1f]{1,260}",
    "The name must be 1 to 260 characters long and must not contain '<', '>', '%', '&', ':', '\\', '?', '/', "
    "'#', '*' or control characters.",
)


@dataclass(frozen=True)
class ResourceType:
    """A resource type: `type_segments` are the type names from the namespace down, e.g.
    `("workspaces", "dicomservices")`; `name_parameters` are the matching path parameter names."""

    type_segments: tuple[str, ...]
    name_parameters: tuple[str, ...]
    name_rule: NameRule
    api_versions: Mapping[str, ApiVersionModels]
    lifecycle: Lifecycle
    prepare: BodyHook = unchanged
    on_provisioned: BodyHook = unchanged
    list_by_subscription: bool = True
    list_by_resource_group: bool = True
    list_by_parent: bool = False
    head: bool = False
    location_required: bool = True
    etag_in_body: bool = True
    # The real workspace refuses deletion while it still has child services; otherwise a delete takes
    # the resource's children with it.
    refuse_delete_with_children: bool = False
    # POST actions on a resource of this type.
    actions: tuple[Action, ...] = ()
    # A child whose parent lists it in `properties.<embedded_in_parent>` (private endpoint connections):
    # the engine keeps that list equal to the stored children ({id, name, type, properties} each).
    embedded_in_parent: str | None = None
    # Set for read-only types whose items are derived from the parent (GET and list only, nothing stored).
    computed_from_parent: ComputedItems | None = None

    @property
    def is_child(self) -> bool:
        return len(self.type_segments) > 1


@dataclass(frozen=True)
class OperationStatusEndpoint:
    """Where and how a provider serves its operation statuses (the Azure-AsyncOperation target).

    `path` uses the placeholders `{subscriptionId}`, `{location}` and `{operationId}`.
    `location_query` is appended to the same URL for the `Location` header (None: no such variant).
    `in_progress_status_code` is what a poll answers while running (200 for most RPs; ProviderHub 202).
    """

    path: str
    body_model: type[BaseModel]
    new_operation_id: Callable[[str], str]
    location_case: Callable[[str], str] = str.lower
    location_query: str | None = None
    in_progress_status_code: int = 200


@dataclass(frozen=True)
class Provider:
    namespace: str
    resource_types: tuple[ResourceType, ...]
    operation_status: OperationStatusEndpoint
    error_envelope: type[BaseModel]
    locations: tuple[str, ...] = field(default_factory=tuple)
    # POST actions on the provider at subscription scope (checkNameAvailability).
    actions: tuple[Action, ...] = ()
    # The provider's `operations` list as the real one answers it (`{name, isDataAction, display,
    # origin}` each); None: one is made from the declared types.
    operations: tuple[Body, ...] | None = None

    def type_name(self, resource_type: ResourceType) -> str:
        return "/".join([self.namespace, *resource_type.type_segments])
