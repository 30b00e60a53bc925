"""prepare(): resource ids, the dependency graph, conditions, copy loops, children, extension resources,
nested deployments and languageVersion 2.0; render() of bodies."""

from __future__ import annotations

import pytest
from template_fakes import GROUP_ID, SUBSCRIPTION, FakeHost, deploy, group_scope, subscription_scope, template

from arm_emulator.templates import TemplateError, prepare

WS = f"{GROUP_ID}/providers/Microsoft.HealthcareApis/workspaces"


def workspace(name: str = "ws", **extra: object) -> dict:
    return {
        "type": "Microsoft.HealthcareApis/workspaces",
        "apiVersion": "2024-03-31",
        "name": name,
        "location": "westeurope",
        "properties": {},
        **extra,
    }


def fhir(name: str = "ws/fhir", **extra: object) -> dict:
    return {
        "type": "Microsoft.HealthcareApis/workspaces/fhirservices",
        "apiVersion": "2024-03-31",
        "name": name,
        "kind": "fhir-R4",
        "location": "westeurope",
        **extra,
    }


def plan(resources: list | dict, **sections: object):
    return prepare(template(resources, **sections), {}, group_scope())


def by_name(prepared) -> dict:
    return {r.name: r for r in prepared.resources}


def test_ids_interleave_child_types_and_names() -> None:
    prepared = plan(
        [
            workspace(),
            fhir(),
            {
                "type": "Microsoft.Storage/storageAccounts/blobServices/containers",
                "apiVersion": "2023-01-01",
                "name": "acct/default/c",
            },
        ]
    )
    ids = [r.resource_id for r in prepared.resources]
    assert ids == [
        f"{WS}/ws",
        f"{WS}/ws/fhirservices/fhir",
        f"{GROUP_ID}/providers/Microsoft.Storage/storageAccounts/acct/blobServices/default/containers/c",
    ]
    assert prepared.resources[0].key == f"{WS}/ws".lower()
    assert prepared.resources[1].type == "Microsoft.HealthcareApis/workspaces/fhirservices"
    assert prepared.resources[1].name == "ws/fhir"


def test_a_name_with_the_wrong_number_of_segments_is_refused() -> None:
    with pytest.raises(TemplateError, match="incorrect segment lengths"):
        plan([fhir(name="fhir")])


@pytest.mark.parametrize(
    "entry",
    [
        "[resourceId('Microsoft.HealthcareApis/workspaces', 'ws')]",
        "ws",
        "Microsoft.HealthcareApis/workspaces/ws",
        f"{WS}/ws",
    ],
)
def test_depends_on_by_id_bare_name_or_type_and_name(entry: str) -> None:
    prepared = plan([workspace(), fhir(dependsOn=[entry])])
    assert by_name(prepared)["ws/fhir"].depends_on == {f"{WS}/ws".lower()}


def test_depends_on_an_undeclared_resource_is_refused() -> None:
    with pytest.raises(TemplateError, match="The resource 'nothere' is not defined in the template"):
        plan([workspace(dependsOn=["nothere"])])


def test_conditions_drop_resources_and_dependencies_on_them() -> None:
    prepared = plan(
        [workspace(condition="[equals(parameters('deployWs'), 'yes')]"), fhir(name="other/fhir", dependsOn=["ws"])],
        parameters={"deployWs": {"type": "string", "defaultValue": "no"}},
    )
    assert [r.name for r in prepared.resources] == ["other/fhir"]
    assert prepared.resources[0].depends_on == frozenset()
    assert [r.name for r in prepared.skipped] == ["ws"]


def test_a_condition_false_resource_may_have_a_name_that_is_not_valid() -> None:
    prepared = plan(
        [
            workspace(),
            fhir(name="[format('{0}', parameters('fhirName'))]", condition="[not(empty(parameters('fhirName')))]"),
        ],
        parameters={"fhirName": {"type": "string", "defaultValue": ""}},
    )
    assert [r.name for r in prepared.resources] == ["ws"]


