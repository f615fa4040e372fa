"""The API's permission matrix (issue 11): every /api/v1/ endpoint (reads, writes and the
downloads) × client kind (the 市南 district, the world group's core school, the city) × each
single scope and none × own / other object.

"own" objects are the world group's and 市南's; "other" ones are the 崂山 group's. Expected:

- no fitting scope at all: 403 `scope_missing` (it says nothing about any object);
- a fitting scope on an object outside the client's scope: 404, the same as an id that does not
  exist (never 403, never 2xx);
- a fitting scope on an object in scope: 2xx for reads; for writes whatever the rule says for
  the client's role (a school does not file with the city: 403 `forbidden`);
- a download (an archived document, an attachment) needs the scope of what it belongs to:
  a report's PDF reports:read, a filing's material registry:read or filings:write.

For the lists, "other" means the other object must not be among the rows (and "own" must be).

Everything is built once and the whole matrix runs in one test (a few hundred calls): the test
collects every mismatch, prints a summary and fails on any of them, and separately on any
unexpected 2xx. `test_every_api_url_pattern_is_in_the_matrix` fails when an /api/v1/ URL is
added without rows here."""

import datetime
from collections import Counter
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import reverse

from api.models import ApiClient, Scope
from tests.api.helpers import Api, build_objects, make_client
from tests.test_uploads import make_pdf, upload

pytestmark = pytest.mark.django_db

KINDS = ("district", "school", "city")
SCOPES = [s.value for s in Scope]
NO_SCOPE = "-"  # a key with no scope at all
REGISTRY, FILINGS, PLANS, REPORTS, LEDGERS = SCOPES
YEAR = datetime.date.today().year + 1


@dataclass(frozen=True)
class Row:
    name: str  # url name in the api namespace
    method: str  # get / post
    scopes: tuple[str, ...]  # the scopes of which one fits
    which: str | None = None  # the object: "own", "other" or None (a list / a write about none)
    obj: str | None = None  # the key in the objects (for a detail or a list's rows)
    declared: tuple[str, ...] | None = None  # the view's own scopes, when wider than `scopes`


READ_FILING = (REGISTRY, FILINGS)
DOCUMENT_SCOPES = (REGISTRY, FILINGS, REPORTS, LEDGERS)  # api.views.DOCUMENT_READ


def _rows() -> list[Row]:
    rows = [
        Row("authority-list", "get", (REGISTRY,)),
        Row("group-list", "get", (REGISTRY,), obj="group"),
        Row("school-list", "get", (REGISTRY,), obj="school"),
        Row("application-list", "get", (REGISTRY,), obj="application"),
        Row("card-list", "get", (REGISTRY,), obj="card"),
        Row("filing-list", "get", READ_FILING, obj="filing"),
        Row("plan-list", "get", (REGISTRY, PLANS), obj="plan"),
        Row("ledger-list", "get", (LEDGERS,), obj="ledger"),
        Row("report-list", "get", (REPORTS,), obj="report"),
        Row("filing-list", "post", (FILINGS,)),
        Row("plan-list", "post", (PLANS,)),
        Row("not-found", "get", ()),
    ]
    for which in ("own", "other"):
        rows += [
            Row("school-detail", "get", (REGISTRY,), which, "school"),
            Row("school-memberships", "get", (REGISTRY,), which, "school"),
            Row("group-detail", "get", (REGISTRY,), which, "group"),
            Row("filing-detail", "get", READ_FILING, which, "filing"),
            Row("filing-documents", "post", (FILINGS,), which, "filing"),
            Row("document-download", "get", (REPORTS,), which, "document", DOCUMENT_SCOPES),
            Row("attachment-download", "get", READ_FILING, which, "attachment", DOCUMENT_SCOPES),
        ]
    return rows


ROWS = _rows()
URL_KWARGS = {
    "school-detail": "school_id",
    "school-memberships": "school_id",
    "group-detail": "group_id",
    "filing-detail": "filing_id",
    "filing-documents": "filing_id",
    "document-download": "document_id",
    "attachment-download": "attachment_id",
}


# --- what each client may do ---------------------------------------------------------------------


def _visible(kind: str, row: Row) -> bool:
    """Whether the row's object is in the client's scope (the pages' rules for its role)."""
    if kind == "city" or row.which is None:
        return True
    if row.which == "other":
        return False
    # own: a principal sees no filings at all (filings are between the bureaus)
    return not (kind == "school" and row.obj in ("filing", "attachment"))


def _written(kind: str, row: Row) -> int:
    """The status of a write with the fitting scope on a visible object, by the role's rule."""
    if row.name == "filing-list":
        return 201 if kind == "district" else 403  # only districts file (D-1, D-2)
    if row.name == "plan-list":
        return 201 if kind == "school" else 403  # a school files its own plan (L-7)
    if row.name == "filing-documents":
        return 201 if kind == "district" else 403  # only the filing district adds material
    raise AssertionError(row)


