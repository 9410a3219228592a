"""The nginx front of the deployment mode: its configuration, from the app's own limits.

``heartbreak deploy nginx`` prints it (``deploy/nginx/heartbreak.conf`` is that output with the
defaults; a test keeps the two equal). One nginx serves everything:

- ``GET /api/live/{id}/stream`` is an nchan EventSource location: nginx holds every live
  stream, the owner of the live matches publishes each frame once (:mod:`heartbreak.live.fanout`)
  to the publisher location, which listens on loopback only;
- ``/api/live`` and ``/live`` go to the owner of the live matches (``heartbreak serve --fanout
  nchan``) and its standby, which listens only once the owner has died (it waits for the live
  log), so nginx finds one of them up;
- everything else goes to the web workers (plain ``heartbreak serve`` processes over the same
  store), the next one when one is down.

The limits of :class:`~heartbreak.api.limits.Limits` hold at the front as in the app: header
size and timeouts, body size and timeout, streams per client address (nginx's ``limit_conn``);
the writers' tokens and rate limits are the app's, unchanged behind it (nginx passes the
``Authorization`` header and the client's address in ``X-Forwarded-For``, which uvicorn trusts
from loopback only). nginx's own refusals answer in the API's one error shape.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from heartbreak.api.errors import error_body
from heartbreak.api.limits import Limits, env_name
from heartbreak.api.live import HEARTBEAT_SECONDS

#: Frames nchan keeps per live match for subscribers that reconnect (``Last-Event-ID``).
MESSAGE_BUFFER = 64
#: How long nchan keeps a frame, and a channel without a publish.
MESSAGE_TIMEOUT = "12h"


@dataclass(frozen=True)
class Front:
    """Where the parts of the deployment listen (all on loopback but ``listen``)."""

    listen: str = "80"
    server_name: str = "_"
    web_ports: tuple[int, ...] = (8001, 8002)
    live_ports: tuple[int, ...] = (8100, 8101)
    publish_port: int = 8090


def _error(status: int, type_: str, message: str) -> str:
    body = json.dumps(error_body(status, type_, message), separators=(",", ":"))
    return f"return {status} '{body}';"


def _size(bytes_: int) -> str:
    return f"{max(1, math.ceil(bytes_ / 1024))}k"


def site_config(front: Front | None = None, limits: Limits | None = None) -> str:
    """The nginx ``http``-context configuration of the deployment (a ``sites-enabled`` file)."""
    front = front or Front()
    limits = limits or Limits()
    web = "\n".join(
        f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in front.web_ports
    )
    live = "\n".join(
        f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=1s;" for p in front.live_ports
    )
    header = _size(limits.max_header_bytes)
    headers_message = f"request line and headers over {limits.max_header_bytes} bytes"
    # nginx's own refusals; a location with an error_page of its own inherits none of these
    common = "error_page 400 = @bad_request; error_page 494 = @headers_too_large;"
    common += " error_page 413 = @too_large;"
    streams = limits.live_max_streams
    return f"""# Heartbreak behind nginx with nchan (Debian: nginx-light, libnginx-mod-nchan).
# Written by `heartbreak deploy nginx`; see deploy/README.md. The main context needs room for
# the streams: worker_rlimit_nofile 65536; events {{ worker_connections 32768; }}

upstream heartbreak_web {{
{web}
    keepalive 16;
}}

upstream heartbreak_live {{
{live}
    keepalive 8;
}}

# Live streams open at once per client address ({env_name("live_max_streams")}).
limit_conn_zone $binary_remote_addr zone=heartbreak_streams:10m;

# nchan's publisher: loopback only; the owner of the live matches posts each frame here.
server {{
    listen 127.0.0.1:{front.publish_port};
    access_log off;
    location ~ ^/pub/([0-9A-Za-z_-]+)$ {{
        allow 127.0.0.1;
        deny all;
        nchan_publisher;
        nchan_channel_id $1;
        nchan_message_buffer_length {MESSAGE_BUFFER};
        nchan_message_timeout {MESSAGE_TIMEOUT};
        # a frame is a whole state at most: kept in memory, never in a temporary file
        client_max_body_size {_size(limits.max_body_bytes * 8)};
        client_body_buffer_size {_size(limits.max_body_bytes * 8)};
    }}
}}

