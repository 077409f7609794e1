#!/usr/bin/env python3
"""Build the data files that qiao-text embeds (Python 3 standard library only).

    python3 dict/build.py            # rewrite dict/*.txt from the sources below
    python3 dict/build.py --check    # exit 1 if the committed files are out of date

Outputs (see dict/README.md for what each is for):
  dict/domain.txt        the domain dictionary jieba loads on top of its own, "word freq tag"
  dict/hant_only.txt     characters that only traditional script uses      (script detection)
  dict/hans_only.txt     characters that only simplified script uses       (script detection)
  dict/t2s_trigger.txt   characters without which OpenCC's t2s changes nothing (fast path)
  dict/tw_phrases.txt    the first stage of OpenCC's tw2sp: Taiwan phrases and variants to mainland

Sources:
  - CURATED below: modern technical and policy terms, written by hand for Qiao.
  - the keyword fields of ../shared/data/csl/papers.jsonl (Apache-2.0) and
    ../shared/data/kppatent_zh/patents.jsonl (MIT): candidate terms, kept when jieba's own
    dictionary lacks them.
  - jieba-rs 0.11's dict.txt (MIT), from the cargo registry: the filter ("would jieba split
    this?") and the word frequencies that decide how frequent a new word must be to stay whole.
    Nothing of it is copied into the outputs.
  - OpenCC's character and phrase tables as shipped in ferrous-opencc 0.4 (Apache-2.0), from the
    cargo registry: the three character lists.
"""

import argparse
import glob
import json
import math
import os
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))


def find_shared_data():
    """shared/data beside the repository (or the development folder) holding this crate."""
    d = HERE
    while True:
        candidate = os.path.join(d, "shared", "data")
        if os.path.isdir(candidate):
            return candidate
        parent = os.path.dirname(d)
        if parent == d:
            sys.exit("no shared/data found above dict/")
        d = parent


CARGO_HOME = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))

# Frequencies given to new words. A word joins in jieba when its frequency beats the product
# of its parts' (see `needed_freq`); beyond that, the floor decides how it fares against a
# neighbour that could also take one of its characters. Curated terms are wanted as units and
# get a floor in the range of common dictionary words (管理 27191, 加热 1005, 电池 693); the
# floor stays below ~2,400 so that 加热管理 still cuts 加热|管理 rather than 加|热管理.
CURATED_FLOOR = 2000
DERIVED_FLOOR = 100
DERIVED_MIN_CHARS = 3
DERIVED_MAX_CHARS = 10
MAX_TERMS = 30000
MIN_RECORDS = 2

# Characters that mark a keyword as a phrase rather than a term ("人的素质", "能源与环境").
PHRASE_MARKERS = set("的之与和及或、，")

# Keyword-field entries that are not terms: a person's name, sentence fragments, typos of the
# source data (已二酸 for 己二酸, 聚氮酯 for 聚氨酯). Found by reading the derived list.
EXCLUDE = set("史喜婷 现报告如下 重要标志 基本特点 学生分析 已二酸 聚氮酯 变顿器".split())

