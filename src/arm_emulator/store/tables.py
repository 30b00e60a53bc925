"""The database schema (SQLAlchemy Core); ids are stored with the caller's casing, keyed lower-case."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("subscription_id", String(64), nullable=False),
    Column("tenant_id", String(64), nullable=False),
    Column("display_name", String(256), nullable=False),
    Column("state", String(32), nullable=False),
    Column("created_at", Float, nullable=False),
)

# A provider namespace's registration in a subscription, once it has been registered or unregistered
# (absent: the default state, see arm.resource_providers). `settles_at`: when `state` (Registering,
# Unregistering) gives way to `settled_state`.
provider_registrations = Table(
    "provider_registrations",
    metadata,
    Column("subscription_key", String(64), primary_key=True),
    Column("namespace_key", String(128), primary_key=True),
    Column("state", String(32), nullable=False),
    Column("settled_state", String(32), nullable=False),
    Column("settles_at", Float, nullable=False),
)

# A subscription's own tags and its predefined tag names and values (tagNames), as one JSON document:
# {"tags": {name: value}, "predefined": {name: [value, ...]}}.
subscription_tags = Table(
    "subscription_tags",
    metadata,
    Column("subscription_key", String(64), primary_key=True),
    Column("body", Text, nullable=False),
)

# The resource types stored generically (types no provider declares), with the api-versions clients
# wrote them with: what the provider documents of those namespaces list. `api_versions`: a JSON array.
generic_types = Table(
    "generic_types",
    metadata,
    Column("type_key", String(256), primary_key=True),
    Column("namespace_key", String(128), nullable=False),
    Column("type_name", String(256), nullable=False),
    Column("api_versions", Text, nullable=False),
)

resources = Table(
    "resources",
    metadata,
    # Insertion order, for stable keyset paging; kept when a resource is replaced.
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("key", String(1024), nullable=False, unique=True),
    Column("id", String(1024), nullable=False),
    Column("subscription_key", String(64), nullable=False),
    Column("resource_group_key", String(1024), nullable=True),
    Column("parent_key", String(1024), nullable=True),
    Column("type_key", String(256), nullable=False),
    Column("body", Text, nullable=False),
    Column("etag", String(64), nullable=False),
    Column("provisioning_state", String(64), nullable=True),
    Column("operation_id", String(128), nullable=True),
    Column("due_at", Float, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)
Index("ix_resources_subscription", resources.c.subscription_key, resources.c.type_key, resources.c.seq)
Index("ix_resources_group", resources.c.resource_group_key, resources.c.type_key, resources.c.seq)
# Only resources with a parent (most have none): a top-level write updates one index fewer. Every
# query on it asks `parent_key = ...`, which implies the condition.
_HAS_PARENT = resources.c.parent_key.is_not(None)
Index(
    "ix_resources_child",
    resources.c.parent_key,
    resources.c.type_key,
    resources.c.seq,
    sqlite_where=_HAS_PARENT,
    postgresql_where=_HAS_PARENT,
)
# Every type of a subscription or group in insertion order: the resource lists (Resources_List) walk
# these instead of sorting a whole subscription.
Index("ix_resources_subscription_order", resources.c.subscription_key, resources.c.seq)
Index("ix_resources_group_order", resources.c.resource_group_key, resources.c.seq)

operations = Table(
    "operations",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("namespace", String(128), nullable=False),
    Column("subscription_key", String(64), nullable=False),
    Column("resource_key", String(1024), nullable=False),
    Column("resource_id", String(1024), nullable=False),
    Column("location", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("api_version", String(32), nullable=False),
    Column("initial_status_code", Integer, nullable=False),
    Column("steps", Text, nullable=False),
    Column("step_index", Integer, nullable=False),
    Column("step_seconds", Float, nullable=False),
    Column("status", String(32), nullable=False),
    Column("target_digest", String(64), nullable=True),
    Column("started_at", Float, nullable=False),
    # When the next step is due; NULL once the operation is terminal.
    Column("due_at", Float, nullable=True),
    Column("ended_at", Float, nullable=True),
    Column("error", Text, nullable=True),
    # Advance one step per poll instead of per step_seconds (due_at is then +infinity).
    Column("per_poll", Boolean, nullable=False, default=False),
    # An injected failure: {"status": "Failed"|"Canceled", "error": {...}} applied at the end.
    Column("outcome", Text, nullable=True),
    # The body before an update, restored if the update fails (as ARM asks of RPs).
    Column("previous_body", Text, nullable=True),
)
# Only running operations: most end in the write that starts them (fast mode), which then updates no
# index but the primary key's. Every query on it asks for `due_at` below a time or not NULL.
_RUNNING = operations.c.due_at.is_not(None)
Index("ix_operations_running_due", operations.c.due_at, sqlite_where=_RUNNING, postgresql_where=_RUNNING)

# Indexes of earlier versions, dropped at start: replaced by a partial one above, or (the operations'
# `resource_key`, searched only with a LIKE prefix, which neither database serves from it) never used.
RETIRED_INDEXES = ("ix_resources_parent", "ix_operations_due", "ix_operations_resource")

# The test controls every replica on this database shares (arm.controls): one row (`id` 1). `version`
# moves with every change, so a replica checks one integer per request and reloads only when it moved.
# `timing`: the LRO timing overrides as JSON ({"default": {...} | null, "types": {type: {...}}}).
control_state = Table(
    "control_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
    Column("clock_offset", Float, nullable=False),
    Column("timing", Text, nullable=True),
)

# Fault rules, in the order they were added; `spec` is the rule as set (JSON). `fired` counts firings
# on every replica (a rule with `times` stops at it: the count is spent with a conditional UPDATE).
fault_rules = Table(
    "fault_rules",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("spec", Text, nullable=False),
    Column("fired", Integer, nullable=False),
    sqlite_autoincrement=True,  # a cleared rule's id is never handed out again
)

# The request journal of every replica: what clients sent and were told (arm.journal), newest last.
journal = Table(
    "journal",
    metadata,
    # 64-bit on PostgreSQL (every request of every replica takes one); SQLite's rowid is already.
    Column("sequence", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("epoch_seconds", Float, nullable=False),
    Column("method", String(16), nullable=False),
    Column("url", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("path_key", Text, nullable=False),
    Column("status", Integer, nullable=False),
    Column("duration_ms", Float, nullable=False),
    Column("request_id", String(64), nullable=False),
    Column("correlation_id", String(256), nullable=True),
    Column("client_request_id", String(256), nullable=True),
    # The polling instructions the answer carried.
    Column("azure_async_operation", Text, nullable=True),
    Column("location", Text, nullable=True),
    Column("retry_after", String(32), nullable=True),
    sqlite_autoincrement=True,
)

# Template deployments (Microsoft.Resources/deployments) at any scope, keyed by their lower-cased id.
# `scope_key`: the lower-cased scope they belong to (a group's or a subscription's id), for lists;
# `body`: the DeploymentExtended as sent; `request`: what the PUT asked for (template, parameters,
# mode), which the runner and exportTemplate read; `job_id`: the current create/delete operation
# (its operationStatuses id); `state`: the provisioning state, which a restart reads.
deployments = Table(
    "deployments",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("key", String(1024), nullable=False, unique=True),
    Column("id", String(1024), nullable=False),
    Column("subscription_key", String(64), nullable=True),
    Column("scope_key", String(1024), nullable=False),
    Column("body", Text, nullable=False),
    Column("request", Text, nullable=False),
    Column("state", String(32), nullable=False),
    Column("job_id", String(64), nullable=False),
    Column("job_kind", String(16), nullable=False),
    Column("cancel_requested", Boolean, nullable=False, default=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)
Index("ix_deployments_scope", deployments.c.scope_key, deployments.c.seq)
Index("ix_deployments_state", deployments.c.state)

# A deployment's operations (one per resource it wrote, read or deleted), in the order they began.
deployment_operations = Table(
    "deployment_operations",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("deployment_key", String(1024), nullable=False),
    Column("operation_id", String(64), nullable=False),
    Column("body", Text, nullable=False),
)
Index("ix_deployment_operations", deployment_operations.c.deployment_key, deployment_operations.c.operation_id)

# Who runs a deployment that is Accepted or Running: `owner` (a serving process's id) holds it until
# `lease_expires` (wall-clock epoch seconds; the owner renews it while it runs). A lease that lapsed
# (its process died) is claimed by another process, which resumes the run. `caller`: the principal
# claims (oid, tid, appid) of who deployed it, to mint a token for a resumed run (never the token);
# `base`: the URL the PUT came in on; `started`: the emulator-clock time the run began; `writes`: the
# polling URLs of the resource writes it started, by resource key, which a resumed run follows.
deployment_runs = Table(
    "deployment_runs",
    metadata,
    Column("key", String(1024), primary_key=True),
    Column("owner", String(64), nullable=False),
    Column("lease_expires", Float, nullable=False),
    Column("caller", Text, nullable=True),
    Column("base", Text, nullable=False),
    Column("correlation_id", String(256), nullable=False),
    Column("started", Float, nullable=False),
    Column("writes", Text, nullable=True),
)
Index("ix_deployment_runs_lease", deployment_runs.c.lease_expires)
