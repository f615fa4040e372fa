"""Assessment frameworks (policy A-1 … A-4; issue 10): the list, a framework's page (its tree
in words, a worked example of the scoring, the publish check), copying, and the draft editor.
Access -> form -> service -> message -> redirect; a change is for city staff only (403 for
anyone else before the framework is read), a draft is hidden (404) from those who read only
published frameworks."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.frameworks import derived
from assessments.frameworks.explain import params_in_words, worked_example
from assessments.frameworks.forms import (
    CopyForm,
    DimensionForm,
    FrameworkForm,
    IndicatorForm,
    MoveForm,
)
from assessments.frameworks.models import Dimension, Framework, Indicator
from assessments.frameworks.permissions import can_edit_frameworks
from assessments.frameworks.selectors import (
    framework_cycles,
    framework_get_for_user,
    framework_list_for_user,
    framework_revisions,
    framework_tree,
)
from assessments.frameworks.services import (
    FROZEN,
    NotReady,
    dimension_add,
    dimension_edit,
    dimension_move,
    dimension_remove,
    framework_copy,
    framework_edit,
    framework_publish,
    indicator_add,
    indicator_edit,
    indicator_move,
    indicator_remove,
)
from assessments.frameworks.validation import framework_problems
from qingdao_groups.core.forms import VersionedForm
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.queries import by_key
from qingdao_groups.core.rules import RuleRefusal, add_form_error, require
from qingdao_groups.core.submissions import ALREADY_DONE, once

PAGE_SIZE = 25


def _detail(framework_id: int):
    return redirect("frameworks:framework-detail", framework_id=framework_id)


def framework_list_view(request):
    """Every framework the user may read: code, revision, status, the cycles using it."""
    qs = framework_list_for_user(user=request.user)
    page = KeyFirstPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "frameworks/framework_list.html",
        {"page_obj": page, "may_edit": can_edit_frameworks(request.user).allowed},
    )


def framework_detail_view(request, framework_id: int):
    """The tree with clause citations and each derived indicator's metric and rule in words,
    a worked example of the scoring (A-1 … A-4), the cycles using it, and for a draft the
    publish check and the editor's buttons."""
    user = request.user
    framework = framework_get_for_user(user=user, framework_id=framework_id)
    tree = framework_tree(framework)
    for ind in tree.indicators:
        ind.metric = derived.METRICS.get(ind.derived_key)
        ind.rule_words = params_in_words(ind)
    may_edit = can_edit_frameworks(user).allowed
    problems = (
        []
        if framework.is_published
        else framework_problems(
            grade_bands=framework.grade_bands,
            bonus_points=framework.bonus_points,
            dimensions=tree.dimensions,
            indicators=tree.indicators,
        )
    )
    return render(
        request,
        "frameworks/framework_detail.html",
        {
            "framework": framework,
            "tree": tree,
            "example": worked_example(
                dimensions=tree.dimensions,
                indicators=tree.indicators,
                grade_bands=framework.grade_bands,
                bonus_points=framework.bonus_points,
            ),
            "bands": _bands(framework),
            "problems": problems,
            "cycles": framework_cycles(framework),
            "revisions": framework_revisions(user=user, framework=framework),
            "may_copy": may_edit,
            "may_edit": may_edit and not framework.is_published,
            "copy_form": CopyForm() if may_edit else None,
            "metrics": list(derived.METRICS.values()),
        },
    )


def _bands(framework: Framework) -> list[dict]:
    from assessments.frameworks.models import Grade

    labels = dict(Grade.choices)
    bonus = framework.bonus_points or {}
    return [
        {
            "label": labels.get(b.get("grade"), b.get("grade")),
            "min": b.get("min"),
            "bonus": bonus.get(b.get("grade"), "—"),
        }
        for b in framework.grade_bands or []
        if isinstance(b, dict)
    ]


