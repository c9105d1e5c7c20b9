"""The Albumen sharing server: owner API, tus uploads, password links and viewer pages."""

__version__ = "0.1.0"
