"""An S3-compatible server on a loopback port for the object-storage tests: moto in server
mode, a real HTTP S3 API in a child process (no AWS is ever contacted)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass

import requests

from tests.support import free_port


@dataclass
class S3Server:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def environment(self) -> dict[str, str]:
        """The standard variables every S3 tool (and `albumen-server --blobs s3://`) reads."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "albumen-test",
            "AWS_SECRET_ACCESS_KEY": "albumen-test-secret",
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def client(self) -> object:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id="albumen-test",
            aws_secret_access_key="albumen-test-secret",
            region_name="us-east-1",
        )

    def new_bucket(self) -> str:
        name = "albumen-" + uuid.uuid4().hex[:12]
        self.client().create_bucket(Bucket=name)  # type: ignore[attr-defined]
        return name

    @classmethod
    def start(cls) -> S3Server:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        server = cls(process, port)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("the S3 server (moto) exited at start")
            with contextlib.suppress(requests.ConnectionError):
                requests.get(server.endpoint, timeout=2)
                return server
            time.sleep(0.05)  # waiting for a child process to listen: no signal to wait on
        process.kill()
        raise RuntimeError("the S3 server (moto) did not start within 30 s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