def test_cycles_are_refused_with_arms_message() -> None:
    with pytest.raises(TemplateError) as caught:
        plan([workspace("a", dependsOn=["b"]), workspace("b", dependsOn=["c"]), workspace("c", dependsOn=["a"])])
    assert caught.value.code == "InvalidTemplate"
    assert "Circular dependency detected on resource: '" in caught.value.message
    with pytest.raises(TemplateError, match="Circular dependency"):
        plan([workspace("a", dependsOn=["a"])])


def test_reference_and_list_calls_make_implicit_dependencies() -> None:
    prepared = plan(
        [
            workspace(),
            fhir(properties={"x": "[reference(resourceId('Microsoft.HealthcareApis/workspaces', 'ws')).foo]"}),
            workspace("keys", properties={"k": "[listKeys('ws', '2024-03-31').key1]"}),
            workspace(
                "outside", properties={"k": "[reference('/subscriptions/x/resourceGroups/y/providers/A.B/c/d').v]"}
            ),
        ]
    )
    names = by_name(prepared)
    assert names["ws/fhir"].depends_on == {f"{WS}/ws".lower()}
    assert names["keys"].depends_on == {f"{WS}/ws".lower()}
    assert names["outside"].depends_on == frozenset()


def test_copy_loops_expand_with_copy_index_and_depend_as_a_whole() -> None:
    prepared = plan(
        [
            workspace(
                "[concat('ws', copyIndex(1))]", copy={"name": "wsLoop", "count": 3, "mode": "serial", "batchSize": 2}
            ),
            workspace("after", dependsOn=["wsLoop"]),
            workspace(
                "[format('p{0}', copyIndex())]", copy={"name": "parallelLoop", "count": "[length(createArray(1, 2))]"}
            ),
        ]
    )
    names = by_name(prepared)
    assert [n for n in names if n.startswith("ws")] == ["ws1", "ws2", "ws3"]
    assert names["ws2"].copy_name == "wsLoop" and names["ws2"].copy_index == 1
    assert names["ws2"].batch == ("wsLoop", 2)
    assert names["p1"].batch is None
    assert names["after"].depends_on == {f"{WS}/ws{i}".lower() for i in (1, 2, 3)}


def test_copy_count_bounds() -> None:
    with pytest.raises(TemplateError, match="must be between 0 and 800"):
        plan([workspace("[concat('w', copyIndex())]", copy={"name": "l", "count": 801})])
    assert plan([workspace("[concat('w', copyIndex())]", copy={"name": "l", "count": 0})]).resources == []


def test_property_copy_loops_render_arrays() -> None:
    prepared = plan(
        [
            workspace(
                properties={
                    "copy": [{"name": "rules", "count": 2, "input": {"name": "[concat('rule', copyIndex('rules'))]"}}]
                }
            )
        ]
    )
    body = prepared.render(prepared.resources[0], FakeHost())
    assert body["properties"] == {"rules": [{"name": "rule0"}, {"name": "rule1"}]}


def test_inline_children_compose_type_name_and_depend_on_the_parent() -> None:
    prepared = plan(
        [
            workspace(
                resources=[
                    {
                        "type": "fhirservices",
                        "apiVersion": "2024-03-31",
                        "name": "fhir",
                        "kind": "fhir-R4",
                        "resources": [
                            {
                                "type": "Microsoft.HealthcareApis/workspaces/fhirservices/things",
                                "apiVersion": "1",
                                "name": "ws/fhir/t",
                            }
                        ],
                    },
                ]
            )
        ]
    )
    names = by_name(prepared)
    child = names["ws/fhir"]
    assert child.type == "Microsoft.HealthcareApis/workspaces/fhirservices"
    assert child.resource_id == f"{WS}/ws/fhirservices/fhir"
    assert child.depends_on == {f"{WS}/ws".lower()}
    assert names["ws/fhir/t"].depends_on == {child.key}
    body = prepared.render(names["ws"], FakeHost())
    assert "resources" not in body and "name" not in body and body["location"] == "westeurope"


