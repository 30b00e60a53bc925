"""Parameters (types, defaults, constraints, secure echo), variables (lazy, cycles, copy) and outputs."""

from __future__ import annotations

import pytest
from template_fakes import FakeHost, group_scope, template

from arm_emulator.templates import TemplateError, prepare


def bind(parameters: dict, values: dict | None = None) -> dict:
    prepared = prepare(
        template(parameters=parameters), {k: {"value": v} for k, v in (values or {}).items()}, group_scope()
    )
    return prepared.parameters


def test_echo_capitalises_types_and_hides_secure_values() -> None:
    echo = bind(
        {
            "name": {"type": "string"},
            "count": {"type": "Int", "defaultValue": 2},
            "flag": {"type": "BOOL", "defaultValue": True},
            "settings": {"type": "object", "defaultValue": {"a": 1}},
            "zones": {"type": "array", "defaultValue": []},
            "password": {"type": "secureString"},
            "secrets": {"type": "secureObject", "defaultValue": {"k": "v"}},
        },
        {"NAME": "x", "password": "p@ss"},
    )
    assert echo == {
        "name": {"type": "String", "value": "x"},
        "count": {"type": "Int", "value": 2},
        "flag": {"type": "Bool", "value": True},
        "settings": {"type": "Object", "value": {"a": 1}},
        "zones": {"type": "Array", "value": []},
        "password": {"type": "SecureString"},
        "secrets": {"type": "SecureObject"},
    }


def test_defaults_may_be_expressions_over_other_parameters_and_the_scope() -> None:
    echo = bind(
        {
            "prefix": {"type": "string", "defaultValue": "st"},
            "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
            "storage": {
                "type": "string",
                "defaultValue": "[take(format('{0}{1}', parameters('prefix'), uniqueString(resourceGroup().id)), 24)]",
            },
        }
    )
    assert echo["location"]["value"] == "westeurope"
    assert echo["storage"]["value"].startswith("st") and len(echo["storage"]["value"]) == 15


def test_a_missing_value_has_arms_message() -> None:
    with pytest.raises(TemplateError) as caught:
        bind({"workspaceName": {"type": "string"}})
    assert caught.value.code == "InvalidTemplate"
    assert caught.value.message == (
        "Deployment template validation failed: 'The value for the template parameter 'workspaceName' at line '1' "
        "and column '0' is not provided. Please see https://aka.ms/arm-create-parameter-file for usage details.'."
    )


def test_allowed_values_are_enforced_with_arms_message() -> None:
    definition = {"sku": {"type": "string", "allowedValues": ["a", "b"]}}
    assert bind(definition, {"sku": "b"})["sku"]["value"] == "b"
    with pytest.raises(TemplateError, match=r"The value 'y' is not part of the allowed value\(s\): 'a,b'"):
        bind(definition, {"sku": "y"})
    with pytest.raises(TemplateError, match="'c' is not part"):
        bind({"list": {"type": "array", "allowedValues": ["a", "b"]}}, {"list": ["a", "c"]})


