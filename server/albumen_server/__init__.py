"""The Albumen sharing server: owner API, tus uploads, password links and viewer pages."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("albumen")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
