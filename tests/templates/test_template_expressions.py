"""The expression language: recognising expressions, literals, escapes, calls, member and index access."""

from __future__ import annotations

import pytest
from template_fakes import evaluate

from arm_emulator.templates import TemplateError
from arm_emulator.templates.errors import ExpressionFailure
from arm_emulator.templates.expressions import Call, Index, Literal, Member, is_expression, parse_expression


def test_a_string_is_an_expression_only_when_bracketed_and_not_escaped() -> None:
    assert is_expression("[concat('a')]")
    assert not is_expression("[[concat('a')]")
    assert not is_expression("plain [text]")
    assert not is_expression("[")


def test_escaped_brackets_are_literal_text() -> None:
    assert evaluate("[[concat('a')]") == "[concat('a')]"
    assert evaluate("no expression") == "no expression"


def test_the_parser_builds_calls_members_and_indexes() -> None:
    node = parse_expression("split(parameters('x'), ',')[1].name")
    assert isinstance(node, Member) and node.name == "name"
    assert isinstance(node.target, Index)
    call = node.target.target
    assert isinstance(call, Call) and call.key == "split"
    assert call.args[1] == Literal(",")


def test_string_literals_double_their_quotes_and_integers_may_be_negative() -> None:
    assert evaluate("[concat('it''s', ' ', string(-5))]") == "it's -5"
    assert evaluate("['']") == ""


def test_function_parameter_and_variable_names_are_case_insensitive() -> None:
    result = evaluate(
        "[CONCAT(Parameters('WORKSPACENAME'), variables('suffixVALUE'))]",
        parameters={"workspaceName": {"type": "string", "defaultValue": "ws"}},
        variables={"SuffixValue": "-1"},
    )
    assert result == "ws-1"


def test_member_access_on_objects_is_case_insensitive_and_index_reads_arrays_and_objects() -> None:
    assert evaluate("[resourceGroup().LOCATION]") == "westeurope"
    assert evaluate("[createArray('a', 'b')[1]]") == "b"
    assert evaluate("[createObject('k', 'v')['k']]") == "v"
    assert evaluate("[environment().authentication.loginEndpoint]") == "https://login.microsoftonline.com/"


def test_whole_values_can_be_any_json_type() -> None:
    assert evaluate("[json('{\"a\": [1, true, null]}')]") == {"a": [1, True, None]}
    assert evaluate({"[concat('k', '1')]": "[add(1, 2)]", "list": ["[true()]"]}) == {"k1": 3, "list": [True]}


@pytest.mark.parametrize(
    "text",
    ["concat('a'", "concat('a'))", "'unterminated", "concat('a') extra", "1.5", "a.b", "concat(,)", "#"],
)
def test_malformed_expressions_are_refused(text: str) -> None:
    with pytest.raises(ExpressionFailure):
        parse_expression(text)


def test_an_unknown_function_is_an_invalid_template() -> None:
    with pytest.raises(TemplateError) as caught:
        evaluate("[foo()]")
    assert caught.value.code == "InvalidTemplate"
    assert "The template function 'foo' is not valid" in caught.value.message


def test_missing_properties_and_out_of_range_indexes_have_arm_messages() -> None:
    with pytest.raises(TemplateError, match="doesn't exist, available properties are"):
        evaluate("[resourceGroup().nope]")
    with pytest.raises(TemplateError, match="array index '5' is out of bounds"):
        evaluate("[createArray(1)[5]]")


def test_wrong_argument_counts_are_refused() -> None:
    with pytest.raises(TemplateError, match="function requires 1 argument"):
        evaluate("[toLower('a', 'b')]")


def test_metadata_and_comments_are_never_evaluated() -> None:
    from template_fakes import group_scope, template

    from arm_emulator.templates import prepare

    body = template(
        [
            {
                "type": "A.B/c",
                "apiVersion": "1",
                "name": "n",
                "comments": "[not an expression",
                "metadata": {"description": "[Required] the name"},
            }
        ],
        parameters={"p": {"type": "string", "defaultValue": "x", "metadata": {"description": "[Required] p"}}},
        metadata={"note": "[anything goes here]"},
    )
    assert [r.name for r in prepare(body, {}, group_scope()).resources] == ["n"]
