"""factory_boy factories for the registry. Valid by default; override what a test is about."""

import datetime

import factory
from factory.django import DjangoModelFactory

from groups.registry.models import CouncilSeat, EducationGroup, Membership, Partnership
from members.models import Authority, Partner, School, User
from members.models import District as DistrictRow
from qingdao_groups.demo.data import District, district_name

__all__ = ["District", "district_row"]  # District: the ten demo codes (and their labels)


def district_row(code: str) -> DistrictRow:
    """The district with that code, made if missing (a transactional test flushes the ten the
    migration created)."""
    name = district_name(code) if code in District.values else code
    return DistrictRow.objects.get_or_create(code=code, defaults={"name": name})[0]


class _DistrictByCode:
    """Factories take a district as a code (`district="shinan"`) or a row."""

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if isinstance(kwargs.get("district"), str):
            code = kwargs.pop("district")
            kwargs["district"] = district_row(code) if code else None
        return kwargs


class AuthorityFactory(_DistrictByCode, DjangoModelFactory):
    class Meta:
        model = Authority
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"测试教育和体育局{n}")
    code = factory.Sequence(lambda n: f"authority-{n}")
    kind = Authority.Kind.DISTRICT
    district = factory.Iterator([d for d in District.values])


def city_bureau() -> Authority:
    return AuthorityFactory(code="city", name="青岛市教育局", kind=Authority.Kind.CITY, district="")


def district_bureau(district: str = District.SHINAN) -> Authority:
    label = District(district).label
    return AuthorityFactory(
        code=f"district-{district}",
        name=f"{label}教育和体育局",
        kind=Authority.Kind.DISTRICT,
        district=district,
        parent=city_bureau(),
    )


class SchoolFactory(_DistrictByCode, DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"青岛测试学校{n:04d}")
    code = factory.Sequence(lambda n: f"37020{n:05d}")
    authority = factory.LazyFunction(lambda: district_bureau(District.SHINAN))
    district = factory.LazyAttribute(lambda o: o.authority.district_id or District.SHINAN)
    stage = School.Stage.PRIMARY
    nature = School.Nature.PUBLIC
    principal_name = factory.Sequence(lambda n: f"校长{n}")


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"合作单位{n}")
    kind = Partner.Kind.ENTERPRISE


class EducationGroupFactory(DjangoModelFactory):
    """A group with its core membership (as groups.registry.services.group_create makes it)."""

    class Meta:
        model = EducationGroup
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试教育集团{n}")
    code = factory.Sequence(lambda n: f"QD-T-{n:04d}")
    core_school = factory.SubFactory(SchoolFactory)
    authority = factory.LazyAttribute(lambda o: o.core_school.authority)
    specialty = "科技创新"
    founded_on = datetime.date(2019, 9, 1)

    @factory.post_generation
    def core_membership(obj, create, extracted, **kwargs):
        if create:
            Membership.objects.create(
                group=obj,
                school=obj.core_school,
                role=Membership.Role.CORE,
                joined_on=obj.founded_on,
            )


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(EducationGroupFactory)
    school = factory.SubFactory(SchoolFactory)
    role = Membership.Role.MEMBER
    relation_type = "T-2"
    relation_subtype = "T-2a"
    joined_on = datetime.date(2020, 9, 1)


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = Partnership

    group = factory.SubFactory(EducationGroupFactory)
    partner = factory.SubFactory(PartnerFactory)
    projects = "科技社团\n研学实践"
    started_on = datetime.date(2020, 9, 1)


class CouncilSeatFactory(DjangoModelFactory):
    class Meta:
        model = CouncilSeat

    group = factory.SubFactory(EducationGroupFactory)
    role = CouncilSeat.Role.MEMBER_PRINCIPAL
    person_name = factory.Sequence(lambda n: f"议事成员{n}")
    started_on = datetime.date(2019, 9, 1)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = User.Role.AUDITOR
    password = factory.PostGenerationMethodCall("set_password", "test-pass-2025")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()
