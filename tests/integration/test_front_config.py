"""The nginx front of the deployment mode: ``deploy/nginx/heartbreak.conf`` is what ``heartbreak
deploy nginx`` writes, nginx accepts it, and it carries the app's limits."""

from __future__ import annotations

import subprocess
from pathlib import Path

from typer.testing import CliRunner

from deployment import require_nginx
from heartbreak.api.front import Front, site_config, standalone_config
from heartbreak.api.limits import Limits
from heartbreak.cli import app

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_the_shipped_site_is_the_default_rendering():
    assert (DEPLOY / "nginx" / "heartbreak.conf").read_text() == site_config()


def test_the_cli_prints_the_site_with_the_environments_limits(monkeypatch):
    monkeypatch.setenv("HEARTBREAK_LIVE_MAX_STREAMS", "7")
    monkeypatch.setenv("HEARTBREAK_MAX_HEADER_BYTES", "32768")
    result = CliRunner().invoke(app, ["deploy", "nginx", "--web-ports", "9001,9002,9003"])
    assert result.exit_code == 0, result.output
    front = Front(web_ports=(9001, 9002, 9003))
    assert result.output == site_config(front, Limits(live_max_streams=7, max_header_bytes=32768))
    assert "limit_conn heartbreak_streams 7;" in result.output
    assert "large_client_header_buffers 4 32k;" in result.output
    assert "server 127.0.0.1:9003 max_fails=1" in result.output


def test_bad_ports_are_refused_naming_the_option():
    result = CliRunner().invoke(app, ["deploy", "nginx", "--live-ports", "8100,x"])
    assert result.exit_code != 0
    assert "--live-ports" in result.output


def test_the_limits_reach_the_front():
    limits = Limits(max_body_bytes=2 * 1024 * 1024, body_timeout=7, header_timeout=4)
    text = site_config(limits=limits)
    assert "client_max_body_size 2048k;" in text
    assert "client_body_timeout 7s;" in text
    assert "client_header_timeout 4s;" in text
    # the publisher listens on loopback only; the stream location is nchan's
    assert "listen 127.0.0.1:8090;" in text
    assert "nchan_subscriber eventsource;" in text


def test_nginx_accepts_the_configuration(tmp_path):
    nginx = require_nginx()
    conf = tmp_path / "nginx.conf"
    conf.write_text(standalone_config(Front(listen="127.0.0.1:18999"), Limits()))
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