def expected(kind: str, scope: str, row: Row) -> tuple[int, str | None]:
    """(status, problem code or None)."""
    if row.name == "not-found":
        return 404, "not_found"
    declared = row.declared or row.scopes
    if scope not in declared:
        return 403, "scope_missing"
    if not _visible(kind, row):
        return 404, "not_found"
    if scope not in row.scopes:
        return 403, "scope_missing"  # a download of something its scope does not cover
    if row.method == "post":
        status = _written(kind, row)
        return status, None if status < 300 else "forbidden"
    return 200, None


def _list_visible(kind: str, obj: str, which: str) -> bool:
    if kind == "city":
        return True
    if which == "other":
        return False
    return not (kind == "school" and obj == "filing")


# --- the calls -----------------------------------------------------------------------------------


def _post_data(row: Row):
    if row.name == "filing-list":
        return {"kind": "policy", "title": "矩阵报备"}, "application/json"
    if row.name == "plan-list":
        data = {
            "year": YEAR,
            "places": 300,
            "classes": 8,
            "catchment": "本校学区",
            "method": "catchment",
        }
        return data, "application/json"
    return {"kind": "policy", "file": upload(make_pdf(), "材料.pdf")}, None


def _call(api: Api, row: Row, objects) -> tuple[int, dict | None, object]:
    kwargs = {URL_KWARGS[row.name]: objects[row.obj][row.which]} if row.which else {}
    url = reverse(f"api:{row.name}", kwargs=kwargs)
    with transaction.atomic():  # a write is undone after the call: each case on the same data
        if row.method == "get":
            response = api.get(url)
        else:
            data, content_type = _post_data(row)
            response = api.post(url, data, content_type=content_type)
        transaction.set_rollback(True)
    body = None
    if response.get("Content-Type", "").startswith(("application/json", "application/problem")):
        body = response.json()
    return response.status_code, body, url


def test_the_api_permission_matrix(world):
    objects = build_objects(world)
    tokens = {}
    units = {
        "district": {"authority": world.shinan},
        "school": {"school": world.core},
        "city": {"authority": world.city},
    }
    for kind in KINDS:
        for scope in [*SCOPES, NO_SCOPE]:
            client, token = make_client(
                world, **units[kind], scopes=[REGISTRY if scope == NO_SCOPE else scope]
            )
            if scope == NO_SCOPE:  # registering asks for one; an edited client may have none
                ApiClient.objects.filter(pk=client.pk).update(scopes=[])
            tokens[kind, scope] = token

    mismatches, unexpected_2xx, leaks = [], [], []
    seen: Counter = Counter()
    calls = 0
    for kind in KINDS:
        for scope in [*SCOPES, NO_SCOPE]:
            api = Api(tokens[kind, scope])
            for row in ROWS:
                status, body, url = _call(api, row, objects)
                calls += 1
                seen[status] += 1
                want, code = expected(kind, scope, row)
                case = (kind, scope, row.method.upper(), row.name, row.which, status, want)
                if status != want or (code and (body or {}).get("code") != code):
                    mismatches.append(case + ((body or {}).get("code"),))
                if 200 <= status < 300 and not 200 <= want < 300:
                    unexpected_2xx.append(case)
                if row.which == "other" and status == 403 and want != 403:
                    leaks.append(case)  # a refusal that tells the object exists
                if status == 200 and row.method == "get" and row.obj and not row.which:
                    ids = {r["id"] for r in body["results"]}
                    for which in ("own", "other"):
                        shown = objects[row.obj][which] in ids
                        if shown != _list_visible(kind, row.obj, which):
                            mismatches.append(
                                (kind, scope, "GET", row.name, which, "in list", shown)
                            )
                            if shown:
                                unexpected_2xx.append((kind, scope, row.name, which, "listed"))

    print(
        f"\nAPI matrix: {len(ROWS)} rows × {len(KINDS)} client kinds × {len(SCOPES) + 1} scope "
        f"sets = {calls} calls; statuses {dict(sorted(seen.items()))}; "
        f"unexpected 2xx {len(unexpected_2xx)}; mismatches {len(mismatches)}"
    )
    for case in mismatches:
        print("  mismatch:", case)
    assert len(unexpected_2xx) == 0, unexpected_2xx
    assert leaks == []
    assert mismatches == []


def test_every_api_url_pattern_is_in_the_matrix():
    """Every URL under /api/v1/ (the names the page matrix leaves to this one) has rows here."""
    from tests.matrix_rows.api_clients import ELSEWHERE

    assert {f"api:{row.name}" for row in ROWS} == ELSEWHERE


def test_every_owner_of_attachments_has_its_download_scope():
    """A new kind of owner of attachments chooses the scope its downloads need (api.scopes):
    only the registry's own owners may fall to the default, registry:read."""
    from api.scopes import OWNER_SCOPES
    from qingdao_groups.core.documents import _OWNERS

    owners = {model._meta.model_name for model in _OWNERS}
    assert owners - set(OWNER_SCOPES) == {"application", "card"}
