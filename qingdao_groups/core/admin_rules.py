"""What the Django admin may never do, administrators included (issue 12): delete a domain
record (schools, authorities, users, groups, memberships, partnerships, council seats,
documents, money and assessment records …: they are ended or deactivated, and their history
stays whole), or change a stored document. Every ModelAdmin of a domain model inherits
`NeverDeleted`; tests/test_admin_append_only.py walks the admin's registry to prove it."""


class NeverDeleted:
    """No delete view, no delete link, no 'delete selected' action (Django drops the action
    when the permission is refused)."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnly(NeverDeleted):
    """Shown, never added or changed here: stored documents and records written once."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
