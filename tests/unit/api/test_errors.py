"""One handler maps exception classes to statuses: the API's own errors, the coded errors of the
layers below, and anything else as a logged 500."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.errors import (
    EXPECTED,
    ApiError,
    Forbidden,
    ModelUnavailable,
    NotFound,
    Unauthorized,
    install_handlers,
    status_of,
)
from cartograph.errors import (
    CartographError,
    ConfigError,
    GraphUnavailableError,
    InvalidInputError,
    QueryTimeoutError,
)


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (InvalidInputError("bad"), 422, "E600"),
        (Unauthorized("who"), 401, "E601"),
        (Forbidden("no"), 403, "E602"),
        (NotFound("none"), 404, "E603"),
        (ModelUnavailable("later"), 503, "E605"),
        (GraphUnavailableError("down"), 503, "E606"),
        (QueryTimeoutError("slow"), 504, "E607"),
    ],
)
def test_each_class_answers_its_status_and_code(
    exc: CartographError, status: int, code: str
) -> None:
    app = FastAPI()
    install_handlers(app)

    @app.get("/fail")
    def fail() -> None:
        raise exc

    r = TestClient(app).get("/fail")
    assert r.status_code == status == status_of(exc)
    assert r.json() == {"error": {"code": code, "message": str(exc.args[0])}}


def test_other_errors_are_a_logged_500() -> None:
    app = FastAPI()
    install_handlers(app)

    @app.get("/fail")
    def fail() -> None:
        raise ConfigError("not a caller's mistake")

    r = TestClient(app, raise_server_exceptions=False).get("/fail")
    assert r.status_code == 500 and r.json()["error"]["code"] == "E690"
    assert status_of(ConfigError("x")) is None


def test_subclasses_answer_like_their_parent() -> None:
    class Gone(NotFound):
        code = "E699"

    assert status_of(Gone("x")) == 404 and isinstance(Gone("x"), EXPECTED)
    assert status_of(ApiError("x")) == 400