# Hand-curated terms, one domain per block. Only Han characters: Latin parts (5G, mRNA, CAR-T)
# are tokens of their own in qiao-text and never reach jieba. Terms jieba already knows are
# skipped by the build, so listing one here is harmless.
CURATED = """
# 新材料
石墨烯 碳纳米管 碳纤维 碳纤维复合材料 气凝胶 超材料 二维材料 纳米材料 相变材料 储热材料
钙钛矿 钙钛矿电池 钙钛矿太阳能电池 稀土永磁 高温合金 钛合金 镁合金 铝合金 液态金属
形状记忆合金 生物基材料 可降解塑料 全生物降解 聚乳酸 碳化硅 氮化镓 氧化镓 砷化镓 磷化铟
第三代半导体 宽禁带半导体 光刻胶 电子特气 溅射靶材 大硅片 量子点 金属有机框架
陶瓷基复合材料 复合材料 高分子材料 功能材料 先进材料 增材制造 三维打印 粉末冶金 热喷涂
防腐涂层 自修复材料 柔性电子 柔性显示 有机发光 微纳加工
# 新能源与双碳
光伏 储能 氢能 燃料电池 固态电池 半固态电池 钠离子电池 锂离子电池 锂电池 动力电池 储能电池
电池管理系统 热管理 电池热管理 热失控 电芯 电池包 电池模组 正极材料 负极材料 电解液 固态电解质
磷酸铁锂 三元材料 硅碳负极 充电桩 超级快充 换电 换电站 虚拟电厂 源网荷储 微电网 智能电网
特高压 抽水蓄能 压缩空气储能 液流电池 全钒液流电池 飞轮储能 新型储能 制氢 电解水制氢 绿氢
储氢 加氢站 氢燃料电池 碳捕集 碳封存 碳中和 碳达峰 双碳 碳排放 碳足迹 碳交易 碳汇 碳资产
零碳 低碳 减碳 降碳 节能减排 新能源 新能源汽车 智能网联汽车 网联汽车 自动驾驶 无人驾驶
辅助驾驶 车联网 车路协同 激光雷达 毫米波雷达 光储充 光储直柔 风电 海上风电 光热 地热能
核聚变 可控核聚变 小型堆 分布式光伏 异质结 钙钛矿叠层 光伏组件 逆变器 储能变流器
# 信息技术
人工智能 大模型 大语言模型 生成式人工智能 多模态 机器学习 深度学习 神经网络 卷积神经网络
循环神经网络 强化学习 迁移学习 联邦学习 知识图谱 自然语言处理 计算机视觉 机器视觉 图像识别
语音识别 人脸识别 目标检测 语义分割 边缘计算 云计算 雾计算 云原生 算力 算力网络 智算中心
数据中心 量子计算 量子通信 量子计算机 量子密钥分发 量子信息 区块链 物联网 工业互联网
移动互联网 数字孪生 元宇宙 虚拟现实 增强现实 混合现实 扩展现实 低代码 开源软件 操作系统
工业软件 集成电路 芯片 光刻机 光刻 封装测试 先进封装 芯粒 存储芯片 人工智能芯片 微机电系统
射频芯片 毫米波 太赫兹 卫星互联网 北斗导航 低轨卫星 卫星遥感 网络安全 数据安全 隐私计算
数据要素 数字经济 数字化转型 智能化改造 智能制造 智能工厂 数字工厂 灯塔工厂 工业机器人
协作机器人 服务机器人 人形机器人 具身智能 脑机接口 类脑计算 类脑芯片 智慧城市 智慧医疗
智慧农业 智慧交通 智慧能源 智能家居 可穿戴设备 无人机 低空经济 低空飞行器 飞行汽车 商业航天
可重复使用火箭 运载火箭 高精度地图 数字人 智能体 具身机器人 机器人流程自动化 预测性维护
# 生物医药与健康
生物医药 合成生物 合成生物学 基因编辑 基因治疗 细胞治疗 干细胞 免疫细胞 免疫治疗 免疫疗法
类器官 器官芯片 单克隆抗体 双特异性抗体 抗体偶联药物 核酸疫苗 疫苗 创新药 仿制药 生物类似药
生物制品 医疗器械 高端医疗器械 体外诊断 精准医疗 基因测序 高通量测序 靶向药物 靶向治疗
小分子药物 多肽药物 中医药 中药材 生物制造 生物育种 分子育种 基因组学 蛋白质组学 代谢组学
微生物组 肠道菌群 手术机器人 医学影像 远程医疗 互联网医院 介入治疗 植入器械 可降解支架
# 科技服务与政策
专精特新 小巨人 科技小巨人 专精特新小巨人 单项冠军 瞪羚企业 独角兽企业 高新技术企业
科技型中小企业 领军企业 揭榜挂帅 技术经理人 技术经纪人 技术转移 技术转移机构 成果转化
科技成果 科技成果转化 技术合同 技术合同登记 技术交易 技术市场 知识产权 专利转化 专利许可
专利转让 作价入股 概念验证 概念验证中心 中试 中试基地 中试熟化 小试 孵化器 众创空间
科技企业孵化器 加速器 科创板 北交所 新三板 创业板 产学研 产学研合作 产学研用 新型研发机构
重点实验室 工程技术研究中心 技术创新中心 制造业创新中心 首台套 首批次 卡脖子 关键核心技术
国产替代 进口替代 国产化 新质生产力 未来产业 战略性新兴产业 先进制造业 高端装备 应用场景
场景创新 场景开放 惠企政策 科技金融 知识产权质押 研发费用加计扣除 科创 双创 技术攻关
联合攻关 创新联合体 产业链 供应链 产业集群 先导产业 科技园区 大学科技园
"""


