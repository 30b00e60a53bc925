"""Array, object, logical, comparison and numeric functions against Learn's documented examples."""

from __future__ import annotations

import pytest
from template_fakes import evaluate

from arm_emulator.templates import TemplateError

OBJECT_PARAMETERS = {
    "first": {"type": "object", "defaultValue": {"one": "a", "two": "b", "three": "c1"}},
    "second": {"type": "object", "defaultValue": {"three": "c2", "four": "d", "five": "e"}},
    "nested1": {
        "type": "object",
        "defaultValue": {"property": {"one": "a", "two": "b", "three": "c1"}, "nestedArray": [1, 2]},
    },
    "nested2": {
        "type": "object",
        "defaultValue": {"property": {"three": "c2", "four": "d", "five": "e"}, "nestedArray": [3, 4]},
    },
    "items": {"type": "object", "defaultValue": {"item002": {"enabled": False}, "item001": {"enabled": True}}},
    "dogs": {
        "type": "array",
        "defaultValue": [
            {"name": "Evie", "age": 5, "interests": ["Ball", "Frisbee"]},
            {"name": "Casper", "age": 3, "interests": ["Other dogs"]},
            {"name": "Indy", "age": 2, "interests": ["Butter"]},
            {"name": "Kira", "age": 8, "interests": ["Rubs"]},
        ],
    },
}


def ev(expression: str) -> object:
    return evaluate(expression, parameters=OBJECT_PARAMETERS)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[array(1)]", [1]),
        ("[array('efgh')]", ["efgh"]),
        ("[array(createObject('a', 'b'))]", [{"a": "b"}]),
        ("[createArray('a', 'b', 'c')]", ["a", "b", "c"]),
        ("[contains(createArray('one', 'two'), 'two')]", True),
        ("[contains(parameters('first'), 'ONE')]", True),  # object keys: case-insensitive
        ("[empty(createArray())]", True),
        ("[empty(createObject())]", True),
        ("[first(createArray('one', 'two', 'three'))]", "one"),
        ("[last(createArray('one', 'two', 'three'))]", "three"),
        ("[indexOf(createArray('a', 'b', 'c'), 'b')]", 1),
        ("[indexOf(createArray(1, 2, 3), 4)]", -1),
        ("[lastIndexOf(createArray('a', 'b', 'a'), 'a')]", 2),
        ("[intersection(createArray('one', 'two', 'three'), createArray('two', 'three'))]", ["two", "three"]),
        (
            "[intersection(createObject('one', 'a', 'two', 'b', 'three', 'c'), "
            "createObject('one', 'a', 'two', 'z', 'three', 'c'))]",
            {"one": "a", "three": "c"},
        ),
        ("[length(createArray('one', 'two', 'three'))]", 3),
        ("[length(createObject('a', 1, 'b', 2, 'c', 3, 'd', 4))]", 4),
        ("[min(createArray(0, 3, 2, 5, 4))]", 0),
        ("[max(0, 3, 2, 5, 4)]", 5),
        ("[range(1, 3)]", [1, 2, 3]),
        ("[range(5, 0)]", []),
        ("[skip(createArray('one', 'two', 'three'), 2)]", ["three"]),
        ("[take(createArray('one', 'two', 'three'), 2)]", ["one", "two"]),
        ("[take(createArray('one'), -1)]", []),
        ("[union(createArray('one', 'two', 'three'), createArray('three', 'four'))]", ["one", "two", "three", "four"]),
        (
            "[union(parameters('first'), parameters('second'))]",
            {"one": "a", "two": "b", "three": "c2", "four": "d", "five": "e"},
        ),
        (
            "[union(parameters('nested1'), parameters('nested2'))]",
            {"property": {"one": "a", "two": "b", "three": "c2", "four": "d", "five": "e"}, "nestedArray": [3, 4]},
        ),
        (
            "[flatten(createArray(createArray('one', 'two'), createArray('three'), createArray()))]",
            ["one", "two", "three"],
        ),
        ("[tryIndexFromEnd(createArray(1, 2, 3), 1)]", 3),
        ("[tryIndexFromEnd(createArray(1, 2, 3), 4)]", None),
        ("[indexFromEnd(createArray(1, 2, 3), 3)]", 1),
        (
            "[createObject('intProp', 1, 'stringProp', 'abc', 'boolProp', true())]",
            {"intProp": 1, "stringProp": "abc", "boolProp": True},
        ),
        ("[null()]", None),
        (
            "[items(parameters('items'))]",
            [{"key": "item001", "value": {"enabled": True}}, {"key": "item002", "value": {"enabled": False}}],
        ),
        ("[objectKeys(createObject('a', 1, 'b', 2))]", ["a", "b"]),
        (
            "[shallowMerge(createArray(createObject('one', 'a'), createObject('two', 'b'), createObject('two', 'c')))]",
            {"one": "a", "two": "c"},
        ),
        ("[tryGet(parameters('nested1'), 'property', 'three')]", "c1"),
        ("[tryGet(parameters('nested1'), 'missing')]", None),
        ("[tryGet(parameters('nested1'), 'nestedArray', 5)]", None),
    ],
)
def test_array_and_object_functions(expression: str, expected: object) -> None:
    assert ev(expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[and(true(), false())]", False),
        ("[or(true(), false())]", True),
        ("[not(true())]", False),
        ("[bool('true')]", True),
        ("[bool(0)]", False),
        ("[if(equals('a', 'a'), 'yes', 'no')]", "yes"),
        ("[equals(createArray('a'), createArray('a'))]", True),
        ("[equals(createObject('a', 1), createObject('a', 1))]", True),
        ("[equals('a', 'A')]", False),
        ("[equals(1, '1')]", False),
        ("[coalesce(null(), null(), 'c')]", "c"),
        ("[coalesce(null())]", None),
        ("[greater(10, 5)]", True),
        ("[greater('A', 'a')]", False),
        ("[greaterOrEquals(5, 5)]", True),
        ("[less('A', 'a')]", True),
        ("[lessOrEquals(10, 5)]", False),
    ],
)
def test_logical_and_comparison_functions(expression: str, expected: object) -> None:
    assert ev(expression) == expected


