"""URLs of funding/awards (filled by its feature)."""

urlpatterns: list = []
