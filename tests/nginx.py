"""nginx in front of server processes, from the packaged site file (packaging/nginx/albumen.conf)
with only the ports and a throwaway TLS certificate swapped in. Used by the tests and by
bench/scale_out.py."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.support import ROOT, free_port

CONFIG = ROOT / "packaging" / "nginx" / "albumen.conf"


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def site(ports: list[int], listen: int, cert: Path, key: Path) -> str:
    """The packaged site file with these ports and certificate; nothing else changed."""
    text = CONFIG.read_text()
    upstreams = "".join(f"    server 127.0.0.1:{port};\n" for port in ports)
    text = re.sub(r"(upstream albumen \{\n)(    server [^\n]+\n)+", rf"\g<1>{upstreams}", text)
    text = re.sub(r"server \{\n    listen 80;.*?\n\}\n", "", text, flags=re.S)  # no port 80 here
    text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{listen} ssl http2;")
    text = text.replace("    listen [::]:443 ssl http2;\n", "")
    text = re.sub(r"ssl_certificate [^;]+;", f"ssl_certificate {cert};", text)
    return re.sub(r"ssl_certificate_key [^;]+;", f"ssl_certificate_key {key};", text)


@dataclass
class NginxProxy:
    folder: Path
    port: int
    cert: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @classmethod
    def reserve(cls) -> tuple[Path, int]:
        """A folder and a port, known before the servers start (they need the public URL)."""
        folder = Path(tempfile.mkdtemp(prefix="albumen-nginx-"))
        folder.chmod(0o755)
        return folder, free_port()

    @classmethod
    def start(cls, folder: Path, port: int, upstream_ports: list[int]) -> NginxProxy:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
        cert, key = _certificate(folder)
        (folder / "site.conf").write_text(site(upstream_ports, port, cert, key))
        user = "user root;\n" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(
            f"{user}worker_processes auto;\npid {folder}/nginx.pid;\n"
            f"error_log {folder}/error.log;\nevents {{ worker_connections 1024; }}\n"
            f"http {{\n  client_body_temp_path {folder}/body;\n"
            f"  proxy_temp_path {folder}/proxy;\n  include {folder}/site.conf;\n}}\n"
        )
        process = subprocess.Popen(
            [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        proxy = cls(folder, port, cert, process)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"nginx exited: {error}")
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(proxy.url + "/api/health", verify=str(cert), timeout=2).ok:
                    return proxy
            time.sleep(0.05)  # waiting for nginx to listen: it has no other signal
        proxy.stop()
        raise RuntimeError("nginx did not start within 20 s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)
