"""Every operation of the server's OpenAPI document, fed by schemathesis with requests that fit
the schema and requests that do not: no answer is a 5xx.

Owner routes are called with the owner's token (and, for uploads, the tus header, so the fuzzing
gets past the version check); viewer routes without any credential, once with whatever token
schemathesis makes up and once with the token (and photo) of a real link, so the requests reach
the code behind the link check. Examples are generated with a fixed seed: a failure repeats.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case, GenerationMode

from tests.server.uploading import upload_photo
from tests.support import ServerProcess, new_id, new_token, photo_jpeg, start_server

pytestmark = pytest.mark.slow
EXAMPLES = 25


@dataclass
class Seeded:
    """A server with one album, one photo and two links that allow picks (one with a password)
    to aim at."""

    server: ServerProcess
    album_id: str
    photo_id: str
    link_id: str
    photo: bytes
    tokens: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    server = start_server(tmp_path_factory.mktemp("fuzzed"))
    album_id = new_id()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": "Fuzzed"}).raise_for_status()
    photo = photo_jpeg()
    photo_id = upload_photo(server, album_id, photo, "IMG_0001.jpg")
    seeded = Seeded(server, album_id, photo_id, new_id(), photo)
    for link_id, password in ((seeded.link_id, None), (new_id(), "correct horse")):
        token = new_token()
        body = {
            "album_id": album_id,
            "token": token,
            "password": password,
            "download": "original",
            "show_metadata": True,
            "show_location": True,
            "allow_picks": True,
        }
        server.api("PUT", f"/api/links/{link_id}", json=body).raise_for_status()
        seeded.tokens.append(token)
    yield seeded
    server.stop()


def _operations(server: ServerProcess) -> list[APIOperation]:
    """Viewer routes first, deletions last: the seeded things are aimed at before any request
    could have changed them."""
    document = requests.get(f"{server.url}/api/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted(
        operations,
        key=lambda operation: (operation.method == "delete", operation.path.startswith("/api/")),
    )


def _real_parameters(operation: APIOperation, seeded: Seeded) -> list[dict[str, str]]:
    """Path parameters naming things that exist, so fuzzing reaches past the lookups."""
    names = {
        parameter.name for parameter in operation.iter_parameters() if parameter.location == "path"
    }
    known = {
        "album_id": seeded.album_id,
        "photo_id": seeded.photo_id,
        "link_id": seeded.link_id,
        "pick_id": "0b7c4a52-1d2e-4f3a-9b8c-7d6e5f4a3b2c",
        "kind": "preview",
    }
    if not names or operation.method == "delete":
        return []  # a deletion of the seeded things would leave nothing to aim at
    if "token" in names:
        return [
            {name: token if name == "token" else known.get(name, "") for name in names}
            for token in seeded.tokens
        ]
    if names <= known.keys():
        return [{name: known[name] for name in names}]
    return []


def _explore(
    strategy: object, call: Callable[[Case], requests.Response], failures: list[str]
) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Case) -> None:
        response = call(case)
        if response.status_code >= 500:
            failures.append(
                f"{response.status_code} for {case.as_curl_command()}\n  {response.text[:300]}"
            )

    # Unsatisfiable: nothing of that kind to make (no wrong request for a route without any
    # parameter).
    with contextlib.suppress(Unsatisfiable):
        run()


def test_no_request_the_schema_describes_gets_a_server_error(seeded: Seeded) -> None:
    server = seeded.server
    session = requests.Session()
    failures: list[str] = []
    operations = _operations(server)
    assert len(operations) >= 20, [operation.label for operation in operations]
    called = 0
    for operation in operations:
        owner = operation.path.startswith("/api/")
        headers = {**server.auth} if owner else {}
        if operation.path.startswith("/api/uploads"):
            headers["Tus-Resumable"] = "1.0.0"

        def call(case: Case, headers: dict[str, str] = headers) -> requests.Response:
            nonlocal called
            called += 1
            return case.call(
                base_url=server.url,
                session=session,
                headers=headers,
                allow_redirects=False,
                timeout=30,
            )

        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _explore(operation.as_strategy(generation_mode=mode), call, failures)
            for parameters in _real_parameters(operation, seeded):
                strategy = operation.as_strategy(generation_mode=mode, path_parameters=parameters)
                _explore(strategy, call, failures)
    assert called > 1000
    assert not failures, "\n".join(failures[:20])
    # The server is still whole: the seeded album still holds its photo, byte-exact.
    listed = server.api("GET", f"/api/albums/{seeded.album_id}/photos").json()["photos"]
    assert [photo["id"] for photo in listed] == [seeded.photo_id]
    original = server.api("GET", f"/api/photos/{seeded.photo_id}/original")
    assert original.content == seeded.photo