def test_extension_resources_take_their_scope_relative_or_full() -> None:
    assignment = {
        "type": "Microsoft.Authorization/roleAssignments",
        "apiVersion": "2022-04-01",
        "properties": {"principalId": "p"},
    }
    prepared = plan(
        [
            {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "st", "location": "x"},
            {
                **assignment,
                "name": "[guid('a')]",
                "scope": "Microsoft.Storage/storageAccounts/st",
                "dependsOn": ["[resourceId('Microsoft.Storage/storageAccounts', 'st')]"],
            },
            {**assignment, "name": "[guid('b')]", "scope": f"{WS}/ws/fhirservices/f"},
        ]
    )
    first, second = prepared.resources[1], prepared.resources[2]
    storage_id = f"{GROUP_ID}/providers/Microsoft.Storage/storageAccounts/st"
    assert first.resource_id.startswith(f"{storage_id}/providers/Microsoft.Authorization/roleAssignments/")
    assert first.depends_on == {storage_id.lower()}
    assert second.resource_id.startswith(f"{WS}/ws/fhirservices/f/providers/Microsoft.Authorization/roleAssignments/")
    assert "scope" not in prepared.render(first, FakeHost())


def test_whole_value_and_key_expressions_render() -> None:
    prepared = plan(
        [
            workspace(
                identity="[if(parameters('useIdentity'), json('{\"type\": \"SystemAssigned\"}'), json('null'))]",
                tags={"[parameters('tagName')]": "v"},
            )
        ],
        parameters={
            "useIdentity": {"type": "bool", "defaultValue": False},
            "tagName": {"type": "string", "defaultValue": "env"},
        },
    )
    body = prepared.render(prepared.resources[0], FakeHost())
    assert body["identity"] is None and body["tags"] == {"env": "v"}


def test_rendered_bodies_do_not_share_objects_with_the_plan() -> None:
    prepared = plan(
        [workspace(tags="[parameters('tags')]"), workspace("b", tags="[parameters('tags')]")],
        parameters={"tags": {"type": "object", "defaultValue": {"env": "test"}}},
    )
    first = prepared.render(prepared.resources[0], FakeHost())
    first["tags"]["changed"] = "by the caller"
    assert prepared.render(prepared.resources[1], FakeHost())["tags"] == {"env": "test"}


def test_render_failures_name_the_resource() -> None:
    # the failing expression reads a deployed resource, so the preflight leaves it for render()
    prepared = plan([workspace(), workspace("other", properties={"x": f"[createArray(reference('{WS}/ws'))[2]]"})])
    host = FakeHost()
    host.put(f"{WS}/ws", {"properties": {}})
    with pytest.raises(TemplateError) as caught:
        prepared.render(prepared.resources[1], host)
    assert caught.value.code == "InvalidTemplate"
    assert caught.value.message.startswith(f"Unable to process template language expressions for resource '{WS}/other'")


def test_reference_reads_through_the_host_with_the_declared_api_version() -> None:
    host = FakeHost()
    prepared = plan(
        [
            workspace(),
            fhir(
                properties={
                    "ws": "[reference('ws').provisioningState]",
                    "full": "[reference(resourceId('Microsoft.HealthcareApis/workspaces', 'ws'), '2023-11-01', "
                    "'Full').name]",
                }
            ),
        ]
    )
    assert deploy(prepared, host) == [r.key for r in prepared.resources]
    fhir_body = host.resources[f"{WS}/ws/fhirservices/fhir".lower()]
    assert fhir_body["properties"]["ws"] == "Succeeded" and fhir_body["properties"]["full"] == "ws"
    assert ("reference", f"{WS}/ws", "2024-03-31", False) in host.calls
    assert ("reference", f"{WS}/ws", "2023-11-01", True) in host.calls


def test_list_functions_call_the_host() -> None:
    host = FakeHost()
    hub = f"{GROUP_ID}/providers/Microsoft.Devices/IotHubs/hub"
    host.list_results[(hub.lower(), "listkeys")] = {"value": [{"keyName": "owner", "primaryKey": "k1"}]}
    prepared = plan(
        [
            workspace(
                properties={
                    "key": "[listKeys(resourceId('Microsoft.Devices/IotHubs', 'hub'), '2023-06-30')"
                    ".value[0].primaryKey]"
                }
            )
        ]
    )
    assert prepared.render(prepared.resources[0], host)["properties"]["key"] == "k1"
    assert host.calls == [("list", hub, "listKeys", "2023-06-30", None)]
    lower_case = plan(
        [workspace(properties={"k": "[listkeys(resourceId('Microsoft.Devices/IotHubs', 'hub'), '1').value]"})]
    )
    lower_case.render(lower_case.resources[0], host)
    assert host.calls[-1][2] == "listKeys"  # the action as the RP spells it


