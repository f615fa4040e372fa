"""URLs of funding/staffing (filled by its feature)."""

urlpatterns: list = []
