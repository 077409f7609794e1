#!/usr/bin/env python3
"""Builds the Qiao demo data set, demo/records.jsonl.

    python3 demo/build.py            # writes demo/records.jsonl
    python3 demo/check.py            # validates it

What goes in (see demo/README.md for the licences):

- fictional organisations across Shanghai's 16 districts (the table ORGS below);
- ~300 achievements from CSL paper records (../shared/data/csl/papers.jsonl) and ~300 from
  KPPatent-ZH patent records (../shared/data/kppatent_zh/patents.jsonl), re-attributed to the
  fictional organisations, with invented maturity, transfer modes and prices;
- hand-written demands, challenges, scenarios, instruments, experts and service institutions
  (the tables further down).

The output is deterministic: fixed seeds (one per section, so editing one table does not
reshuffle the others), inputs read in sorted order, and every date computed from BASE rather
than from today's clock. Python 3.11 standard library only.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import random
import re
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parent
REPO = DEMO.parent
DATA = REPO.parent / "shared" / "data"
OUT = DEMO / "records.jsonl"

# Every date in the set is an offset from this day, so rebuilding later gives the same file.
BASE = dt.date(2026, 11, 1)
SEED = "qiao-demo-2026-11-01"

N_PAPERS = 300
N_PATENTS = 300


def rel(days: int) -> str:
    """BASE plus `days`, as an ISO date."""
    return (BASE + dt.timedelta(days=days)).isoformat()


def wan(x: float) -> int:
    """An amount in 万元 as whole yuan (the unit Qiao stores)."""
    return int(round(x * 10_000))


def rng_for(section: str) -> random.Random:
    # String seeds are hashed with SHA-512 by `random`, independent of PYTHONHASHSEED.
    return random.Random(f"{SEED}/{section}")


# --------------------------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015), as crates/qiao-domain/src/codes.rs computes it.

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, ...


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


# Administrative division codes of Shanghai's 16 districts (positions 3-8 of a credit code).
DISTRICTS = {
    "黄浦区": "310101", "徐汇区": "310104", "长宁区": "310105", "静安区": "310106",
    "普陀区": "310107", "虹口区": "310109", "杨浦区": "310110", "闵行区": "310112",
    "宝山区": "310113", "嘉定区": "310114", "浦东新区": "310115", "金山区": "310116",
    "松江区": "310117", "青浦区": "310118", "奉贤区": "310120", "崇明区": "310151",
}

# Registration authority and type (positions 1-2): 11 机关, 12 事业单位, 52 民办非企业单位,
# 91 企业. Positions 9-17 carry "QD" (Qiao demo) so the codes are visibly made up.
KIND_PREFIX = {
    "government": "11",
    "university": "12",
    "research_institute": "12",
    "service_institution": "52",
    "enterprise": "91",
}


def credit_code(prefix: str, district: str, serial: int) -> str:
    if prefix == "91":
        body = f"MA1QD{serial:04d}"
    else:
        body = f"QD{serial:07d}"
    first17 = prefix + DISTRICTS[district] + body
    assert len(first17) == 17 and all(c in USCC_CHARSET for c in first17), first17
    return first17 + uscc_check_char(first17)


# --------------------------------------------------------------------------------------------
# Organisations. All names are invented; the two district commissions are stand-ins marked
# 演示. Columns: key, org_kind, name, district, industry code (GB/T 4754-2017), founded,
# employees, revenue 万元, R&D 万元, web/e-mail slug, contact person, description,
# certificates. The order matters: `qiao serve --demo` gives each demo account the first
# organisation of its kind (crates/qiao/src/demo.rs), so 闵行区科委, 申桥技术转移服务中心 and
# 砺能动力电池 come first of theirs.


def cert(kind: str, issued: str, *, years: int | None = None, number: str | None = None) -> dict:
    """A certificate issued on `issued`. 科技型中小企业 is evaluated yearly and lapses on 31
    December; the others run `years` years (the day before the anniversary)."""
    start = dt.date.fromisoformat(issued)
    if kind == "tech_sme":
        end = dt.date(start.year, 12, 31)
    else:
        assert years is not None
        end = start.replace(year=start.year + years) - dt.timedelta(days=1)
    c = {"kind": kind}
    if number:
        c["number"] = number
    c["issued_on"] = start.isoformat()
    c["expires_on"] = end.isoformat()
    return c


def hightech(issued: str, serial: int) -> dict:
    return cert("high_tech", issued, years=3, number=f"GR{issued[:4]}31QD{serial:04d}")


ORGS = [
    # ---- government bodies
    ("minhang_stc", "government", "闵行区科学技术委员会（演示）", "闵行区", "S922", None, 45, None, None,
     "minhang-stc", "刘老师",
     "区科委演示账号所属机构：负责全区科技创新政策、科技企业培育、技术市场与成果转化服务。"
     "在平台上发布区级揭榜挂帅榜单和应用场景清单。", []),
    ("yangpu_stc", "government", "杨浦区科学技术委员会（演示）", "杨浦区", "S922", None, 38, None, None,
     "yangpu-stc", "沈老师",
     "杨浦区科技主管部门的演示替身，围绕“大学校区、科技园区、公共社区”联动发布城市治理类应用场景和揭榜任务。", []),
    # ---- service institutions
    ("shenqiao_tto", "service_institution", "申桥技术转移服务中心", "闵行区", "M7530", "2016-05-18", 36, 1850, 120,
     "shenqiao-tto", "唐经理",
     "专业技术转移机构，提供技术评估、技术经纪、技术合同登记咨询和成果转化全流程服务，拥有技术经理人团队 20 余人。", []),
    ("hengzhun_test", "service_institution", "衡准检测认证有限公司", "嘉定区", "M7452", "2012-09-03", 160, 9800, 760,
     "hengzhun-test", "谢工",
     "第三方检测认证机构，聚焦新能源电池、汽车零部件和新材料检测，实验室面积 6000 平方米。", []),
    ("zhiyuan_ip", "service_institution", "知远知识产权代理有限公司", "徐汇区", "M7520", "2014-03-21", 48, 2600, 90,
     "zhiyuan-ip", "蒋律师",
     "知识产权服务机构：专利代理、专利导航、高价值专利培育与知识产权运营。", []),
    ("qilan_incubator", "service_institution", "启澜科技企业孵化器有限公司", "杨浦区", "M7540", "2017-11-08", 25, 1200, 30,
     "qilan-incubator", "高经理",
     "位于杨浦滨江的科技企业孵化器，孵化面积 2.2 万平方米，提供创业辅导、投融资对接和概念验证服务。", []),
    ("hurong_fin", "service_institution", "沪融科技金融服务有限公司", "黄浦区", "M7590", "2019-06-12", 22, 900, 20,
     "hurong-fin", "许经理",
     "科技金融服务机构，为科技型中小企业对接科技信贷、知识产权质押融资和股权投资。", []),
    ("songlan_pilot", "service_institution", "松澜中试基地运营有限公司", "松江区", "M7519", "2020-10-26", 64, 3100, 420,
     "songlan-pilot", "钱工",
     "面向新材料、精细化工和生物制造的公共中试平台，提供公斤级到吨级的放大验证和工艺包编制。", []),
    # ---- universities
    ("shenjiang_u", "university", "申江理工大学", "闵行区", "P8341", "1958-09-01", 4200, None, None,
     "shenjiang-tech", "王老师",
     "以工为主的理工科大学，材料、机械、电气、信息学科见长，设有技术转移中心。", []),
    ("minglan_med", "university", "明澜医科大学", "浦东新区", "P8341", "1952-10-01", 3600, None, None,
     "minglan-med", "孙老师",
     "医科大学，设基础医学、临床医学、药学、口腔医学和公共卫生学院，拥有三家附属医院。", []),
    ("hucheng_agri", "university", "沪澄农林大学", "奉贤区", "P8341", "1960-03-15", 1900, None, None,
     "hucheng-agri", "郑老师",
     "农林类大学，园艺、作物、食品科学、水产和农业工程学科具有特色。", []),
    ("minggang_mar", "university", "溟港海事大学", "浦东新区", "P8341", "1959-06-01", 2300, None, None,
     "minggang-mar", "周老师",
     "海事类大学，交通运输、船舶与海洋工程、物流和水利工程学科见长。", []),
    ("songlu_u", "university", "松麓大学", "松江区", "P8341", "1984-09-10", 2800, None, None,
     "songlu-u", "许老师",
     "综合性大学，理学、化学化工、环境、地学和纺织学科并重。", []),
    ("jiachuan_u", "university", "嘉川工程技术大学", "嘉定区", "P8341", "1978-05-20", 2100, None, None,
     "jiachuan-u", "何老师",
     "工程技术类大学，汽车、土木、交通、机械和测控学科服务嘉定汽车产业。", []),
    # ---- research institutes
    ("baocheng_mat", "research_institute", "宝澄新材料研究院", "宝山区", "M7320", "2011-04-12", 310, None, None,
     "baocheng-mat", "彭老师",
     "新材料研发机构，方向为轻合金、靶材、功能陶瓷与复合材料，建有材料分析测试平台。", []),
    ("lanwan_ai", "research_institute", "澜湾人工智能研究院", "徐汇区", "M7320", "2018-12-28", 260, None, None,
     "lanwan-ai", "王老师",
     "新型研发机构，研究计算机视觉、语音与自然语言处理、行业大模型，运营公共算力平台。", []),
    ("qingxi_bio", "research_institute", "青溪生物医药研究所", "浦东新区", "M7340", "2009-07-01", 220, None, None,
     "qingxi-bio", "曹老师",
     "生物医药研究所，方向为抗体药物、细胞治疗、药物制剂与新药评价。", []),
    ("donglan_energy", "research_institute", "东岚能源研究院", "嘉定区", "M7320", "2013-08-16", 180, None, None,
     "donglan-energy", "林老师",
     "能源技术研究院，研究动力与储能电池、电池安全、氢能和综合能源系统。", []),
    ("chonglan_agri", "research_institute", "崇澜农业科学研究所", "崇明区", "M7330", "1975-04-01", 140, None, None,
     "chonglan-agri", "吴老师",
     "农业科研院所，开展耐盐作物育种、生态种养、土壤改良和农业面源污染防治研究。", []),
    ("changqiao_env", "research_institute", "长桥环境科学研究院", "长宁区", "M7320", "2006-02-20", 150, None, None,
     "changqiao-env", "冯老师",
     "环境科学研究院，方向为工业废水处理、土壤修复、大气污染控制和环境监测。", []),
    # ---- enterprises (砺能 first: it is the demo member's organisation)
    ("lineng", "enterprise", "上海砺能动力电池有限公司", "闵行区", "C3841", "2015-07-09", 680, 86000, 5200,
     "lineng-battery", "李经理",
     "动力与储能锂离子电池制造商，产品为方形磷酸铁锂电芯、电池模组和电池包。",
     [hightech("2024-12-04", 101), cert("specialized", "2025-03-01", years=3),
      cert("little_giant", "2023-10-01", years=3), cert("tech_sme", "2026-04-15")]),
    ("hengxin", "enterprise", "上海衡芯电子材料有限公司", "松江区", "C3985", "2016-02-22", 240, 31000, 2900,
     "hengxin-materials", "陈经理",
     "集成电路制造用电子材料供应商：CMP 抛光液、清洗液和高纯溅射靶材。",
     [hightech("2023-11-15", 102), cert("specialized", "2024-06-01", years=3),
      cert("tech_sme", "2025-05-10")]),
    ("chengrui", "enterprise", "上海澄睿医疗器械有限公司", "浦东新区", "C3581", "2017-09-30", 210, 18000, 2400,
     "chengrui-med", "赵经理",
     "医疗器械企业，产品为一次性内窥镜、骨科植入物和介入导管。",
     [hightech("2025-12-10", 103), cert("tech_sme", "2026-05-20")]),
    ("zhitong", "enterprise", "上海知瞳智能科技有限公司", "徐汇区", "I6513", "2019-03-11", 95, 4200, 1500,
     "zhitong-ai", "孟经理",
     "工业视觉软件企业，提供缺陷检测、尺寸测量和视觉引导算法平台。",
     [hightech("2022-12-14", 104), cert("tech_sme", "2026-03-30")]),
    ("hefeng", "enterprise", "上海禾丰源生态农业有限公司", "崇明区", "A0141", "2012-05-06", 130, 5600, 180,
     "hefeng-agri", "黄经理",
     "崇明生态农业企业，经营设施蔬菜、稻米种植和农产品冷链。", []),
    ("lantao", "enterprise", "上海澜涛化工新材料有限公司", "金山区", "C2651", "2008-11-18", 520, 120000, 4100,
     "lantao-chem", "韩经理",
     "化工新材料企业，生产阻燃工程塑料、环氧树脂和特种助剂。",
     [hightech("2024-11-20", 105), cert("little_giant", "2024-09-01", years=3)]),
    ("qingsui", "enterprise", "上海青穗食品科技有限公司", "奉贤区", "C1523", "2016-08-08", 160, 9200, 380,
     "qingsui-food", "杨经理",
     "食品企业，生产 NFC 果汁、植物基饮品和即食果蔬。",
     [cert("tech_sme", "2026-06-01"), cert("tech_sme", "2025-06-03")]),
    ("weijin", "enterprise", "上海纬锦纺织科技有限公司", "青浦区", "C1752", "2010-04-26", 330, 27000, 1100,
     "weijin-textile", "范经理",
     "功能纺织品企业，从事户外面料染整与功能整理。",
     [hightech("2022-10-30", 106)]),
    ("zhuheng", "enterprise", "上海筑衡建材科技有限公司", "宝山区", "C3021", "2011-12-01", 270, 43000, 1500,
     "zhuheng-build", "丁经理",
     "建材企业，生产海工高性能混凝土、预制构件和再生骨料。",
     [hightech("2024-12-26", 107), cert("specialized", "2023-05-15", years=3)]),
    ("chiyuan", "enterprise", "上海驰远智能汽车部件有限公司", "嘉定区", "C3670", "2014-06-18", 450, 65000, 3300,
     "chiyuan-auto", "马经理",
     "汽车零部件企业，产品为电动尾门系统、轻量化铝合金压铸件和车身控制器。",
     [hightech("2023-12-12", 108), cert("little_giant", "2025-08-01", years=3),
      cert("specialized", "2025-03-01", years=3)]),
    ("qingyuan", "enterprise", "上海清源水务环保科技有限公司", "青浦区", "N7721", "2013-10-10", 190, 15000, 800,
     "qingyuan-water", "白经理",
     "水处理工程企业，承接工业废水零排放、市政污水提标改造和海水淡化项目。",
     [hightech("2025-11-25", 109), cert("tech_sme", "2026-04-02")]),
    ("yaochu", "enterprise", "上海曜储能源科技有限公司", "浦东新区", "C3849", "2020-05-15", 150, 21000, 2600,
     "yaochu-energy", "邱经理",
     "储能系统集成商，位于临港，提供工商业储能柜和电网侧储能电站。",
     [cert("tech_sme", "2026-03-18"), hightech("2023-10-16", 110)]),
    ("yixun", "enterprise", "上海翼迅无人机科技有限公司", "金山区", "C3749", "2018-04-09", 120, 8700, 1300,
     "yixun-uav", "顾经理",
     "工业无人机企业，产品为植保无人机、巡检无人机和氢电混合动力平台。",
     [hightech("2024-12-02", 111), cert("tech_sme", "2026-05-06")]),
    ("duorui", "enterprise", "上海铎锐精密机械有限公司", "松江区", "C3421", "2009-09-09", 210, 24000, 1200,
     "duorui-precision", "汤经理",
     "数控机床企业，专注复合材料与难加工材料的五轴加工装备。",
     [hightech("2023-11-28", 112), cert("specialized", "2022-07-01", years=3)]),
    ("muguang", "enterprise", "上海沐光光电科技有限公司", "奉贤区", "C3976", "2017-01-16", 170, 16000, 2100,
     "muguang-opto", "叶经理",
     "光电材料企业，生产量子点膜、光学扩散膜和 OLED 发光材料。",
     [hightech("2025-12-18", 113), cert("tech_sme", "2026-04-28")]),
    ("kangyan", "enterprise", "上海康衍生物医药有限公司", "浦东新区", "C2761", "2015-11-02", 300, 12000, 7800,
     "kangyan-bio", "梁经理",
     "创新药企业，在研抗体药物和改良型新药，建有制剂中试车间。",
     [hightech("2024-10-28", 114), cert("little_giant", "2022-10-01", years=3)]),
    ("yunshu", "enterprise", "上海云枢数据科技有限公司", "杨浦区", "I6511", "2018-08-20", 140, 7600, 2800,
     "yunshu-data", "林经理",
     "数据库与数据平台软件企业，产品为分布式数据库和数据治理平台。",
     [hightech("2023-12-20", 115), cert("tech_sme", "2026-02-26")]),
    ("jiangzao", "enterprise", "上海匠造智能装备有限公司", "嘉定区", "C3491", "2016-12-06", 180, 19000, 1700,
     "jiangzao-robot", "吕经理",
     "工业机器人集成商，做打磨、焊接和装配机器人工作站。",
     [hightech("2024-11-11", 116), cert("specialized", "2024-03-01", years=3)]),
    ("lvqiao", "enterprise", "上海绿桥再生资源科技有限公司", "宝山区", "C4210", "2019-09-12", 110, 13000, 650,
     "lvqiao-recycle", "魏经理",
     "再生资源企业，回收处理退役动力电池和光伏组件。",
     [cert("tech_sme", "2026-05-12"), cert("tech_sme", "2025-05-08")]),
    ("tianxi", "enterprise", "上海田曦智慧农业科技有限公司", "松江区", "M7511", "2021-03-03", 45, 1600, 420,
     "tianxi-agritech", "田经理",
     "智慧农业服务企业，提供植保飞防、温室环境控制和农事数字化服务。",
     [cert("tech_sme", "2026-06-18")]),
    ("mingzhou", "enterprise", "上海溟舟船舶科技有限公司", "崇明区", "C3731", "2007-06-28", 820, 150000, 4600,
     "mingzhou-ship", "潘经理",
     "长兴岛船舶配套企业，从事船舶分段制造、压载水处理系统和智能焊接。",
     [hightech("2022-11-18", 117), cert("leading", "2025-01-01", years=3)]),
    ("puheng", "enterprise", "上海普衡仪器仪表有限公司", "普陀区", "C4021", "2005-05-05", 160, 11000, 900,
     "puheng-instr", "苏经理",
     "环境监测仪器企业，产品为水质在线监测仪和气体分析仪。",
     [hightech("2025-12-01", 118), cert("specialized", "2023-04-01", years=3)]),
    ("zhixun", "enterprise", "上海智巡城市服务科技有限公司", "静安区", "I6531", "2019-10-21", 85, 5200, 700,
     "zhixun-city", "孔经理",
     "城市运行服务企业，承接智慧路灯、地下管网监测和城市部件巡检。",
     [cert("tech_sme", "2026-03-09")]),
    ("hongyu", "enterprise", "上海虹语信息科技有限公司", "虹口区", "I6513", "2018-01-25", 70, 3900, 1400,
     "hongyu-speech", "方经理",
     "语音与对话技术企业，为金融和政务客服提供智能语音系统。",
     [hightech("2023-10-09", 119)]),
    ("linghang", "enterprise", "上海翎航机场装备科技有限公司", "长宁区", "C3744", "2016-04-14", 130, 14000, 1100,
     "linghang-airport", "邵经理",
     "机场地面保障装备企业，产品为行李牵引车、航空器除冰车和无人驾驶地勤车辆。",
     [hightech("2024-12-16", 120)]),
    ("yueju", "enterprise", "上海悦居智能家电科技有限公司", "普陀区", "C3855", "2012-08-30", 360, 52000, 2500,
     "yueju-home", "程经理",
     "家电企业，生产滚筒洗衣机、洗干一体机和新风空调。",
     [hightech("2023-12-05", 121), cert("tech_sme", "2024-04-10")]),
]

ORG_KEYS = [o[0] for o in ORGS]
assert len(set(ORG_KEYS)) == len(ORG_KEYS)


class Org:
    def __init__(self, index: int, row: tuple):
        (self.key, self.kind, self.name, self.district, self.industry, self.founded,
         self.employees, self.revenue, self.rd, self.slug, self.person, self.description,
         self.certificates) = row
        self.index = index
        self.code = credit_code(KIND_PREFIX[self.kind], self.district, index + 1)
        self._next_ext = 0

    def record(self) -> dict:
        r = {"kind": "organisation", "org_kind": self.kind, "name": self.name,
             "credit_code": self.code, "district": self.district, "industry_code": self.industry}
        if self.founded:
            r["founded_on"] = self.founded
        r["employees"] = self.employees
        if self.revenue is not None:
            r["revenue_yuan"] = wan(self.revenue)
        if self.rd is not None:
            r["rd_expense_yuan"] = wan(self.rd)
        r["description"] = self.description + "（虚构机构，仅用于 Qiao 演示数据。）"
        r["website"] = f"https://www.{self.slug}.example.com"
        r["certificates"] = self.certificates
        return r

    def contact(self, person: str | None = None, mailbox: str = "contact") -> dict:
        """A private contact: an invented name, a 021-5555xxxx number and an address under the
        reserved example.com domain (RFC 2606), so nothing reaches a real person."""
        self._next_ext = (self._next_ext + 1) % 100
        return {
            "name": person or self.person,
            "phone": f"021-5555{self.index + 10:02d}{self._next_ext:02d}",
            "email": f"{mailbox}@{self.slug}.example.com",
        }


ORG = {row[0]: Org(i, row) for i, row in enumerate(ORGS)}


def owner(key: str) -> Org:
    return ORG[key]


# --------------------------------------------------------------------------------------------
# Achievements from CSL papers.

PAPER_CATEGORIES = {"工学", "农学", "医学", "理学"}
PAPER_SKIP_DISCIPLINES = {"兵器科学与技术", "军事学", "天文学", "地理学", "大气科学"}
# Reviews, commentary and management essays are not results anyone could license.
PAPER_SKIP_TITLE = re.compile(r"综述|进展|浅析|浅谈|探讨|探索|现状|展望|回顾|思考|对策|管理|教学|述评|启示")

# Which organisations publish in a discipline; the first is the most likely owner.
DISCIPLINE_OWNERS = {
    "材料科学与工程": ["baocheng_mat", "shenjiang_u", "hengxin", "muguang"],
    "冶金工程": ["baocheng_mat", "shenjiang_u"],
    "化学/化学工程与技术": ["songlu_u", "lantao", "baocheng_mat"],
    "食品科学与工程": ["hucheng_agri", "qingsui"],
    "中医学/中药学": ["minglan_med", "qingxi_bio"],
    "药学": ["minglan_med", "qingxi_bio", "kangyan"],
    "基础医学/临床医学": ["minglan_med", "chengrui"],
    "口腔医学": ["minglan_med"],
    "公共卫生与预防医学": ["minglan_med"],
    "生物学/生物科学与工程": ["qingxi_bio", "songlu_u", "kangyan"],
    "园艺学": ["hucheng_agri", "chonglan_agri", "hefeng"],
    "作物学": ["chonglan_agri", "hucheng_agri"],
    "农业工程": ["hucheng_agri", "tianxi"],
    "农业资源利用": ["chonglan_agri", "hucheng_agri"],
    "植物保护": ["chonglan_agri", "tianxi"],
    "林学/林业工程": ["hucheng_agri"],
    "畜牧学/兽医学": ["hucheng_agri"],
    "水产": ["hucheng_agri", "chonglan_agri"],
    "交通运输工程": ["minggang_mar", "jiachuan_u"],
    "船舶与海洋工程": ["minggang_mar", "mingzhou"],
    "海洋科学": ["minggang_mar"],
    "水利工程": ["minggang_mar", "jiachuan_u"],
    "信息与通信工程": ["lanwan_ai", "shenjiang_u", "hongyu"],
    "计算机科学与技术": ["lanwan_ai", "shenjiang_u", "zhitong", "yunshu"],
    "控制科学与工程": ["shenjiang_u", "jiangzao"],
    "电子科学与技术": ["shenjiang_u", "hengxin"],
    "电气工程": ["donglan_energy", "shenjiang_u", "yaochu"],
    "动力工程及工程热物理": ["donglan_energy", "shenjiang_u", "lineng"],
    "力学": ["jiachuan_u", "shenjiang_u"],
    "机械工程": ["jiachuan_u", "shenjiang_u", "duorui", "jiangzao"],
    "土木工程": ["jiachuan_u", "zhuheng"],
    "建筑学": ["jiachuan_u"],
    "测绘科学与技术": ["jiachuan_u", "songlu_u"],
    "环境科学与工程": ["changqiao_env", "songlu_u", "qingyuan"],
    "矿业工程": ["songlu_u"],
    "石油与天然气工程": ["songlu_u"],
    "地质学/地质资源与地质工程": ["songlu_u"],
    "地球物理学": ["songlu_u"],
    "光学工程": ["shenjiang_u", "muguang"],
    "纺织科学与工程": ["songlu_u", "weijin"],
    "核科学与技术": ["shenjiang_u"],
    "航空宇航科学与技术": ["shenjiang_u", "linghang"],
    "数学": ["songlu_u"],
    "物理学": ["songlu_u", "shenjiang_u"],
}
DEFAULT_OWNERS = ["songlu_u", "shenjiang_u"]


def pick_owner(rng: random.Random, candidates: list[str]) -> Org:
    # The first candidate owns about half, the rest share the remainder.
    if len(candidates) == 1 or rng.random() < 0.5:
        return ORG[candidates[0]]
    return ORG[rng.choice(candidates[1:])]


# Maturity: (stage, TRL range, weight) for papers and for patents.
PAPER_MATURITY = [("lab", (2, 4), 45), ("small_pilot", (4, 5), 30), ("pilot", (5, 7), 15), (None, None, 10)]
PATENT_MATURITY = [("lab", (3, 4), 15), ("small_pilot", (4, 6), 30), ("pilot", (6, 7), 30),
                   ("industrial", (7, 9), 17), (None, None, 8)]
PAPER_MODES = [["joint_development"], ["joint_development", "consulting"], ["license", "joint_development"],
               ["consulting", "service"], ["commissioned_development", "joint_development"], ["transfer", "license"]]
PATENT_MODES = [["transfer"], ["license"], ["transfer", "license"], ["license", "equity"],
                ["transfer", "license", "equity"], ["license", "joint_development"], ["equity"]]


def weighted(rng: random.Random, options: list[tuple]) -> tuple:
    return rng.choices(options, weights=[o[-1] for o in options])[0]


def listing_common(rng: random.Random, org: Org, record: dict, *, draft=0.04, closed=0.04,
                   expired=0.10, no_expiry=0.20) -> dict:
    """District, status, expiry and contact, with a few drafts, closed and expired listings so
    the filters have something to show."""
    record["district"] = org.district
    r = rng.random()
    record["status"] = "draft" if r < draft else "closed" if r < draft + closed else "open"
    r = rng.random()
    if r < expired:
        record["expires_on"] = rel(-rng.randint(5, 240))
    elif r < expired + no_expiry:
        pass
    else:
        record["expires_on"] = rel(rng.randint(60, 760))
    record["contact"] = org.contact()
    return record


def price_range(rng: random.Random, *, patent: bool) -> tuple[int | None, int | None]:
    r = rng.random()
    if r < (0.25 if patent else 0.55):
        return None, None  # 面议
    low = rng.choice([5, 8, 10, 15, 20, 30, 50, 80, 100, 150, 200] if patent else [2, 5, 8, 10, 20, 30, 50])
    if r < (0.32 if patent else 0.62):
        return wan(low), None  # only a floor: 起价
    return wan(low), wan(low * rng.choice([1.5, 2, 3, 4, 5]))


def maturity(rng: random.Random, table) -> dict:
    stage, trl, _ = weighted(rng, table)
    if stage is None:
        return {}
    return {"trl": rng.randint(*trl), "stage": stage}


def load_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return sorted(rows, key=lambda r: r["id"])


def clean_text(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def paper_achievements() -> list[tuple[Org, dict]]:
    rng = rng_for("papers")
    papers = [
        p for p in load_jsonl(DATA / "csl" / "papers.jsonl")
        if p["category"] in PAPER_CATEGORIES
        and p["discipline"] not in PAPER_SKIP_DISCIPLINES
        and not PAPER_SKIP_TITLE.search(p["title"])
        and len(p["abstract"]) >= 80
    ]
    chosen = sorted(rng.sample(papers, N_PAPERS), key=lambda p: p["id"])
    out = []
    for p in chosen:
        org = pick_owner(rng, DISCIPLINE_OWNERS.get(p["discipline"], DEFAULT_OWNERS))
        a = {"kind": "achievement", "owner": org.code, "title": clean_text(p["title"]),
             "summary": clean_text(p["abstract"]),
             "keywords": [k.strip() for k in p["keywords"] if k.strip()][:12],
             "discipline": p["discipline"]}
        a.update(maturity(rng, PAPER_MATURITY))
        a["transfer_modes"] = rng.choice(PAPER_MODES)
        lo, hi = price_range(rng, patent=False)
        if lo is not None:
            a["price_min_yuan"] = lo
        if hi is not None:
            a["price_max_yuan"] = hi
        out.append((org, listing_common(rng, org, a)))
    return out


# --------------------------------------------------------------------------------------------
# Achievements from KPPatent-ZH patents.
#
# The patent records carry no IPC class, no discipline and no owner. Each rule below gives a
# patent whose title (or, failing that, the opening of its abstract) matches the pattern the
# organisations that plausibly hold it. The discipline and IPC class beside each rule are what
# the rule guesses, and guesses go wrong (a hydro-upgrading catalyst carrier matched 氢 and was
# filed under H02J 7/00, 电气工程: issue #27); matching cites a shared field or IPC class as a
# reason and boosts by it, so a patent keeps neither: only fields its source gives. First match
# wins.

PATENT_RULES = [
    (r"量子点|OLED|0LED|电致|发光|荧光|磷光|激子", "光学工程", ["C09K 11/00"], ["muguang", "baocheng_mat"]),
    (r"光伏|太阳能|多晶硅|制绒|硅片", "电气工程", ["H02S"], ["donglan_energy", "yaochu", "lvqiao"]),
    (r"正极|负极|电池|锂|电解液", "材料科学与工程", ["H01M"], ["lineng", "donglan_energy", "yaochu", "shenjiang_u"]),
    (r"充电|电量|储能|储热|氢", "电气工程", ["H02J 7/00"], ["yaochu", "donglan_energy", "lineng"]),
    (r"晶型|化合物.*(治疗|预防)|(治疗|预防).*化合物|药物|医药|透析|隐形眼镜|胚体|细胞|水凝胶",
     "药学", ["A61K"], ["kangyan", "qingxi_bio", "chengrui", "minglan_med"]),
    (r"洗衣机|衣物|干衣|挂烫|晾衣|洗干", "机械工程", ["D06F"], ["yueju"]),
    (r"空调|热水器|新风|换热|冷却系统|制冷|家电|家用电器", "动力工程及工程热物理", ["F24F"], ["yueju", "donglan_energy"]),
    (r"无人机|飞行器|航空", "航空宇航科学与技术", ["B64U"], ["yixun", "linghang"]),
    (r"船|疏浚|海上", "船舶与海洋工程", ["B63B"], ["mingzhou", "minggang_mar"]),
    (r"采油|油藏|油井|注水井|完井|抽油|测井|固井|稠油|砂岩|井下|钻", "石油与天然气工程", ["E21B"], ["songlu_u"]),
    (r"掘进|矿|采煤|巷道|爆破|掏槽", "矿业工程", ["E21C"], ["songlu_u"]),
    (r"纤维|织物|面料|纺|染|印花|无纺布|纱线|防水剂|防水加工|整理剂|粘合衬|刺绣|皮革|精练",
     "纺织科学与工程", ["D06M"], ["weijin", "songlu_u"]),
    (r"催化", "化学/化学工程与技术", ["B01J"], ["lantao", "songlu_u", "baocheng_mat"]),
    (r"分子筛|沸石", "化学/化学工程与技术", ["C01B 39/00"], ["songlu_u", "lantao"]),
    (r"废水|污水|水处理|污泥|过滤器|MBR|雨水|出水", "环境科学与工程", ["C02F"], ["qingyuan", "changqiao_env"]),
    (r"土壤|重金属|镉|堆肥|废弃物|废气|烟气|脱硝|除尘|脱硫|尾气|净化", "环境科学与工程", ["B01D 53/00"],
     ["changqiao_env", "qingyuan"]),
    (r"回收|再生", "环境科学与工程", ["B09B"], ["lvqiao", "changqiao_env"]),
    (r"列车|机车|集电靴", "交通运输工程", ["B60L"], ["chiyuan", "jiachuan_u"]),
    (r"停车|寻车", "交通运输工程", ["G08G"], ["chiyuan", "zhixun", "jiachuan_u"]),
    (r"车辆|汽车|电动车|尾门|客车|叉车|驾驶|车轮", "交通运输工程", ["B60R"], ["chiyuan", "jiachuan_u"]),
    (r"混凝土|水泥|石膏|墙|基坑|桩|施工|建筑|沥青|地坪|砖|模板|地基|隧道|桥梁|路面|道路|防水涂料|地下室|"
     r"百叶窗|卷帘|遮阳|挡雨|门窗|洁净门",
     "土木工程", ["E04B"], ["zhuheng", "jiachuan_u"]),
    (r"合金|钢|铝|镁|钛|铜|靶材|铸|镍|钨|钴|轧制|金属", "冶金工程", ["C22C"], ["baocheng_mat", "hengxin", "chiyuan"]),
    (r"陶瓷|磁|铁氧体|压电|石英|氮化铝|玻璃", "材料科学与工程", ["C04B 35/00"], ["baocheng_mat", "hengxin"]),
    (r"抛光|晶圆|外延|掩模|蒸镀|晶体生长", "电子科学与技术", ["H01L 21/00"], ["hengxin", "shenjiang_u"]),
    (r"涂层|涂料|漆|膜|胶|油墨", "材料科学与工程", ["C09D"], ["lantao", "muguang", "baocheng_mat"]),
    (r"橡胶|聚合|聚|树脂|塑料|单体|共聚", "化学/化学工程与技术", ["C08L"], ["lantao", "songlu_u"]),
    (r"酯|醇|醛|酮|腈|氟|胺|喹啉|苯|甲烷|合成", "化学/化学工程与技术", ["C07C"], ["lantao", "songlu_u"]),
    (r"肥料|栽培|食用菌|农田|诱虫|保鲜|果蔬|橘皮|面泥|食品|糖果|植物", "农业工程", ["A01G"],
     ["hefeng", "tianxi", "qingsui", "hucheng_agri", "chonglan_agri"]),
    (r"纸|制浆|纸浆|浆厂|麻浆|牛卡", "林学/林业工程", ["D21H"], ["hucheng_agri", "songlu_u"]),
    (r"图像|视频|镜头|成像|视觉|识别|跟踪|全景|投影|字幕|光学", "计算机科学与技术", ["G06T"],
     ["zhitong", "lanwan_ai", "muguang"]),
    (r"语音|口型|虚拟|增强现实", "计算机科学与技术", ["G06F 3/00"], ["hongyu", "lanwan_ai"]),
    (r"终端|通信|网络|基站|数据|信息|服务器|存储|区块链|用户|界面|软件|电子设备|Wi-Fi|定位|天线|消息|光纤|光缆|"
     r"呼叫|报警|考勤|售货|共享|程序|密码|分屏|搜索",
     "信息与通信工程", ["H04L"], ["yunshu", "lanwan_ai", "zhixun", "shenjiang_u"]),
    (r"路灯|台阶灯|照明|井盖|公厕|物联", "控制科学与工程", ["G08B"], ["zhixun"]),
    (r"电缆|开关柜|电机|变频器|变流器|电力|电加热|热电|导线|供电|功率", "电气工程", ["H02M"],
     ["donglan_energy", "shenjiang_u", "yaochu"]),
    (r"传感器|监测|检测|测试|测绘|计量|加速度计|校准", "仪器科学与技术", ["G01N"], ["puheng", "jiachuan_u"]),
    (r"机器人|增材制造|机床|加工|焊|切割|坡口|夹固|压缩机|泵|轴承|皮带轮|机构|缓冲器|支架|装置|设备",
     "机械工程", ["B25J"], ["jiangzao", "duorui", "jiachuan_u"]),
]
PATENT_RULES = [(re.compile(p), d, ipc, owners) for p, d, ipc, owners in PATENT_RULES]

PATENT_NUMBER = re.compile(r"CN\d{9}[A-Z]\d?")
# A page header of the source PDF glued to the abstract: "CN108151594A权利要求书1/2页…".
PAGE_HEADER = re.compile(r"CN\d{9}[A-Z]\d?(权利要求书|说明书)")
ABSTRACT_START = re.compile(r"本(发明|申请|公开|实用新型|分案申请)|一种")
# The title field sometimes begins with the PDF's page counts and the tail of the abstract.
TITLE_NOISE = re.compile(r"^权利要求书\d+页说明书\d+页(附图\d+页)?")
KEYWORD_STOP = {"多个", "两个", "一个", "至少", "不同", "方法", "装置", "设备", "系统", "制备", "应用", "使用",
                "包括", "所述", "其中", "进行", "能够", "可以", "以及", "通过", "用于", "相关", "控制"}


def clean_title(title: str) -> str:
    t = TITLE_NOISE.sub("", title.strip())
    if t != title.strip():
        if "。" in t:
            t = t.rsplit("。", 1)[1]
        else:
            i = t.find("一种")
            if i > 0:
                t = t[i:]
    return t.strip()


def clean_abstract(abstract: str) -> str | None:
    """The abstract without glued page headers and leading figure labels, or None when it is
    too damaged to show."""
    a = abstract
    m = PAGE_HEADER.search(a)
    if m:
        a = a[: m.start()]
    m = ABSTRACT_START.search(a)
    if m and 0 < m.start() <= 40 and "。" not in a[: m.start()]:
        a = a[m.start():]
    a = clean_text(a)
    ok = (80 <= len(a) <= 800 and ABSTRACT_START.match(a) and "权利要求" not in a
          and "[00" not in a and not PATENT_NUMBER.search(a))
    return a if ok else None


def interleaved(title: str, abstract: str) -> bool:
    """Whether figure labels of the source PDF were spliced into the abstract, e.g. "一种控制信号
    发射的方终端获取功率控制信息法和装置": the title's first clause occurs scattered, not whole, in
    the opening. Also catches a few honest paraphrases; with ~500 candidates for 300 places, losing
    them costs nothing."""
    if re.search(r"\$\d", abstract):
        return True
    core = re.split(r"[、，,]|及其|及|和", re.sub(r"^一种", "", title))[0]
    if len(core) < 4 or core in abstract:
        return False
    i = abstract.find(core[:3])
    if i < 0:
        return False
    rest = iter(abstract[i: i + len(core) + 40])
    return all(c in rest for c in core)


def classify(title: str, abstract: str):
    for text in (title, abstract[:120]):
        for pattern, discipline, ipc, owners in PATENT_RULES:
            if pattern.search(text):
                return discipline, ipc, owners
    return None


def patent_achievements() -> list[tuple[Org, dict]]:
    rng = rng_for("patents")
    candidates = []
    seen_titles = set()
    for p in load_jsonl(DATA / "kppatent_zh" / "patents.jsonl"):
        if not p.get("title"):
            continue
        title = clean_title(p["title"])
        abstract = clean_abstract(p["abstract"] or "")
        if (not title or len(title) > 120 or abstract is None or title in seen_titles
                or interleaved(title, abstract)):
            continue
        seen_titles.add(title)
        numbers = collections.Counter(PATENT_NUMBER.findall((p.get("claims") or "") + " " + p["abstract"]))
        candidates.append((p, title, abstract, [n for n, _ in numbers.most_common(1)], classify(title, abstract)))
    # Prefer the patents a rule places; fill up with the others (owned by the general universities).
    placed = [c for c in candidates if c[4]]
    unplaced = [c for c in candidates if not c[4]]
    print(f"patents: {len(candidates)} usable, {len(placed)} placed by a rule", file=sys.stderr)
    if len(placed) >= N_PATENTS:
        chosen = rng.sample(placed, N_PATENTS)
    else:
        chosen = placed + rng.sample(unplaced, N_PATENTS - len(placed))
    chosen.sort(key=lambda c: c[0]["id"])
    out = []
    for p, title, abstract, numbers, klass in chosen:
        discipline, ipc, owners = klass or ("机械工程", [], DEFAULT_OWNERS)
        org = pick_owner(rng, owners)
        keywords = []
        for k in p["keywords"]:
            k = k.strip()
            if len(k) >= 2 and k not in KEYWORD_STOP and k not in keywords:
                keywords.append(k)
        # No discipline or IPC class: the source has none, and the rule's guess is not a fact
        # (see PATENT_RULES).
        del discipline, ipc
        a = {"kind": "achievement", "owner": org.code, "title": title, "summary": abstract,
             "keywords": keywords[:8], "patent_numbers": numbers}
        a.update(maturity(rng, PATENT_MATURITY))
        a["transfer_modes"] = rng.choice(PATENT_MODES)
        lo, hi = price_range(rng, patent=True)
        if lo is not None:
            a["price_min_yuan"] = lo
        if hi is not None:
            a["price_max_yuan"] = hi
        out.append((org, listing_common(rng, org, a)))
    return out


# --------------------------------------------------------------------------------------------
# Hand-written listings. Amounts are in 万元 here and stored in yuan; dates are day offsets
# from BASE (2026-11-01).


def ind(name: str, target: float | None = None, unit: str | None = None, note: str | None = None) -> dict:
    i = {"name": name}
    if target is not None:
        i["target"] = target
    if unit is not None:
        i["unit"] = unit
    if note is not None:
        i["note"] = note
    return i


# (owner, title, description, keywords, discipline, indicators, budget 万元 (min, max),
#  deadline offset, cooperation modes, status, expiry offset, confidential)
DEMANDS = [
    ("lineng", "动力电池包夏季高温散热与电芯温差控制",
     "我们是做动力和储能电池包的企业。夏天高温工况下电池包温度上升快，同一模组内电芯之间温差超过 8℃，"
     "影响循环寿命和一致性。希望在不大改现有箱体结构、不明显增加重量的前提下，把电芯最大温差控制在 3℃ 以内，"
     "方案可以是液冷板流道优化、相变材料或新的导热界面材料。",
     ["电池热管理", "电池包", "散热", "温差", "液冷"], "动力工程及工程热物理",
     [ind("电芯最大温差", 3, "℃", "45℃ 环境、1C 连续放电"), ind("系统增重", 5, "%", "相对现有电池包")],
     (50, 150), 240, ["joint_development", "commissioned_development"], "open", 300,
     "现用电芯为 280Ah 磷酸铁锂方形电芯，模组排布图和温度场仿真报告签署保密协议后提供。"),
    ("lineng", "高镍三元正极材料循环稳定性提升",
     "高镍正极材料做成电池后循环到 500 次容量衰减明显，高温存储时产气鼓胀。希望找到改善材料结构稳定性的"
     "掺杂或表面包覆工艺，能在现有共沉淀和烧结产线上放大。",
     ["高镍正极", "掺杂", "包覆", "循环寿命", "产气"], "材料科学与工程",
     [ind("1C 循环 1000 次容量保持率", 90, "%"), ind("60℃ 存储 30 天体积膨胀", 5, "%")],
     (100, 300), 365, ["joint_development", "license", "transfer"], "open", 400, None),
    ("lineng", "退役动力电池快速分选与梯次利用评估",
     "回收的退役电池包一致性差，逐只做容量测试太慢。想找一种几分钟内判断电芯剩余容量和内阻、完成分选分级的方法。",
     ["退役电池", "梯次利用", "分选", "健康状态"], "电气工程",
     [ind("单只电芯评估时间", 5, "分钟"), ind("容量估算误差", 5, "%")],
     (30, 80), 200, ["commissioned_development"], "draft", None, "初步预算待公司审批。"),
    ("yaochu", "储能电站电池簇一致性在线监测",
     "我们运营的储能电站投运两年后，各电池簇之间容量差异变大，现有 BMS 只能看到电压和温度，难以提前发现落后电芯。"
     "希望有不停机的在线方法，估算每个电芯的健康状态并给出均衡或更换建议。",
     ["储能电站", "BMS", "健康状态", "一致性", "在线监测"], "电气工程",
     [ind("SOH 估算误差", 3, "%"), ind("落后电芯识别提前量", 30, "天")],
     (80, 200), 300, ["commissioned_development", "service"], "open", 365, None),
    ("yaochu", "低温环境下储能系统充电能力提升",
     "北方项目冬季环境温度低至零下二十度，储能柜充电功率受限，靠加热膜预热又耗电。希望提高低温充电能力并降低预热能耗。",
     ["低温", "储能", "充电", "预热", "电解液"], "动力工程及工程热物理",
     [ind("-20℃ 充电容量保持率", 80, "%"), ind("预热能耗降低", 30, "%")],
     (50, 120), 270, ["joint_development"], "open", 330, None),
    ("hengxin", "化学机械抛光后晶圆表面颗粒与金属残留",
     "CMP 之后晶圆表面的颗粒和金属离子残留偏高，影响后道良率。希望开发新的清洗液配方或清洗工艺，"
     "兼容铜互连和低 k 介质，不腐蚀铜线。",
     ["CMP", "清洗液", "晶圆", "颗粒残留", "铜互连"], "电子科学与技术",
     [ind("≥45nm 颗粒数", 20, "个/片"), ind("铜腐蚀速率", 0.5, "Å/min")],
     (200, 500), 420, ["joint_development", "license"], "open", 500,
     "目标客户为 28nm 逻辑产线，现用清洗液成分清单另附。"),
    ("hengxin", "高纯溅射靶材晶粒细化与致密度提升",
     "我们生产的金属溅射靶材在大尺寸规格上晶粒粗大、致密度不够，溅射时出现颗粒飞溅。需要改进热等静压或轧制退火工艺。",
     ["溅射靶材", "晶粒细化", "致密度", "热等静压"], "冶金工程",
     [ind("相对密度", 99.5, "%"), ind("平均晶粒尺寸", 50, "μm")],
     (100, 300), 360, ["joint_development", "transfer"], "open", 420, None),
    ("chengrui", "一次性支气管内窥镜成像清晰度提升",
     "我们生产一次性支气管内窥镜，想在不提高单支成本的前提下提高图像清晰度和色彩还原，改善画面边缘畸变和暗角。",
     ["内窥镜", "一次性", "成像", "镜头", "图像处理"], "基础医学/临床医学",
     [ind("有效分辨率", 400, "×400 像素"), ind("单支光学模组成本", 300, "元")],
     (60, 150), 300, ["joint_development", "commissioned_development"], "open", 365, None),
    ("chengrui", "骨科植入物表面抗菌与骨整合",
     "钛合金骨科植入物术后感染仍时有发生，希望找到一种表面处理方法，同时具备抗菌性和良好的骨整合能力，能通过生物相容性评价。",
     ["骨科植入物", "钛合金", "抗菌", "骨整合", "表面改性"], "基础医学/临床医学",
     [ind("抗菌率", 99, "%", "金黄色葡萄球菌"), ind("细胞毒性", 1, "级", "GB/T 16886.5")],
     (80, 200), 540, ["joint_development", "license"], "open", 600, None),
    ("chengrui", "介入导管亲水润滑涂层",
     "现有导管表面涂层摩擦力偏大、耐久性不够，反复推送后润滑性下降。寻求可许可使用的亲水涂层配方和涂覆工艺。",
     ["导管", "亲水涂层", "润滑", "医用高分子"], "材料科学与工程",
     [ind("摩擦系数", 0.05, None, "生理盐水中"), ind("20 次往复后摩擦力增加", 10, "%")],
     (40, 100), 180, ["license", "transfer"], "closed", 90, None),
    ("kangyan", "难溶性候选药物口服生物利用度提高",
     "我们一个候选化合物水溶性很差，动物实验口服吸收低而且个体差异大。希望合作开发合适的制剂技术，"
     "比如固体分散体、纳米晶或自微乳，提高口服生物利用度。",
     ["难溶性药物", "生物利用度", "制剂", "固体分散体", "纳米晶"], "药学",
     [ind("相对生物利用度", 2, "倍", "相对原料药混悬液"), ind("加速稳定性", 6, "月")],
     (150, 400), 450, ["joint_development", "commissioned_development"], "open", 500,
     "化合物结构与理化数据签署保密协议后提供。"),
    ("kangyan", "中药提取物批间质量一致性快速检测",
     "中药提取物每批都要做液相检测，周期长。希望有快速、无损的检测方法，在车间现场判断批次是否合格。",
     ["中药提取物", "质量一致性", "快速检测", "近红外", "指纹图谱"], "中医学/中药学",
     [ind("单批检测时间", 10, "分钟"), ind("与 HPLC 结果一致率", 95, "%")],
     (30, 80), 240, ["commissioned_development", "service"], "open", -20, None),
    ("zhitong", "电子元件外观缺陷小样本检测",
     "客户产线上的电子元件外观缺陷种类多、每类样本很少，传统深度学习模型需要大量标注。"
     "希望引入小样本或无监督的检测算法，新品导入时一周内完成建模。",
     ["缺陷检测", "小样本学习", "机器视觉", "深度学习", "工业质检"], "计算机科学与技术",
     [ind("漏检率", 0.1, "%"), ind("过检率", 1, "%"), ind("单张图像推理时间", 50, "ms")],
     (50, 120), 210, ["joint_development", "license"], "open", 300, None),
    # Five demands in traditional script: the matcher should find simplified-script achievements.
    ("yunshu", "大型資料庫查詢效能優化",
     "我們公司的業務資料庫資料量已超過百億筆，複雜查詢回應時間過長，報表經常逾時。希望引入新的索引結構與查詢最佳化技術，"
     "在不更換硬體的前提下將查詢延遲降低一半。",
     ["資料庫", "查詢優化", "索引", "大數據", "分散式"], "计算机科学与技术",
     [ind("複雜查詢延遲降低", 50, "%"), ind("寫入吞吐下降不超過", 10, "%")],
     (80, 200), 270, ["joint_development", "consulting"], "open", 365, None),
    ("hongyu", "人工智慧語音客服方言辨識",
     "客服中心來電中上海話、粵語等方言比例不低，現有語音辨識系統準確率明顯下降，轉人工比例高。希望以人工智慧技術提升方言語音辨識與意圖理解能力。",
     ["人工智慧", "語音辨識", "方言", "智慧客服", "自然語言處理"], "信息与通信工程",
     [ind("方言語音辨識準確率", 90, "%"), ind("即時率", 0.3, "RTF")],
     (60, 150), 240, ["joint_development", "license"], "open", 330, None),
    ("zhixun", "智慧路燈遠端監控與節能",
     "轄區路燈數量多，故障主要靠巡查和市民報修，發現慢；夜間後半段人車稀少仍全功率照明。希望以物聯網實現路燈遠端監控、"
     "故障自動告警與按需調光，降低用電量。",
     ["智慧路燈", "物聯網", "節能", "遠端監控", "調光"], "控制科学与工程",
     [ind("節電率", 30, "%"), ind("故障發現時間", 1, "小時")],
     (40, 100), 180, ["commissioned_development", "service"], "open", 240, None),
    ("yixun", "植保無人機續航與輕量化機身",
     "植保無人機滿載作業時續航不足，一塊電池只能作業十幾分鐘，頻繁換電影響效率。希望透過輕量化複合材料機身與高能量密度電池延長續航。",
     ["無人機", "續航", "複合材料", "輕量化", "電池"], "航空宇航科学与技术",
     [ind("滿載續航時間", 40, "分鐘"), ind("機身減重", 20, "%")],
     (80, 180), 300, ["joint_development"], "open", 360, None),
    ("linghang", "航空器除冰車噴嘴影像辨識與自動對位",
     "冬季航空器除冰作業依賴人工目視對準機翼，除冰液用量大。希望以人工智慧影像辨識機翼輪廓與結冰區域，"
     "實現噴嘴自動對位與定量噴灑。",
     ["人工智慧", "影像辨識", "除冰", "自動對位", "機場"], "计算机科学与技术",
     [ind("除冰液節省", 25, "%"), ind("對位誤差", 5, "cm")],
     (100, 250), 330, ["joint_development", "commissioned_development"], "open", 400, None),
    ("hefeng", "设施蔬菜连作障碍与土壤改良",
     "大棚种番茄连续多年后，土壤板结、盐渍化，根结线虫和土传病害越来越重，产量下降。希望找到成本可接受的土壤改良和轮作方案。",
     ["连作障碍", "土壤改良", "盐渍化", "设施蔬菜", "土传病害"], "园艺学",
     [ind("产量恢复", 15, "%"), ind("土壤含盐量降低", 30, "%")],
     (20, 60), 240, ["joint_development", "consulting"], "open", 300, None),
    ("hefeng", "农田排水沟渠氮磷拦截",
     "崇明农田排水中氮磷含量偏高，影响周边河道水质。希望在现有沟渠上低成本改造，拦截排水中的氮和磷。",
     ["面源污染", "氮磷", "沟渠", "生态拦截", "农田排水"], "农业资源利用",
     [ind("总磷去除率", 60, "%"), ind("总氮去除率", 40, "%")],
     (30, 80), 360, ["joint_development"], "open", -45, None),
    ("tianxi", "果园植保无人机精准变量喷施",
     "果园树冠形状不一，无人机统一喷洒时农药飘移大、树冠内膛着药少。希望按树冠大小和病虫害程度变量喷施。",
     ["植保无人机", "变量喷施", "农药飘移", "果园", "树冠识别"], "农业工程",
     [ind("农药用量减少", 20, "%"), ind("内膛雾滴覆盖率", 30, "%")],
     (30, 80), 200, ["joint_development", "commissioned_development"], "open", 260, None),
    ("tianxi", "连栋温室环境智能调控节能",
     "连栋温室冬季加温和夏季降温能耗高，环境调控靠人工经验。希望用传感器和模型预测控制，兼顾作物生长和能耗。",
     ["温室", "环境调控", "节能", "模型预测控制", "设施农业"], "农业工程",
     [ind("能耗降低", 15, "%")],
     (20, 50), 180, ["commissioned_development", "service"], "open", 240, None),
    ("qingsui", "NFC 果汁非热杀菌保鲜",
     "NFC 果汁用热杀菌后风味和维生素 C 损失明显，不杀菌又放不住。希望找到非热杀菌或温和杀菌工艺，保证安全的同时延长冷藏货架期。",
     ["果汁", "非热杀菌", "保鲜", "货架期", "高压处理"], "食品科学与工程",
     [ind("冷藏货架期", 30, "天"), ind("维生素 C 保留率", 90, "%")],
     (50, 150), 300, ["joint_development", "license"], "open", 360, None),
    ("qingsui", "即食果蔬可降解高阻隔包装",
     "即食果蔬包装需要阻隔氧气和水汽，目前用多层复合塑料膜，无法降解。希望开发可降解、阻隔性接近现有材料的包装膜。",
     ["可降解", "包装膜", "阻隔性", "即食果蔬"], "材料科学与工程",
     [ind("氧气透过率", 5, "cm³/(m²·24h·0.1MPa)"), ind("水蒸气透过率", 10, "g/(m²·24h)")],
     (30, 100), 360, ["joint_development"], "open", 420, None),
    ("lantao", "电器外壳无卤阻燃聚碳酸酯",
     "出口欧盟的电器外壳要求无卤阻燃，我们现有配方含溴系阻燃剂。希望开发无卤阻燃 PC 配方，阻燃和抗冲击性能都要达标。",
     ["阻燃", "聚碳酸酯", "无卤", "工程塑料", "抗冲击"], "化学/化学工程与技术",
     [ind("阻燃等级", None, None, "UL94 V-0，厚度 1.5mm"), ind("缺口冲击强度", 50, "kJ/m²")],
     (50, 150), 300, ["joint_development", "transfer"], "open", 360, None),
    ("lantao", "环氧树脂生产尾气中环氧氯丙烷回收",
     "环氧树脂装置尾气中夹带环氧氯丙烷，目前焚烧处理，既浪费原料又增加排放。希望回收尾气中的环氧氯丙烷并回用氮气。",
     ["环氧树脂", "环氧氯丙烷", "尾气回收", "氮气回用", "VOCs"], "化学/化学工程与技术",
     [ind("环氧氯丙烷回收率", 95, "%"), ind("非甲烷总烃排放浓度", 20, "mg/m³")],
     (100, 300), 400, ["commissioned_development", "transfer"], "open", 450, None),
    ("weijin", "户外面料无氟防水整理耐洗性",
     "品牌客户要求全面取消含氟防水剂，我们试过的无氟产品初始防水还行，但洗几次就不行了。希望提高无氟防水整理的耐洗性。",
     ["无氟防水", "耐洗性", "功能整理", "户外面料", "PFAS"], "纺织科学与工程",
     [ind("洗涤 20 次后沾水等级", 4, "级", "AATCC 22"), ind("手感", None, None, "不明显变硬")],
     (30, 80), 240, ["joint_development", "license"], "open", 300, None),
    ("weijin", "涤纶织物低温染色节能",
     "涤纶高温高压染色能耗高、设备要求高。希望找到低温常压染色的助剂或工艺，色牢度不降低。",
     ["涤纶", "低温染色", "节能", "染色助剂", "色牢度"], "纺织科学与工程",
     [ind("染色温度", 100, "℃"), ind("耐洗色牢度", 4, "级")],
     (20, 60), 180, ["joint_development"], "open", -60, None),
    ("zhuheng", "海工混凝土抗氯离子侵蚀",
     "临港沿海工程混凝土长期受海水和海风侵蚀，钢筋锈蚀导致开裂。希望提高混凝土抗氯离子渗透能力，延长结构寿命。",
     ["海工混凝土", "氯离子", "耐久性", "钢筋锈蚀", "矿物掺合料"], "土木工程",
     [ind("28 天氯离子扩散系数", 2e-12, "m²/s", "RCM 法"), ind("设计使用年限", 100, "年")],
     (50, 150), 360, ["joint_development", "license"], "open", 420, None),
    ("zhuheng", "建筑垃圾再生骨料高值化利用",
     "拆除混凝土破碎得到的再生骨料吸水率高、强度低，只能用在低等级场合。希望提高再生骨料品质，用于结构混凝土或预制构件。",
     ["再生骨料", "建筑垃圾", "强化", "预制构件"], "土木工程",
     [ind("再生骨料替代率", 50, "%"), ind("混凝土强度等级", 40, "MPa")],
     (30, 100), 300, ["joint_development", "transfer"], "open", 360, None),
    ("chiyuan", "电动尾门防夹识别可靠性",
     "电动尾门在关闭过程中遇到障碍需要可靠反弹，现有电流检测方案在低温和坡道上误判较多。希望提高防夹识别可靠性。",
     ["电动尾门", "防夹", "电机控制", "汽车电子"], "交通运输工程",
     [ind("防夹力", 100, "N"), ind("误触发率", 0.1, "%")],
     (30, 80), 200, ["joint_development", "commissioned_development"], "open", 250, None),
    ("chiyuan", "一体化压铸铝合金件强韧性",
     "大型一体化压铸铝合金件需要免热处理，但现有合金延伸率不够，碰撞时易脆断。希望开发免热处理高强韧压铸铝合金。",
     ["压铸", "铝合金", "免热处理", "轻量化", "强韧性"], "冶金工程",
     [ind("抗拉强度", 300, "MPa"), ind("延伸率", 10, "%")],
     (100, 300), 420, ["joint_development", "license", "transfer"], "open", 480, None),
    ("qingyuan", "工业园区高盐废水零排放",
     "化工园区高盐废水蒸发结晶得到的杂盐只能按危废处置，成本很高。希望实现分盐结晶，得到可资源化的工业盐。",
     ["高盐废水", "零排放", "分盐结晶", "蒸发", "资源化"], "环境科学与工程",
     [ind("吨水处理成本", 30, "元/吨"), ind("氯化钠纯度", 98.5, "%")],
     (200, 600), 480, ["joint_development", "commissioned_development"], "open", 540, None),
    ("qingyuan", "海水淡化产水硼去除",
     "海岛海水淡化项目的产水中硼超标，二级反渗透成本太高。希望找到低成本的除硼方法。",
     ["海水淡化", "硼", "反渗透", "吸附", "饮用水"], "环境科学与工程",
     [ind("产水硼浓度", 0.5, "mg/L")],
     (50, 120), 240, ["joint_development", "transfer"], "open", 300, None),
    ("lvqiao", "退役锂电池正极材料直接修复再生",
     "湿法回收退役电池需要大量酸碱，流程长。希望直接修复退役正极粉的晶体结构和锂含量，再生后达到电池级要求。",
     ["电池回收", "正极材料", "直接再生", "补锂", "退役电池"], "材料科学与工程",
     [ind("再生材料首次放电比容量", 160, "mAh/g", "0.1C"), ind("综合回收成本降低", 30, "%")],
     (100, 250), 400, ["joint_development", "license"], "open", 450, None),
    ("lvqiao", "退役光伏组件银和硅回收",
     "未来几年退役光伏组件会大量出现，拆解后银、硅回收率低。希望有环保的拆解和贵金属回收工艺。",
     ["光伏组件", "回收", "银", "硅", "拆解"], "环境科学与工程",
     [ind("银回收率", 95, "%"), ind("硅回收纯度", 99.9, "%")],
     (80, 200), 360, ["joint_development", "transfer"], "open", -10, None),
    ("duorui", "碳纤维复合材料钻孔分层与毛刺控制",
     "碳纤维复合材料构件钻孔时出口分层、毛刺多，刀具磨损快。希望从刀具结构、加工参数或辅助工艺上解决。",
     ["碳纤维复合材料", "钻孔", "分层", "刀具磨损", "切削"], "机械工程",
     [ind("分层因子", 1.1, None, "出口侧"), ind("刀具寿命提高", 50, "%")],
     (30, 80), 240, ["joint_development"], "open", 300, None),
    ("jiangzao", "协作机器人力控打磨一致性",
     "卫浴和铸件打磨靠人工，机器人打磨时工件余量不一致导致打磨质量波动。希望实现力位混合控制和余量自适应。",
     ["打磨", "力控", "协作机器人", "自适应", "表面粗糙度"], "控制科学与工程",
     [ind("表面粗糙度 Ra", 0.8, "μm"), ind("节拍", 90, "秒/件")],
     (40, 120), 240, ["joint_development", "commissioned_development"], "open", 300, None),
    ("mingzhou", "船舶压载水处理系统紫外灯管结垢",
     "压载水处理系统在浑浊港口运行时紫外灯管套管结垢快，处理效果下降。希望有在线防垢或自清洁方案。",
     ["压载水", "紫外", "结垢", "船舶", "自清洁"], "船舶与海洋工程",
     [ind("紫外透过率保持", 90, "%", "连续运行 500 小时")],
     (30, 80), 150, ["commissioned_development"], "closed", 60, None),
    ("muguang", "量子点膜高温高湿可靠性",
     "量子点膜在高温高湿条件下亮度衰减快，边缘发黑。希望改进量子点表面配体或阻隔封装，满足显示器件可靠性要求。",
     ["量子点", "阻隔膜", "可靠性", "亮度衰减", "显示"], "光学工程",
     [ind("85℃/85%RH 1000h 亮度保持率", 90, "%"), ind("边缘失效宽度", 1, "mm")],
     (80, 200), 360, ["joint_development", "license"], "open", 420, None),
    ("puheng", "水质在线监测传感器长期漂移",
     "水质在线监测仪在现场长期运行时电极漂移、生物附着，维护频繁。希望延长免维护周期。",
     ["水质监测", "传感器", "漂移", "生物附着", "在线监测"], "仪器科学与技术",
     [ind("30 天零点漂移", 2, "%FS"), ind("免维护周期", 60, "天")],
     (30, 80), 240, ["joint_development"], "open", 300, None),
    ("yueju", "滚筒洗衣机高速脱水振动与噪声",
     "滚筒洗衣机 1400 转脱水时衣物偏心导致振动和噪声偏大，用户投诉多。希望在不增加配重的情况下降低振动噪声。",
     ["洗衣机", "振动", "噪声", "偏心", "脱水"], "机械工程",
     [ind("脱水噪声", 72, "dB(A)"), ind("箱体振幅", 1.5, "mm")],
     (40, 100), 200, ["joint_development", "commissioned_development"], "open", 260, None),
]


# (owner, title, description, keywords, discipline, indicators (target and unit required),
#  deliverables, reward 万元, apply from, apply until, deadline (offsets), status, confidential)
CHALLENGES = [
    ("minhang_stc", "闵行区揭榜挂帅：高离子电导率固态电解质",
     "面向区内动力电池企业对高安全电池的需求，征集硫化物或卤化物固态电解质材料及其规模化制备技术。"
     "揭榜方须在区内落地中试线，与区内电池企业联合完成电芯验证。",
     ["固态电池", "固态电解质", "离子电导率", "揭榜挂帅"], "材料科学与工程",
     [ind("室温离子电导率", 0.001, "S/cm"), ind("电化学窗口", 5, "V"), ind("空气稳定性", 24, "h", "露点 -40℃ 干燥间")],
     ["公斤级电解质材料样品及第三方检测报告", "软包电芯样品（≥ 2Ah）及循环测试数据", "中试工艺包"],
     500, -30, 60, 420, "open", None),
    ("minhang_stc", "闵行区揭榜挂帅：工业机器视觉国产算法平台",
     "面向区内电子制造和汽车零部件企业，征集可替代进口产品的工业视觉算法平台，支持缺陷检测、测量和定位。",
     ["机器视觉", "工业软件", "缺陷检测", "国产替代"], "计算机科学与技术",
     [ind("缺陷检出率", 99.5, "%"), ind("单帧处理时间", 30, "ms"), ind("区内示范产线", 5, "条")],
     ["算法平台软件及源代码托管", "5 条产线示范应用报告", "软件著作权"],
     300, -60, -5, 360, "under_review", None),
    ("lineng", "大容量储能电芯热失控早期预警",
     "我们征集储能电站用大容量电芯热失控早期预警技术，可以是气体、声学、应变或电化学阻抗等传感手段与算法的组合。",
     ["热失控", "预警", "储能安全", "传感器", "电池"], "动力工程及工程热物理",
     [ind("预警提前时间", 10, "min"), ind("误报率", 0.5, "%"), ind("单簇新增成本", 2000, "元")],
     ["预警装置样机 10 套", "在砺能储能实验舱完成的验证报告", "预警算法及接口文档"],
     200, -15, 75, 300, "open", "实验舱热失控触发方式和历史数据在签署保密协议后提供。"),
    ("yangpu_stc", "杨浦区揭榜挂帅：城市道路积水智能感知",
     "征集低成本道路积水感知技术，利用现有视频监控或新增传感器实时识别积水深度，接入区城市运行平台。",
     ["积水监测", "城市治理", "视频识别", "物联网"], "控制科学与工程",
     [ind("积水深度识别误差", 3, "cm"), ind("识别准确率", 95, "%"), ind("告警响应时间", 5, "min")],
     ["覆盖 50 个易积水点的示范系统", "与城市运行平台的数据接口", "一个汛期的运行报告"],
     150, -90, -10, 240, "under_review", None),
    ("chengrui", "高端电子内窥镜光学模组国产化",
     "征集可量产的电子内窥镜前端光学模组，包括微型镜头、照明和图像传感器集成，替代进口模组。",
     ["内窥镜", "光学模组", "微型镜头", "国产替代"], "光学工程",
     [ind("视场角", 140, "°"), ind("景深上限", 100, "mm", "景深 3~100mm"), ind("模组外径", 2.8, "mm")],
     ["光学模组样品 50 套", "光学设计文件与公差分析", "量产工艺方案"],
     300, -20, 100, 450, "open", None),
    ("hengxin", "超高纯铜溅射靶材国产替代",
     "征集 12 英寸集成电路用超高纯铜靶材制备技术，覆盖提纯、铸锭、塑性加工和焊接绑定全流程。",
     ["溅射靶材", "超高纯铜", "集成电路", "国产替代"], "冶金工程",
     [ind("铜纯度", 99.9999, "%"), ind("相对密度", 99.5, "%"), ind("平均晶粒尺寸", 30, "μm")],
     ["12 英寸靶材样品 5 片", "客户产线验证报告", "工艺技术包"],
     400, -300, -200, 120, "awarded", None),
    ("kangyan", "抗体药物高表达稳定细胞株构建",
     "征集 CHO 细胞高表达稳定细胞株构建平台技术，用于公司在研双抗项目。",
     ["细胞株", "CHO", "抗体药物", "高表达", "生物药"], "生物学/生物科学与工程",
     [ind("表达量", 5, "g/L", "14 天补料分批培养"), ind("传代稳定性", 60, "代")],
     ["3 株候选稳定细胞株", "细胞库建库与检定资料", "工艺开发报告"],
     350, -10, 80, 400, "open", "靶点与分子序列签署保密协议后提供。"),
    ("zhitong", "复杂光照下低照度视觉感知",
     "征集低照度、强反光场景下的视觉感知算法，用于夜间园区巡检机器人。",
     ["低照度", "视觉感知", "巡检机器人", "图像增强"], "计算机科学与技术",
     [ind("0.1 lux 下目标检测 mAP", 85, "%"), ind("推理帧率", 25, "fps")],
     ["算法模型与推理 SDK", "夜间测试数据集评测报告"],
     120, -200, -120, -30, "closed", None),
    ("hefeng", "崇明盐碱滩涂耐盐水稻种植技术",
     "征集适合崇明东滩盐碱地的耐盐水稻品种和配套栽培技术，在公司 200 亩试验田示范。",
     ["耐盐水稻", "盐碱地", "栽培技术", "崇明"], "作物学",
     [ind("亩产", 500, "公斤/亩", "土壤含盐量 0.3%"), ind("示范面积", 200, "亩")],
     ["耐盐品种（系）", "配套栽培技术规程", "示范田测产报告"],
     100, -5, 55, 330, "open", None),
    ("qingyuan", "高盐废水分盐结晶工业盐资源化",
     "征集化工园区高盐废水分盐结晶成套技术，使结晶盐达到工业盐标准，可以外售而不是按危废处置。",
     ["分盐结晶", "高盐废水", "资源化", "工业盐"], "环境科学与工程",
     [ind("氯化钠纯度", 98.5, "%"), ind("硫酸钠纯度", 97, "%"), ind("杂盐率", 5, "%")],
     ["中试装置运行报告", "工艺包", "结晶盐第三方检测报告"],
     250, 15, 90, 420, "draft", None),
    ("yixun", "长航时氢燃料电池无人机动力系统",
     "征集适用于 25kg 级工业无人机的氢燃料电池动力系统，满足长航时巡检需求。",
     ["氢燃料电池", "无人机", "长航时", "动力系统"], "航空宇航科学与技术",
     [ind("续航时间", 120, "min"), ind("系统功率密度", 1, "kW/kg"), ind("环境温度下限", -10, "℃")],
     ["动力系统样机 2 套", "整机飞行测试报告", "安全评估报告"],
     300, -25, 65, 365, "open", None),
]


# (owner, title, description, needs, keywords, discipline, budget 万元, deadline, status, expiry)
SCENARIOS = [
    ("minhang_stc", "闵行区智慧养老社区应用场景",
     "在区内 3 个街镇的 12 个养老社区开放真实场景，验证适老化智能产品。提供场地、运营团队配合和老人知情同意流程支持。",
     ["跌倒检测与报警", "非接触生命体征监测", "适老化语音交互", "用药提醒"],
     ["智慧养老", "适老化", "跌倒检测", "应用场景"], "公共卫生与预防医学", 300, 90, "open", 120),
    ("minhang_stc", "莘庄工业区低碳能源管理场景",
     "开放工业区 20 家企业的屋顶、配电和用能数据，征集分布式光伏、储能和能源管理平台的一体化解决方案。",
     ["分布式光伏", "工商业储能", "能源管理平台", "需求响应"],
     ["低碳园区", "能源管理", "光伏", "储能"], "电气工程", 800, 120, "open", 180),
    ("yangpu_stc", "杨浦滨江公共空间无人化巡检",
     "滨江岸线 5.5 公里公共空间，征集巡检机器人、无人机与视频分析结合的巡检方案，识别设施损坏、违规停放和人员落水风险。",
     ["巡检机器人", "视频分析", "无人机巡检", "5G 回传"],
     ["无人巡检", "城市治理", "滨江", "机器人"], "控制科学与工程", 260, 75, "open", 150),
    ("yangpu_stc", "高校周边道路信号灯自适应配时",
     "选取高校周边 8 个路口，开放信号机接口和流量数据，验证自适应信号配时算法。",
     ["交通流预测", "信号配时优化", "边缘计算"],
     ["智能交通", "信号配时", "交通流"], "交通运输工程", 120, -20, "closed", -10),
    ("zhixun", "老旧城区地下管网渗漏监测",
     "在静安区两个街道的供水和排水管网上开放监测点位，验证渗漏与淤堵的早期发现技术。",
     ["管网渗漏声学监测", "分布式光纤传感", "液位与流量在线监测"],
     ["地下管网", "渗漏监测", "城市生命线"], "土木工程", 180, 100, "open", 200),
    ("lineng", "电池极片生产线 AI 质检场景",
     "开放两条涂布和辊压产线，征集极片表面缺陷在线检测方案，替代人工抽检。",
     ["极片表面缺陷视觉检测", "涂布面密度在线测量", "缺陷分类与追溯"],
     ["AI 质检", "极片", "锂电池", "机器视觉"], "计算机科学与技术", 150, 60, "open", 120),
    ("chengrui", "医疗器械洁净车间数字化",
     "开放万级洁净车间，验证环境监测、设备联网和电子批记录方案，满足医疗器械生产质量管理规范。",
     ["洁净环境在线监测", "设备联网", "电子批记录"],
     ["数字化车间", "医疗器械", "GMP"], "控制科学与工程", 100, 90, "open", 150),
    ("hefeng", "崇明生态农场数字化种植示范",
     "开放 500 亩生态农场，征集土壤墒情监测、病虫害识别和水肥一体化设备，在真实种植季验证。",
     ["土壤墒情传感", "病虫害图像识别", "水肥一体化", "农事管理软件"],
     ["数字农业", "水肥一体化", "病虫害识别", "崇明"], "农业工程", 80, 45, "open", 90),
    ("mingzhou", "船舶分段智能焊接示范",
     "开放长兴岛船舶分段车间，验证焊接机器人在狭小舱室中的自动编程和焊缝跟踪。",
     ["离线编程", "焊缝跟踪", "移动式焊接机器人"],
     ["智能焊接", "船舶分段", "焊接机器人"], "船舶与海洋工程", 400, 150, "open", 210),
    ("qingyuan", "污水处理厂智慧运维与精确曝气",
     "开放一座 10 万吨/日污水处理厂，验证精确曝气、加药优化和设备预测性维护技术。",
     ["精确曝气控制", "智能加药", "设备预测性维护"],
     ["污水处理", "精确曝气", "节能降耗"], "环境科学与工程", 200, 100, "open", 160),
    ("shenjiang_u", "申江理工大学校园零碳示范场景",
     "开放闵行校区建筑、能源站和充电设施，征集建筑节能、光储直柔和碳排放监测方案。",
     ["光储直柔建筑", "建筑能耗监测", "充电设施有序充电"],
     ["零碳校园", "建筑节能", "光储直柔"], "动力工程及工程热物理", 500, 180, "open", 240),
    ("minglan_med", "附属医院临床科研数据治理场景",
     "开放脱敏后的专病数据库，征集医学文本结构化、数据质控和隐私计算方案。",
     ["医学文本结构化", "数据质量控制", "隐私计算", "专病数据库"],
     ["临床数据", "隐私计算", "自然语言处理"], "基础医学/临床医学", 150, 120, "draft", None),
    ("songlan_pilot", "新材料中试放大验证场景",
     "开放中试车间的反应釜、喷雾干燥和连续流反应装置，面向高校院所成果提供公斤级到百公斤级放大验证。",
     ["工艺放大", "连续流合成", "过程安全评估"],
     ["中试", "放大验证", "新材料"], "化学/化学工程与技术", 60, 200, "open", 365),
    ("linghang", "虹桥机场地勤车辆无人驾驶场景",
     "在机场货运区开放限定路线，验证无人驾驶行李牵引车与航班保障系统的联动。",
     ["低速无人驾驶", "高精度定位", "车路协同"],
     ["无人驾驶", "机场", "地勤车辆"], "交通运输工程", 350, -60, "closed", -30),
    ("chiyuan", "汽车零部件工厂 AGV 柔性物流",
     "开放压铸和装配车间，征集多车型混线生产下的 AGV 调度与物料配送方案。",
     ["AGV 集群调度", "物料配送优化", "数字孪生"],
     ["AGV", "柔性物流", "智能工厂"], "机械工程", 120, 80, "open", 140),
]


# (owner, title, description, model, manufacturer, category, keywords, location, booking terms, status)
INSTRUMENTS = [
    ("baocheng_mat", "场发射扫描电子显微镜",
     "用于金属、陶瓷、高分子和粉体材料的微观形貌观察，配能谱仪可做元素面分布分析。",
     "GeminiSEM 500", "Carl Zeiss", "电子光学仪器", ["扫描电镜", "SEM", "形貌", "能谱"],
     "宝澄新材料研究院 分析测试中心 A102", "工作日 9:00–17:00 开放；外部用户 600 元/小时（含操作员），需提前 3 个工作日在平台预约。", "open"),
    ("shenjiang_u", "场发射透射电子显微镜",
     "用于纳米材料晶体结构、界面和缺陷的高分辨成像与电子衍射分析。",
     "JEM-F200", "JEOL", "电子光学仪器", ["透射电镜", "TEM", "高分辨", "电子衍射"],
     "申江理工大学 闵行校区 材料楼 B105", "校外用户 1200 元/小时；样品制备另计。需提交样品信息表，由平台安排机时。", "open"),
    ("songlu_u", "X 射线衍射仪",
     "用于粉末和薄膜样品的物相鉴定、晶粒尺寸和残余应力分析。",
     "D8 ADVANCE", "Bruker", "分析仪器", ["XRD", "物相分析", "晶体结构"],
     "松麓大学 松江校区 化学楼 216", "校外用户 150 元/样；可邮寄送样，5 个工作日出报告。", "open"),
    ("baocheng_mat", "X 射线光电子能谱仪",
     "用于材料表面元素组成与化学态分析，可做深度剖析。",
     "ESCALAB Xi+", "Thermo Fisher Scientific", "分析仪器", ["XPS", "表面分析", "化学态"],
     "宝澄新材料研究院 分析测试中心 A108", "外部用户 800 元/样（含窄谱 5 个元素）；每周二、四开放。", "open"),
    ("qingxi_bio", "600MHz 核磁共振波谱仪",
     "用于有机小分子结构鉴定、药物杂质分析和多肽结构研究。",
     "AVANCE NEO 600", "Bruker", "分析仪器", ["核磁共振", "NMR", "结构鉴定"],
     "青溪生物医药研究所 3 号楼 NMR 室", "外部用户氢谱 200 元/样、碳谱 400 元/样；需自备氘代试剂。", "open"),
    ("hengzhun_test", "电感耦合等离子体质谱仪",
     "用于水、土壤、电池材料和食品中痕量金属元素的定量分析。",
     "7900", "Agilent", "分析仪器", ["ICP-MS", "痕量元素", "重金属"],
     "衡准检测认证 嘉定实验室 2F 无机室", "按检测项目收费，单元素 120 元起；CMA/CNAS 报告 7 个工作日。", "open"),
    ("hengzhun_test", "气相色谱-质谱联用仪",
     "用于挥发性有机物、溶剂残留和材料释放物分析。",
     "GCMS-QP2020 NX", "Shimadzu", "分析仪器", ["GC-MS", "VOCs", "有机物分析"],
     "衡准检测认证 嘉定实验室 2F 有机室", "按项目报价；可上门采样。", "open"),
    ("minglan_med", "高效液相色谱仪",
     "用于药物含量测定、有关物质检查和中药指纹图谱分析。",
     "1260 Infinity II", "Agilent", "分析仪器", ["HPLC", "含量测定", "指纹图谱"],
     "明澜医科大学 药学院 实验楼 402", "校外用户 300 元/样；自带色谱柱可优惠。", "open"),
    ("baocheng_mat", "同步热分析仪",
     "同时测定材料的热重和差示扫描量热曲线，用于热稳定性、分解和相变研究。",
     "STA 449 F3 Jupiter", "NETZSCH", "分析仪器", ["TG-DSC", "热分析", "热稳定性"],
     "宝澄新材料研究院 分析测试中心 A115", "外部用户 400 元/样（室温至 1000℃）。", "open"),
    ("donglan_energy", "比表面积及孔径分析仪",
     "用于电极材料、催化剂和吸附剂的比表面积与孔径分布测试。",
     "ASAP 2460", "Micromeritics", "物理性能测试仪器", ["BET", "比表面积", "孔径分布"],
     "东岚能源研究院 材料表征室 105", "外部用户 350 元/样；脱气时间另计。", "open"),
    ("donglan_energy", "多通道电化学工作站",
     "用于电池和电催化材料的循环伏安、交流阻抗和恒电流测试。",
     "VMP-300", "Bio-Logic", "分析仪器", ["电化学", "阻抗谱", "循环伏安"],
     "东岚能源研究院 电化学实验室 208", "按通道·天计费，80 元/通道·天；需经培训后自主使用。", "open"),
    ("hengzhun_test", "动力电池安全测试系统（针刺、挤压、过充）",
     "按 GB 38031 开展电芯与模组的针刺、挤压、过充过放和热失控测试，配防爆舱与烟气收集。",
     None, None, "特种检测仪器", ["电池安全", "针刺", "挤压", "热失控", "GB 38031"],
     "衡准检测认证 嘉定实验室 防爆测试区", "按检测项目报价；需提前 2 周预约并提交样品安全信息。", "open"),
    ("jiachuan_u", "电子万能材料试验机",
     "用于金属、复合材料和高分子材料的拉伸、压缩、弯曲试验，最大载荷 30kN。",
     "5967", "Instron", "物理性能测试仪器", ["力学性能", "拉伸", "弯曲", "万能试验机"],
     "嘉川工程技术大学 嘉定校区 力学实验中心 103", "校外用户 200 元/小时；夹具按需租用。", "open"),
    ("minglan_med", "激光扫描共聚焦显微镜",
     "用于细胞和组织的多通道荧光成像、三维重建和活细胞成像。",
     "TCS SP8", "Leica", "医学科研仪器", ["共聚焦", "荧光成像", "活细胞"],
     "明澜医科大学 基础医学院 影像平台 301", "校外用户 400 元/小时；需通过平台培训。", "open"),
    ("qingxi_bio", "流式细胞仪",
     "用于细胞表型分析、细胞周期和凋亡检测。",
     "FACSCanto II", "BD Biosciences", "医学科研仪器", ["流式细胞", "细胞分析", "免疫表型"],
     "青溪生物医药研究所 细胞平台 5F", "外部用户 300 元/小时；自备抗体。", "open"),
    ("hucheng_agri", "实时荧光定量 PCR 仪",
     "用于基因表达分析、病原微生物检测和转基因成分检测。",
     "CFX96 Touch", "Bio-Rad", "生命科学仪器", ["qPCR", "基因表达", "病原检测"],
     "沪澄农林大学 奉贤校区 生命科学楼 512", "校外用户 150 元/板。", "open"),
    ("lantao", "旋转流变仪",
     "用于高分子熔体、涂料和胶黏剂的流变性能测试。",
     "MCR 302", "Anton Paar", "物理性能测试仪器", ["流变", "黏度", "高分子"],
     "澜涛化工 金山研发中心 分析室", "对外开放机时有限，每月第一周可预约，500 元/样。", "open"),
    ("songlan_pilot", "金属粉末床激光熔融 3D 打印机",
     "用于钛合金、高温合金和不锈钢零件的增材制造与工艺开发，成形尺寸 250×250×325mm。",
     "EOS M 290", "EOS", "工艺试验仪器", ["增材制造", "3D 打印", "激光熔融", "金属粉末"],
     "松澜中试基地 3 号厂房", "按机时 900 元/小时，粉末另计；提供工艺开发服务。", "open"),
    ("shenjiang_u", "矢量网络分析仪",
     "用于天线、滤波器和高频电路的 S 参数测试，频率范围至 26.5GHz。",
     "N5227B", "Keysight", "电子测量仪器", ["网络分析", "射频", "天线测试"],
     "申江理工大学 闵行校区 信息楼 710", "校外用户 300 元/小时。", "closed"),
    ("lanwan_ai", "GPU 计算集群",
     "32 张 80GB 显存 GPU 组成的训练集群，配高速存储，支持大模型微调和视觉模型训练。",
     "DGX A100", "NVIDIA", "计算机及其配套设备", ["GPU", "算力", "大模型", "深度学习"],
     "澜湾人工智能研究院 徐汇数据中心", "按卡·时计费，区内科技型中小企业凭算力券抵扣 50%。", "open"),
]


# (owner, name, description, position, discipline, keywords, status)
EXPERTS = [
    ("shenjiang_u", "陈思源", "长期从事锂离子电池正极材料和固态电解质研究，主持多项企业合作项目，熟悉材料中试放大。",
     "教授", "材料科学与工程", ["锂离子电池", "正极材料", "固态电解质", "中试放大"], "open"),
    ("donglan_energy", "林慧敏", "研究动力与储能电池热管理和热失控防护，参与多项电池安全标准制定。",
     "研究员", "动力工程及工程热物理", ["电池热管理", "热失控", "储能安全"], "open"),
    ("minggang_mar", "周启航", "研究船舶结构强度与海洋工程装备，曾任船厂总工程师。",
     "教授", "船舶与海洋工程", ["船舶结构", "海洋工程装备", "焊接"], "closed"),
    ("lanwan_ai", "王乐天", "研究计算机视觉与小样本学习，带领团队为电子制造企业落地多套视觉质检系统。",
     "研究员", "计算机科学与技术", ["计算机视觉", "小样本学习", "工业质检"], "open"),
    ("minglan_med", "赵雨桐", "研究难溶性药物增溶与新型口服制剂，有多个改良型新药申报经验。",
     "副教授", "药学", ["药物制剂", "难溶性药物", "生物利用度"], "open"),
    ("minglan_med", "孙铭远", "呼吸内镜介入诊疗专家，参与多款国产内窥镜的临床评价。",
     "主任医师、教授", "基础医学/临床医学", ["内窥镜", "呼吸介入", "临床评价"], "open"),
    ("chonglan_agri", "吴静怡", "从事耐盐水稻育种与盐碱地改良，选育品种在沿海滩涂示范推广。",
     "研究员", "作物学", ["耐盐水稻", "盐碱地", "育种"], "open"),
    ("hucheng_agri", "郑朝阳", "研究果蔬汁非热加工与食品保鲜，熟悉超高压和脉冲电场杀菌工艺。",
     "教授", "食品科学与工程", ["非热杀菌", "果蔬汁", "保鲜"], "open"),
    ("changqiao_env", "冯晓岚", "从事高盐废水处理和膜分离工程，主持多个化工园区零排放项目。",
     "高级工程师", "环境科学与工程", ["高盐废水", "膜分离", "零排放"], "open"),
    ("jiachuan_u", "何嘉禾", "研究海工混凝土耐久性与再生骨料利用。",
     "教授", "土木工程", ["混凝土耐久性", "氯离子", "再生骨料"], "open"),
    ("songlu_u", "许文博", "研究多相催化与分子筛合成，与多家化工企业共建联合实验室。",
     "教授", "化学/化学工程与技术", ["多相催化", "分子筛", "化工工艺"], "open"),
    ("qingxi_bio", "曹颖", "从事抗体工程和细胞株开发，建立了高通量稳定细胞株筛选平台。",
     "研究员", "生物学/生物科学与工程", ["抗体工程", "细胞株构建", "生物药工艺"], "open"),
    ("baocheng_mat", "彭立新", "从事轻合金与高纯靶材研发二十余年，熟悉熔铸、塑性加工和热处理。",
     "教授级高级工程师", "冶金工程", ["轻合金", "溅射靶材", "热处理"], "open"),
    ("lanwan_ai", "邓晓峰", "研究语音识别与方言建模，参与开发多款政务和金融语音客服系统。",
     "副研究员", "信息与通信工程", ["语音识别", "方言", "对话系统"], "open"),
    ("songlu_u", "韩雪", "研究功能纺织品与绿色染整，关注无氟防水和低温染色。",
     "教授", "纺织科学与工程", ["功能整理", "无氟防水", "绿色染整"], "open"),
    ("shenqiao_tto", "唐一鸣", "高级技术经理人，擅长技术评估、专利许可谈判和作价入股方案设计，促成技术合同额逾亿元。",
     "高级技术经理人", "工商管理", ["技术评估", "专利许可", "作价入股", "技术经纪"], "open"),
    ("zhiyuan_ip", "蒋慧", "专利代理师，专注新能源和新材料领域的专利布局与专利导航。",
     "专利代理师", "知识产权", ["专利布局", "专利导航", "高价值专利"], "open"),
    ("changqiao_env", "沈清", "研究重金属污染土壤修复与农田安全利用。",
     "研究员", "环境科学与工程", ["土壤修复", "重金属", "钝化剂"], "open"),
    ("jiachuan_u", "罗浩", "研究智能网联汽车与车路协同，参与嘉定智能网联汽车示范区建设。",
     "教授", "交通运输工程", ["智能网联汽车", "车路协同", "自动驾驶"], "draft"),
    ("hengzhun_test", "谢佳", "负责动力电池安全检测实验室，熟悉 CNAS 实验室管理和电池安全标准。",
     "高级工程师", "仪器科学与技术", ["电池安全检测", "CNAS", "标准"], "open"),
]


# (owner, title, description, services, qualifications, discipline, keywords, status)
INSTITUTIONS = [
    ("shenqiao_tto", "申桥技术转移服务中心",
     "为高校院所和企业提供成果转化全流程服务：需求挖掘、技术评估、交易撮合、合同登记咨询和转化后跟踪。",
     ["技术评估", "技术经纪与交易撮合", "技术合同登记咨询", "成果转化方案设计"],
     ["技术转移服务机构备案", "技术合同认定登记咨询点"], "技术转移", ["技术转移", "成果转化", "技术经纪"], "open"),
    ("shenqiao_tto", "申桥技术经理人实训基地",
     "面向高校和企业技术人员的技术经理人实训，课程覆盖技术评估、知识产权运营和商务谈判。",
     ["技术经理人培训", "案例实训", "能力评价"],
     ["技术经理人培训基地"], "技术转移", ["技术经理人", "培训", "人才"], "open"),
    ("hengzhun_test", "衡准检测 · 新能源电池与材料检测实验室",
     "提供动力电池、储能系统、汽车零部件和新材料的检测认证服务。",
     ["电池安全检测", "材料成分与性能检测", "环境可靠性试验", "认证咨询"],
     ["CMA", "CNAS"], "检验检测", ["检测认证", "电池安全", "CNAS"], "open"),
    ("zhiyuan_ip", "知远知识产权 · 专利导航与高价值专利培育",
     "为企业和园区提供专利导航、专利布局、侵权风险分析和知识产权运营服务。",
     ["专利代理", "专利导航", "专利布局", "FTO 分析", "知识产权运营"],
     ["专利代理机构执业许可证", "知识产权贯标咨询"], "知识产权", ["专利", "知识产权", "专利导航"], "open"),
    ("qilan_incubator", "启澜科技企业孵化器（杨浦滨江基地）",
     "为早期科技企业提供办公空间、创业辅导、概念验证和投融资对接。",
     ["孵化空间", "创业辅导", "概念验证", "投融资对接"],
     ["市级科技企业孵化器"], "创业孵化", ["孵化器", "创业", "概念验证"], "open"),
    ("hurong_fin", "沪融科技金融 · 知识产权质押融资对接",
     "帮助科技型中小企业对接银行科技信贷、知识产权质押融资和政策性担保。",
     ["科技信贷对接", "知识产权质押融资", "股权融资辅导"],
     [], "科技金融", ["科技金融", "质押融资", "科技信贷"], "draft"),
    ("songlan_pilot", "松澜新材料中试基地",
     "公共中试平台，提供工艺放大、连续流合成、喷雾干燥和过程安全评估。",
     ["中试放大", "工艺包编制", "过程安全评估", "样品试制"],
     ["危险化学品安全生产许可"], "中试服务", ["中试", "工艺放大", "新材料"], "open"),
    ("shenjiang_u", "申江理工大学技术转移中心",
     "学校技术转移机构，负责专利许可转让、作价入股和校企联合实验室管理。",
     ["成果披露与评估", "专利许可与转让", "作价入股", "校企联合实验室"],
     [], "技术转移", ["高校技术转移", "专利许可", "产学研"], "open"),
    ("minglan_med", "明澜医科大学临床研究与转化服务平台",
     "提供医疗器械与药物临床试验设计、伦理审查和临床评价服务。",
     ["临床试验设计", "伦理审查", "临床评价", "真实世界研究"],
     ["药物临床试验机构备案", "医疗器械临床试验机构备案"], "医药服务", ["临床试验", "医疗器械", "转化医学"], "open"),
    ("lanwan_ai", "澜湾人工智能研究院 · 行业大模型与算力服务",
     "提供 GPU 算力租赁、行业大模型微调和 AI 应用落地咨询。",
     ["算力租赁", "大模型微调", "AI 应用咨询"],
     [], "人工智能", ["算力", "大模型", "人工智能"], "closed"),
]


def handwritten() -> list[tuple[Org, dict]]:
    rng = rng_for("handwritten")
    out = []
    for (key, title, desc, kw, disc, inds, (bmin, bmax), deadline, modes, status, expires,
         confidential) in DEMANDS:
        org = owner(key)
        d = {"kind": "demand", "owner": org.code, "title": title, "description": desc, "keywords": kw,
             "discipline": disc, "indicators": inds, "budget_min_yuan": wan(bmin),
             "budget_max_yuan": wan(bmax), "deadline": rel(deadline), "cooperation_modes": modes,
             "district": org.district, "status": status}
        if expires is not None:
            d["expires_on"] = rel(expires)
        if confidential:
            d["confidential"] = confidential
        d["contact"] = org.contact()
        out.append((org, d))
    for (key, title, desc, kw, disc, inds, deliverables, reward, start, until, deadline, status,
         confidential) in CHALLENGES:
        org = owner(key)
        c = {"kind": "challenge", "owner": org.code, "title": title, "description": desc, "keywords": kw,
             "discipline": disc, "indicators": inds, "deliverables": deliverables,
             "reward_yuan": wan(reward), "apply_from": rel(start), "apply_until": rel(until),
             "deadline": rel(deadline), "district": org.district, "status": status,
             "expires_on": rel(deadline)}
        if confidential:
            c["confidential"] = confidential
        c["contact"] = org.contact()
        out.append((org, c))
    for key, title, desc, needs, kw, disc, budget, deadline, status, expires in SCENARIOS:
        org = owner(key)
        s = {"kind": "scenario", "owner": org.code, "title": title, "description": desc, "needs": needs,
             "keywords": kw, "discipline": disc, "budget_yuan": wan(budget), "deadline": rel(deadline),
             "district": org.district, "status": status}
        if expires is not None:
            s["expires_on"] = rel(expires)
        s["contact"] = org.contact()
        out.append((org, s))
    for key, title, desc, model, maker, category, kw, location, terms, status in INSTRUMENTS:
        org = owner(key)
        i = {"kind": "instrument", "owner": org.code, "title": title, "description": desc}
        if model:
            i["model"] = model
        if maker:
            i["manufacturer"] = maker
        i.update({"discipline": category, "keywords": kw, "location": location, "district": org.district,
                  "booking_terms": terms, "status": status, "expires_on": rel(rng.randint(180, 720)),
                  "contact": org.contact(mailbox="instruments")})
        out.append((org, i))
    for n, (key, name, desc, position, disc, kw, status) in enumerate(EXPERTS, 1):
        org = owner(key)
        e = {"kind": "expert", "owner": org.code, "title": name, "description": desc, "position": position,
             "affiliation": org.name, "discipline": disc, "keywords": kw, "district": org.district,
             "status": status, "contact": org.contact(person=name, mailbox=f"expert{n:02d}")}
        out.append((org, e))
    for key, title, desc, services, quals, disc, kw, status in INSTITUTIONS:
        org = owner(key)
        i = {"kind": "institution", "owner": org.code, "title": title, "description": desc,
             "services": services, "qualifications": quals, "discipline": disc, "keywords": kw,
             "district": org.district, "status": status, "contact": org.contact(mailbox="service")}
        out.append((org, i))
    return out


# --------------------------------------------------------------------------------------------


def main() -> int:
    if not DATA.is_dir():
        print(f"error: the shared data directory {DATA} does not exist", file=sys.stderr)
        return 1
    records = [o.record() for o in ORG.values()]
    listings = paper_achievements() + patent_achievements() + handwritten()
    records += [r for _, r in listings]
    with OUT.open("w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
    counts = collections.Counter(r.get("org_kind") and "organisation" or r["kind"] for r in records)
    print(f"wrote {len(records)} records to {OUT.relative_to(REPO)}: "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
