"""The API against its own OpenAPI schema (issue 11), with schemathesis in-process over WSGI.

Every operation of /api/schema/ is called with generated inputs (valid and invalid) by a 市南
district client holding every scope, on the shared `world` data (plus one object of each kind
the API serves; a call naming an object is repeated on one that exists): no call may give a server
error, and every answer — its status, content type and body, problem+json errors included —
must be one the schema documents. Bounded for CI: a fixed number of examples per operation,
derandomized (the same inputs every run), no deadline and no shrinking."""

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase
from schemathesis import checks as st_checks

from tests.api.helpers import Api, build_objects, make_client

pytestmark = pytest.mark.django_db

EXAMPLES = 20

CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
]


# Loaded when the module is collected, from the project's own schema endpoint over WSGI (serving it
# reads nothing from the database); each operation becomes its own test.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_tests_connection():
    """The calls go through Django's own WSGI handler, whose request signals close the database
    connection after each request (close_old_connections) — on PostgreSQL, the connection holding
    the test's transaction. Django's test client detaches that handler around its requests; so
    do we, for the test's duration."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(world):
    """A 市南 district client's key with every scope."""
    _client, token = make_client(world, authority=world.shinan)
    return token


@pytest.fixture
def known(world) -> dict[str, int]:
    """Ids of objects the district sees, by path parameter: the generated ids mostly name
    nothing (404), these give full answers whose bodies are checked too. Building them also
    fills the lists (filings, cards, plans, ledgers, reports …)."""
    objects = build_objects(world)
    return {
        "school_id": objects["school"]["own"],
        "group_id": objects["group"]["own"],
        "filing_id": objects["filing"]["own"],
        "document_id": objects["document"]["own"],
        "attachment_id": objects["attachment"]["own"],
    }


@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says(case, token, known):
    headers = {"Authorization": f"Bearer {token}"}
    responses = [case.call_and_validate(headers=headers, checks=CHECKS)]
    if case.path_parameters:  # the same call again on an object that exists
        case.path_parameters = {name: known[name] for name in case.path_parameters}
        responses.append(case.call_and_validate(headers=headers, checks=CHECKS))
    if case.method == "GET":  # a district's key with every scope reads whatever it may see
        assert all(r.status_code != 403 for r in responses), [r.text for r in responses]


def test_an_unknown_address_is_a_problem_404_for_any_method(world):
    """Found by schemathesis: a POST to an address under /api/v1/ that names no endpoint (an id
    that is not a number) got Django's CSRF page (403, HTML) instead of the API's 404."""
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "x" * 32
    for method in ("get", "post", "put", "delete"):
        response = getattr(client, method)("/api/v1/filings/null,null/documents/")
        assert response.status_code == 404, method
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "not_found"


def test_a_method_an_endpoint_lacks_is_405_not_a_missing_scope(world):
    """Found by schemathesis: GET on the write-only documents endpoint answered 403 "not open to
    API clients" (the scope check came first) instead of 405."""
    _client, token = make_client(world, authority=world.shinan)
    response = Api(token).get("/api/v1/filings/1/documents/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "POST" in response["Allow"]