def test_subscription_scope_templates_create_groups_and_nested_deployments_into_them() -> None:
    prepared = prepare(
        template(
            [
                {
                    "type": "Microsoft.Resources/resourceGroups",
                    "apiVersion": "2022-09-01",
                    "name": "newGroup",
                    "location": "[deployment().location]",
                },
                {
                    "type": "Microsoft.Resources/deployments",
                    "apiVersion": "2022-09-01",
                    "name": "inner",
                    "resourceGroup": "newGroup",
                    "dependsOn": ["[resourceId('Microsoft.Resources/resourceGroups', 'newGroup')]"],
                    "properties": {
                        "mode": "Incremental",
                        "expressionEvaluationOptions": {"scope": "inner"},
                        "template": template([workspace()]),
                    },
                },
            ]
        ),
        {},
        subscription_scope(),
    )
    group, nested = prepared.resources
    assert group.resource_id == f"/subscriptions/{SUBSCRIPTION}/resourceGroups/newGroup"
    assert nested.resource_id == (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/newGroup/providers/Microsoft.Resources/deployments/inner"
    )
    assert nested.depends_on == {group.key}
    assert nested.nested is not None and nested.nested.resource_group == "newGroup"
    assert nested.nested.subscription_id is None and nested.nested.expression_scope == "inner"
    assert prepared.render(group, FakeHost()) == {"location": "eastus"}


def test_inner_scope_nested_templates_pass_through_and_only_parameters_are_evaluated() -> None:
    inner = template(
        [workspace("[parameters('wsName')]")],
        parameters={"wsName": {"type": "string"}},
        outputs={
            "id": {
                "type": "string",
                "value": "[resourceId('Microsoft.HealthcareApis/workspaces', parameters('wsName'))]",
            }
        },
    )
    prepared = plan(
        [
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "nested",
                "properties": {
                    "mode": "Incremental",
                    "expressionEvaluationOptions": {"scope": "inner"},
                    "parameters": {"wsName": {"value": "[parameters('outerName')]"}},
                    "template": inner,
                },
            }
        ],
        parameters={"outerName": {"type": "string", "defaultValue": "fromParent"}},
    )
    resource = prepared.resources[0]
    assert resource.nested is not None and resource.nested.name == "nested" and resource.nested.resource_group is None
    body = prepared.render(resource, FakeHost())
    assert body["properties"]["template"] == inner
    assert body["properties"]["parameters"] == {"wsName": {"value": "fromParent"}}


def test_outer_scope_nested_templates_are_evaluated_in_the_parent() -> None:
    inner = template(
        [
            workspace(
                "[concat(parameters('prefix'), copyIndex())]",
                copy={"name": "loop", "count": "[parameters('count')]"},
                tags={"group": "[resourceGroup().name]", "literal": "[[not an expression]"},
            )
        ],
        parameters={"ignored": {"type": "string"}},
        variables={"ignored": "x"},
        outputs={"where": {"type": "string", "value": "[variables('where')]"}},
    )
    prepared = plan(
        [
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "nested",
                "properties": {"mode": "Incremental", "template": inner},
            }
        ],
        parameters={"prefix": {"type": "string", "defaultValue": "ws"}, "count": {"type": "int", "defaultValue": 2}},
        variables={"where": "parent"},
    )
    rendered = prepared.render(prepared.resources[0], FakeHost())["properties"]["template"]
    assert "parameters" not in rendered and "variables" not in rendered
    resource = rendered["resources"][0]
    assert resource["name"] == "[concat('ws', copyIndex())]"
    assert resource["copy"] == {"name": "loop", "count": 2}
    assert resource["tags"] == {"group": "my-rg", "literal": "[[not an expression]"}
    assert rendered["outputs"] == {"where": {"type": "string", "value": "parent"}}
    # and the inner deployment can plan what it is given
    inner_plan = prepare(rendered, {}, group_scope("nested"))
    assert [r.name for r in inner_plan.resources] == ["ws0", "ws1"]
    assert inner_plan.render(inner_plan.resources[1], FakeHost())["tags"]["literal"] == "[not an expression]"


