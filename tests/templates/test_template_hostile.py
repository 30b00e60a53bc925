"""Hostile templates are refused with a TemplateError (InvalidTemplate), within the bounds of Limits, before they
can use unbounded time or memory."""

from __future__ import annotations

import pytest
from template_fakes import FakeHost, group_scope, template

from arm_emulator.templates import Limits, TemplateError, prepare


def refused(
    body: dict,
    parameters: dict | None = None,
    limits: Limits | None = None,
    *,
    render: bool = False,
    outputs: bool = False,
) -> TemplateError:
    with pytest.raises(TemplateError) as caught:
        prepared = prepare(body, parameters or {}, group_scope(), limits=limits)
        host = FakeHost()
        if render:
            for resource in prepared.resources:
                prepared.render(resource, host)
        if outputs:
            prepared.outputs(host)
    assert caught.value.code in ("InvalidTemplate", "DeploymentOutputEvaluationFailed")
    return caught.value


def workspace(name: str, **extra: object) -> dict:
    return {"type": "Microsoft.HealthcareApis/workspaces", "apiVersion": "2024-03-31", "name": name, **extra}


def test_deeply_nested_json_is_refused() -> None:
    value: object = "leaf"
    for _ in range(5000):
        value = {"a": value}
    error = refused(template([workspace("ws", properties=value)]))
    assert "nested" in error.message


def test_deeply_nested_expressions_are_refused() -> None:
    expression = "[" + "concat(" * 500 + "'a'" + ")" * 500 + "]"
    assert "nested more than 64 levels" in refused(template(variables={"v": expression})).message


def test_overlong_expressions_and_templates_are_refused() -> None:
    long_expression = "[concat('" + "a" * 30_000 + "')]"
    assert "characters long" in refused(template(variables={"v": long_expression})).message
    big = template(variables={f"v{i}": "x" * 1000 for i in range(5000)})
    assert "bytes; the maximum is" in refused(big).message


def test_huge_copy_counts_are_refused_before_expanding() -> None:
    refused(template([workspace("[concat('w', copyIndex())]", copy={"name": "l", "count": 1_000_000})]))
    refused(
        template(
            variables={"copy": [{"name": "v", "count": 1_000_000, "input": "x"}]},
            outputs={"o": {"type": "array", "value": "[variables('v')]"}},
        ),
        outputs=True,
    )
    refused(template(outputs={"o": {"type": "array", "copy": {"count": 10**9, "input": "x"}}}), outputs=True)


def test_too_many_resources_are_refused() -> None:
    refused(template([workspace(f"w{i}") for i in range(801)]))
    loops = [workspace(f"[concat('{p}', copyIndex())]", copy={"name": p, "count": 500}) for p in ("a", "b")]
    assert "exceeds the limit of '800'" in refused(template(loops)).message


def test_nested_property_copies_are_stopped_by_the_step_budget() -> None:
    inner: object = {"leaf": "[copyIndex('l0')]"}
    for level in range(4):
        inner = {"copy": [{"name": f"l{level}", "count": 800, "input": inner}]}
    refused(template([workspace("ws", properties=inner)]), render=True, limits=Limits(max_evaluation_steps=100_000))


def test_self_referencing_variables_and_long_chains_are_refused() -> None:
    refused(
        template(variables={"a": "[variables('a')]"}, outputs={"o": {"type": "string", "value": "[variables('a')]"}}),
        outputs=True,
    )
    chain = {f"v{i}": f"[variables('v{i + 1}')]" for i in range(2000)}
    chain["v2000"] = "end"
    error = refused(
        template(variables=chain, outputs={"o": {"type": "string", "value": "[variables('v0')]"}}), outputs=True
    )
    assert "nested too deeply" in error.details[0]["message"] or "nested too deeply" in error.message


def test_self_referencing_parameter_defaults_are_refused() -> None:
    refused(
        template(
            parameters={
                "a": {"type": "string", "defaultValue": "[parameters('b')]"},
                "b": {"type": "string", "defaultValue": "[parameters('a')]"},
            }
        )
    )


def test_doubling_string_bombs_are_refused() -> None:
    variables = {"v0": "[string(range(0, 1000))]"}
    for i in range(20):
        variables[f"v{i + 1}"] = f"[concat(variables('v{i}'), variables('v{i}'), variables('v{i}'))]"
    body = template(variables=variables, outputs={"o": {"type": "string", "value": "[variables('v20')]"}})
    limits = Limits(max_value_bytes=1024 * 1024)
    assert "exceeds the maximum size" in refused(body, outputs=True, limits=limits).details[0]["message"]


