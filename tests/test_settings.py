"""config.yaml is read into frozen, validated models: a wrong key is an error naming it."""

from __future__ import annotations

import pydantic
import pytest
import yaml

from marketintel.settings import CONFIG_PATH, SettingsError, parse_settings, settings


def _raw() -> dict:
    return yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "path, value, named",
    [
        (("theme", "backgroud"), "#FFFFFF", "theme.backgroud: unknown key"),
        (("app", "short_title"), "HealthTech", "app.short_title: unknown key"),
        (("units", "currency"), "USD", "units.currency: unknown key"),
        (("provenance", "reported", "dash"), "solid", "provenance.reported.dash: unknown key"),
        (("validation", "max_file_bytes"), "lots", "validation.max_file_bytes: Input should be a valid integer"),
        (("money_format", "zh", "factor"), -1, "money_format.zh.factor: Input should be greater than 0"),
    ],
)
def test_a_wrong_key_is_named(path, value, named):
    raw = _raw()
    node = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(SettingsError) as err:
        parse_settings(raw)
    assert named in str(err.value)


def test_a_missing_key_is_named():
    raw = _raw()
    del raw["theme"]["hatch"]
    with pytest.raises(SettingsError, match=r"theme\.hatch: Field required"):
        parse_settings(raw)


def test_the_settings_are_frozen_and_read_once():
    assert settings() is settings()
    with pytest.raises(pydantic.ValidationError):
        settings().theme.font_size = 99  # type: ignore[misc]


def test_the_real_config_parses():
    cfg = parse_settings(_raw())
    assert cfg.theme.market_colors["telemedicine"] == "#009E73"
    assert set(cfg.insight_topics) >= {"driver", "tariff_impact"}
