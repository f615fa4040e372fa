"""URLs of funding/agreements (filled by its feature)."""

urlpatterns: list = []
