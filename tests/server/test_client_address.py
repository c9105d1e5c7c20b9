"""Who a client is: X-Forwarded-For only from `--trusted-proxy`; link tokens out of access logs
and out of an admin's OpenTelemetry traces.

Before: uvicorn believed X-Forwarded-For from 127.0.0.1 by default, so 15 wrong passwords each
with a new header all got 401 and the right one after the lockout got in; and the access log
held every `GET /s/<token>`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support import ServerProcess, new_id, new_token, start_server


def _server(tmp_path: Path, *extra: str) -> Iterator[ServerProcess]:
    data = tmp_path / "data"
    data.mkdir()
    server = start_server(data, *extra)
    yield server
    server.stop()


@pytest.fixture
def plain_server(tmp_path: Path) -> Iterator[ServerProcess]:
    yield from _server(tmp_path)


@pytest.fixture
def proxied_server(tmp_path: Path) -> Iterator[ServerProcess]:
    yield from _server(tmp_path, "--trusted-proxy", "127.0.0.1,::1")


@pytest.fixture
def logging_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """Logging every request, as a deployment does by default."""
    yield from _server(tmp_path, "--log-level", "info")


def _protected_link(server: ServerProcess) -> str:
    album_id, token = new_id(), new_token()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": "Locked"}).raise_for_status()
    link = {"album_id": album_id, "token": token, "password": "correct horse"}
    server.api("PUT", f"/api/links/{new_id()}", json=link).raise_for_status()
    return token


def _guess(server: ServerProcess, token: str, password: str, forwarded: str) -> int:
    return requests.post(
        f"{server.url}/s/{token}/unlock",
        data={"password": password},
        headers={"X-Forwarded-For": forwarded},
        allow_redirects=False,
        timeout=30,
    ).status_code


def test_forwarded_for_is_not_believed_without_a_trusted_proxy(plain_server: ServerProcess) -> None:
    token = _protected_link(plain_server)
    answers = [_guess(plain_server, token, "wrong", f"203.0.113.{n}") for n in range(12)]
    assert answers[:10] == [401] * 10 and answers[10:] == [429, 429]
    assert _guess(plain_server, token, "correct horse", "198.51.100.7") == 429


def test_forwarded_for_is_believed_from_a_trusted_proxy(proxied_server: ServerProcess) -> None:
    token = _protected_link(proxied_server)
    answers = [_guess(proxied_server, token, "wrong", f"203.0.113.{n}") for n in range(12)]
    assert answers == [401] * 12  # twelve clients behind the proxy, each with one failure
    assert _guess(proxied_server, token, "correct horse", "203.0.113.1") == 303


def test_link_tokens_stay_out_of_the_access_log(logging_server: ServerProcess) -> None:
    token = _protected_link(logging_server)
    assert requests.get(f"{logging_server.url}/s/{token}", timeout=30).status_code == 401
    assert requests.get(f"{logging_server.url}/s/{token}/photos.json", timeout=30).ok is False
    log = (logging_server.data / "server.log").read_text()
    assert "GET /s/… HTTP/1.1" in log
    assert token not in log


# What `opentelemetry-instrument` does to a process, minus the SDK and its exporter (not
# installed here): a `sitecustomize` that gives the process a tracer provider before the app
# starts. This one writes each span it is asked for, with its attributes, to a file.
RECORDING_TRACER = """
import json, os
from opentelemetry import trace

class RecordingTracer(trace.Tracer):
    def start_span(self, name, context=None, kind=trace.SpanKind.INTERNAL, attributes=None,
                   *args, **kwargs):
        with open(os.environ["ALBUMEN_TEST_SPANS"], "a") as spans:
            spans.write(json.dumps({"span": name, "attributes": dict(attributes or {})}) + "\\n")
        return trace.NonRecordingSpan(trace.INVALID_SPAN_CONTEXT)

    def start_as_current_span(self, name, context=None, kind=trace.SpanKind.INTERNAL,
                              attributes=None, *args, **kwargs):
        return trace.use_span(self.start_span(name, context, kind, attributes), end_on_exit=True)

class RecordingTracerProvider(trace.TracerProvider):
    def get_tracer(self, *args, **kwargs):
        return RecordingTracer()

trace.set_tracer_provider(RecordingTracerProvider())
with open(os.environ["ALBUMEN_TEST_SPANS"], "a") as spans:
    spans.write(json.dumps({"provider": "set"}) + "\\n")
"""


def test_link_tokens_stay_out_of_an_admins_traces(tmp_path: Path) -> None:
    hook, spans = tmp_path / "hook", tmp_path / "spans.jsonl"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(RECORDING_TRACER)
    data = tmp_path / "data"
    data.mkdir()
    env = {"PYTHONPATH": str(hook), "ALBUMEN_TEST_SPANS": str(spans)}
    server = start_server(data, env=env)
    try:
        token = _protected_link(server)
        assert requests.get(f"{server.url}/s/{token}", timeout=30).status_code == 401
        assert _guess(server, token, "wrong", "203.0.113.1") == 401
        assert requests.get(f"{server.url}/s/{token}/photos.json", timeout=30).ok is False
    finally:
        server.stop()
    recorded = [json.loads(line) for line in spans.read_text().splitlines()]
    assert {"provider": "set"} in recorded  # the server ran with a tracer provider
    assert token not in spans.read_text()
    assert [entry for entry in recorded if "span" in entry] == []
