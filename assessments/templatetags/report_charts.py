"""Chart geometry for the report templates (assessments.reports.charts)."""

from django import template

from assessments.reports import charts

register = template.Library()


@register.filter
def dimension_chart(data: dict) -> dict:
    return charts.dimension_bars(data)


@register.filter
def trend_chart(data: dict) -> dict:
    return charts.trend_line(data)


@register.filter
def grade_chart(data: dict) -> dict:
    return charts.grade_bars(data)


@register.filter
def target_chart(data: dict) -> dict:
    return charts.target_bars(data)


@register.filter
def css_string(value) -> str:
    """A CSS string literal of `value` for `content:` in @page margin boxes (quotes,
    backslashes and `<` escaped, so nothing closes the style element)."""
    from django.utils.safestring import mark_safe

    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    text = text.replace("\n", " ")
    return mark_safe(f'"{text}"')  # noqa: S308 - escaped for CSS above
