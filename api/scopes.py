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


class HasScope(permissions.BasePermission):
    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        key = key_of(request)
        if key is None:
            return True  # a person's session
        needed = required_scopes(view, request.method)
        if not needed:
            raise ScopeMissing(_("此接口不对接口客户端开放。"))
        if not any(key.client.has_scope(s) for s in needed):
            raise ScopeMissing(
                _("该接口客户端没有所需的权限范围：%(scope)s。") % {"scope": " 或 ".join(needed)}
            )
        return True
