"""Fuzzing: schemathesis generates requests for every operation of each provider's OpenAPI document
(specs/<provider>/<api-version>.json: paths, parameters and bodies; for HealthcareApis also the version
azure-mgmt-healthcareapis sends by default, assembled from its delta) and sends them to the emulator:
no 5xx, and every response valid against the document (status code, content type, headers, body).

Deterministic (Hypothesis derandomised, no example database), a few hundred cases per operation.
The subscription id is fixed (any other is a 400 InvalidSubscriptionId, which the hostile-input
tests cover) and resource groups are created on first write, so generated names reach the providers.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from conftest import REPO_ROOT, SUBSCRIPTION
from emulator_process import EmulatorProcess
from hypothesis import HealthCheck, settings
from schemathesis.core.failures import AcceptedNegativeData, FailureGroup
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = pytest.mark.hardening

# Per operation; ARM_EMULATOR_FUZZ_EXAMPLES scales it (e.g. 1000 for a long local run).
EXAMPLES = int(os.environ.get("ARM_EMULATOR_FUZZ_EXAMPLES", "200"))


def assembled(namespace: str, api_version: str) -> dict[str, Any]:
    """A version's full OpenAPI document, as `make generate` assembles it from its delta."""
    location = importlib.util.spec_from_file_location("generate_models", REPO_ROOT / "tools" / "generate_models.py")
    assert location is not None and location.loader is not None
    generator = importlib.util.module_from_spec(location)
    sys.modules[location.name] = generator  # its dataclasses look their module up there
    location.loader.exec_module(generator)
    versions = generator.discover()[namespace]
    return generator.assemble(versions[api_version], versions)  # type: ignore[no-any-return]


def load(relative: str, api_version: str) -> schemathesis.BaseSchema:
    if relative.endswith(".delta.json"):
        namespace = relative.split("/")[1]
        schema = schemathesis.openapi.from_dict(assembled(namespace, api_version))
    else:
        schema = schemathesis.openapi.from_path(REPO_ROOT / relative)
    # The documents declare api-version as any string; every version but the document's is answered
    # in another shape or refused (NoRegisteredProviderFound), so it is pinned (tests/arm covers the others).
    schema.config.update(parameters={"subscriptionId": SUBSCRIPTION, "api-version": api_version})
    schema.config.generation.update(max_examples=EXAMPLES, deterministic=True)
    return schema


HEALTHCARE = load("specs/healthcareapis/2022-06-01.json", "2022-06-01")
HEALTHCARE_DEFAULT = load("specs/healthcareapis/2024-03-31.delta.json", "2024-03-31")
DEVICEUPDATE = load("specs/deviceupdate/2023-07-01.json", "2023-07-01")

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


# Checks left out, each for a reason that is not a server error or an invalid response:
EXCLUDED_CHECKS = [
    # Spec gaps, not emulator bugs: the documents accept what ARM refuses with a 400, so "valid"
    # requests are rightly rejected: `location: ""` (LocationRequired), tag names that are empty or
    # hold <>%&\?/ or control characters (InvalidTag, InvalidTagNameCharacters).
    positive_data_acceptance,
]


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(tmp_path_factory.mktemp("fuzz"), auto_create_resource_groups="true").start()
    yield process
    process.stop()


def known_issue(failure: Exception, case: schemathesis.Case) -> str | None:
    """Why a failure is already known (reported, with a test of its own), or None if it is news."""
    body = case.body if isinstance(case.body, dict) else {}
    if isinstance(failure, AcceptedNegativeData):
        text = str(failure.message)
        if case.method in ("GET", "HEAD", "DELETE") and re.search(r"Name` in path - ", text):
            # Spec vs emulator: names are checked on PUT only; GET and DELETE of a name that could
            # never exist answer 404 and 204 (as for any absent resource), the document says 400.
            return "names checked on PUT only"
        if case.method == "PATCH" and "tags: Incorrect type" in text and body.get("tags", {}) is None:
            # Spec vs emulator: PATCH {"tags": null} removes the tags (merge-patch); the document
            # types tags as an object, not nullable.
            return "PATCH tags null"
    return None


def call(case: schemathesis.Case, target: EmulatorProcess) -> None:
    # The test schemas are copies made at import, before the server (and its URL) exists: pass it here.
    try:
        case.call_and_validate(
            base_url=target.url,
            headers={"Authorization": "Bearer fuzz"},
            verify=str(target.ca_file),
            timeout=30,
            excluded_checks=EXCLUDED_CHECKS,
        )
    except FailureGroup as group:
        news = [failure for failure in group.exceptions if known_issue(failure, case) is None]
        if news:
            raise FailureGroup(news, group.message) from None


@HEALTHCARE.parametrize()
@FUZZ_SETTINGS
def test_healthcareapis_operations(case: schemathesis.Case, fuzz_target: EmulatorProcess) -> None:
    call(case, fuzz_target)


@HEALTHCARE_DEFAULT.parametrize()
@FUZZ_SETTINGS
def test_healthcareapis_operations_at_the_sdks_default_version(
    case: schemathesis.Case, fuzz_target: EmulatorProcess
) -> None:
    call(case, fuzz_target)


@DEVICEUPDATE.parametrize()
@FUZZ_SETTINGS
def test_deviceupdate_operations(case: schemathesis.Case, fuzz_target: EmulatorProcess) -> None:
    call(case, fuzz_target)