@require_POST
def framework_copy_view(request, framework_id: int):
    """A new draft from this framework: the next revision of its code, or another code."""
    require(can_edit_frameworks(request.user))
    source = framework_get_for_user(user=request.user, framework_id=framework_id)
    form = CopyForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _detail(source.pk)
    data = form.cleaned_data
    try:
        copy, created = once(
            data["submission"],
            request.user,
            lambda: framework_copy(
                source=source, actor=request.user, code=data["code"], name=data["name"]
            ),
        )
    except RuleRefusal as exc:
        messages.error(request, exc.message)
        return _detail(source.pk)
    if created:
        messages.success(
            request,
            _("已复制为草稿 %(code)s 第 %(v)d 版，可修改后发布。")
            % {"code": copy.code, "v": copy.revision},
        )
    else:
        messages.info(request, ALREADY_DONE)
    return _detail(copy.pk)


def _editable(request, framework_id: int) -> Framework:
    """The person gate (403), then the framework (404 if not readable)."""
    require(can_edit_frameworks(request.user))
    return framework_get_for_user(user=request.user, framework_id=framework_id)


def _frozen(request, framework: Framework):
    messages.error(request, FROZEN)
    return _detail(framework.pk)


def framework_edit_view(request, framework_id: int):
    """A draft's name, description, grade bands and bonus points per grade (A-2)."""
    framework = _editable(request, framework_id)
    if framework.is_published:
        return _frozen(request, framework)
    form = FrameworkForm(request.POST or None, initial=FrameworkForm.initial_from(framework))
    if request.method == "POST" and form.is_valid():
        try:
            framework_edit(
                framework=framework,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                grade_bands=form.grade_bands(),
                bonus_points=form.bonus_points(),
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return _detail(framework.pk)
    return render(
        request,
        "frameworks/framework_form.html",
        {"framework": framework, "form": form},
    )


@require_POST
def framework_publish_view(request, framework_id: int):
    """Publish a draft once it passes every check; otherwise every problem is listed."""
    framework = _editable(request, framework_id)
    form = VersionedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("表单已过期，请刷新页面后再操作。"))
        return _detail(framework.pk)
    try:
        framework_publish(
            framework=framework,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except NotReady as exc:
        messages.error(request, exc.message)
        for problem in exc.problems:
            messages.warning(request, problem)
    except RuleRefusal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已发布 %(code)s 第 %(v)d 版；此后该版本不再改变，评估周期可采用。")
            % {"code": framework.code, "v": framework.revision},
        )
    return _detail(framework.pk)


def _dimension(framework: Framework, dimension_id: int) -> Dimension:
    try:
        return by_key(Dimension.objects.filter(framework=framework), dimension_id)
    except Dimension.DoesNotExist as exc:
        raise Http404 from exc


def _indicator(framework: Framework, indicator_id: int) -> Indicator:
    try:
        return by_key(
            Indicator.objects.filter(dimension__framework=framework).select_related(
                "dimension__framework"
            ),
            indicator_id,
        )
    except Indicator.DoesNotExist as exc:
        raise Http404 from exc


def _dimension_form_page(request, framework, form, dimension=None):
    return render(
        request,
        "frameworks/dimension_form.html",
        {"framework": framework, "form": form, "dimension": dimension},
    )


def dimension_add_view(request, framework_id: int):
    framework = _editable(request, framework_id)
    if framework.is_published:
        return _frozen(request, framework)
    form = DimensionForm(request.POST or None, initial={"version": framework.version})
    if request.method == "POST" and form.is_valid():
        try:
            dimension_add(
                framework=framework,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                data=form.cleaned_data,
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("已新增维度。"))
            return _detail(framework.pk)
    return _dimension_form_page(request, framework, form)