def test_if_evaluates_only_the_branch_it_takes() -> None:
    # the untaken branch would fail (missing property, division by zero)
    assert ev("[if(true(), 'safe', div(1, 0))]") == "safe"
    assert ev("[if(false(), parameters('first').missing, 'other')]") == "other"


def test_and_or_short_circuit() -> None:
    assert ev("[and(false(), div(1, 0))]") is False
    assert ev("[or(true(), div(1, 0))]") is True


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[add(5, 3)]", 8),
        ("[sub(7, 3)]", 4),
        ("[mul(5, 3)]", 15),
        ("[div(8, 3)]", 2),
        ("[div(-8, 3)]", -2),
        ("[mod(7, 3)]", 1),
        ("[mod(-7, 3)]", -1),
        ("[int('4')]", 4),
        ("[float('3.5')]", 3.5),
        ("[min(3, 1, 2)]", 1),
    ],
)
def test_numeric_functions(expression: str, expected: object) -> None:
    assert ev(expression) == expected


def test_division_by_zero_is_an_expression_error() -> None:
    with pytest.raises(TemplateError, match="must not be zero"):
        ev("[div(1, 0)]")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (
            "[filter(parameters('dogs'), lambda('dog', greaterOrEquals(lambdaVariables('dog').age, 5)))]",
            ["Evie", "Kira"],
        ),
        ("[map(parameters('dogs'), lambda('dog', lambdaVariables('dog').name))]", ["Evie", "Casper", "Indy", "Kira"]),
        (
            "[map(range(0, 2), lambda('i', 'x', format('{0}-{1}', lambdaVariables('i'), lambdaVariables('x'))))]",
            ["0-0", "1-1"],
        ),
        (
            "[reduce(map(parameters('dogs'), lambda('d', lambdaVariables('d').age)), 0, "
            "lambda('cur', 'next', add(lambdaVariables('cur'), lambdaVariables('next'))))]",
            18,
        ),
        (
            "[map(sort(parameters('dogs'), lambda('a', 'b', "
            "less(lambdaVariables('a').age, lambdaVariables('b').age))), "
            "lambda('d', lambdaVariables('d').name))]",
            ["Indy", "Casper", "Evie", "Kira"],
        ),
        (
            "[objectKeys(toObject(parameters('dogs'), lambda('entry', lambdaVariables('entry').name)))]",
            ["Evie", "Casper", "Indy", "Kira"],
        ),
        (
            "[toObject(createArray('a', 'b'), lambda('x', lambdaVariables('x')), "
            "lambda('x', toUpper(lambdaVariables('x'))))]",
            {"a": "A", "b": "B"},
        ),
        (
            "[groupBy(createArray('foo', 'bar', 'baz'), lambda('x', substring(lambdaVariables('x'), 0, 1)))]",
            {"f": ["foo"], "b": ["bar", "baz"]},
        ),
        ("[filter(range(0, 10), lambda('i', equals(0, mod(lambdaVariables('i'), 2))))]", [0, 2, 4, 6, 8]),
        (
            "[reduce(createArray(createObject('foo', 123), createObject('bar', 456), createObject('baz', 789)), "
            "createObject(), lambda('cur', 'next', union(lambdaVariables('cur'), lambdaVariables('next'))))]",
            {"foo": 123, "bar": 456, "baz": 789},
        ),
        ("[mapValues(createObject('foo', 'foo'), lambda('val', toUpper(lambdaVariables('val'))))]", {"foo": "FOO"}),
    ],
)
def test_lambda_functions(expression: str, expected: object) -> None:
    result = ev(expression)
    if isinstance(result, list) and result and isinstance(result[0], dict):
        result = [item["name"] for item in result]
    assert result == expected


def test_lambda_variables_outside_a_lambda_are_refused() -> None:
    with pytest.raises(TemplateError, match="lambda variable 'x' is not defined"):
        ev("[lambdaVariables('x')]")