def load_jieba_dict():
    paths = sorted(glob.glob(os.path.join(CARGO_HOME, "registry/src/*/jieba-rs-0.11.*/src/data/dict.txt")))
    if not paths:
        sys.exit("jieba-rs 0.11 is not in the cargo registry: run `cargo fetch` in qiao-text first")
    freqs = {}
    with open(paths[-1], encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                freqs[parts[0]] = int(parts[1])
    return freqs


def opencc_dir():
    paths = sorted(glob.glob(os.path.join(CARGO_HOME, "registry/src/*/ferrous-opencc-0.4.*/assets/dictionaries")))
    if not paths:
        sys.exit("ferrous-opencc 0.4 is not in the cargo registry: run `cargo fetch` in qiao-text first")
    return paths[-1]


def load_opencc(name):
    table = {}
    with open(os.path.join(opencc_dir(), name), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or "\t" not in line:
                continue
            key, values = line.rstrip("\n").split("\t", 1)
            table[key] = values.split(" ")
    return table


def is_han(c):
    o = ord(c)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x323AF
            or 0xF900 <= o <= 0xFAFF or o == 0x3007)


def needed_freq(word, freqs, total):
    """The frequency at which jieba (no HMM) keeps `word` whole rather than taking its best split.

    Mirrors jieba's route: maximise the sum of ln(freq) - ln(total) over the words of a path,
    an unknown single character counting freq 1.
    """
    n = len(word)
    log_total = math.log(total)
    best = [0.0] * (n + 1)
    for i in range(n - 1, -1, -1):
        candidates = []
        for j in range(i + 1, n + 1):
            if i == 0 and j == n:
                continue  # the word itself
            piece = word[i:j]
            f = freqs.get(piece, 1 if j == i + 1 else 0)
            if f > 0:
                candidates.append(math.log(f) - log_total + best[j])
        best[i] = max(candidates)
    return int(math.exp(best[0] + log_total)) + 1


def derived_candidates(trigger):
    """Keyword-field terms of the two corpora, with the number of records naming each.

    Terms holding a character that t2s may change (麽 → 么) are left out rather than folded:
    jieba sees only folded text, and the rare such keyword is not worth a converter here.
    """
    counts = {}
    sources = [
        (os.path.join(find_shared_data(), "csl", "papers.jsonl"), "keywords"),
        (os.path.join(find_shared_data(), "kppatent_zh", "patents.jsonl"), "keywords"),
    ]
    for path, field in sources:
        with open(path, encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                for kw in set(record.get(field) or []):
                    kw = unicodedata.normalize("NFKC", kw).strip().lower()
                    if not (DERIVED_MIN_CHARS <= len(kw) <= DERIVED_MAX_CHARS):
                        continue
                    if not all(is_han(c) for c in kw):
                        continue
                    if any(c in PHRASE_MARKERS for c in kw) or any(c in trigger for c in kw):
                        continue
                    counts[kw] = counts.get(kw, 0) + 1
    return counts


def curated_terms():
    terms = []
    for line in CURATED.splitlines():
        if line.startswith("#"):
            continue
        terms.extend(line.split())
    bad = [t for t in terms if not all(is_han(c) for c in t)]
    if bad:
        sys.exit(f"curated terms must be Han characters only: {bad}")
    return terms


def check_folded(terms, trigger):
    bad = [t for t in terms if any(c in trigger for c in t)]
    if bad:
        sys.exit(f"curated terms must be simplified (in t2s-folded form): {bad}")


def script_tables():
    ts_chars = load_opencc("TSCharacters.txt")
    ts_phrases = load_opencc("TSPhrases.txt")
    st_chars = load_opencc("STCharacters.txt")
    # Traditional-only: t2s changes it, and it is never itself a simplified form (so 乾, which
    # is also simplified in 乾隆, does not count).
    hant = {k for k, v in ts_chars.items() if v[0] != k and k not in st_chars}
    # Simplified-only: s2t changes it in every reading (发 → 發/髮), and t2s has no entry for
    # it; 后 (後/后), 了 (了/瞭), 干 (幹/乾/干) also stand in traditional text and are left out.
    hans = {k for k, v in st_chars.items() if k not in v and k not in ts_chars}
    # t2s can only change a text that holds one of these: every character that a t2s entry
    # (character or phrase, always of equal length) maps to something else.
    trigger = set()
    for table in (ts_chars, ts_phrases):
        for k, v in table.items():
            if not all(is_han(c) for c in k):
                sys.exit(f"t2s entry {k} holds a character that is not Han; qiao-text converts Han runs alone")
            if len(k) != len(v[0]):
                sys.exit(f"t2s entry {k} -> {v[0]} changes length; qiao-text assumes it never does")
            trigger.update(a for a, b in zip(k, v[0]) if a != b)
    return hant, hans, trigger


def taiwan_phrases():
    """tw2sp's first stage as one table: OpenCC applies the group TWPhrasesRev, TWVariantsRevPhrases,
    TWVariantsRev by longest match, the earlier table winning a tie; then t2s."""
    table = {}
    for name in ("TWPhrasesRev.txt", "TWVariantsRevPhrases.txt", "TWVariantsRev.txt"):
        for key, values in load_opencc(name).items():
            table.setdefault(key, values[0])
    # Entries that map to themselves stay: as longer matches they shield shorter keys inside them.
    lines = "".join(f"{k}\t{v}\n" for k, v in sorted(table.items()))
    return ("# OpenCC tw2sp, first stage: Taiwan phrase or variant TAB mainland form (still traditional script).\n"
            "# Generated by dict/build.py from OpenCC's TWPhrasesRev, TWVariantsRevPhrases, TWVariantsRev\n"
            "# (Apache-2.0); do not edit.\n" + lines)


def t2s_table():
    """OpenCC's t2s as one table: TSPhrases and TSCharacters, each key with its first value. A
    phrase key (two characters or more) outmatches a character key, as OpenCC's group does."""
    table = {}
    for name in ("TSPhrases.txt", "TSCharacters.txt"):
        for key, values in load_opencc(name).items():
            table.setdefault(key, values[0])
    lines = "".join(f"{k}\t{v}\n" for k, v in sorted(table.items()))
    return ("# OpenCC t2s: traditional phrase or character TAB simplified form, longest match first.\n"
            "# Generated by dict/build.py from OpenCC's TSPhrases and TSCharacters (Apache-2.0); do not edit.\n"
            + lines)


def chars_file(chars, what):
    body = "".join(sorted(chars))
    lines = [body[i:i + 60] for i in range(0, len(body), 60)]
    return f"# {what}\n# Generated by dict/build.py from OpenCC's tables (Apache-2.0); do not edit.\n" + "\n".join(lines) + "\n"


def build(min_records):
    hant, hans, trigger = script_tables()
    freqs = load_jieba_dict()
    total = sum(freqs.values())

    entries = {}
    curated = curated_terms()
    check_folded(curated, trigger)
    for term in curated:
        if term in freqs or term in entries:
            continue
        entries[term] = (max(needed_freq(term, freqs, total), CURATED_FLOOR), "nz")
    derived = derived_candidates(trigger)
    for term in sorted(derived, key=lambda t: (-derived[t], t)):
        if derived[term] < min_records or term in EXCLUDE or term in freqs or term in entries:
            continue
        entries[term] = (max(needed_freq(term, freqs, total), DERIVED_FLOOR), "n")
    if len(entries) > MAX_TERMS:
        sys.exit(f"{len(entries)} terms: more than {MAX_TERMS}; raise the thresholds")

    header = (
        "# qiao-text domain dictionary: word freq tag (jieba format). Generated by dict/build.py; do not edit.\n"
        "# Tags: nz = hand-curated term, n = from the keyword fields of CSL (Apache-2.0) / KPPatent-ZH (MIT).\n"
    )
    domain = header + "".join(f"{w} {f} {t}\n" for w, (f, t) in sorted(entries.items()))
    return {
        "domain.txt": domain,
        "hant_only.txt": chars_file(hant, "Characters used only in traditional script."),
        "hans_only.txt": chars_file(hans, "Characters used only in simplified script."),
        "t2s_trigger.txt": chars_file(trigger, "Characters that OpenCC t2s can change; a text with none is its own t2s form."),
        "tw_phrases.txt": taiwan_phrases(),
        "t2s.txt": t2s_table(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    parser.add_argument("--min-records", type=int, default=MIN_RECORDS,
                        help=f"keep a keyword-field term named by at least this many records (default {MIN_RECORDS})")
    parser.add_argument("--out", default=HERE, help="where to write (default: dict/ itself)")
    args = parser.parse_args()
    outputs = build(args.min_records)
    stale = []
    for name, text in outputs.items():
        path = os.path.join(args.out, name)
        if args.check:
            try:
                with open(path, encoding="utf-8") as f:
                    if f.read() != text:
                        stale.append(name)
            except FileNotFoundError:
                stale.append(name)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    n_terms = outputs["domain.txt"].count("\n") - 2
    curated = outputs["domain.txt"].count(" nz\n")
    print(f"domain.txt: {n_terms} terms ({curated} curated, {n_terms - curated} from keyword fields)")
    if stale:
        print("out of date: " + ", ".join(stale))
        sys.exit(1)


if __name__ == "__main__":
    main()
