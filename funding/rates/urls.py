"""URLs of funding/rates (filled by its feature)."""

urlpatterns: list = []
