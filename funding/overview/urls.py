"""URLs of funding/overview (filled by its feature)."""

urlpatterns: list = []