@pytest.mark.parametrize(
    ("definition", "value", "message"),
    [
        ({"type": "string", "minLength": 3}, "ab", "greater than or equal to '3'"),
        ({"type": "string", "maxLength": 3}, "abcd", "less than or equal to '3'"),
        ({"type": "array", "maxLength": 1}, [1, 2], "less than or equal to '1'"),
        ({"type": "int", "minValue": 1}, 0, "less than the minimum value '1'"),
        ({"type": "int", "maxValue": 5}, 6, "greater than the maximum value '5'"),
        ({"type": "int"}, "abc", "Expected 'Integer'. Actual 'String'"),
        ({"type": "bool"}, 1, "Expected 'Boolean'. Actual 'Integer'"),
        ({"type": "object"}, [], "Expected 'Object'. Actual 'Array'"),
        ({"type": "string"}, 5, "Expected 'String, Uri'. Actual 'Integer'"),
    ],
)
def test_constraints_and_types_are_enforced(definition: dict, value: object, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        bind({"p": definition}, {"p": value})


def test_user_defined_types_give_parameters_their_type_and_constraints() -> None:
    body = template(
        parameters={
            "sku": {"$ref": "#/definitions/skuName"},
            "tier": {"$ref": "#/definitions/skuName", "defaultValue": "b"},
        },
        definitions={"skuName": {"type": "string", "allowedValues": ["a", "b"]}},
        languageVersion="2.0",
    )
    body["resources"] = {}
    prepared = prepare(body, {"sku": {"value": "a"}}, group_scope())
    assert prepared.parameters == {"sku": {"type": "String", "value": "a"}, "tier": {"type": "String", "value": "b"}}
    with pytest.raises(TemplateError, match="not part of the allowed value"):
        prepare(body, {"sku": {"value": "z"}}, group_scope())


def test_strings_convert_to_int_and_bool_as_parameter_files_send_them() -> None:
    echo = bind({"n": {"type": "int"}, "b": {"type": "bool"}}, {"n": "42", "b": "true"})
    assert echo["n"]["value"] == 42 and echo["b"]["value"] is True


def test_unknown_types_unknown_parameters_and_key_vault_references_are_refused() -> None:
    with pytest.raises(TemplateError, match="has an invalid type 'text'"):
        bind({"p": {"type": "text"}})
    with pytest.raises(TemplateError, match="The template parameters 'extra' in the parameters file are not valid"):
        bind({"p": {"type": "string", "defaultValue": "x"}}, {"extra": 1})
    with pytest.raises(TemplateError, match="Key Vault reference"):
        prepare(
            template(parameters={"p": {"type": "securestring"}}),
            {"p": {"reference": {"keyVault": {"id": "/x"}, "secretName": "s"}}},
            group_scope(),
        )


def test_an_unknown_parameter_reference_is_a_validation_failure() -> None:
    with pytest.raises(TemplateError) as caught:
        prepare(
            template(outputs={"o": {"type": "string", "value": "[parameters('nope')]"}}), {}, group_scope()
        ).outputs(FakeHost())
    assert caught.value.message == (
        "Deployment template validation failed: 'The template parameter 'nope' is not found. Please see "
        "https://aka.ms/arm-syntax-parameters for usage details.'."
    )


def test_variables_are_lazy_cross_referencing_and_case_insensitive() -> None:
    prepared = prepare(
        template(
            parameters={"name": {"type": "string", "defaultValue": "ws"}},
            variables={
                "fhirName": "[format('{0}-fhir', variables('BASE'))]",
                "base": "[parameters('name')]",
                "unused": "[div(1, 0)]",  # never read, so never evaluated
                "nested": {"a": "[variables('base')]", "list": ["[variables('fhirName')]"]},
            },
        ),
        {},
        group_scope(),
    )
    assert prepared.evaluate("[variables('nested')]") == {"a": "ws", "list": ["ws-fhir"]}


def test_variable_cycles_are_refused() -> None:
    prepared = prepare(template(variables={"a": "[variables('b')]", "b": "[variables('a')]"}), {}, group_scope())
    with pytest.raises(TemplateError, match="circular reference"):
        prepared.evaluate("[variables('a')]")


def test_variable_copy_loops_and_property_copies() -> None:
    prepared = prepare(
        template(
            variables={
                "copy": [{"name": "disks", "count": 3, "input": "[concat('disk', copyIndex('disks', 1))]"}],
                "config": {"copy": [{"name": "items", "count": 2, "input": {"id": "[copyIndex('items')]"}}]},
            }
        ),
        {},
        group_scope(),
    )
    assert prepared.evaluate("[variables('disks')]") == ["disk1", "disk2", "disk3"]
    assert prepared.evaluate("[variables('config')]") == {"items": [{"id": 0}, {"id": 1}]}


def test_outputs_have_capitalised_types_conditions_copies_and_hidden_secure_values() -> None:
    prepared = prepare(
        template(
            outputs={
                "s": {"type": "string", "value": "a"},
                "i": {"type": "int", "value": "[add(1, 1)]"},
                "b": {"type": "bool", "value": "[true()]"},
                "o": {"type": "object", "value": {"k": "[concat('v', '1')]"}},
                "a": {"type": "array", "copy": {"count": 2, "input": "[copyIndex()]"}},
                "secret": {"type": "securestring", "value": "hidden"},
                "skipped": {"type": "string", "condition": "[false()]", "value": "[div(1, 0)]"},
                "userTyped": {"$ref": "#/definitions/pair", "value": {"a": 1}},
            }
        ),
        {},
        group_scope(),
    )
    assert prepared.outputs(FakeHost()) == {
        "s": {"type": "String", "value": "a"},
        "i": {"type": "Int", "value": 2},
        "b": {"type": "Bool", "value": True},
        "o": {"type": "Object", "value": {"k": "v1"}},
        "a": {"type": "Array", "value": [0, 1]},
        "secret": {"type": "SecureString"},
        "userTyped": {"type": "Object", "value": {"a": 1}},
    }


def test_an_output_that_fails_reports_deployment_output_evaluation_failed() -> None:
    prepared = prepare(template(outputs={"o": {"type": "string", "value": "[createArray(1)[3]]"}}), {}, group_scope())
    with pytest.raises(TemplateError) as caught:
        prepared.outputs(FakeHost())
    assert caught.value.code == "DeploymentOutputEvaluationFailed"
    assert "out of bounds" in caught.value.details[0]["message"]
