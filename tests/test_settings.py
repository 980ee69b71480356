"""Settings: every one is in the table of docs/settings.md; read from flags, environment and
defaults."""

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
