"""School import/export views (being written)."""

from django.http import HttpResponse


def school_import_view(request):
    return HttpResponse("todo")


def school_export_view(request):
    return HttpResponse("todo")
