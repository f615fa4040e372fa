"""/api/: the versioned endpoints (v1), the OpenAPI 3 schema and its documentation pages (Swagger
UI and Redoc from the sidecar package's static files: nothing from a CDN), and the pages where
the city's administrators manage clients and keys."""

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from api import pages, views
from api.errors import not_found_view

app_name = "api"


def public(view):
    return login_not_required(view)


class SwaggerView(SpectacularSwaggerView):
    """Swagger UI with the CSP nonce on its inline script (api/templates/api/swagger_ui.html).
    drf-spectacular relaxes the opener policy for an OAuth2 pop-up this API does not use: the
    page keeps the site's `same-origin`."""

    template_name = "api/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        del response["Cross-Origin-Opener-Policy"]
        return response


# Redoc (issue 12) needs a little more than the site's policy, on its page only: its search runs
# in a worker it builds from a blob: URL, and its bundle adds two style elements (one empty)
# when it loads, before it is given the nonce (Redoc.init's `nonce`, which covers every style
# added after); those two are allowed by their hashes (drf-spectacular-sidecar's Redoc 2.5;
# tests/e2e/test_api_clients_browser.py fails if an upgrade changes them). Its footer's logo
# from cdn.redoc.ly stays refused: nothing is loaded from outside (issue 11).
REDOC_CSP = {
    "worker-src": ["'self'", "blob:"],
    "style-src": [
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
        "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
    ],
}

urlpatterns = [
    path("schema/", public(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", public(SwaggerView.as_view(url_name="api:schema")), name="docs"),
    path(
        "redoc/",
        public(
            csp_update(REDOC_CSP)(
                SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
            )
        ),
        name="redoc",
    ),
    path("v1/authorities/", views.AuthorityList.as_view(), name="authority-list"),
    path("v1/schools/", views.SchoolList.as_view(), name="school-list"),
    path("v1/schools/<int:school_id>/", views.SchoolDetail.as_view(), name="school-detail"),
    path(
        "v1/schools/<int:school_id>/memberships/",
        views.SchoolMemberships.as_view(),
        name="school-memberships",
    ),
    path("v1/groups/", views.GroupList.as_view(), name="group-list"),
    path("v1/groups/<int:group_id>/", views.GroupDetail.as_view(), name="group-detail"),
    path("v1/applications/", views.ApplicationList.as_view(), name="application-list"),
    path("v1/cards/", views.CardList.as_view(), name="card-list"),
    path("v1/filings/", views.FilingList.as_view(), name="filing-list"),
    path("v1/filings/<int:filing_id>/", views.FilingDetail.as_view(), name="filing-detail"),
    path(
        "v1/filings/<int:filing_id>/documents/",
        views.FilingDocuments.as_view(),
        name="filing-documents",
    ),
    path("v1/enrollment-plans/", views.EnrollmentPlanList.as_view(), name="plan-list"),
    path("v1/ledgers/", views.LedgerList.as_view(), name="ledger-list"),
    path("v1/reports/", views.ReportList.as_view(), name="report-list"),
    path(
        "v1/documents/official/<int:document_id>/",
        views.DocumentDownload.as_view(),
        name="document-download",
    ),
    path(
        "v1/documents/attachments/<int:attachment_id>/",
        views.AttachmentDownload.as_view(),
        name="attachment-download",
    ),
    # Client management (the city's administrators; pages, not API).
    path("clients/", pages.client_list_view, name="client-list"),
    path("clients/new/", pages.client_create_view, name="client-create"),
    path("clients/<int:client_id>/", pages.client_detail_view, name="client-detail"),
    path("clients/<int:client_id>/rotate/", pages.key_rotate_view, name="key-rotate"),
    path("clients/<int:client_id>/revoke/", pages.client_revoke_view, name="client-revoke"),
    path(
        "clients/<int:client_id>/keys/<int:key_id>/revoke/",
        pages.key_revoke_view,
        name="key-revoke",
    ),
    # Any method, with or without a session cookie: a problem+json 404, never the CSRF page.
    re_path(r"^v1/.*$", public(csrf_exempt(not_found_view)), name="not-found"),
]
