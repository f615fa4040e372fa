"""The demo registry as data: the city and district bureaus, the schools, partners and groups
of the demo, the users and the story's dates and names. Deterministic, no randomness (see
qingdao_groups/demo/__init__.py)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from members.models import Authority, Partner, School, User

DEMO_PASSWORD = "demo-pass-2025"  # noqa: S105 - the published demo password (README, issue 2)


class District(models.TextChoices):
    """Qingdao's seven districts and three county-level cities (CLAUSES.md, History): the demo's
    table of members.District rows (the migration that made districts data created the same)."""

    SHINAN = "shinan", _("市南区")
    SHIBEI = "shibei", _("市北区")
    LICANG = "licang", _("李沧区")
    LAOSHAN = "laoshan", _("崂山区")
    CHENGYANG = "chengyang", _("城阳区")
    HUANGDAO = "huangdao", _("黄岛区（西海岸新区）")
    JIMO = "jimo", _("即墨区")
    JIAOZHOU = "jiaozhou", _("胶州市")
    PINGDU = "pingdu", _("平度市")
    LAIXI = "laixi", _("莱西市")


def district_name(code: str) -> str:
    """The Chinese name a District row stores (the label's source string)."""
    with translation.override("zh-hans"):
        return str(District(code).label)


Stage = School.Stage


Nature = School.Nature


D = datetime.date


CITY_CODE = "city"


CITY_NAME = "青岛市教育局"


OTHER_UNITS = (  # co-issuers of the policy, read-only participants
    ("bianban", "青岛市委编办"),
    ("finance", "青岛市财政局"),
    ("hrss", "青岛市人力资源和社会保障局"),
)


@dataclass(frozen=True)
class DistrictSpec:
    district: str
    bureau: str
    admin_code: str  # the two digits after 3702 in the administrative division code
    prefixes: tuple[str, ...]  # used in turn at the start of school names
    places: tuple[str, ...]  # streets, towns and neighbourhoods that schools are named after
    schools: int  # how many ordinary schools to generate besides the featured ones


DISTRICTS: tuple[DistrictSpec, ...] = (
    DistrictSpec(
        District.SHINAN,
        "市南区教育和体育局",
        "02",
        ("青岛市市南区", "市南区"),
        (
            "香港中路",
            "湛山",
            "太平路",
            "江苏路",
            "宁夏路",
            "福州路",
            "延安三路",
            "八大关",
            "燕儿岛路",
            "金门路",
            "南京路",
            "徐州路",
            "嘉峪关",
            "珠海路",
            "东海路",
            "文登路",
            "上海路",
            "西陵峡路",
            "莱芜路",
            "观海路",
            "银川路",
            "山东路",
        ),
        27,
    ),
    DistrictSpec(
        District.SHIBEI,
        "市北区教育和体育局",
        "03",
        ("青岛市市北区", "市北区"),
        (
            "台东",
            "辽宁路",
            "延安路",
            "浮山后",
            "四方",
            "合肥路",
            "鞍山路",
            "洛阳路",
            "敦化路",
            "嘉定路",
            "镇江路",
            "人民路",
            "重庆南路",
            "杭州路",
            "海泊河",
            "小港",
            "昌乐路",
            "萍乡路",
            "错埠岭",
            "伊春路",
            "开平路",
            "长沙路",
            "黑龙江路",
            "抚顺路",
            "同安路",
        ),
        38,
    ),
    DistrictSpec(
        District.LICANG,
        "李沧区教育和体育局",
        "13",
        ("青岛市李沧区", "李沧区"),
        (
            "沧口",
            "振华路",
            "书院路",
            "虎山路",
            "金水路",
            "永平路",
            "楼山",
            "大枣园",
            "湘潭路",
            "兴华路",
            "永年路",
            "重庆中路",
            "南庄",
            "东李",
            "杨家群",
            "石门路",
            "青山路",
            "峰山路",
            "夏庄路",
            "世园",
            "文昌路",
            "浮山路",
        ),
        27,
    ),
    DistrictSpec(
        District.LAOSHAN,
        "崂山区教育和体育局",
        "12",
        ("青岛市崂山区", "崂山区"),
        (
            "株洲路",
            "松岭路",
            "王哥庄",
            "北宅",
            "中韩",
            "麦岛",
            "苗岭路",
            "海尔路",
            "辽阳东路",
            "香港东路",
            "张村河",
            "沙子口",
            "流清河",
            "午山",
            "石老人",
            "枯桃",
            "埠东",
            "大河东",
        ),
        22,
    ),
    DistrictSpec(
        District.CHENGYANG,
        "城阳区教育和体育局",
        "14",
        ("青岛市城阳区", "城阳区"),
        (
            "夏庄",
            "惜福镇",
            "棘洪滩",
            "上马",
            "红岛",
            "河套",
            "正阳路",
            "华城路",
            "明阳路",
            "白沙河",
            "丹山",
            "古镇",
            "仲村",
            "后桃林",
            "铁骑山",
            "青大工学院",
            "西城汇",
            "祥阳路",
            "春阳路",
            "国城路",
            "长城路",
            "和阳路",
        ),
        32,
    ),
    DistrictSpec(
        District.HUANGDAO,
        "青岛西海岸新区教育和体育局",
        "11",
        ("青岛西海岸新区",),
        (
            "辛安",
            "薛家岛",
            "长江路",
            "灵山卫",
            "珠山",
            "隐珠",
            "王台",
            "六汪",
            "张家楼",
            "大场",
            "海青",
            "琅琊",
            "泊里",
            "藏马",
            "大村",
            "宝山",
            "铁山",
            "灵珠山",
            "红石崖",
            "峨眉山路",
            "太行山路",
            "香江路",
            "井冈山路",
            "武夷山路",
            "黄山路",
            "紫金山路",
        ),
        44,
    ),
    DistrictSpec(
        District.JIMO,
        "即墨区教育和体育局",
        "15",
        ("青岛市即墨区", "即墨区"),
        (
            "环秀",
            "通济",
            "潮海",
            "北安",
            "龙山",
            "灵山",
            "鳌山卫",
            "温泉",
            "田横",
            "金口",
            "段泊岚",
            "移风",
            "大信",
            "龙泉",
            "南泉",
            "刘家庄",
            "华山",
            "七级",
            "王村",
            "普东",
            "店集",
            "皋虞",
        ),
        34,
    ),
    DistrictSpec(
        District.JIAOZHOU,
        "胶州市教育和体育局",
        "81",
        ("胶州市",),
        (
            "三里河",
            "阜安",
            "中云",
            "胶东",
            "胶莱",
            "九龙",
            "李哥庄",
            "铺集",
            "里岔",
            "洋河",
            "马店",
            "北关",
            "兰州东路",
            "郑州路",
            "杜村",
            "营海",
            "张应",
            "少海",
            "常州路",
            "广州北路",
        ),
        26,
    ),
    DistrictSpec(
        District.PINGDU,
        "平度市教育和体育局",
        "83",
        ("平度市",),
        (
            "东阁",
            "凤台",
            "李园",
            "同和",
            "南村",
            "蓼兰",
            "崔家集",
            "明村",
            "田庄",
            "新河",
            "店子",
            "大泽山",
            "旧店",
            "云山",
            "仁兆",
            "郭庄",
            "白埠",
            "香店",
            "麻兰",
            "灰埠",
        ),
        24,
    ),
    DistrictSpec(
        District.LAIXI,
        "莱西市教育和体育局",
        "85",
        ("莱西市",),
        (
            "水集",
            "望城",
            "沽河",
            "姜山",
            "夏格庄",
            "日庄",
            "南墅",
            "河头店",
            "店埠",
            "马连庄",
            "孙受",
            "月湖",
            "烟台路",
            "威海路",
            "石岛路",
            "洙河",
        ),
        16,
    ),
)


DISTRICT_BY_VALUE = {spec.district: spec for spec in DISTRICTS}


def district_bureau_code(district: str) -> str:
    return f"district-{district}"


SURNAMES = (
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "赵",
    "黄",
    "周",
    "吴",
    "徐",
    "孙",
    "胡",
    "朱",
    "高",
    "林",
    "何",
    "郭",
    "马",
    "罗",
    "梁",
    "宋",
    "郑",
    "谢",
    "韩",
    "唐",
    "冯",
    "于",
    "董",
    "萧",
    "程",
    "曹",
    "袁",
    "邓",
    "许",
    "傅",
    "沈",
    "曾",
    "彭",
    "吕",
    "苏",
    "卢",
    "蒋",
    "蔡",
    "贾",
    "丁",
    "魏",
    "薛",
    "叶",
    "阎",
    "姜",
    "崔",
    "毕",
    "隋",
    "逄",
    "栾",
    "衣",
    "臧",
    "修",
    "纪",
    "宫",
)


GIVEN_NAMES = (
    "建华",
    "海燕",
    "志强",
    "秀英",
    "立新",
    "晓东",
    "丽娟",
    "国庆",
    "红梅",
    "文杰",
    "春生",
    "玉兰",
    "振宇",
    "雪梅",
    "学军",
    "静怡",
    "海涛",
    "桂芳",
    "明远",
    "晓燕",
    "新民",
    "淑华",
    "永刚",
    "凤英",
    "德胜",
    "晓红",
    "伟东",
    "美玲",
    "国华",
    "慧敏",
    "长青",
    "秀梅",
    "建军",
    "晓静",
    "立群",
    "文博",
    "爱华",
    "云飞",
    "淑珍",
    "书林",
    "瑞芳",
    "宏伟",
    "晓光",
    "艳玲",
    "成刚",
    "海英",
    "振华",
    "丽萍",
    "俊峰",
    "素梅",
    "向东",
    "月华",
    "卫国",
    "春燕",
    "志明",
    "雅琴",
    "兆海",
    "青松",
    "翠萍",
    "庆丰",
    "文静",
    "家宁",
    "树森",
    "宝玲",
    "鹏程",
    "晓宁",
    "惠芬",
    "德明",
    "金凤",
    "泽民",
    "思源",
    "玉洁",
    "连生",
    "海波",
    "雪莲",
    "永强",
    "彩霞",
)


def person_name(n: int) -> str:
    """A plausible Chinese name, the same for the same n on every run."""
    return SURNAMES[(n * 7 + 3) % len(SURNAMES)] + GIVEN_NAMES[(n * 11 + 5) % len(GIVEN_NAMES)]


CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals (第二十六中学)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


@dataclass
class SchoolSpec:
    name: str
    code: str
    authority: str  # authority code
    district: str
    stage: str
    nature: str = Nature.PUBLIC
    weak_year: int | None = None
    legal_entity: bool = True
    principal: str = ""

    def build(self, authorities: dict[str, Authority]) -> School:
        return School(
            name=self.name,
            code=self.code,
            authority=authorities[self.authority],
            district_id=self.district,
            stage=self.stage,
            nature=self.nature,
            is_weak=self.weak_year is not None,
            weak_rated_year=self.weak_year,
            is_legal_entity=self.legal_entity,
            principal_name=self.principal,
        )


def _city(serial: int) -> str:
    return f"370200{serial:04d}"  # 370200: schools run by the city bureau itself (局属学校)


def _dist(district: str, serial: int) -> str:
    # Featured schools of a district take serials from 0901 on, generated ones from 0001.
    return f"3702{DISTRICT_BY_VALUE[district].admin_code}{900 + serial:04d}"


def _district_school(name, district, serial, stage, principal, **kw) -> SchoolSpec:
    return SchoolSpec(
        name,
        _dist(district, serial),
        district_bureau_code(district),
        district,
        stage,
        principal=principal,
        **kw,
    )


# The schools named in CLAUSES.md ("History") and the invented schools the groups below are made
# of. The pilot cores and the other 局属 schools are run by the city bureau although each lies in
# a district; a fusion campus (policy T-1) shares its core school's principal and legal entity.
FEATURED_SCHOOLS: tuple[SchoolSpec, ...] = (
    # 局属学校 (authority: the city bureau)
    SchoolSpec(
        "青岛第二中学", _city(1), CITY_CODE, District.LAOSHAN, Stage.SENIOR, principal="宋文博"
    ),
    SchoolSpec(
        "青岛第五十八中学", _city(2), CITY_CODE, District.LAOSHAN, Stage.SENIOR, principal="韩立群"
    ),
    SchoolSpec(
        "青岛实验初级中学", _city(3), CITY_CODE, District.SHINAN, Stage.JUNIOR, principal="周雅琴"
    ),
    SchoolSpec(
        "青岛第一中学", _city(4), CITY_CODE, District.SHIBEI, Stage.SENIOR, principal="郑国栋"
    ),
    SchoolSpec(
        "青岛第九中学", _city(5), CITY_CODE, District.SHIBEI, Stage.SENIOR, principal="林书远"
    ),
    SchoolSpec(
        "青岛第二十六中学", _city(6), CITY_CODE, District.SHIBEI, Stage.SENIOR, principal="马振华"
    ),
    SchoolSpec(
        "琴岛学校",
        _city(7),
        CITY_CODE,
        District.SHIBEI,
        Stage.NINE_YEAR,
        legal_entity=False,
        principal="郑国栋",
    ),  # 一长两校 with 青岛一中
    SchoolSpec(
        "青岛五十八中高新校区",
        _city(8),
        CITY_CODE,
        District.CHENGYANG,
        Stage.TWELVE_YEAR,
        legal_entity=False,
        principal="韩立群",
    ),
    # Real district schools
    _district_school("李沧区枣山路学校", District.LICANG, 1, Stage.NINE_YEAR, "杜红霞"),
    _district_school("广雅中学", District.SHIBEI, 1, Stage.JUNIOR, "邱建国"),
    _district_school("青岛第四十二中学", District.SHIBEI, 2, Stage.JUNIOR, "隋海波"),
    _district_school(
        "青岛实验初级中学西海岸新区分校", District.HUANGDAO, 1, Stage.JUNIOR, "薛晓光"
    ),
    _district_school("青岛实验初级中学李沧分校", District.LICANG, 2, Stage.JUNIOR, "栾春燕"),
    # Members of the pilot groups
    _district_school(
        "青岛市李沧区九水路中学", District.LICANG, 3, Stage.JUNIOR, "毕振宇", weak_year=2018
    ),
    _district_school("青岛市城阳区第三高级中学", District.CHENGYANG, 1, Stage.SENIOR, "姜永刚"),
    _district_school("胶州市职业教育中心学校", District.JIAOZHOU, 1, Stage.VOCATIONAL, "臧德胜"),
    _district_school(
        "平度市育英外国语学校", District.PINGDU, 1, Stage.JUNIOR, "修慧敏", nature=Nature.PRIVATE
    ),
    _district_school("莱西市院上中学", District.LAIXI, 1, Stage.JUNIOR, "纪长青", weak_year=2019),
    _district_school("崂山区沙子口中学", District.LAOSHAN, 1, Stage.JUNIOR, "逄青松"),
    _district_school("崂山区金家岭学校", District.LAOSHAN, 2, Stage.NINE_YEAR, "衣文静"),
    _district_school(
        "青岛市城阳区流亭中学", District.CHENGYANG, 2, Stage.JUNIOR, "宫兆海", weak_year=2019
    ),
    _district_school("即墨区蓝村中学", District.JIMO, 1, Stage.SENIOR, "曹树森", weak_year=2020),
    _district_school(
        "青岛市城阳区明德双语学校",
        District.CHENGYANG,
        3,
        Stage.NINE_YEAR,
        "蔡思源",
        nature=Nature.PRIVATE,
    ),
    _district_school("平度市古岘中学", District.PINGDU, 2, Stage.JUNIOR, "魏庆丰", weak_year=2017),
    _district_school(
        "青岛市市北区海泊河小学", District.SHIBEI, 3, Stage.PRIMARY, "丁翠萍", weak_year=2018
    ),
    _district_school(
        "即墨区通济实验学校", District.JIMO, 2, Stage.NINE_YEAR, "袁鹏程", weak_year=2019
    ),
    _district_school(
        "莱西市育才双语学校", District.LAIXI, 2, Stage.JUNIOR, "苏月华", nature=Nature.PRIVATE
    ),
    _district_school(
        "胶州市胶西中学", District.JIAOZHOU, 2, Stage.JUNIOR, "蒋金凤", weak_year=2018
    ),
    # Cores of the district-founded groups
    _district_school("青岛市市南区实验小学", District.SHINAN, 1, Stage.PRIMARY, "叶思源"),
    _district_school("青岛市市北区辽宁路小学", District.SHIBEI, 4, Stage.PRIMARY, "崔美玲"),
    _district_school("青岛市李沧区实验小学", District.LICANG, 4, Stage.PRIMARY, "贾晓宁"),
    _district_school("青岛市城阳区实验小学", District.CHENGYANG, 4, Stage.PRIMARY, "彭俊峰"),
    _district_school("青岛西海岸新区实验初级中学", District.HUANGDAO, 2, Stage.JUNIOR, "程海英"),
    _district_school("青岛市即墨区第一中学", District.JIMO, 3, Stage.SENIOR, "许宏伟"),
    _district_school("胶州市实验小学", District.JIAOZHOU, 3, Stage.PRIMARY, "傅玉兰"),
    _district_school("平度市实验中学", District.PINGDU, 3, Stage.JUNIOR, "沈卫国"),
    _district_school("莱西市实验学校", District.LAIXI, 3, Stage.NINE_YEAR, "于泽民"),
)


# A repeating pattern of stages for generated schools: mostly primary, then junior, some
# nine-year and senior, a vocational school per twenty.
STAGE_CYCLE = (
    Stage.PRIMARY,
    Stage.PRIMARY,
    Stage.JUNIOR,
    Stage.PRIMARY,
    Stage.NINE_YEAR,
    Stage.PRIMARY,
    Stage.JUNIOR,
    Stage.PRIMARY,
    Stage.SENIOR,
    Stage.PRIMARY,
    Stage.PRIMARY,
    Stage.JUNIOR,
    Stage.PRIMARY,
    Stage.PRIMARY,
    Stage.NINE_YEAR,
    Stage.JUNIOR,
    Stage.PRIMARY,
    Stage.SENIOR,
    Stage.PRIMARY,
    Stage.VOCATIONAL,
)


PUBLIC_SUFFIX = {
    Stage.PRIMARY: "小学",
    Stage.JUNIOR: "中学",
    Stage.NINE_YEAR: "学校",
    Stage.TWELVE_YEAR: "实验学校",
    Stage.VOCATIONAL: "职业学校",
}


PRIVATE_SUFFIX = {
    Stage.PRIMARY: "双语小学",
    Stage.JUNIOR: "外国语学校",
    Stage.NINE_YEAR: "育才学校",
    Stage.TWELVE_YEAR: "国际学校",
    Stage.SENIOR: "博文高级中学",
    Stage.VOCATIONAL: "职业技术学校",
}


def _generated_stage(i: int, count: int) -> str:
    if i == count - 1:
        return Stage.SPECIAL  # one special-education school per district
    if i == 23:
        return Stage.TWELVE_YEAR
    return STAGE_CYCLE[i % len(STAGE_CYCLE)]


def generate_schools(taken_names: set[str]) -> list[SchoolSpec]:
    """About 290 ordinary schools across the ten districts, all derived from their index:
    ~10 % private, ~12 % weak with the year they were rated (policy A-4)."""
    schools: list[SchoolSpec] = []
    taken = set(taken_names)
    g = 0  # index across the whole city
    for spec in DISTRICTS:
        seniors = vocational = 0
        for i in range(spec.schools):
            g += 1
            stage = _generated_stage(i, spec.schools)
            private = g % 10 == 6 and stage != Stage.SPECIAL
            weak = (g * 7) % 25 < 3
            prefix = spec.prefixes[i % len(spec.prefixes)]
            candidates: list[str]
            places = [spec.places[(i + k) % len(spec.places)] for k in range(len(spec.places))]
            if stage == Stage.SPECIAL:
                candidates = [f"{spec.prefixes[0]}特殊教育学校", f"{spec.prefixes[0]}启智学校"]
            elif private:
                candidates = [f"{prefix}{p}{PRIVATE_SUFFIX[stage]}" for p in places]
            elif stage == Stage.SENIOR:
                seniors += 1
                candidates = [f"{prefix}第{cn_number(n)}高级中学" for n in range(seniors, 40)]
            elif stage == Stage.VOCATIONAL:
                vocational += 1
                candidates = [f"{spec.prefixes[0]}职业教育中心学校"] if vocational == 1 else []
                candidates += [f"{prefix}{p}职业学校" for p in places]
            else:
                candidates = [f"{prefix}{p}{PUBLIC_SUFFIX[stage]}" for p in places]
                candidates += [f"{prefix}{p}第二{PUBLIC_SUFFIX[stage]}" for p in places]
            # Names must differ also when the prefix differs ("市南区X小学" = "青岛市市南区X小学").
            name = next(c for c in candidates if _bare(c, spec) not in taken)
            taken.add(_bare(name, spec))
            schools.append(
                SchoolSpec(
                    name=name,
                    code=f"3702{spec.admin_code}{i + 1:04d}",
                    authority=district_bureau_code(spec.district),
                    district=spec.district,
                    stage=stage,
                    nature=Nature.PRIVATE if private else Nature.PUBLIC,
                    weak_year=2016 + g % 7 if weak else None,
                    principal=person_name(g),
                )
            )
    return schools


def _bare(name: str, spec: DistrictSpec) -> str:
    for prefix in sorted(spec.prefixes, key=len, reverse=True):
        if name.startswith(prefix):
            return spec.district + ":" + name[len(prefix) :]
    return name


K = Partner.Kind


PARTNERS = (
    ("中国海洋大学", K.HIGHER_EDUCATION, "刘海燕"),
    ("青岛大学", K.HIGHER_EDUCATION, "王振宇"),
    ("青岛科技大学", K.HIGHER_EDUCATION, "孙丽萍"),
    ("海尔集团", K.ENTERPRISE, "张志明"),
    ("海信集团", K.ENTERPRISE, "李俊峰"),
    ("青岛港集团", K.ENTERPRISE, "赵卫国"),
    ("青岛市城阳区综合高级中学", K.COMPREHENSIVE_HIGH, "高文静"),
    ("青岛西海岸新区综合高中", K.COMPREHENSIVE_HIGH, "杨晓红"),
    ("青岛市中小学生社会实践教育基地", K.PRACTICE_BASE, "陈学军"),
    ("崂山区青少年科技创新实践基地", K.PRACTICE_BASE, "徐长青"),
    ("即墨区田横岛研学实践基地", K.PRACTICE_BASE, "黄德明"),
    ("青岛市图书馆", K.SOCIAL_VENUE, "周淑华"),
    ("青岛科技馆", K.SOCIAL_VENUE, "吴云飞"),
    ("青岛市博物馆", K.SOCIAL_VENUE, "郭雪莲"),
)


ALL_AREAS = [
    "philosophy",
    "management",
    "teaching_research",
    "information_technology",
    "evaluation",
]


@dataclass(frozen=True)
class MemberPlan:
    school: str  # school name
    subtype: str  # T-1a … T-3b (the type is its first three characters)
    joined: datetime.date
    left: datetime.date | None = None
    note: str = ""

    @property
    def relation_type(self) -> str:
        return self.subtype[:3]


@dataclass(frozen=True)
class GroupPlan:
    code: str
    name: str
    core: str  # school name
    specialty: str
    founded: datetime.date
    areas: list[str]
    description: str = ""
    members: tuple[MemberPlan, ...] = ()
    partners: tuple[tuple[str, tuple[str, ...], datetime.date], ...] = ()
    advisers: tuple[tuple[str, str], ...] = ()  # (name, title)
    pilot: bool = False
    # District groups: how many generated schools of the core's district to add as members.
    generated_members: int = 0
    member_extras: tuple[MemberPlan, ...] = ()


EXIT_NOTE = "经主管教育行政部门同意退出集团（政策 L-5）"


PILOT_GROUPS: tuple[GroupPlan, ...] = (
    GroupPlan(
        code="QD2019001",
        name="青岛二中教育集团",
        core="青岛第二中学",
        pilot=True,
        specialty="拔尖创新人才培养与学生自主发展",
        founded=D(2019, 3, 1),
        areas=ALL_AREAS,
        description=(
            "全市首个集团化办学试点（2019年）。以青岛二中为核心校，联合不同区（市）、学段和性质的"
            "学校，推进课程共建、教研共享和教师交流；与青岛二十六中教育集团开展集团间联合协作。"
        ),
        members=(
            MemberPlan(
                "青岛市李沧区九水路中学",
                "T-2a",
                D(2019, 3, 1),
                note="与李沧区教育和体育局签订合作办学协议，核心校派驻执行校长",
            ),
            MemberPlan(
                "青岛市城阳区第三高级中学", "T-3b", D(2019, 9, 1), note="课程共建、教师培训两个项目"
            ),
            MemberPlan(
                "胶州市职业教育中心学校", "T-2b", D(2020, 9, 1), note="普职融通：课程互选、学分互认"
            ),
            MemberPlan("平度市育英外国语学校", "T-3a", D(2020, 9, 1), note="英语教研联合项目"),
            MemberPlan("莱西市院上中学", "T-2a", D(2021, 9, 1), note="城乡学校结对帮扶"),
            MemberPlan(
                "崂山区沙子口中学",
                "T-2a",
                D(2019, 9, 1),
                left=D(2023, 7, 31),
                note=("办学质量显著提升，经崂山区教育和体育局同意退出，牵头组建新集团（政策 L-5）"),
            ),
        ),
        partners=(
            ("中国海洋大学", ("海洋科学创新实验室", "拔尖创新人才早期培养"), D(2019, 9, 1)),
            ("青岛科技馆", ("科技社团实践活动",), D(2020, 3, 1)),
            ("海尔集团", ("人工智能课程共建", "学生职业体验"), D(2021, 3, 1)),
        ),
        advisers=(("田承志", "中国海洋大学教授"), ("夏雨晴", "青岛市教育科学研究院研究员")),
    ),
    GroupPlan(
        code="QD2019002",
        name="青岛五十八中教育集团",
        core="青岛第五十八中学",
        pilot=True,
        specialty="科技创新教育与国际理解教育",
        founded=D(2019, 12, 13),
        areas=ALL_AREAS,
        description=(
            "2019年12月13日启动的首批试点集团之一。高新校区为十二年一贯制融合特色校区（2021年起招生）；"
            "与崂山区、李沧区教育和体育局签订合作办学协议。"
        ),
        members=(
            MemberPlan(
                "青岛五十八中高新校区",
                "T-1b",
                D(2021, 9, 1),
                note="十二年一贯制特色校区，48个教学班",
            ),
            MemberPlan(
                "崂山区金家岭学校",
                "T-2a",
                D(2019, 12, 13),
                note="与崂山区教育和体育局合作举办的九年一贯制学校",
            ),
            MemberPlan(
                "李沧区枣山路学校",
                "T-2a",
                D(2022, 9, 1),
                note="与李沧区教育和体育局签订合作办学协议",
            ),
            MemberPlan(
                "青岛市城阳区流亭中学", "T-2a", D(2020, 9, 1), note="薄弱学校帮扶（政策 A-4）"
            ),
            MemberPlan("即墨区蓝村中学", "T-3b", D(2020, 9, 1), note="科创课程与教师培训项目"),
            MemberPlan("青岛市城阳区明德双语学校", "T-3a", D(2021, 3, 1), note="国际理解教育项目"),
            MemberPlan(
                "平度市古岘中学", "T-3a", D(2020, 3, 1), left=D(2023, 7, 31), note=EXIT_NOTE
            ),
        ),
        partners=(
            ("青岛大学", ("大学先修课程", "教师专业发展培训"), D(2020, 3, 1)),
            ("崂山区青少年科技创新实践基地", ("青少年科技创新大赛培训",), D(2020, 9, 1)),
            ("海信集团", ("信息技术与编程课程",), D(2021, 9, 1)),
        ),
        advisers=(("龚明哲", "青岛大学教授"),),
    ),
    GroupPlan(
        code="QD2019003",
        name="青岛实验初级中学教育集团",
        core="青岛实验初级中学",
        pilot=True,
        specialty="阅读素养培育与初中育人方式变革",
        founded=D(2019, 12, 13),
        areas=ALL_AREAS,
        description=(
            "2019年12月13日启动的首批试点集团之一。与区（市）教育和体育局合作举办市北分校（广雅中学，"
            "2015年起合作）、西海岸新区分校（2019年起）、李沧分校（2021年起）。"
        ),
        members=(
            MemberPlan(
                "广雅中学",
                "T-1a",
                D(2019, 12, 13),
                note="市北分校，2015年起与市北区教育和体育局合作办学",
            ),
            MemberPlan(
                "青岛实验初级中学西海岸新区分校", "T-1a", D(2019, 12, 13), note="西海岸新区分校"
            ),
            MemberPlan("青岛实验初级中学李沧分校", "T-1a", D(2021, 9, 1), note="李沧分校"),
            MemberPlan(
                "青岛市市北区海泊河小学", "T-2a", D(2020, 9, 1), note="小初衔接，薄弱学校帮扶"
            ),
            MemberPlan("即墨区通济实验学校", "T-2a", D(2021, 9, 1)),
            MemberPlan("莱西市育才双语学校", "T-3b", D(2022, 3, 1), note="阅读课程与教研联合项目"),
            MemberPlan(
                "胶州市胶西中学", "T-3a", D(2019, 12, 13), left=D(2023, 7, 31), note=EXIT_NOTE
            ),
        ),
        partners=(
            ("青岛市图书馆", ("整本书阅读课程", "校园阅读推广"), D(2020, 3, 1)),
            ("青岛市博物馆", ("博物馆研学课程",), D(2020, 9, 1)),
            ("青岛市中小学生社会实践教育基地", ("劳动教育实践",), D(2021, 3, 1)),
        ),
        advisers=(("蓝若溪", "青岛市教育科学研究院初中教研员"), ("康文远", "青岛大学副教授")),
    ),
)


OTHER_GROUPS: tuple[GroupPlan, ...] = (
    # City-level groups (局属 cores; approved by the city bureau)
    GroupPlan(
        code="QD2020004",
        name="青岛二十六中教育集团",
        core="青岛第二十六中学",
        specialty="艺术教育特色",
        founded=D(2020, 9, 1),
        areas=["philosophy", "teaching_research", "evaluation"],
        description="以艺术特色课程为纽带；与青岛二中教育集团开展集团间联合协作。",
        generated_members=3,
        partners=(("青岛市博物馆", ("美术鉴赏课程",), D(2021, 3, 1)),),
    ),
    GroupPlan(
        code="QD2020005",
        name="礼贤教育集团",
        core="青岛第九中学",
        specialty="礼贤文化传承与中西融合课程",
        founded=D(2020, 12, 1),
        areas=["philosophy", "management", "teaching_research"],
        description="以青岛九中（礼贤书院）为核心校；青岛四十二中挂牌市北礼贤初中。",
        member_extras=(
            MemberPlan("青岛第四十二中学", "T-2a", D(2021, 9, 1), note="挂牌市北礼贤初中"),
        ),
        generated_members=2,
        partners=(("青岛大学", ("传统文化课程",), D(2021, 9, 1)),),
    ),
    GroupPlan(
        code="QD2021006",
        name="青岛一中教育集团",
        core="青岛第一中学",
        specialty="人文素养教育与贯通培养",
        founded=D(2021, 9, 1),
        areas=ALL_AREAS,
        description="青岛一中托管琴岛学校，实行“一长两校”融合办学。",
        member_extras=(
            MemberPlan("琴岛学校", "T-1a", D(2021, 9, 1), note="一长两校（融合复制型）"),
        ),
        generated_members=2,
        partners=(("青岛市城阳区综合高级中学", ("普职融通课程", "学生生涯规划"), D(2022, 3, 1)),),
    ),
    # District-level groups (approved by the district bureau, filed with the city: policy L-2)
    GroupPlan(
        code="QD2020007",
        name="青岛市市南区实验小学教育集团",
        core="青岛市市南区实验小学",
        specialty="儿童科学探究",
        founded=D(2020, 9, 1),
        areas=["philosophy", "teaching_research", "information_technology"],
        generated_members=4,
        partners=(("青岛科技馆", ("小学科学探究课程",), D(2020, 9, 1)),),
    ),
    GroupPlan(
        code="QD2020008",
        name="市北区辽宁路小学教育集团",
        core="青岛市市北区辽宁路小学",
        specialty="书法与传统文化",
        founded=D(2020, 9, 1),
        areas=["philosophy", "teaching_research"],
        generated_members=4,
    ),
    GroupPlan(
        code="QD2021009",
        name="李沧区实验小学教育集团",
        core="青岛市李沧区实验小学",
        specialty="劳动教育与STEAM课程",
        founded=D(2021, 3, 1),
        areas=["philosophy", "management", "teaching_research", "evaluation"],
        generated_members=4,
        partners=(("青岛科技大学", ("STEAM课程开发", "教师科创培训"), D(2021, 9, 1)),),
    ),
    GroupPlan(
        code="QD2021010",
        name="城阳区实验小学教育集团",
        core="青岛市城阳区实验小学",
        specialty="校园足球与体育育人",
        founded=D(2021, 9, 1),
        areas=["management", "teaching_research"],
        generated_members=3,
    ),
    GroupPlan(
        code="QD2021011",
        name="西海岸新区实验初级中学教育集团",
        core="青岛西海岸新区实验初级中学",
        specialty="海洋教育",
        founded=D(2021, 9, 1),
        areas=["philosophy", "teaching_research", "information_technology"],
        generated_members=5,
        partners=(
            ("中国海洋大学", ("海洋科普课程",), D(2022, 3, 1)),
            ("青岛港集团", ("港口研学实践",), D(2022, 9, 1)),
        ),
    ),
    GroupPlan(
        code="QD2022012",
        name="即墨区第一中学教育集团",
        core="青岛市即墨区第一中学",
        specialty="普职融通与生涯教育",
        founded=D(2022, 3, 1),
        areas=["management", "teaching_research", "evaluation"],
        generated_members=3,
        partners=(
            ("即墨区田横岛研学实践基地", ("海岛研学课程",), D(2022, 9, 1)),
            ("青岛西海岸新区综合高中", ("综合高中课程交流",), D(2023, 3, 1)),
        ),
    ),
    GroupPlan(
        code="QD2022013",
        name="胶州市实验小学教育集团",
        core="胶州市实验小学",
        specialty="胶州秧歌艺术传承",
        founded=D(2022, 9, 1),
        areas=["philosophy", "teaching_research"],
        generated_members=3,
    ),
    GroupPlan(
        code="QD2022014",
        name="平度市实验中学教育集团",
        core="平度市实验中学",
        specialty="农耕实践与劳动教育",
        founded=D(2022, 9, 1),
        areas=["management", "teaching_research", "evaluation"],
        generated_members=3,
    ),
    GroupPlan(
        code="QD2023015",
        name="崂山区沙子口中学教育集团",
        core="崂山区沙子口中学",
        specialty="海洋研学与渔村文化",
        founded=D(2023, 9, 1),
        areas=["philosophy", "teaching_research"],
        description="由退出青岛二中教育集团的沙子口中学牵头组建（政策 L-5）。",
        generated_members=2,
    ),
    GroupPlan(
        code="QD2023016",
        name="莱西市实验学校教育集团",
        core="莱西市实验学校",
        specialty="城乡教育共同体",
        founded=D(2023, 9, 1),
        areas=ALL_AREAS,
        generated_members=3,
    ),
)


def _subtype_for(core: SchoolSpec, member: SchoolSpec, index: int) -> str:
    """A fitting cooperation type for a generated member (policy T-1 … T-3): fusion only between
    schools of the same stage and nature, aggregation across stages, alliance otherwise."""
    if member.nature != core.nature:
        return "T-3b"
    if member.stage == Stage.VOCATIONAL:
        return "T-2b" if core.stage == Stage.SENIOR else "T-3a"
    if member.stage == core.stage:
        return "T-1a" if index == 0 else "T-3b"
    return "T-2a"


@dataclass
class Plan:
    schools: list[SchoolSpec]
    groups: list[GroupPlan]
    members: dict[str, list[MemberPlan]]  # group code -> members
    story: StoryPlan | None = field(default=None)


def build_plan() -> Plan:
    """The whole demo as plain data: pure and deterministic, the same on every run."""
    featured = list(FEATURED_SCHOOLS)
    generated = generate_schools({_bare(s.name, DISTRICT_BY_VALUE[s.district]) for s in featured})
    schools = featured + generated
    names = [s.name for s in schools]
    codes = [s.code for s in schools]
    if len(set(names)) != len(names) or len(set(codes)) != len(codes):
        raise ValueError("demo school names and codes must be unique")
    by_name = {s.name: s for s in schools}

    groups = list(PILOT_GROUPS) + list(OTHER_GROUPS)
    used = {g.core for g in groups}
    for g in groups:
        used.update(m.school for m in g.members + g.member_extras)
    members: dict[str, list[MemberPlan]] = {}
    for g in groups:
        core = by_name[g.core]
        chosen = list(g.members) + list(g.member_extras)
        if g.generated_members:
            # Members from the core's district: one weak school when there is one (policy A-4),
            # the others in the order of their codes.
            pool = [
                s
                for s in generated
                if s.district == core.district and s.name not in used and s.stage != Stage.SPECIAL
            ]
            weak = [s for s in pool if s.weak_year is not None][:1]
            picks = weak + [s for s in pool if s.weak_year is None][: g.generated_members - 1]
            for i, school in enumerate(picks):
                used.add(school.name)
                subtype = _subtype_for(core, school, i)
                if subtype.startswith("T-1"):
                    school.legal_entity = False  # fusion: one legal representative (T-1)
                    school.principal = core.principal  # one principal for several schools
                joined = g.founded if i < 2 else D(g.founded.year + 1, 9, 1)
                chosen.append(MemberPlan(school.name, subtype, joined))
        members[g.code] = chosen
    return Plan(schools=schools, groups=groups, members=members, story=build_story(schools, used))


def charter_text(group: GroupPlan, core: str, authority: str, version: int) -> str:
    meetings = "每学期至少召开一次" if version == 1 else "每学期至少召开两次"
    text = [
        f"{group.name}章程" + ("" if version == 1 else "（2022年修订）"),
        "第一章 总则",
        f"第一条 本集团名称为{group.name}，由{core}作为核心校，联合不同区（市）、学段和办学性质的"
        "成员校及合作单位组成，实行“1+N+X”集团化办学模式。",
        f"第二条 本集团坚持一集团一特色，以“{group.specialty}”为办学特色。",
        "第三条 核心校在教育理念、学校管理、教育教研、信息技术、教育评价等方面发挥引领辐射作用，"
        "核心校自身办学质量不降低。",
        "第二章 组织机构",
        "第四条 集团设立理事会作为决策议事机构，由总校长、成员校校长和专家顾问组成。"
        "原则上由核心校校长担任总校长。",
        f"第五条 理事会{meetings}全体会议，研究集团发展规划、年度工作计划、"
        "成员准入与退出等重大事项。",
        "第三章 成员的权利与义务",
        "第六条 聚合型、联合型成员校保持原有隶属关系、法人地位和管理体制不变，"
        "依照合作办学协议开展合作；"
        "融合型成员校实行一个法人、统一管理。",
        "第七条 成员校享有共享集团课程、教研和培训资源的权利，履行合作办学协议约定的义务。",
    ]
    if version >= 2:
        text += [
            "第八条 新成员加入须经集团准入评估，报核心校主管教育行政部门批准；"
            "成员校未履行协议或发生"
            "严重影响集团声誉的事件的，给予黄牌预警，情节严重的予以红牌淘汰。",
            "第九条 集团成员中应保持一定比例的薄弱学校，核心校对其开展重点帮扶。",
        ]
    n = 8 if version == 1 else 10
    text += [
        "第四章 附则",
        f"第{cn_number(n)}条 本章程经集团理事会审议通过，报{authority}批准后施行，"
        "由理事会负责解释。",
    ]
    return "\n".join(text)


def rules_text(group: GroupPlan) -> str:
    return "\n".join(
        [
            f"{group.name}内部管理制度",
            "一、教学教研管理：集团实行统一教研计划，每月开展一次联合教研活动，共享优质课程资源。",
            "二、教师交流：核心校每学年向成员校派出骨干教师和管理干部，成员校教师到核心校跟岗学习。",
            "三、经费管理：集团专项奖补经费和协议经费由总校长统筹使用，专款专用，接受审计监督。",
            "四、考核评价：集团对成员校实行年度发展性评价，评价结果报主管教育行政部门。",
        ]
    )


@dataclass(frozen=True)
class UserPlan:
    username: str
    role: str
    last_name: str
    first_name: str
    authority: str = ""  # authority code
    school: str = ""  # school name
    rank: str = ""  # a principal's rank (校长职级, policy S-2)


MEMBER_USER_SCHOOL = "青岛市李沧区九水路中学"  # a member of 青岛二中教育集团, in 李沧区


USERS = (
    UserPlan("admin", User.Role.SYSADMIN, "赵", "敏"),
    UserPlan("city", User.Role.CITY_STAFF, "王", "海涛", authority=CITY_CODE),
    UserPlan(
        "district",
        User.Role.DISTRICT_STAFF,
        "李",
        "娜",
        authority=district_bureau_code(District.LICANG),
    ),
    UserPlan(
        "principal",
        User.Role.CORE_PRINCIPAL,
        "宋",
        "文博",
        school="青岛第二中学",
        rank=User.Rank.SPECIAL,
    ),
    UserPlan(
        "member",
        User.Role.MEMBER_PRINCIPAL,
        "毕",
        "振宇",
        school=MEMBER_USER_SCHOOL,
        rank=User.Rank.SECOND,
    ),
    UserPlan("auditor", User.Role.AUDITOR, "陈", "静"),
    # Issue 9: the city finance bureau's reviewers lock ledgers (two, so that the one who did
    # not take a step can lock it: separation of duties); the staffing office and the
    # human-resources bureau read and handle staffing requests (S-1).
    UserPlan("finance", User.Role.FINANCE_REVIEWER, "钱", "立新"),
    UserPlan("finance2", User.Role.FINANCE_REVIEWER, "冯", "雅琴"),
    UserPlan("staffing", User.Role.STAFFING_OFFICE, "严", "志刚"),
    UserPlan("hr", User.Role.HR_BUREAU, "卫", "红梅"),
)


STAFF_USERS = (  # district staff whose bureaus take part in the story
    UserPlan(
        "shibei",
        User.Role.DISTRICT_STAFF,
        "孙",
        "丽华",
        authority=district_bureau_code(District.SHIBEI),
    ),
    UserPlan(
        "laoshan",
        User.Role.DISTRICT_STAFF,
        "高",
        "明远",
        authority=district_bureau_code(District.LAOSHAN),
    ),
)


# The default admission-evaluation checklist (准入评估, policy L-3): rows without a group.
ADMISSION_CRITERIA = (
    ("办学理念契合度", "候选学校的办学理念、育人目标与集团理念和特色的契合程度。"),
    ("教育质量基础", "候选学校近三年的办学质量、教育教学成果和社会评价。"),
    ("师资队伍", "候选学校教师的数量、结构、专业水平及参与集团教研和交流的条件。"),
    ("合作意愿与承诺", "候选学校及其主管部门的合作意愿，对合作办学协议的认同和履约承诺。"),
    ("区域布局与资源条件", "候选学校所在区域、办学条件与集团布局、资源共享的匹配程度。"),
)


CRITERION_MAX_SCORE = 20


# A member of 青岛二中教育集团 whose yellow card went past its deadline (policy L-6).
OVERDUE_CARD_SCHOOL = "青岛市城阳区第三高级中学"


PILOT_GROUP_CODE = "QD2019001"  # 青岛二中教育集团, led by the `principal` user's school


# Days before the seeding day on which each step happened.
FOUNDED_DAYS = {"draft": 40, "submit": 39, "consent": 33, "decide": 26}


PENDING_DAYS = {"draft": 12, "submit": 10}


ADMISSION_DAYS = {"draft": 8, "evaluate": 7, "submit": 6}


EXIT_DAYS = {"draft": 4, "submit": 3}


OVERDUE_CARD_DAYS = {"issue": 75, "deadline": 15}  # marked overdue the day after the deadline


MEMBER_CARD_DAYS = 5


POLICY_FILING_DAYS = 20


PROJECT_FILING_DAYS = {"filed": 2, "starts": 9}  # started before it was filed: late (D-2)


POLICY_FILING_TITLE = "李沧区关于深化中小学集团化办学的实施意见（试行）"


PROJECT_FILING_TITLE = "李沧区集团内骨干教师“走教”改革试点项目"


# A 市北 policy the city acknowledged weeks ago: its 备案回执 is in the archive (issue 8).
ACKNOWLEDGED_FILING_TITLE = "市北区中小学集团化办学经费保障办法"


ACKNOWLEDGED_FILING_DAYS = {"filed": 40, "acknowledged": 35}


@dataclass(frozen=True)
class StoryPlan:
    """The schools of the story, chosen from the generated ones that belong to no group."""

    pending_core: str  # founding awaiting 市北's consent (policy L-1)
    pending_local: str
    pending_other: str
    founded_core: str  # founding approved by 李沧 and filed with the city (policy L-1, L-2)
    founded_local: str
    founded_other: str
    candidate: str  # admission to 青岛二中教育集团 awaiting 李沧's consent (policy L-3)
    users: tuple[UserPlan, ...]


def _pick(
    schools: list[SchoolSpec], taken: set[str], district: str, stage: str, weak: bool
) -> SchoolSpec:
    """The first public school (by code) of that district and stage not taken yet."""
    for spec in sorted(schools, key=lambda s: s.code):
        if (
            spec.name not in taken
            and spec.district == district
            and spec.stage == stage
            and spec.nature == Nature.PUBLIC
            and (spec.weak_year is not None) == weak
        ):
            taken.add(spec.name)
            return spec
    raise ValueError(f"no free {stage} school in {district} for the demo story")


def _principal_user(username: str, school: SchoolSpec, rank: str) -> UserPlan:
    return UserPlan(
        username,
        User.Role.CORE_PRINCIPAL,
        school.principal[:1],
        school.principal[1:],
        school=school.name,
        rank=rank,
    )


def build_story(schools: list[SchoolSpec], used: set[str]) -> StoryPlan:
    """Pure and deterministic like the rest of the plan. The foundings keep the policy's
    'in principle' rules (aggregation across stages, a weak member, policy T-2, A-4)."""
    taken = set(used)
    pending_core = _pick(schools, taken, District.LICANG, Stage.JUNIOR, weak=False)
    founded_core = _pick(schools, taken, District.LICANG, Stage.NINE_YEAR, weak=False)
    return StoryPlan(
        pending_core=pending_core.name,
        pending_local=_pick(schools, taken, District.LICANG, Stage.PRIMARY, weak=True).name,
        pending_other=_pick(schools, taken, District.SHIBEI, Stage.JUNIOR, weak=False).name,
        founded_core=founded_core.name,
        founded_local=_pick(schools, taken, District.LICANG, Stage.PRIMARY, weak=False).name,
        founded_other=_pick(schools, taken, District.LAOSHAN, Stage.PRIMARY, weak=True).name,
        candidate=_pick(schools, taken, District.LICANG, Stage.JUNIOR, weak=False).name,
        users=(
            _principal_user("licang_principal", pending_core, User.Rank.THIRD),
            _principal_user("licang_principal2", founded_core, User.Rank.SECOND),
            *STAFF_USERS,
            *FUNDING_STAFF_USERS,
        ),
    )


def group_name_for(core: str) -> str:
    return core.removeprefix("青岛市") + "教育集团"


# --- funding (issue 9: F-1 … F-5, S-1, S-2) -------------------------------------------------
# The staff of the district bureaus the story has no user for: each confirms what its bureau
# pays in the yearly ledgers (what an authority pays is confirmed by its own staff).
FUNDING_STAFF_USERS = tuple(
    UserPlan(code, User.Role.DISTRICT_STAFF, last, first, authority=district_bureau_code(code))
    for code, last, first in (
        (District.SHINAN, "邹", "宁"),
        (District.CHENGYANG, "韩", "立群"),
        (District.HUANGDAO, "潘", "海燕"),
        (District.JIMO, "姜", "伟"),
        (District.JIAOZHOU, "戴", "春梅"),
        (District.PINGDU, "于", "建华"),
        (District.LAIXI, "万", "鹏"),
    )
)


FUNDING_YEARS = (2024, 2025, 2026)


@dataclass(frozen=True)
class RatePlan:
    """An authority's rate table (policy F-1, F-4): the 2024 figures, raised each year by
    `raise_by`; `stages` override the subsidy for a stage; `reference_date` counts a member of
    the year when it is one on 1 September (the default counts months); `revised_2025` is the
    subsidy of a second 2025 version adopted mid-year."""

    authority: str  # authority code
    subsidy: int  # yuan per member school per year
    transport: int  # yuan per dispatched person per month
    lodging: int
    stages: tuple[tuple[str, int], ...] = ()
    raise_by: int = 2_000
    reference_date: bool = False
    revised_2025: int = 0


RATE_PLANS = (
    RatePlan(
        CITY_CODE,
        80_000,
        600,
        1_200,
        stages=((Stage.SENIOR, 100_000), (Stage.VOCATIONAL, 90_000)),
        raise_by=5_000,
    ),
    RatePlan(
        district_bureau_code(District.SHINAN), 60_000, 500, 1_000, stages=((Stage.PRIMARY, 50_000),)
    ),
    RatePlan(district_bureau_code(District.SHIBEI), 55_000, 500, 1_000),
    RatePlan(district_bureau_code(District.LICANG), 50_000, 450, 900, revised_2025=58_000),
    RatePlan(district_bureau_code(District.LAOSHAN), 52_000, 450, 900, reference_date=True),
    RatePlan(district_bureau_code(District.CHENGYANG), 45_000, 400, 800),
    RatePlan(
        district_bureau_code(District.HUANGDAO),
        48_000,
        400,
        800,
        stages=((Stage.NINE_YEAR, 55_000),),
    ),
    RatePlan(district_bureau_code(District.JIMO), 40_000, 350, 700),
    RatePlan(district_bureau_code(District.JIAOZHOU), 38_000, 350, 700),
    RatePlan(district_bureau_code(District.PINGDU), 35_000, 300, 600, raise_by=1_000),
    RatePlan(district_bureau_code(District.LAIXI), 35_000, 300, 600, raise_by=1_000),
)


@dataclass(frozen=True)
class DispatchPlan:
    group: str  # group code
    school: str  # the member school served
    person: str
    role: str
    starts: datetime.date
    ends: datetime.date | None = None


DISPATCH_PLANS = (
    # An executive principal across the 2024/2025 year end (F-4 counts the months of each year).
    DispatchPlan(
        PILOT_GROUP_CODE,
        MEMBER_USER_SCHOOL,
        "刘建国",
        "executive_principal",
        D(2024, 9, 1),
        D(2025, 1, 31),
    ),
    DispatchPlan(
        PILOT_GROUP_CODE,
        "青岛市城阳区第三高级中学",
        "吴海峰",
        "key_teacher",
        D(2024, 2, 26),
        D(2024, 7, 10),
    ),
    DispatchPlan(PILOT_GROUP_CODE, "莱西市院上中学", "周雪梅", "key_teacher", D(2025, 2, 24)),
    DispatchPlan(
        "QD2019002", "李沧区枣山路学校", "郑晓光", "manager", D(2024, 9, 1), D(2026, 7, 15)
    ),
    DispatchPlan(
        "QD2019003", "即墨区通济实验学校", "冯丽娟", "key_teacher", D(2025, 9, 1), D(2026, 1, 31)
    ),
)


# (group code, fiscal year, category, yuan, day, what it paid for) — policy F-3.
SPENDING_PLANS = (
    (PILOT_GROUP_CODE, 2024, "teaching", 86_000, D(2024, 4, 18), "集团联合教研活动及课程共建"),
    (PILOT_GROUP_CODE, 2024, "training", 54_500, D(2024, 7, 22), "成员校骨干教师暑期培训"),
    (PILOT_GROUP_CODE, 2024, "exchange", 38_200, D(2024, 10, 12), "派驻执行校长交通食宿"),
    (PILOT_GROUP_CODE, 2025, "equipment", 120_000, D(2025, 3, 28), "成员校创新实验室设备"),
    (PILOT_GROUP_CODE, 2025, "activities", 26_800, D(2025, 5, 20), "集团学生科技节"),
    (PILOT_GROUP_CODE, 2025, "management", 9_650.5, D(2025, 11, 3), "集团理事会会议及资料印制"),
    (PILOT_GROUP_CODE, 2026, "teaching", 45_000, D(2026, 3, 16), "跨学段课程衔接项目"),
    ("QD2019002", 2024, "training", 42_000, D(2024, 8, 15), "科创教师工作坊"),
    ("QD2019002", 2025, "exchange", 31_000, D(2025, 9, 10), "派驻管理干部补助"),
    ("QD2019003", 2025, "teaching", 28_000, D(2025, 10, 9), "整本书阅读课程资源建设"),
)


# (group code, recipient kind, recipient, title, level, year, yuan or None) — policy F-5.
AWARD_PLANS = (
    (
        PILOT_GROUP_CODE,
        "group",
        "青岛二中教育集团",
        "山东省集团化办学示范集团",
        "provincial",
        2024,
        200_000,
    ),
    (PILOT_GROUP_CODE, "person", "宋文博", "青岛市优秀集团总校长", "city", 2025, 20_000),
    ("QD2019002", "team", "集团科创教研团队", "青岛市优秀教研团队", "city", 2025, 50_000),
    ("QD2019003", "person", "蓝若溪", "全国中小学阅读推广先进个人", "national", 2024, None),
)


# A member whose exit in 2024 was recorded only after the year was locked (a membership date
# changed afterwards): the 2024 ledgers get a supplement with adjustment lines.
LATE_EXIT_GROUP = "QD2021010"  # 城阳区实验小学教育集团
LATE_EXIT_ON = D(2024, 9, 1)

# The moments of the ledgers' steps (issue 9): computed, confirmed by the paying authorities,
# locked by the finance reviewers; the late exit recorded after the lock.
LEDGER_DAYS = {
    2024: {"compute": D(2025, 1, 15), "confirm": D(2025, 2, 10), "lock": D(2025, 3, 3)},
    2025: {"compute": D(2026, 1, 15), "confirm": D(2026, 2, 10)},
}
LATE_EXIT_RECORDED = D(2025, 3, 20)
# The 2025 ledgers these authorities have confirmed; the others' are still drafts.
CONFIRMED_2025 = (
    CITY_CODE,
    district_bureau_code(District.LICANG),
    district_bureau_code(District.SHIBEI),
)