server {{
    listen {front.listen};
    # TLS ends here (deploy/README.md): listen 443 ssl; ssl_certificate ...;
    server_name {front.server_name};

    # The app's limits, held at the front too ({env_name("max_header_bytes")},
    # {env_name("header_timeout")}, {env_name("max_body_bytes")}, {env_name("body_timeout")}).
    large_client_header_buffers 4 {header};
    client_header_buffer_size {header};
    client_header_timeout {limits.header_timeout:g}s;
    client_max_body_size {_size(limits.max_body_bytes)};
    client_body_buffer_size {_size(limits.max_body_bytes)};
    client_body_timeout {limits.body_timeout:g}s;
    keepalive_timeout 75s;
    send_timeout {limits.live_stream_stall:g}s;
    server_tokens off;

    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_connect_timeout 2s;
    proxy_read_timeout 60s;

    # Follow a live match: nginx holds the stream, nchan sends every frame the owner publishes.
    location ~ ^/api/live/([0-9A-Za-z_-]+)/stream$ {{
        limit_conn heartbreak_streams {streams};
        limit_conn_status 429;
        nchan_subscriber eventsource;
        nchan_channel_id $1;
        nchan_subscribe_existing_channels_only on;
        nchan_subscriber_first_message -1;
        nchan_eventsource_ping_interval {HEARTBEAT_SECONDS:g};
        nchan_message_buffer_length {MESSAGE_BUFFER};
        nchan_message_timeout {MESSAGE_TIMEOUT};
        add_header Cache-Control "no-cache" always;
        error_page 403 = @no_live_match;
        error_page 429 = @too_many_streams;
        {common}
    }}

    # Live matches' state and writes, and their pages: the owner (or its standby, once it owns).
    location /api/live {{
        proxy_pass http://heartbreak_live;
        proxy_next_upstream error timeout;
        error_page 502 504 = @live_unavailable;
        {common}
    }}
    location /live {{
        proxy_pass http://heartbreak_live;
        proxy_next_upstream error timeout;
        error_page 502 504 = @live_unavailable;
        {common}
    }}

    location / {{
        proxy_pass http://heartbreak_web;
        proxy_next_upstream error timeout http_502 http_503;
        error_page 502 504 = @unavailable;
        {common}
    }}

    {common}
    location @bad_request {{
        default_type application/json;
        {_error(400, "BadRequest", "invalid HTTP request")}
    }}
    location @headers_too_large {{
        default_type application/json;
        {_error(431, "RequestHeaderFieldsTooLarge", headers_message)}
    }}
    location @too_large {{
        default_type application/json;
        {_error(413, "PayloadTooLarge", "request body over the limit")}
    }}
    location @no_live_match {{
        default_type application/json;
        {_error(404, "NoSuchMatch", "there is no live match with that id")}
    }}
    location @too_many_streams {{
        default_type application/json;
        {_error(429, "LimitReached", f"this client address has {streams} live streams open")}
    }}
    location @live_unavailable {{
        default_type application/json;
        add_header Retry-After 1 always;
        {_error(503, "Unavailable", "the live service is taking over; send again")}
    }}
    location @unavailable {{
        default_type application/json;
        add_header Retry-After 1 always;
        {_error(503, "Unavailable", "no web worker is up; try again")}
    }}
}}
"""


def standalone_config(front: Front, limits: Limits | None = None, workers: int = 1) -> str:
    """A whole ``nginx.conf`` around :func:`site_config`, for ``nginx -p PREFIX -c FILE`` (its
    pid, logs and temporary files under the prefix): how the tests and the benchmark run it."""
    return f"""load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
worker_processes {workers};
worker_rlimit_nofile 20000;
pid nginx.pid;
error_log error.log warn;
events {{
    worker_connections 16000;
}}
http {{
    access_log off;
    proxy_max_temp_file_size 0;  # answers pass through memory: the prefix may be private
    client_body_temp_path body;
    proxy_temp_path proxy;
    fastcgi_temp_path fastcgi;
    uwsgi_temp_path uwsgi;
    scgi_temp_path scgi;
{site_config(front, limits)}
}}
"""
