"""The base of every list filter (django-filter FilterSets): Bootstrap classes on the widgets."""

import django_filters
from django import forms

from qingdao_groups.core.forms import BootstrapFormMixin


class BootstrapFilterForm(BootstrapFormMixin, forms.Form):
    pass


def only_if_checked(filter_q):
    """A filter method for a tick box: applies `filter_q` when ticked, else nothing (an unticked
    box means "all", not "only the false ones")."""

    def method(queryset, name, value):
        return queryset.filter(filter_q) if value else queryset

    return method


class TickBoxFilter(django_filters.Filter):
    field_class = forms.BooleanField
