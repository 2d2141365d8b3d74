"""The bounded loaders every parser of untrusted text uses: what they refuse, and that they still read
what people really write. Refusals are asserted by their message, never by a timing: the budgets make
the work bounded by construction (benchmarks measure speed)."""

from pathlib import Path

import pytest

from catalog.parsing import MAX_DEPTH, Malformed, ParseError, TooComplex, load_json, load_yaml_documents

HOSTILE = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
BACKSTAGE = Path(__file__).resolve().parent.parent / "fixtures" / "backstage"


def nested_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_yaml(depth: int) -> str:
    """Block mappings, one level per line: `a:` indented one more space each time."""
    return "".join(" " * level + "a:\n" for level in range(depth)) + " " * depth + "leaf\n"


def test_json_within_the_depth_limit_loads_as_json_does():
    text = '{"a": ' * (MAX_DEPTH - 1) + "[1, 2.5, null, true]" + "}" * (MAX_DEPTH - 1)

    value = load_json(text)

    for _ in range(MAX_DEPTH - 1):
        value = value["a"]
    assert value == [1, 2.5, None, True]
    assert load_json(b'{"zen": "Design for failure."}') == {"zen": "Design for failure."}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 100_000])
def test_json_nested_deeper_than_the_limit_is_refused(depth):
    with pytest.raises(TooComplex, match=f"the JSON is nested deeper than {MAX_DEPTH} levels"):
        load_json(nested_json(depth))


def test_the_depth_limit_can_be_lowered_by_the_caller():
    assert load_json(nested_json(3), max_depth=3) == [[[]]]
    with pytest.raises(TooComplex, match="deeper than 3 levels"):
        load_json(nested_json(4), max_depth=3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"name" "x"}', r"not valid JSON: Expecting ':' delimiter at line 1, column 9"),
        ("[1, 2", r"not valid JSON: Expecting ',' delimiter at line 1, column 6"),
        (b"\xff\xfe{}", r"not UTF-8 text \(byte 0\)"),
        ("[" + "1" * 5_000 + "]", r"not valid JSON: a number has more than 4300 digits"),
    ],
    ids=["no colon", "unclosed", "not utf-8", "a number too long to convert"],
)
def test_malformed_json_is_refused_with_where_and_why(text, message):
    with pytest.raises(Malformed, match=message) as error:
        load_json(text)
    assert isinstance(error.value, ParseError) and isinstance(error.value, ValueError)


def test_json_constants_that_are_not_json_can_be_refused():
    assert load_json('{"n": 1}', allow_constants=False) == {"n": 1}
    with pytest.raises(Malformed, match="not valid JSON: NaN is not a JSON value"):
        load_json('{"n": NaN}', allow_constants=False)


def test_every_backstage_example_loads_as_pyyaml_safe_load_all_reads_it():
    import yaml

    for path in sorted(BACKSTAGE.glob("*.yaml")):
        text = path.read_text()
        if path.name == "invalid-component.yaml":
            continue
        assert load_yaml_documents(text, max_nodes=10_000) == list(yaml.safe_load_all(text)), path.name


def test_the_billion_laughs_file_is_refused_for_its_aliases():
    text = (HOSTILE / "billion-laughs.yaml").read_text()
    assert len(text.encode()) < 600

    with pytest.raises(TooComplex, match=r"the YAML's aliases \(\*[a-h]\) stand for more than 1,000 values"):
        load_yaml_documents(text, max_nodes=1_000_000, max_alias_nodes=1_000)


def test_a_few_aliases_within_the_budget_load_as_written():
    text = """
defaults: &defaults {type: service, lifecycle: production}
one: {<<: *defaults, owner: team-a}
two: {<<: *defaults, owner: team-b}
tags: &tags [java, data]
again: *tags
"""
    (document,) = load_yaml_documents(text, max_nodes=100)

    assert document["one"] == {"type": "service", "lifecycle": "production", "owner": "team-a"}
    assert document["two"]["owner"] == "team-b"
    assert document["again"] == ["java", "data"]


def test_aliases_to_long_text_count_its_characters():
    long = "x" * 20_000
    text = f"long: &long {long}\nmany: [{', '.join(['*long'] * 60)}]\n"

    with pytest.raises(
        TooComplex, match=r"the YAML's aliases \(\*long\) stand for more than 1,000,000 characters"
    ):
        load_yaml_documents(text, max_nodes=10_000)


def test_an_alias_inside_the_value_it_names_is_refused():
    with pytest.raises(TooComplex, match=r"the YAML alias \*loop is inside the value it names"):
        load_yaml_documents("loop: &loop [a, *loop]\n", max_nodes=100)


def test_a_yaml_stream_with_more_values_than_allowed_is_refused():
    # Seven values each: the two mappings, three keys and two scalars.
    text = "---\n".join(f"kind: Component\nmetadata: {{name: c{i}}}\n" for i in range(30))

    assert len(load_yaml_documents(text, max_nodes=30 * 7)) == 30
    with pytest.raises(TooComplex, match=r"the YAML has more than 100 values"):
        load_yaml_documents(text, max_nodes=100)


@pytest.mark.parametrize(
    "text",
    [nested_yaml(MAX_DEPTH + 1), "[" * 100_000, "{a: " * 100_000],
    ids=["block mappings", "flow sequences", "flow mappings"],
)
def test_yaml_nested_deeper_than_the_limit_is_refused(text):
    with pytest.raises(TooComplex, match=f"the YAML is nested deeper than {MAX_DEPTH} levels"):
        load_yaml_documents(text, max_nodes=1_000_000)


def test_yaml_within_the_depth_limit_loads():
    (document,) = load_yaml_documents(nested_yaml(MAX_DEPTH - 1), max_nodes=1_000)

    for _ in range(MAX_DEPTH - 1):
        document = document["a"]
    assert document == "leaf"


def test_malformed_yaml_is_refused_with_its_line():
    with pytest.raises(Malformed, match=r"^not valid YAML at line 3$"):
        load_yaml_documents("kind: Component\nmetadata:\n  name: x: y\nspec: {}\n", max_nodes=100)
    with pytest.raises(Malformed, match="not valid YAML"):
        load_yaml_documents("a: *undefined\n", max_nodes=100)


def test_yaml_tags_beyond_the_safe_ones_are_refused_as_safe_load_refuses_them():
    with pytest.raises(Malformed, match="not valid YAML at line 1"):
        load_yaml_documents("!!python/object/apply:os.system [echo hi]\n", max_nodes=100)