def test_doubling_array_bombs_are_refused() -> None:
    variables = {"v0": "[range(0, 100)]"}
    for i in range(20):
        variables[f"v{i + 1}"] = f"[createArray(variables('v{i}'), variables('v{i}'), variables('v{i}'))]"
    body = template(variables=variables, outputs={"o": {"type": "string", "value": "[string(variables('v20'))]"}})
    limits = Limits(max_value_bytes=1024 * 1024)
    assert "exceeds the maximum size" in refused(body, outputs=True, limits=limits).details[0]["message"]


def test_huge_ranges_and_padding_are_refused() -> None:
    assert (
        "must be between 0 and 10000"
        in refused(template(outputs={"o": {"type": "array", "value": "[range(0, 100000000)]"}}), outputs=True).details[
            0
        ]["message"]
    )
    refused(template(outputs={"o": {"type": "string", "value": "[padLeft('a', 100000000)]"}}), outputs=True)


def test_quadratic_lambdas_are_stopped_by_the_step_budget() -> None:
    expression = "[map(range(0, 10000), lambda('i', map(range(0, 10000), lambda('j', lambdaVariables('j')))))]"
    error = refused(
        template(outputs={"o": {"type": "array", "value": expression}}),
        outputs=True,
        limits=Limits(max_evaluation_steps=200_000),
    )
    assert "evaluation steps" in error.details[0]["message"]


@pytest.mark.parametrize(
    "body",
    [
        [],
        "not a template",
        {"contentVersion": "1.0.0.0"},
        {"resources": []},
        {"contentVersion": "1.0.0.0", "resources": [], "unknownKey": 1},
        {"contentVersion": "1.0.0.0", "resources": "nope"},
        {"contentVersion": "1.0.0.0", "resources": [{"type": "A.B/c"}]},
        {"contentVersion": "1.0.0.0", "resources": [], "parameters": []},
    ],
)
def test_structurally_invalid_templates_are_refused(body: object) -> None:
    refused(body)  # type: ignore[arg-type]


def test_deployments_nested_too_deep_are_refused() -> None:
    inner: dict = template([workspace("ws")])
    for level in range(7):
        inner = template(
            [
                {
                    "type": "Microsoft.Resources/deployments",
                    "apiVersion": "2022-09-01",
                    "name": f"level{level}",
                    "properties": {"mode": "Incremental", "template": inner},
                }
            ]
        )
    assert "nests deployments more than 5 levels deep" in refused(inner).message


def test_many_expensive_resources_exhaust_the_deployment_budget() -> None:
    limits = Limits(max_evaluation_steps=20_000)
    expensive = {"v": "[map(range(0, 1000), lambda('i', lambdaVariables('i')))]"}
    bodies = template([workspace(f"w{i}", properties=expensive) for i in range(40)])
    # the preflight evaluates the bodies (no runtime function in them) within the deployment's budget
    assert "evaluation steps" in refused(bodies, limits=limits).message


def test_many_expensive_runtime_bodies_exhaust_the_deployment_budget_while_rendering() -> None:
    limits = Limits(max_evaluation_steps=20_000)
    other = "/subscriptions/s/resourceGroups/g/providers/Microsoft.HealthcareApis/workspaces/other"
    expensive = {"v": f"[createArray(reference('{other}'), map(range(0, 1000), lambda('i', lambdaVariables('i'))))]"}
    # the expressions call reference(): the preflight leaves them, render() pays for them
    prepared = prepare(
        template([workspace(f"w{i}", properties=expensive) for i in range(40)]), {}, group_scope(), limits=limits
    )
    host = FakeHost()
    host.put(other, {"properties": {}}, resource_type="Microsoft.HealthcareApis/workspaces")
    rendered = 0
    with pytest.raises(TemplateError, match="evaluation steps"):
        for resource in prepared.resources:
            prepared.render(resource, host)
            rendered += 1
    assert 0 < rendered < 40  # each render fits its own budget; together they do not


def test_deeply_nested_parameter_values_are_refused() -> None:
    value: object = 1
    for _ in range(10_000):
        value = [value]
    error = refused(template(parameters={"p": {"type": "array"}}), {"p": {"value": value}})
    assert "The deployment parameters are nested more than 64 levels deep" in error.message
