"""Scopes (issue 11): each API view names the scope a client's key needs per method. A signed-in
person through the session needs none: their role's `Decision`s and selectors decide, as on the
pages. A missing scope is a 403 that names the scope (what the client asks its administrator
for); it says nothing about any object."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from api.models import ApiKey


class ScopeMissing(exceptions.PermissionDenied):
    default_code = "scope_missing"


def key_of(request) -> ApiKey | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiKey) else None


def required_scopes(view, method: str) -> tuple[str, ...]:
    """The scopes of which a key needs one for `method` on `view` (`view.scopes`: a mapping
    from "read" / "write" to scope names)."""
    kind = "read" if method in permissions.SAFE_METHODS else "write"
    return tuple(getattr(view, "scopes", {}).get(kind, ()))


def require_scope(request, needed: tuple[str, ...]) -> None:
    """A key needs one of `needed`; a person's session needs none."""
    key = key_of(request)
    if key is not None and not any(key.client.has_scope(s) for s in needed):
        raise ScopeMissing(
            _("该接口客户端没有所需的权限范围：%(scope)s。") % {"scope": " 或 ".join(needed)}
        )


# What a downloaded file belongs to decides the scope it needs (by the owner's model): the
# assessments' (a report's PDF, a score's evidence, a practice case's files) reports:read; the
# funding's (a ledger's statement, an agreement's, a spending's files) ledgers:read; a filing's
# material or receipt the filing scopes; the registry's own (applications, cards …) registry:read.
# The download endpoints' own scopes only let the call in.
OWNER_SCOPES = {
    "report": ("reports:read",),
    "score": ("reports:read",),
    "practicecase": ("reports:read",),
    "ledger": ("ledgers:read",),
    "agreement": ("ledgers:read",),
    "spending": ("ledgers:read",),
    "filing": ("registry:read", "filings:write"),
}
OWNER_SCOPES_DEFAULT = ("registry:read",)


def require_owner_scope(request, owner_model: str) -> None:
    require_scope(request, OWNER_SCOPES.get(owner_model, OWNER_SCOPES_DEFAULT))


class HasScope(permissions.BasePermission):
    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        key = key_of(request)
        if key is None:
            return True  # a person's session
        if not hasattr(view, request.method.lower()):
            return True  # a method the endpoint does not have: DRF answers 405, not a scope
        needed = required_scopes(view, request.method)
        if not needed:
            raise ScopeMissing(_("此接口不对接口客户端开放。"))
        require_scope(request, needed)
        return True
