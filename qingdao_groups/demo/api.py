"""The demo's API client (issue 11): the 市南区 bureau's own system, with a fixed key printed with
the demo logins so the API can be tried at once (docs/api.md).

DEMO ONLY. A real key is random, shown once and stored as its SHA-256 (api.keys); this one is
written in the source so that every demo database has the same, documented key. It is created
only by `seed_demo`, which refuses to run under the production settings; never reuse it."""

from __future__ import annotations

from types import SimpleNamespace

from simple_history.models import HistoricalRecords

from api import keys
from api.models import ApiClient, ApiKey, Scope
from api.services import KEY_DAYS_MAX, api_client_register
from members.models import Authority, User
from qingdao_groups.core.workflow import stamp

DEMO_API_PREFIX = "demoshinan"
DEMO_API_SECRET = "DEMOKEYSHINANBUREAUFORDEMODATAONLYNEVERINPRODUCTIONX"  # noqa: S105 - demo only
DEMO_API_KEY = f"qg_{DEMO_API_PREFIX}_{DEMO_API_SECRET}"
DEMO_API_CLIENT = "市南区教育信息系统（演示）"
DEMO_API_SCOPES = (
    Scope.REGISTRY_READ.value,
    Scope.FILINGS_WRITE.value,
    Scope.REPORTS_READ.value,
    Scope.LEDGERS_READ.value,
)


def demo_api_client_ensure(*, authority: Authority, actor: User) -> ApiClient:
    """The demo client of `authority` with the fixed key; created once (a second run finds the
    key by its prefix and changes nothing). Registered through the service like any client
    (its system account, scopes, first key), then the key is given the demo's fixed value; its
    history rows name `actor`, as every row the demo seeds does."""
    existing = ApiKey.objects.select_related("client").filter(prefix=DEMO_API_PREFIX).first()
    if existing is not None:
        return existing.client
    # No request to name the actor (the history middleware's source), so the demo stands one
    # in: the history rows are append-only (issue 12), written right or not at all.
    previous = getattr(HistoricalRecords.context, "request", None)
    HistoricalRecords.context.request = SimpleNamespace(user=actor)
    try:
        client, _new = api_client_register(
            name=DEMO_API_CLIENT,
            scopes=DEMO_API_SCOPES,
            authority=authority,
            contact="演示数据",
            valid_days=KEY_DAYS_MAX,
            actor=actor,
        )
    finally:
        HistoricalRecords.context.request = previous
    key = client.keys.get()
    key.prefix = DEMO_API_PREFIX
    key.secret_sha256 = keys.digest(DEMO_API_SECRET)
    stamp(key, actor=actor)
    key.save(update_fields=["prefix", "secret_sha256"])
    return client


def demo_api_client() -> ApiClient | None:
    """The demo's client, when the database has it (seed_demo prints its key)."""
    return (
        ApiClient.objects.select_related("authority").filter(keys__prefix=DEMO_API_PREFIX).first()
    )
