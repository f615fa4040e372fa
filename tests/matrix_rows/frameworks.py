"""Permission-matrix rows for assessment frameworks (policy A-1; issue 10).

Objects are frameworks, not a group's: "published" is the default framework as published,
"draft" a draft of it. Everyone signed in reads published frameworks (principals read the one
their group is assessed on); drafts are read by city staff, administrators and the read-only
roles; only city staff change anything, and anyone else is refused (403) before the framework
is read."""

from assessments.frameworks.defaults import build_framework, default_framework_ensure
from assessments.frameworks.models import Framework

ALL = ["anon", "city", "district", "principal", "member", "auditor", "admin"]
ALL_OK = dict.fromkeys(ALL, 200) | {"anon": 302}
DRAFT_READ = ALL_OK | {"district": 404, "principal": 404, "member": 404}
CITY_PAGE = dict.fromkeys(ALL, 403) | {"anon": 302, "city": 200}
# The editor's pages of a published framework send city staff back to it with a message.
CITY_PAGE_PUBLISHED = CITY_PAGE | {"city": 302}
# Every POST redirects to the framework's page (done, or refused with a message).
CITY_POST = dict.fromkeys(ALL, 403) | {"anon": 302, "city": 302}


def _built(which: str) -> Framework:
    """The published default framework, or a draft of it; built once per world (the fuzz test
    builds every row's URL in one world)."""
    if which == "published":
        return default_framework_ensure()
    found = Framework.objects.filter(code="T-DRAFT").first()
    return found or build_framework(code="T-DRAFT", publish=False)


def _framework(world, which: str) -> dict:
    return {"framework_id": _built(which).pk}


def _dimension(world, which: str) -> dict:
    framework = _built(which)
    dimension = framework.dimensions.order_by("order").last()
    return {"framework_id": framework.pk, "dimension_id": dimension.pk}


def _indicator(world, which: str) -> dict:
    framework = _built(which)
    from assessments.frameworks.models import Indicator

    indicator = Indicator.objects.filter(dimension__framework=framework).order_by("pk").last()
    return {"framework_id": framework.pk, "indicator_id": indicator.pk}


def _published(build):
    return lambda world, which: build(world, "published")


ROWS = [
    ("frameworks:framework-list", None, "get", ALL_OK, None),
    ("frameworks:framework-detail", "published", "get", ALL_OK, _framework),
    ("frameworks:framework-detail", "draft", "get", DRAFT_READ, _framework),
    ("frameworks:framework-copy", "published", "post", CITY_POST, _framework),
    ("frameworks:framework-copy", "draft", "post", CITY_POST, _framework),
    ("frameworks:framework-edit", "draft", "get", CITY_PAGE, _framework),
    ("frameworks:framework-edit", "published", "get", CITY_PAGE_PUBLISHED, _framework),
    ("frameworks:framework-publish", "draft", "post", CITY_POST, _framework),
    ("frameworks:dimension-add", "draft", "get", CITY_PAGE, _framework),
    ("frameworks:dimension-add", "published", "get", CITY_PAGE_PUBLISHED, _framework),
    ("frameworks:dimension-edit", "draft", "get", CITY_PAGE, _dimension),
    ("frameworks:dimension-remove", "draft", "post", CITY_POST, _dimension),
    ("frameworks:dimension-move", "draft", "post", CITY_POST, _dimension),
    ("frameworks:indicator-add", "draft", "get", CITY_PAGE, _dimension),
    ("frameworks:indicator-edit", "draft", "get", CITY_PAGE, _indicator),
    ("frameworks:indicator-edit", "published", "get", CITY_PAGE_PUBLISHED, _indicator),
    ("frameworks:indicator-remove", "draft", "post", CITY_POST, _indicator),
    ("frameworks:indicator-move", "draft", "post", CITY_POST, _indicator),
]

# A published framework never changes: whoever may not edit gets 403 before its state.
WRONG_STATE = {
    "frameworks:framework-edit": _published(_framework),
    "frameworks:framework-publish": _published(_framework),
    "frameworks:dimension-add": _published(_framework),
    "frameworks:dimension-edit": _published(_dimension),
    "frameworks:dimension-remove": _published(_dimension),
    "frameworks:dimension-move": _published(_dimension),
    "frameworks:indicator-add": _published(_dimension),
    "frameworks:indicator-edit": _published(_indicator),
    "frameworks:indicator-remove": _published(_indicator),
    "frameworks:indicator-move": _published(_indicator),
}
POST_WITHOUT_STATE = {"frameworks:framework-copy"}
READ_ONLY = {"frameworks:framework-list", "frameworks:framework-detail"}
