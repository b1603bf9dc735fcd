"""Level policy as data: the schema-checked policy file and `levels_reached`."""

from __future__ import annotations

import json

import pytest

from issuer.errors import FrameworkError
from issuer.frameworks import LevelPolicy, levels_reached, load_framework, parse_policy
from issuer.frameworks.policy import policy_schema

from .conftest import BUNDLED_FILE, dump


def test_bundled_policy_is_applied(fw):
    assert fw.policy.pass_mark == 0.8
    assert fw.policy.human_code_prefix == "PT"
    assert fw.policy.rule("proficient").min_statements == 10


def test_missing_policy_gives_defaults(doc):
    fw = load_framework(BUNDLED_FILE.read_bytes())
    assert fw.policy == LevelPolicy()
    assert fw.policy.pass_mark == 0.8
    assert fw.human_code_prefix == "PT"  # initials of "Pharmacy Technicians"
    assert fw.name == "Pharmacy Technicians Competency Framework"
    assert [fw.policy.required_count(fw, lv.key) for lv in fw.levels] == [10, 10, 10, 10]


def test_all_ten_needed_by_default(fw):
    nine = set(fw.level("proficient").codes[:9])
    assert levels_reached(fw, fw.policy, nine) == []
    assert levels_reached(fw, fw.policy, nine | {"P10"}) == ["proficient"]


def test_levels_are_independent_and_ordered(fw):
    passed = set(fw.level("advanced").codes) | set(fw.level("emerging").codes) | {"D01", "P05"}
    assert levels_reached(fw, fw.policy, passed) == ["emerging", "advanced"]
    assert levels_reached(fw, fw.policy, {s.code for s in fw.statements}) == list(
        ["emerging", "developing", "proficient", "advanced"])
    assert levels_reached(fw, fw.policy, set()) == []


def test_min_statements_is_honoured():
    policy = json.dumps({"levels": {"developing": {"minStatements": 8}}}).encode()
    fw = load_framework(BUNDLED_FILE.read_bytes(), policy=policy)
    codes = fw.level("developing").codes
    assert levels_reached(fw, fw.policy, set(codes[:7])) == []
    assert levels_reached(fw, fw.policy, set(codes[2:10])) == ["developing"]
    assert levels_reached(fw, fw.policy, set(fw.level("emerging").codes[:8])) == []


def test_unknown_statement_code_is_an_error(fw):
    with pytest.raises(FrameworkError) as err:
        levels_reached(fw, fw.policy, {"P01", "Z99"})
    assert err.value.code == "statement_unknown"


@pytest.mark.parametrize(
    ("policy", "path"),
    [
        ({"passMark": 1.5}, ("passMark",)),
        ({"passMark": "0.8"}, ("passMark",)),
        ({"humanCodePrefix": "pt"}, ("humanCodePrefix",)),
        ({"levels": {"expert": {}}}, ("levels",)),
        ({"levels": {"advanced": {"minStatements": 0}}}, ("levels", "advanced", "minStatements")),
        ({"levels": {"advanced": {"minStatement": 3}}}, ("levels", "advanced")),
        ({"unknown": 1}, ()),
    ],
)
def test_invalid_policy_names_the_field(policy, path):
    with pytest.raises(FrameworkError) as err:
        parse_policy(json.dumps(policy).encode())
    assert err.value.code == "policy_invalid"
    assert err.value.path == path


def test_min_statements_above_statement_count_is_rejected():
    policy = json.dumps({"levels": {"advanced": {"minStatements": 11}}}).encode()
    with pytest.raises(FrameworkError) as err:
        load_framework(BUNDLED_FILE.read_bytes(), policy=policy)
    assert err.value.path == ("levels", "advanced", "minStatements")


def test_policy_file_validates_against_bundled_schema():
    import jsonschema

    from issuer.frameworks.loader import policy_path_for

    data = json.loads(policy_path_for(BUNDLED_FILE).read_bytes())
    jsonschema.Draft202012Validator.check_schema(policy_schema())
    jsonschema.Draft202012Validator(policy_schema()).validate(data)


def test_policy_not_json(doc):
    with pytest.raises(FrameworkError) as err:
        load_framework(dump(doc), policy=b"{nope")
    assert err.value.code == "policy_invalid"


def test_validity_and_renewal_window_per_level():
    policy = json.dumps({"levels": {"proficient": {"validForDays": 365, "renewWithinDays": 45},
                                    "advanced": {"validForDays": 730}}}).encode()
    fw = load_framework(BUNDLED_FILE.read_bytes(), policy=policy)
    assert (fw.policy.rule("proficient").valid_for_days, fw.policy.rule("proficient").renew_within_days) == (365, 45)
    assert (fw.policy.rule("advanced").valid_for_days, fw.policy.rule("advanced").renew_within_days) == (730, 30)
    assert fw.policy.rule("emerging").valid_for_days is None  # no validForDays: never expires


@pytest.mark.parametrize(("rule", "field"), [({"validForDays": 0}, "validForDays"),
                                             ({"validForDays": 30, "renewWithinDays": -1}, "renewWithinDays"),
                                             ({"validForDays": "365"}, "validForDays")])
def test_invalid_validity_names_the_field(rule, field):
    with pytest.raises(FrameworkError) as err:
        parse_policy(json.dumps({"levels": {"proficient": rule}}).encode())
    assert err.value.path == ("levels", "proficient", field)


def test_a_renewal_window_as_long_as_the_validity_is_rejected():
    policy = json.dumps({"levels": {"proficient": {"validForDays": 30, "renewWithinDays": 30}}}).encode()
    with pytest.raises(FrameworkError) as err:
        load_framework(BUNDLED_FILE.read_bytes(), policy=policy)
    assert err.value.path == ("levels", "proficient", "renewWithinDays")
