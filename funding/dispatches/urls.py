"""URLs of funding/dispatches (filled by its feature)."""

urlpatterns: list = []
