"""URLs of funding/ledgers (filled by its feature)."""

urlpatterns: list = []