def dimension_edit_view(request, framework_id: int, dimension_id: int):
    framework = _editable(request, framework_id)
    dimension = _dimension(framework, dimension_id)
    if framework.is_published:
        return _frozen(request, framework)
    initial = {"version": framework.version} | {
        f: getattr(dimension, f) for f in ("code", "name", "weight", "clause", "description")
    }
    form = DimensionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            dimension_edit(
                dimension=dimension,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                data=form.cleaned_data,
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return _detail(framework.pk)
    return _dimension_form_page(request, framework, form, dimension)


def _posted_version(request, form_class=VersionedForm):
    form = form_class(request.POST)
    return form, form.is_valid()


@require_POST
def dimension_remove_view(request, framework_id: int, dimension_id: int):
    framework = _editable(request, framework_id)
    dimension = _dimension(framework, dimension_id)
    form, ok = _posted_version(request)
    if not ok:
        messages.error(request, _("表单已过期，请刷新页面后再操作。"))
        return _detail(framework.pk)
    try:
        dimension_remove(
            dimension=dimension, actor=request.user, expected_version=form.cleaned_data["version"]
        )
    except RuleRefusal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除维度及其指标。"))
    return _detail(framework.pk)


@require_POST
def dimension_move_view(request, framework_id: int, dimension_id: int):
    framework = _editable(request, framework_id)
    dimension = _dimension(framework, dimension_id)
    form, ok = _posted_version(request, MoveForm)
    if not ok:
        messages.error(request, _("表单已过期，请刷新页面后再操作。"))
        return _detail(framework.pk)
    try:
        dimension_move(
            dimension=dimension,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            direction=form.cleaned_data["direction"],
        )
    except RuleRefusal as exc:
        messages.error(request, exc.message)
    return _detail(framework.pk)


def _indicator_form_page(request, framework, dimension, form, indicator=None):
    return render(
        request,
        "frameworks/indicator_form.html",
        {
            "framework": framework,
            "dimension": dimension,
            "form": form,
            "indicator": indicator,
            "metrics": list(derived.METRICS.values()),
        },
    )


def indicator_add_view(request, framework_id: int, dimension_id: int):
    framework = _editable(request, framework_id)
    dimension = _dimension(framework, dimension_id)
    if framework.is_published:
        return _frozen(request, framework)
    form = IndicatorForm(
        request.POST or None,
        initial={
            "version": framework.version,
            "kind": Indicator.Kind.SCORED,
            "source": Indicator.Source.MANUAL,
            "weight": 1,
            "scale_max": 10,
            "clause": dimension.clause,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            indicator_add(
                dimension=dimension,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                data=form.service_data(),
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("已新增指标。"))
            return _detail(framework.pk)
    return _indicator_form_page(request, framework, dimension, form)


def indicator_edit_view(request, framework_id: int, indicator_id: int):
    framework = _editable(request, framework_id)
    indicator = _indicator(framework, indicator_id)
    if framework.is_published:
        return _frozen(request, framework)
    form = IndicatorForm(
        request.POST or None, initial=IndicatorForm.initial_from(indicator, framework.version)
    )
    if request.method == "POST" and form.is_valid():
        try:
            indicator_edit(
                indicator=indicator,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                data=form.service_data(),
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return _detail(framework.pk)
    return _indicator_form_page(request, framework, indicator.dimension, form, indicator)


@require_POST
def indicator_remove_view(request, framework_id: int, indicator_id: int):
    framework = _editable(request, framework_id)
    indicator = _indicator(framework, indicator_id)
    form, ok = _posted_version(request)
    if not ok:
        messages.error(request, _("表单已过期，请刷新页面后再操作。"))
        return _detail(framework.pk)
    try:
        indicator_remove(
            indicator=indicator, actor=request.user, expected_version=form.cleaned_data["version"]
        )
    except RuleRefusal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除指标。"))
    return _detail(framework.pk)


@require_POST
def indicator_move_view(request, framework_id: int, indicator_id: int):
    framework = _editable(request, framework_id)
    indicator = _indicator(framework, indicator_id)
    form, ok = _posted_version(request, MoveForm)
    if not ok:
        messages.error(request, _("表单已过期，请刷新页面后再操作。"))
        return _detail(framework.pk)
    try:
        indicator_move(
            indicator=indicator,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            direction=form.cleaned_data["direction"],
        )
    except RuleRefusal as exc:
        messages.error(request, exc.message)
    return _detail(framework.pk)
