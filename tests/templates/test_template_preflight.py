"""prepare() runs ARM's preflight: every resource body is evaluated except the expressions that call a
runtime function (reference(), references(), list*()), so failures surface before the deployment starts."""

from __future__ import annotations

import pytest
from template_fakes import FakeHost, group_scope, template

from arm_emulator.templates import Limits, TemplateError, prepare

OTHER = "/subscriptions/s/resourceGroups/g/providers/Microsoft.HealthcareApis/workspaces/other"


def workspace(name: str, **extra: object) -> dict:
    return {"type": "Microsoft.HealthcareApis/workspaces", "apiVersion": "2024-03-31", "name": name, **extra}


def refused(body: dict, limits: Limits | None = None) -> TemplateError:
    with pytest.raises(TemplateError) as caught:
        prepare(body, {}, group_scope(), limits=limits)
    assert caught.value.code == "InvalidTemplate"
    return caught.value


def test_a_failing_expression_in_a_body_is_refused_by_prepare() -> None:
    error = refused(template([workspace("ws", properties={"x": "[div(1, 0)]"})]))
    assert error.message.startswith("Unable to process template language expressions for resource '")
    assert "/workspaces/ws'" in error.message
    assert error.target is not None and error.target.endswith("/workspaces/ws")


def test_an_unknown_function_and_a_missing_variable_in_tags_are_refused() -> None:
    assert "'nosuch' is not valid" in refused(template([workspace("ws", tags={"t": "[nosuch()]"})])).message
    assert (
        "variable 'missing' is not found"
        in refused(template([workspace("ws", tags={"t": "[variables('missing')]"})])).message
    )


def test_a_string_bomb_in_a_body_is_refused_within_the_size_limit() -> None:
    variables = {"v0": "xxxxxxxx"} | {
        f"v{i}": f"[concat(variables('v{i - 1}'), variables('v{i - 1}'))]" for i in range(1, 31)
    }
    body = template([workspace("ws", tags={"x": "[variables('v30')]"})], variables=variables)
    assert "exceeds the maximum size" in refused(body, Limits(max_value_bytes=1024 * 1024)).message


def test_expressions_that_call_runtime_functions_are_left_for_render() -> None:
    properties = {
        "a": f"[reference('{OTHER}').missing.deeper]",  # fails only when rendered
        "b": f"[listKeys('{OTHER}', '2024-03-31').key1]",
        "c": "[concat('x', 'y')]",
        "copy": [{"name": "items", "count": 2, "input": f"[reference('{OTHER}').n]"}],
    }
    prepared = prepare(template([workspace("ws", properties=properties)]), {}, group_scope())
    host = FakeHost()
    host.put(OTHER, {"properties": {"n": 1}}, resource_type="Microsoft.HealthcareApis/workspaces")
    with pytest.raises(TemplateError, match="missing"):
        prepared.render(prepared.resources[0], host)


def test_a_failing_expression_beside_a_runtime_one_is_still_refused() -> None:
    properties = {"a": f"[reference('{OTHER}')]", "b": "[int('not a number')]"}
    refused(template([workspace("ws", properties=properties)]))


def test_condition_false_and_existing_resources_are_not_evaluated() -> None:
    skipped = workspace("ws", condition=False, properties={"x": "[div(1, 0)]"})
    prepare(template([skipped]), {}, group_scope())


def test_a_runtime_copy_count_in_properties_is_left_for_render() -> None:
    properties = {"copy": [{"name": "items", "count": f"[length(reference('{OTHER}').list)]", "input": "[div(1, 0)]"}]}
    prepare(template([workspace("ws", properties=properties)]), {}, group_scope())


def test_render_gives_the_same_body_after_the_preflight() -> None:
    properties = {"x": "[concat('a', 'b')]", "copy": [{"name": "n", "count": 2, "input": "[copyIndex('n')]"}]}
    prepared = prepare(
        template([workspace("ws", properties=properties, tags={"t": "[toUpper('v')]"})]), {}, group_scope()
    )
    body = prepared.render(prepared.resources[0], FakeHost())
    assert body["properties"] == {"x": "ab", "n": [0, 1]}
    assert body["tags"] == {"t": "V"}


def test_a_variable_that_reads_a_deployed_resource_is_not_cached_by_the_preflight() -> None:
    variables = {"keys": f"[reference('{OTHER}').secret]", "plain": "[toUpper('a')]"}
    properties = {"k": "[variables('keys')]", "p": "[variables('plain')]"}
    prepared = prepare(template([workspace("ws", properties=properties)], variables=variables), {}, group_scope())
    host = FakeHost()
    host.put(OTHER, {"properties": {"secret": "s3"}}, resource_type="Microsoft.HealthcareApis/workspaces")
    assert prepared.render(prepared.resources[0], host)["properties"] == {"k": "s3", "p": "A"}
