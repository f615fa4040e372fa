"""URLs of funding/spending (filled by its feature)."""

urlpatterns: list = []
