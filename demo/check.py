#!/usr/bin/env python3
"""Validates a Qiao JSONL file (by default demo/records.jsonl) without the Rust toolchain.

    python3 demo/check.py [FILE]

Checks every line the way `qiao import listings` would (crates/qiao-io/src/row.rs and the
domain rules of crates/qiao-domain): the JSON parses; `kind` is known; only the fields of that
kind appear; enumerations use their JSON spellings; 统一社会信用代码 carry a valid GB 32100-2015
check character and are unique; IPC classes and industry codes are well formed; amounts,
ranges, TRL, dates and challenge windows hold; every listing's owner is an organisation in the
file. Prints the counts by kind and exits 1 when any line has a problem. Python 3.11 stdlib.

It is a second opinion, not the authority: the real test is importing the file with the app.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import re
import sys
from pathlib import Path

# The day the demo set's dates are relative to (see build.py); "expired" is counted against it.
BASE = dt.date(2026, 11, 1)

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]

ORG_KINDS = {"enterprise", "university", "research_institute", "government", "service_institution"}
CERT_KINDS = {"tech_sme", "high_tech", "little_giant", "specialized", "leading"}
STATUSES = {"draft", "open", "under_review", "awarded", "closed"}
STAGES = {"lab", "small_pilot", "pilot", "industrial"}
COOPERATIONS = {"transfer", "license", "equity", "joint_development", "commissioned_development",
                "consulting", "service"}

COMMON = {"title", "keywords", "discipline", "district", "status", "expires_on", "contact"}
FIELDS = {
    "achievement": COMMON | {"summary", "ipc_codes", "patent_numbers", "trl", "stage", "transfer_modes",
                             "price_min_yuan", "price_max_yuan"},
    "demand": COMMON | {"description", "indicators", "budget_min_yuan", "budget_max_yuan", "deadline",
                        "cooperation_modes", "confidential"},
    "challenge": COMMON | {"description", "indicators", "deliverables", "reward_yuan", "apply_from",
                           "apply_until", "deadline", "confidential"},
    "scenario": COMMON | {"description", "needs", "budget_yuan", "deadline"},
    "instrument": COMMON | {"description", "model", "manufacturer", "location", "booking_terms"},
    "expert": COMMON | {"description", "position", "affiliation"},
    "institution": COMMON | {"description", "services", "qualifications"},
}
REQUIRED = {
    "achievement": {"title", "summary"},
    "challenge": {"title", "description", "indicators", "reward_yuan", "apply_from", "apply_until"},
}
ORG_FIELDS = {"kind", "org_kind", "name", "credit_code", "district", "industry_code", "founded_on",
              "employees", "revenue_yuan", "rd_expense_yuan", "description", "website", "certificates"}

IPC = re.compile(r"^[A-H]\d\d[A-Z](?: ?\d{1,4}/\d{2,6})?$")
INDUSTRY = re.compile(r"^[A-T](?:\d{2}|\d{3}|\d{4})?$")


def uscc_problem(code: object) -> str | None:
    if not isinstance(code, str):
        return "is not a text"
    if len(code) != 18:
        return f"`{code}` must be 18 characters, found {len(code)}"
    for i, ch in enumerate(code):
        if ch not in USCC_CHARSET:
            return f"`{code}`: character `{ch}` at position {i + 1} is not allowed"
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS))
    expected = USCC_CHARSET[(31 - total % 31) % 31]
    if code[17] != expected:
        return f"`{code}` has a wrong check character `{code[17]}` (expected `{expected}`)"
    return None


class Line:
    """Collects the problems of one line."""

    def __init__(self, number: int):
        self.number = number
        self.problems: list[str] = []

    def fail(self, field: str, message: str) -> None:
        self.problems.append(f"`{field}`: {message}")

    def text(self, obj: dict, field: str, max_len: int, required: bool = False) -> None:
        v = obj.get(field)
        if v is None:
            if required:
                self.fail(field, "is required")
            return
        if not isinstance(v, str):
            self.fail(field, "must be a text")
        elif not v.strip():
            self.fail(field, "must not be blank")
        elif len(v) > max_len:
            self.fail(field, f"is {len(v)} characters; at most {max_len}")

    def texts(self, obj: dict, field: str, max_items: int, item_max: int) -> None:
        v = obj.get(field)
        if v is None:
            return
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            self.fail(field, "must be a list of texts")
            return
        if len(v) > max_items:
            self.fail(field, f"has {len(v)} items; at most {max_items}")
        for i, x in enumerate(v):
            if not x.strip():
                self.fail(f"{field}[{i}]", "is blank")
            elif len(x) > item_max:
                self.fail(f"{field}[{i}]", f"is {len(x)} characters; at most {item_max}")

    def date(self, obj: dict, field: str, required: bool = False) -> dt.date | None:
        v = obj.get(field)
        if v is None:
            if required:
                self.fail(field, "is required")
            return None
        try:
            return dt.date.fromisoformat(v)
        except (TypeError, ValueError):
            self.fail(field, f"{v!r} is not a YYYY-MM-DD date")
            return None

    def amount(self, obj: dict, field: str) -> int | None:
        v = obj.get(field)
        if v is None:
            return None
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            self.fail(field, f"{v!r} must be a whole, non-negative number of yuan")
            return None
        return v

    def enum(self, obj: dict, field: str, allowed: set[str]) -> None:
        v = obj.get(field)
        if v is not None and v not in allowed:
            self.fail(field, f"{v!r} is not one of {', '.join(sorted(allowed))}")

    def enums(self, obj: dict, field: str, allowed: set[str]) -> None:
        v = obj.get(field)
        if v is None:
            return
        if not isinstance(v, list):
            self.fail(field, "must be a list")
            return
        for i, x in enumerate(v):
            if x not in allowed:
                self.fail(f"{field}[{i}]", f"{x!r} is not one of {', '.join(sorted(allowed))}")


def check_org(obj: dict, line: Line) -> None:
    for key in obj:
        if key not in ORG_FIELDS:
            line.fail(key, "unknown field for an organisation")
    line.enum(obj, "org_kind", ORG_KINDS)
    if "org_kind" not in obj:
        line.fail("org_kind", "is required")
    line.text(obj, "name", 200, required=True)
    problem = uscc_problem(obj.get("credit_code"))
    if problem:
        line.fail("credit_code", problem)
    line.text(obj, "district", 40)
    code = obj.get("industry_code")
    if code is not None and not (isinstance(code, str) and INDUSTRY.match(code)):
        line.fail("industry_code", f"{code!r} is not a GB/T 4754-2017 code")
    line.date(obj, "founded_on")
    for f in ("employees", "revenue_yuan", "rd_expense_yuan"):
        line.amount(obj, f)
    line.text(obj, "description", 5000)
    line.text(obj, "website", 300)
    for i, c in enumerate(obj.get("certificates") or []):
        if not isinstance(c, dict) or set(c) - {"kind", "number", "issued_on", "expires_on"}:
            line.fail(f"certificates[{i}]", "must be {kind, number?, issued_on, expires_on}")
            continue
        line.enum(c, "kind", CERT_KINDS)
        start = line.date(c, "issued_on", required=True)
        end = line.date(c, "expires_on", required=True)
        if start and end and end < start:
            line.fail(f"certificates[{i}].expires_on", "is before issued_on")


def check_indicators(obj: dict, line: Line, strict: bool) -> None:
    v = obj.get("indicators")
    if v is None:
        return
    if not isinstance(v, list) or len(v) > 50:
        line.fail("indicators", "must be a list of at most 50 objects")
        return
    for i, ind in enumerate(v):
        if not isinstance(ind, dict) or set(ind) - {"name", "target", "unit", "note"}:
            line.fail(f"indicators[{i}]", "must be {name, target?, unit?, note?}")
            continue
        line.text(ind, "name", 100, required=True)
        t = ind.get("target")
        if t is not None and (isinstance(t, bool) or not isinstance(t, (int, float))):
            line.fail(f"indicators[{i}].target", "must be a number")
        if strict:
            if t is None:
                line.fail(f"indicators[{i}].target", "is required for a challenge")
            if not (isinstance(ind.get("unit"), str) and ind["unit"].strip()):
                line.fail(f"indicators[{i}].unit", "is required for a challenge")


def check_listing(kind: str, obj: dict, line: Line) -> None:
    for key in obj:
        if key not in FIELDS[kind] and key not in ("kind", "id", "owner"):
            line.fail(key, f"unknown field for a {kind}")
    for field in REQUIRED.get(kind, {"title", "description"}):
        if field not in obj:
            line.fail(field, "is required")
    line.text(obj, "title", 200, required=True)
    line.text(obj, "summary" if kind == "achievement" else "description", 20_000, required=True)
    line.texts(obj, "keywords", 30, 40)
    line.text(obj, "district", 40)
    line.text(obj, "discipline", 60)
    line.enum(obj, "status", STATUSES)
    if kind != "challenge" and obj.get("status") in ("under_review", "awarded"):
        line.fail("status", "under_review and awarded apply to challenges only")
    line.date(obj, "expires_on")
    contact = obj.get("contact")
    if contact is not None:
        if not isinstance(contact, dict) or set(contact) - {"name", "phone", "email"}:
            line.fail("contact", "must be {name?, phone?, email?}")
        else:
            line.text(contact, "name", 50)
            line.text(contact, "phone", 40)
            line.text(contact, "email", 120)
            email = contact.get("email")
            if email is not None and ("@" not in email or re.search(r"\s", email)):
                line.fail("contact.email", f"{email!r} is not an e-mail address")
    if kind == "achievement":
        for i, code in enumerate(obj.get("ipc_codes") or []):
            if not (isinstance(code, str) and IPC.match(code.strip().upper())):
                line.fail(f"ipc_codes[{i}]", f"{code!r} is not an IPC class like `H01M 10/613`")
        line.texts(obj, "patent_numbers", 50, 40)
        trl = obj.get("trl")
        if trl is not None and (not isinstance(trl, int) or not 1 <= trl <= 9):
            line.fail("trl", f"{trl!r} must be 1 to 9")
        line.enum(obj, "stage", STAGES)
        line.enums(obj, "transfer_modes", COOPERATIONS)
        lo, hi = line.amount(obj, "price_min_yuan"), line.amount(obj, "price_max_yuan")
        if lo is not None and hi is not None and lo > hi:
            line.fail("price_max_yuan", "is below price_min_yuan")
    elif kind == "demand":
        check_indicators(obj, line, strict=False)
        lo, hi = line.amount(obj, "budget_min_yuan"), line.amount(obj, "budget_max_yuan")
        if lo is not None and hi is not None and lo > hi:
            line.fail("budget_max_yuan", "is below budget_min_yuan")
        line.date(obj, "deadline")
        line.enums(obj, "cooperation_modes", COOPERATIONS)
        line.text(obj, "confidential", 20_000)
    elif kind == "challenge":
        if not obj.get("indicators"):
            line.fail("indicators", "a challenge needs at least one indicator")
        check_indicators(obj, line, strict=True)
        line.texts(obj, "deliverables", 30, 500)
        reward = line.amount(obj, "reward_yuan")
        if reward is not None and reward <= 0:
            line.fail("reward_yuan", "must be positive")
        start = line.date(obj, "apply_from", required=True)
        until = line.date(obj, "apply_until", required=True)
        deadline = line.date(obj, "deadline")
        if start and until and until < start:
            line.fail("apply_until", "is before apply_from")
        if until and deadline and deadline < until:
            line.fail("deadline", "is before apply_until")
        line.text(obj, "confidential", 20_000)
    elif kind == "scenario":
        line.texts(obj, "needs", 30, 200)
        line.amount(obj, "budget_yuan")
        line.date(obj, "deadline")
    elif kind == "instrument":
        for f in ("model", "manufacturer", "location"):
            line.text(obj, f, 200)
        line.text(obj, "booking_terms", 5000)
    elif kind == "expert":
        for f in ("position", "affiliation"):
            line.text(obj, f, 200)
    elif kind == "institution":
        line.texts(obj, "services", 50, 200)
        line.texts(obj, "qualifications", 50, 200)


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "records.jsonl"
    problems: list[str] = []
    orgs: dict[str, tuple[int, dict]] = {}
    listings: list[tuple[int, dict]] = []
    kinds: collections.Counter[str] = collections.Counter()
    with path.open(encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            line = Line(number)
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as e:
                problems.append(f"{path.name}:{number}: not valid JSON: {e}")
                continue
            if not isinstance(obj, dict):
                problems.append(f"{path.name}:{number}: not a JSON object")
                continue
            obj = {k: v for k, v in obj.items() if not k.startswith("#")}
            kind = obj.get("kind")
            if kind == "organisation":
                check_org(obj, line)
                code = obj.get("credit_code")
                if isinstance(code, str):
                    if code in orgs:
                        line.fail("credit_code", f"`{code}` is also on line {orgs[code][0]}")
                    orgs[code] = (number, obj)
            elif kind in FIELDS:
                check_listing(kind, obj, line)
                listings.append((number, obj))
            else:
                line.fail("kind", f"{kind!r} is not organisation or a listing kind")
            kinds[kind] += 1
            problems += [f"{path.name}:{number}: {p}" for p in line.problems]
    for number, obj in listings:
        owner = obj.get("owner")
        if owner is None:
            problems.append(f"{path.name}:{number}: `owner`: missing; every demo listing needs an owner")
        elif owner not in orgs:
            problems.append(f"{path.name}:{number}: `owner`: no organisation in the file has `{owner}`")

    total = sum(kinds.values())
    print(f"{path}: {total} records")
    for kind, n in kinds.most_common():
        print(f"  {kind:<13} {n}")
    org_kinds = collections.Counter(o["org_kind"] for _, o in orgs.values() if "org_kind" in o)
    print("  organisations by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(org_kinds.items())))
    statuses = collections.Counter(o.get("status", "open") for _, o in listings)
    print("  listings by status: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    expired = sum(1 for _, o in listings if o.get("expires_on", "9999") < BASE.isoformat())
    print(f"  listings expired before {BASE}: {expired}")
    districts = {o.get("district") for _, o in orgs.values()}
    print(f"  districts with an organisation: {len(districts)}")
    # `qiao serve --demo` attaches its staff, manager and member accounts to the first
    # organisation of these kinds (crates/qiao/src/demo.rs).
    for kind in ("government", "service_institution", "enterprise"):
        first = next((o for _, o in sorted(orgs.values(), key=lambda x: x[0]) if o.get("org_kind") == kind), None)
        if first is None:
            problems.append(f"{path.name}: no {kind} organisation; `qiao serve --demo` needs one")
        else:
            print(f"  demo account organisation ({kind}): {first['name']}")

    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
