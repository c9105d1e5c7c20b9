"""How every failure becomes the one error answer, `{"error": {"code", "message"}}`: the handlers
the app installs for ApiError (:mod:`albumen_server.errors`), validation errors, HTTP errors, a
full disk and anything unexpected."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from albumen_server.errors import ApiError, is_disk_full, storage_full

log = logging.getLogger(__name__)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


def _describe(error: dict[str, Any]) -> str:
    location = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
    message = str(error.get("msg", "is invalid"))
    if error.get("type") == "value_error":
        # Our validators' own words; pydantic puts "Value error, " before them.
        message = message.removeprefix("Value error, ")
    if error.get("type") == "json_invalid":
        return f"the request body is not valid JSON ({error.get('ctx', {}).get('error', '')})"
    return f"{location or 'request'}: {message}"


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        message = "; ".join(_describe(dict(error)) for error in errors[:5]) or "invalid request"
        code = "invalid_json" if any(e.get("type") == "json_invalid" for e in errors) else "invalid"
        return error_response(422 if code == "invalid" else 400, code, message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        message = str(exc.detail) if exc.detail else code.replace("_", " ")
        return error_response(exc.status_code, code, message, dict(exc.headers or {}))

    # Disk-full errors come as OSError (files) or as SQLAlchemy's DBAPIError (the database).
    # Handled here, by class, rather than in the catch-all below, whose middleware re-raises
    # after answering and so drops the client's connection.
    @app.exception_handler(OSError)
    @app.exception_handler(DBAPIError)
    async def _storage(request: Request, exc: Exception) -> JSONResponse:
        if not is_disk_full(exc):
            return _unexpected_answer(exc)
        log.error("storage full: %s", exc)  # the path may hold a link token: not logged
        full = storage_full()
        if request.url.path.startswith("/api/uploads"):
            full.headers["Tus-Resumable"] = "1.0.0"
        return error_response(full.status, full.code, full.message, full.headers)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        return _unexpected_answer(exc)


def _unexpected_answer(exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return error_response(500, "internal", "the server failed; the error is in its log")
