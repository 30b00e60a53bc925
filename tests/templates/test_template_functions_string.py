"""String functions against the examples and documented outputs of Learn's template-functions-string."""

from __future__ import annotations

import re
import uuid

import pytest
from template_fakes import GROUP_ID, evaluate

from arm_emulator.templates import TemplateError


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[base64('one, two, three')]", "b25lLCB0d28sIHRocmVl"),
        ("[base64ToString('b25lLCB0d28sIHRocmVl')]", "one, two, three"),
        # Json.NET reads single-quoted JSON, as the documented example relies on
        ("[base64ToJson(base64('{''one'': ''a'', ''two'': ''b''}'))]", {"one": "a", "two": "b"}),
        ("[dataUri('Hello')]", "data:text/plain;charset=utf8;base64,SGVsbG8="),
        ("[dataUriToString('data:;base64,SGVsbG8sIFdvcmxkIQ==')]", "Hello, World!"),
        ("[concat('prefix', '-', 'abc')]", "prefix-abc"),
        ("[concat(createArray('1-1', '1-2'), createArray('2-1'))]", ["1-1", "1-2", "2-1"]),
        ("[contains('OneTwoThree', 'e')]", True),
        ("[contains('OneTwoThree', 'z')]", False),
        ("[contains('OneTwoThree', 'one')]", False),  # strings are case-sensitive
        ("[startsWith('abcdef', 'ab')]", True),
        ("[startsWith('abcdef', 'A')]", True),  # case-insensitive
        ("[startsWith('abcdef', 'e')]", False),
        ("[endsWith('abcdef', 'ef')]", True),
        ("[endsWith('abcdef', 'F')]", True),
        ("[endsWith('abcdef', 'e')]", False),
        ("[first('One Two Three')]", "O"),
        ("[last('One Two Three')]", "e"),
        (
            "[format('{0}, {1}. Formatted number: {2:N0}', 'Hello', 'User', 8175133)]",
            "Hello, User. Formatted number: 8,175,133",
        ),
        ("[indexOf('test', 't')]", 0),
        ("[lastIndexOf('test', 't')]", 3),
        ("[indexOf('abcdef', 'CD')]", 2),
        ("[lastIndexOf('abcdef', 'AB')]", 0),
        ("[indexOf('abcdef', 'z')]", -1),
        ("[length('One Two Three')]", 13),
        ("[padLeft('123', 10, '0')]", "0000000123"),
        ("[padLeft(123, 5)]", "  123"),
        ("[replace('123-123-1234', '-', '')]", "1231231234"),
        ("[replace('123-123-1234', '1234', 'xxxx')]", "123-123-xxxx"),
        ("[skip('one two three', 4)]", "two three"),
        ("[split('one,two,three', ',')]", ["one", "two", "three"]),
        ("[split('one;two,three', createArray(',', ';'))]", ["one", "two", "three"]),
        ('[string(json(\'{"valueA": 10, "valueB": "Example Text"}\'))]', '{"valueA":10,"valueB":"Example Text"}'),
        ("[string(createArray('a', 'b', 'c'))]", '["a","b","c"]'),
        ("[string(5)]", "5"),
        ("[string(true())]", "True"),
        ("[substring('one two three', 4, 3)]", "two"),
        ("[take('one two three', 2)]", "on"),
        ("[toLower('One Two Three')]", "one two three"),
        ("[toUpper('One Two Three')]", "ONE TWO THREE"),
        ("[trim('    one two three   ')]", "one two three"),
        (
            "[uri('http://contoso.com/resources/', 'nested/azuredeploy.json')]",
            "http://contoso.com/resources/nested/azuredeploy.json",
        ),
        (
            "[uri('http://contoso.com/resources/azuredeploy.json', 'nested/azuredeploy.json')]",
            "http://contoso.com/resources/nested/azuredeploy.json",
        ),
        (
            "[uriComponent('http://contoso.com/resources/nested/azuredeploy.json')]",
            "http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json",
        ),
        (
            "[uriComponentToString('http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json')]",
            "http://contoso.com/resources/nested/azuredeploy.json",
        ),
        ("[empty('')]", True),
        ("[join(createArray('one', 'two', 'three'), ',')]", "one,two,three"),
        ("[join(createArray('a', 1, true()), '-')]", "a-1-True"),
        ("[json('null')]", None),
        ("[json('[1,2,3 ]')]", [1, 2, 3]),
        ("[json(concat('{\"a\": \"', 'demo value', '\"}'))]", {"a": "demo value"}),
    ],
)
def test_documented_examples(expression: str, expected: object) -> None:
    assert evaluate(expression) == expected


def test_bools_print_as_dotnet_does_in_concat_and_format() -> None:
    assert evaluate("[concat('x', true(), 1)]") == "xTrue1"
    assert evaluate("[format('{0}-{1}', false(), 2)]") == "False-2"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[format('{0:N2}', 1234)]", "1,234.00"),
        ("[format('{0:D5}', 42)]", "00042"),
        ("[format('{0:X}', 255)]", "FF"),
        ("[format('{0:x4}', 255)]", "00ff"),
        ("[format('{{literal}} {0}', 'x')]", "{literal} x"),
        ("[format('[{0,5}] [{0,-5}]', 'ab')]", "[   ab] [ab   ]"),
        ("[format('{0:000}', 7)]", "007"),
        ("[format('{0:P0}', 1)]", "100 %"),
    ],
)
def test_format_follows_dotnet_composite_formatting(expression: str, expected: str) -> None:
    assert evaluate(expression) == expected


def test_format_refuses_a_missing_argument() -> None:
    with pytest.raises(TemplateError, match="refers to argument '1'"):
        evaluate("[format('{0} {1}', 'a')]")


def test_substring_out_of_range_has_the_documented_message() -> None:
    with pytest.raises(TemplateError, match="The index parameter: '0', the length parameter: '11'"):
        evaluate("[substring('1234567890', 0, 11)]")


def test_unique_string_and_guid_join_their_arguments_with_a_hyphen() -> None:
    assert evaluate("[uniqueString('test')]") == "rbgf3xv4ufgzg"
    assert evaluate("[uniqueString('hello', 'world')]") == "a7wkljktk6wne"
    assert evaluate("[uniqueString(resourceGroup().id)]") == evaluate(f"[uniqueString('{GROUP_ID}')]")
    namespace = uuid.UUID("11fb06fb-712d-4ddd-98c7-e71bbd588830")
    assert evaluate("[guid('a', 'b')]") == str(uuid.uuid5(namespace, "a-b"))


def test_new_guid_and_utc_now_only_in_parameter_defaults() -> None:
    parameters = {
        "id": {"type": "string", "defaultValue": "[newGuid()]"},
        "stamp": {"type": "string", "defaultValue": "[utcNow('yyyy')]"},
    }
    assert re.fullmatch(r"[0-9a-f-]{36}", evaluate("[parameters('id')]", parameters=parameters))
    assert re.fullmatch(r"\d{4}", evaluate("[parameters('stamp')]", parameters=parameters))
    with pytest.raises(TemplateError, match="'newGuid' is not expected at this location"):
        evaluate("[newGuid()]")
    with pytest.raises(TemplateError, match="'utcNow' is not expected at this location"):
        evaluate("[utcNow()]")


def test_type_errors_name_the_expected_type() -> None:
    with pytest.raises(TemplateError, match="expects its parameter to be of type 'String'"):
        evaluate("[toLower(1)]")
