"""Loading and checking the bridge's TOML config."""

from __future__ import annotations

from pathlib import Path

import pytest

from device_bridge.config import TOKEN_ENV, ConfigError, load_config

SAMPLE = Path(__file__).parents[2] / "device_bridge" / "sample-config.toml"

MINIMAL = """
server_url = "ws://localhost:8000/ws/devices"
station = "S1"
"""


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bridge.toml"
    path.write_text(text)
    return path


def test_the_sample_config_loads() -> None:
    config = load_config(SAMPLE, environ={})
    assert [p.name for p in config.ports] == ["receiving-scanner", "bt-scanner", "fridge-03-logger"]
    assert [p.terminator_bytes for p in config.ports] == [b"\r", b"\r\n", b"\n"]
    assert config.profile_for(config.ports[0]) is not None
    assert config.profile_for(config.ports[1]) is None
    assert config.ports[2].kind == "logger"
    assert config.window == 64


def test_the_token_comes_from_the_environment_before_the_file(tmp_path: Path) -> None:
    path = config_file(tmp_path, MINIMAL + 'token = "from-file"\n')
    assert load_config(path, environ={}).require_token() == "from-file"
    assert load_config(path, environ={TOKEN_ENV: "from-env"}).require_token() == "from-env"
    with pytest.raises(ConfigError, match=TOKEN_ENV):
        load_config(config_file(tmp_path, MINIMAL), environ={}).require_token()


def test_a_relative_queue_path_follows_the_config_file(tmp_path: Path) -> None:
    config = load_config(config_file(tmp_path, MINIMAL + 'queue_path = "var/q.sqlite3"\n'), {})
    assert config.queue_path == str(tmp_path / "var" / "q.sqlite3")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("bogus = 1\n", "unknown field `bogus`"),
        ("window = 0\n", "window"),
        ('[[ports]]\nname = "a"\nurl = "loop://"\nbaudrate = 9600\n', "baudrate"),
        ('[[ports]]\nname = "a"\nurl = "loop://"\nterminator = "NUL"\n', "terminator"),
        ('[[ports]]\nname = "a"\nurl = "loop://"\nprofile = "nope"\n', "unknown profile"),
        ('[[ports]]\nname = "a"\nurl = "loop://"\nencoding = "klingon"\n', "encoding"),
        ('[[ports]]\nname = "a"\nurl = "loop://"\nparity = "X"\n', "parity"),
        ('[[ports]]\nname = "a"\nurl = "loop://"\nstopbits = 3\n', "stopbits"),
        ('[[ports]]\nname = "a"\nurl = "loop://"\nkind = "printer"\n', "kind"),
        ('[[ports]]\nname = "a"\nurl = "x"\n[[ports]]\nname = "a"\nurl = "y"\n', "twice"),
        ('[profiles.p]\ngs_standin = ""\n', "empty gs_standin"),
    ],
)
def test_mistakes_are_config_errors_that_name_the_problem(
    tmp_path: Path, extra: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(config_file(tmp_path, MINIMAL + extra), environ={})


@pytest.mark.parametrize("url", ["http://h/ws/devices", "ws://h:port/ws/devices", "ws:///x"])
def test_the_server_url_must_be_a_websocket_url(tmp_path: Path, url: str) -> None:
    text = MINIMAL.replace("ws://localhost:8000/ws/devices", url)
    with pytest.raises(ConfigError, match="server_url"):
        load_config(config_file(tmp_path, text), environ={})


def test_a_missing_or_broken_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml", environ={})
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(config_file(tmp_path, "station = \n"), environ={})
