"""Settings: every one is in the table of docs/settings.md; read from flags, environment and
defaults."""

from dataclasses import fields
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.settings import SETTINGS, Settings

SETTINGS_PAGE = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_in_the_settings_table(setting) -> None:  # type: ignore[no-untyped-def]
    rows = [line for line in SETTINGS_PAGE.read_text().splitlines() if line.startswith("| `")]
    assert any(
        row.startswith(f"| `{setting.name}` | `KG_{setting.name.upper()}` |") for row in rows
    ), f"docs/settings.md's table lacks {setting.name}"


def test_flags_win_over_environment_and_environment_over_defaults() -> None:
    env = {"KG_PORT": "9001", "KG_QUERY_TIMEOUT": "2.5", "KG_LOAD_ARTICLE": "false"}
    assert Settings.load(env).port == 9001
    assert Settings.load(env).query_timeout == 2.5
    assert Settings.load(env).load_article is False
    assert Settings.load(env, port=9100).port == 9100
    assert Settings.load({}).port == 8000


def test_a_bad_value_names_the_variable() -> None:
    with pytest.raises(InputError, match="KG_PORT"):
        Settings.load({"KG_PORT": "eighty"})


def test_secrets_are_hidden_in_public_settings() -> None:
    public = Settings.load({"KG_WRITE_TOKEN": "s3cret-token"}).public()
    assert public["write_token"] == "(set)"
    assert "s3cret-token" not in repr(Settings.load({"KG_WRITE_TOKEN": "s3cret-token"}))


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_has_a_help_text(setting) -> None:  # type: ignore[no-untyped-def]
    assert setting.help.strip().endswith((".", ")")), f"{setting.name} has no help sentence"


def test_the_table_is_the_fields_of_settings() -> None:
    declared = {f.name: f.default for f in fields(Settings)}
    assert {s.name: s.default for s in SETTINGS} == declared
    assert Settings().public() == {s.name: "(not set)" if s.secret else s.default for s in SETTINGS}


#: A value of each type a setting can have, different from every default, as a variable reads.
SAMPLES: dict[str, tuple[object, str]] = {
    "str": ("sample", "sample"),
    "int": (7, "7"),
    "float": (0.5, "0.5"),
    "bool": (False, "off"),
}


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_each_setting_is_read_from_its_flag_then_its_variable_then_its_default(
    setting,  # type: ignore[no-untyped-def]
) -> None:
    kind = str(next(f.type for f in fields(Settings) if f.name == setting.name)).split()[0]
    value, raw = SAMPLES[kind]
    flag = {"str": "flag", "int": 9, "float": 1.5, "bool": True}[kind]
    variable = {f"KG_{setting.name.upper()}": raw}
    assert getattr(Settings.load({}), setting.name) == setting.default
    assert getattr(Settings.load(variable), setting.name) == value
    assert getattr(Settings.load(variable, **{setting.name: flag}), setting.name) == flag
    assert getattr(Settings.load({}, **{setting.name: None}), setting.name) == setting.default