def test_outer_scope_nested_deployments_in_a_copy_loop_take_the_parents_copy_index() -> None:
    inner = template([workspace("[format('ws{0}', copyIndex())]")])
    prepared = plan(
        [
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "[concat('nested', copyIndex())]",
                "copy": {"name": "deployments", "count": 2},
                "properties": {"mode": "Incremental", "template": inner},
            }
        ]
    )
    rendered = [prepared.render(r, FakeHost())["properties"]["template"] for r in prepared.resources]
    assert [t["resources"][0]["name"] for t in rendered] == ["ws0", "ws1"]


def test_reference_to_a_nested_deployment_reads_its_outputs() -> None:
    host = FakeHost()
    prepared = plan(
        [
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "nested",
                "properties": {
                    "mode": "Incremental",
                    "expressionEvaluationOptions": {"scope": "inner"},
                    "template": template(),
                },
            },
            workspace(properties={"v": "[reference('nested').outputs.value.value]"}),
        ],
    )
    nested, ws = prepared.resources
    assert ws.depends_on == {nested.key}
    host.put(nested.resource_id, {"properties": {"outputs": {"value": {"type": "String", "value": "out"}}}})
    assert prepared.render(ws, host)["properties"]["v"] == "out"


def test_language_version_2_symbolic_names_existing_and_references() -> None:
    prepared = plan(
        {
            "ws": workspace(),
            "existingStore": {
                "type": "Microsoft.Storage/storageAccounts",
                "apiVersion": "2023-01-01",
                "name": "st",
                "existing": True,
            },
            "fhir": fhir(dependsOn=["ws"], properties={"store": "[reference('existingStore').primaryEndpoints]"}),
            "many": workspace("[format('m{0}', copyIndex())]", copy={"name": "many", "count": 2}),
            "last": workspace("last", dependsOn=["many"]),
        },
        languageVersion="2.0",
    )
    names = {r.key: r for r in prepared.resources}
    assert set(names) == {"ws", "existingStore", "fhir", "many[0]", "many[1]", "last"}
    assert names["existingStore"].existing is True and names["ws"].existing is False
    assert names["fhir"].depends_on == {"ws", "existingStore"}
    assert names["fhir"].symbolic_name == "fhir"
    assert names["last"].depends_on == {"many[0]", "many[1]"}


def test_existing_resources_in_another_group_or_subscription() -> None:
    other = "11111111-1111-1111-1111-111111111111"
    prepared = plan(
        {
            "vault": {
                "existing": True,
                "type": "Microsoft.KeyVault/vaults",
                "apiVersion": "2023-07-01",
                "name": "kv",
                "resourceGroup": "shared",
            },
            "hub": {
                "existing": True,
                "type": "Microsoft.Devices/IotHubs",
                "apiVersion": "2023-06-30",
                "name": "hub",
                "subscriptionId": other,
                "resourceGroup": "iot",
            },
        },
        languageVersion="2.0",
    )
    ids = [r.resource_id for r in prepared.resources]
    assert ids == [
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/shared/providers/Microsoft.KeyVault/vaults/kv",
        f"/subscriptions/{other}/resourceGroups/iot/providers/Microsoft.Devices/IotHubs/hub",
    ]


def test_an_array_of_resources_is_needed_unless_symbolic() -> None:
    with pytest.raises(TemplateError, match="must be an array unless languageVersion"):
        plan({"ws": workspace()})


def test_duplicate_resources_are_refused() -> None:
    with pytest.raises(TemplateError, match="is defined multiple times"):
        plan([workspace(), workspace()])


def test_user_defined_functions() -> None:
    prepared = plan(
        [workspace("[contoso.uniqueName(parameters('prefix'))]")],
        parameters={"prefix": {"type": "string", "defaultValue": "ws"}},
        functions=[
            {
                "namespace": "contoso",
                "members": {
                    "uniqueName": {
                        "parameters": [{"name": "namePrefix", "type": "string"}],
                        "output": {"type": "string", "value": "[concat(toLower(parameters('namePrefix')), 'x')]"},
                    }
                },
            }
        ],
    )
    assert prepared.resources[0].name == "wsx"
