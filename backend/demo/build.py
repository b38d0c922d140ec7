"""Builds the demo data set in seconds: bulk inserts in one transaction, seeded, repeatable."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from biip.checksums import gs1_standard_check_digit
from piccolo.table import Table

from backend.auth.passwords import hash_password
from backend.auth.tables import User
from backend.catalog.tables import (
    Manufacturer,
    Packaging,
    Product,
    Supplier,
    SupplierLicence,
    SupplierProduct,
)
from backend.core import clock
from backend.core.actor import SYSTEM
from backend.core.unit_of_work import unit_of_work
from backend.demo import orders as demo_orders
from backend.demo import requisitions as demo_requisitions
from backend.demo import stock as demo_stock
from backend.demo.families import BRANDS, FAMILIES
from backend.sites.tables import Department, DepartmentBudget, Location, Warehouse

DEMO_PASSWORD = "lotwise-demo-2026"
IMPORTED = {"Medora", "Cardion", "Orthex", "Vistara"}
COUNTRY = {"Medora": "US", "Cardion": "IE", "Orthex": "CH", "Vistara": "DE"}
CATEGORY_CODE = {"III": "13", "II": "08", "I": "02"}

DEPARTMENTS = (
    ("CARD", "心内科", "Cardiology"),
    ("ORTH", "骨科", "Orthopaedics"),
    ("GSUR", "普外科", "General surgery"),
    ("OPHT", "眼科", "Ophthalmology"),
    ("NEPH", "肾内科（血透室）", "Nephrology (dialysis)"),
    ("LAB", "检验科", "Clinical laboratory"),
    ("EMER", "急诊科", "Emergency"),
    ("ICU", "重症医学科", "Intensive care"),
    ("OR", "手术室", "Operating theatre"),
    ("ANES", "麻醉科", "Anaesthesiology"),
    ("GAST", "消化内科（内镜中心）", "Gastroenterology (endoscopy)"),
    ("ENDO", "内分泌科", "Endocrinology"),
)

WAREHOUSES = (
    ("WH-C", "中心库房", "门诊楼负一层"),
    ("WH-E", "东院区库房", "东院区 3 号楼 1 层"),
    ("WH-R", "检验试剂库", "医技楼 2 层（冷链）"),
)


async def has_data() -> bool:
    return bool(await Product.exists() or await Warehouse.exists())


async def _bulk(table: type[Table], rows: Sequence[Table], chunk: int = 250) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(rows), chunk):
        result = await table.insert(*rows[start : start + chunk])
        ids += [r["id"] for r in result]
    return ids


def gtin13(company: str, item: int) -> str:
    body = f"{company}{item:0{12 - len(company)}d}"
    return body + str(gs1_standard_check_digit(body))


def gtin14(indicator: int, gtin_13: str) -> str:
    body = f"{indicator}{gtin_13[:-1]}"
    return body + str(gs1_standard_check_digit(body))


def registration(rng: random.Random, risk: str, brand: str, today: date) -> tuple[str, date]:
    year = rng.randint(2020, 2025)
    serial = rng.randint(1, 9999)
    if risk == "I":
        number = f"苏宁械备{year}{serial:04d}"
    elif brand in IMPORTED:
        number = f"国械注进{year}3{CATEGORY_CODE[risk]}{serial:04d}"
    elif risk == "III":
        number = f"国械注准{year}3{CATEGORY_CODE[risk]}{serial:04d}"
    else:
        number = f"粤械注准{year}2{CATEGORY_CODE[risk]}{serial:04d}"
    valid = date(year + 5, rng.randint(1, 12), rng.randint(1, 28))
    return number, valid


async def build_demo(seed: int = 20261121) -> dict[str, Any]:
    rng = random.Random(seed)
    today = clock.today()
    counts: dict[str, int] = {}
    async with unit_of_work(SYSTEM) as uow:
        manufacturer_ids = await _bulk(
            Manufacturer,
            [
                Manufacturer(
                    name=(
                        f"{brand}医疗器械有限公司"
                        if brand not in IMPORTED
                        else f"{brand} Medical Inc."
                    ),
                    name_en=f"{brand} Medical",
                    country=COUNTRY.get(brand, "CN"),
                )
                for brand in BRANDS
            ],
        )
        brand_of = dict(zip(BRANDS, manufacturer_ids, strict=True))

        products: list[Product] = []
        packaging: list[tuple[int, int, str, int]] = []  # (product index, qty, level, item)
        item = 0
        for family in FAMILIES:
            brands = rng.sample(BRANDS, 3)
            for brand in brands:
                for variant in family.variants:
                    number, valid = registration(rng, family.risk_class, brand, today)
                    if rng.random() < 0.03:
                        valid = today - timedelta(days=rng.randint(1, 60))  # lapsed
                    elif rng.random() < 0.03:
                        valid = today + timedelta(days=rng.randint(1, 30))  # lapsing soon
                    low, high = family.cost_yuan
                    index = len(products)
                    products.append(
                        Product(
                            code=f"{family.category.replace('_', '')[:4].upper()}-{index + 1:05d}",
                            name=f"{family.name} {brand}",
                            name_en=f"{family.name_en}, {brand}",
                            model=variant,
                            category=family.category,
                            risk_class=family.risk_class,
                            tracking=family.tracking,
                            base_unit=family.unit,
                            shelf_life_days=family.shelf_life_days,
                            min_remaining_shelf_life_days=(
                                family.min_remaining_days if family.shelf_life_days else 0
                            ),
                            storage_temp_min=family.temp[0] if family.temp else None,
                            storage_temp_max=family.temp[1] if family.temp else None,
                            cold_chain=family.cold_chain,
                            implant=family.implant,
                            registration_no=number,
                            registration_valid_until=valid,
                            registrant=f"{brand}医疗器械有限公司",
                            manufacturer=brand_of[brand],
                            allocation="fefo" if family.shelf_life_days else "fifo",
                            unit_cost=int(rng.uniform(low, high) * 100),
                        )
                    )
                    for level, qty in zip(("each", "box", "case"), family.pack_sizes, strict=False):
                        item += 1
                        packaging.append((index, qty, level, item))
        product_ids = await _bulk(Product, products)
        counts["products"] = len(product_ids)

        pack_rows: list[Packaging] = []
        for index, qty, level, item_no in packaging:
            base = gtin13("6971234", item_no)
            if level == "each":
                pack_rows.append(
                    Packaging(
                        product=product_ids[index],
                        level=level,
                        quantity=qty,
                        agency="GS1",
                        di="0" + base,
                        original=base,
                    )
                )
            else:
                g14 = gtin14(1 if level == "box" else 2, base)
                pack_rows.append(
                    Packaging(
                        product=product_ids[index],
                        level=level,
                        quantity=qty,
                        agency="GS1",
                        di=g14,
                        original=g14,
                    )
                )
        # A few imported implants carry HIBC labels, a few domestic ones MA codes.
        for n, index in enumerate(rng.sample(range(len(product_ids)), 12)):
            if n % 2:
                di = f"A123LW{index:05d}0"
                pack_rows.append(
                    Packaging(
                        product=product_ids[index],
                        level="each",
                        quantity=1,
                        agency="HIBC",
                        di=di,
                        original="+" + di,
                    )
                )
            else:
                di = f"MA.156.M0.100761.{2000000 + index}"
                pack_rows.append(
                    Packaging(
                        product=product_ids[index],
                        level="each",
                        quantity=1,
                        agency="MA",
                        di=di,
                        original=di,
                    )
                )
        counts["packaging"] = len(await _bulk(Packaging, pack_rows))

        supplier_ids = await _bulk(
            Supplier,
            [
                Supplier(
                    code=f"SUP-{n:03d}", name=name, contact=contact, phone=f"0571-8{n:03d}66{n:02d}"
                )
                for n, (name, contact) in enumerate(
                    [
                        ("浙江华东医药器械有限公司", "王敏"),
                        ("国药控股浙江有限公司", "李强"),
                        ("上海润达医疗科技有限公司", "陈静"),
                        ("九州通医疗器械集团有限公司", "张伟"),
                        ("瑞康医药器械有限公司", "刘洋"),
                        ("柳药集团器械有限公司", "赵磊"),
                        ("江苏鹿得医疗供应链有限公司", "孙丽"),
                        ("安徽华源医疗器械有限公司", "周杰"),
                        ("北京嘉事堂医疗器械有限公司", "吴芳"),
                        ("广州医药器械有限公司", "郑浩"),
                        ("深圳一致医疗器械有限公司", "冯雪"),
                        ("杭州泰格医疗供应链有限公司", "何平"),
                        ("山东海王银河医疗器械有限公司", "许楠"),
                        ("湖北人福医疗器械有限公司", "韩冰"),
                        ("四川科伦医药贸易有限公司", "曹宇"),
                        ("重庆医药器械有限公司", "邓琳"),
                        ("天津天士力医疗器械有限公司", "彭飞"),
                        ("福建鹭燕医疗器械有限公司", "蒋琪"),
                        ("河南九州通医疗器械有限公司", "蔡勇"),
                        ("云南白药医疗器械有限公司", "潘婷"),
                    ],
                    start=1,
                )
            ],
        )
        counts["suppliers"] = len(supplier_ids)
        licences: list[SupplierLicence] = []
        for n, supplier_id in enumerate(supplier_ids):
            licences.append(
                SupplierLicence(
                    supplier=supplier_id,
                    kind="business_licence",
                    number=f"91330{rng.randint(10**12, 10**13 - 1)}X",
                )
            )
            if n in (3, 7, 11):
                until = today + timedelta(days=rng.randint(5, 29))  # lapsing within 30 days
            elif n == 15:
                until = today - timedelta(days=12)  # lapsed
            else:
                until = today + timedelta(days=rng.randint(200, 1500))
            licences.append(
                SupplierLicence(
                    supplier=supplier_id,
                    kind="operating_licence",
                    number=f"浙杭药监械经营许{2020 + n % 5}{n:04d}号",
                    valid_until=until,
                )
            )
        counts["licences"] = len(await _bulk(SupplierLicence, licences))

        terms: list[SupplierProduct] = []
        for index, product_id in enumerate(product_ids):
            chosen = rng.sample(supplier_ids, 2)
            cost = products[index].unit_cost
            for priority, supplier_id in zip(("primary", "backup"), chosen, strict=True):
                if priority == "backup" and rng.random() < 0.5:
                    continue
                pack = FAMILY_PACK.get(products[index].category, 1)
                terms.append(
                    SupplierProduct(
                        supplier=supplier_id,
                        product=product_id,
                        lead_time_days=rng.choice((2, 3, 5, 7, 14, 21)),
                        moq=pack,
                        pack_size=pack,
                        price=int(cost * rng.uniform(1.0, 1.15)),
                        priority=priority,
                    )
                )
        counts["supplier_terms"] = len(await _bulk(SupplierProduct, terms))

        warehouse_ids = await _bulk(
            Warehouse, [Warehouse(code=c, name=n, address=a) for c, n, a in WAREHOUSES]
        )
        counts["warehouses"] = len(warehouse_ids)
        department_ids = await _bulk(
            Department,
            [
                Department(
                    code=code,
                    name=name,
                    name_en=en,
                    warehouse=(warehouse_ids[1] if code in ("EMER", "GAST") else warehouse_ids[0]),
                    budget_enforcement="block" if code in ("ORTH", "CARD") else "warn",
                )
                for code, name, en in DEPARTMENTS
            ],
        )
        counts["departments"] = len(department_ids)

        locations: list[Location] = []
        for warehouse_id, (code, _n, _a) in zip(warehouse_ids, WAREHOUSES, strict=True):
            for kind, loc_code, name in (
                ("receiving", "RCV", "收货区"),
                ("quarantine", "QUA", "待验/隔离区"),
                ("disposal", "DSP", "报废区"),
                ("in_transit", "TRN", "在途"),
            ):
                locations.append(
                    Location(
                        warehouse=warehouse_id, code=f"{code}-{loc_code}", name=name, kind=kind
                    )
                )
            cold = code == "WH-R"
            for aisle in ("A", "B", "C") if not cold else ("K",):
                for bay in range(1, 9):
                    for shelf in range(1, 4):
                        locations.append(
                            Location(
                                warehouse=warehouse_id,
                                code=f"{aisle}-{bay:02d}-{shelf}",
                                name=f"{aisle}区 {bay} 架 {shelf} 层",
                                kind="storage",
                                temp_min=2.0 if cold else None,
                                temp_max=8.0 if cold else None,
                            )
                        )
            if code == "WH-C":
                for bay in range(1, 5):
                    locations.append(
                        Location(
                            warehouse=warehouse_id,
                            code=f"K-{bay:02d}",
                            name=f"冷藏柜 {bay}",
                            kind="storage",
                            temp_min=2.0,
                            temp_max=8.0,
                        )
                    )
        for (
            department_id,
            (code, name, _en),
        ) in zip(department_ids, DEPARTMENTS, strict=True):
            serving = warehouse_ids[1] if code in ("EMER", "GAST") else warehouse_ids[0]
            locations.append(
                Location(
                    warehouse=serving,
                    code=f"POU-{code}",
                    name=f"{name}二级柜",
                    kind="point_of_use",
                    department=department_id,
                )
            )
        counts["locations"] = len(await _bulk(Location, locations))

        period = today.strftime("%Y-%m")
        await _bulk(
            DepartmentBudget,
            [
                DepartmentBudget(
                    department=d, period=period, amount=rng.randint(20, 400) * 10_000_00
                )
                for d in department_ids
            ],
        )

        users: list[tuple[str, str]] = []
        password_hash = await hash_password(DEMO_PASSWORD)
        demo_users: tuple[tuple[str, str, list[str], list[int], list[int]], ...] = (
            ("admin", "管理员 王海", ["admin"], [], []),
            ("warehouse", "库管员 李娜", ["warehouse"], [warehouse_ids[0], warehouse_ids[2]], []),
            ("warehouse2", "库管员 赵刚", ["warehouse"], [warehouse_ids[1]], []),
            ("qa", "质量员 陈晓", ["qa"], list(warehouse_ids), []),
            ("purchaser", "采购员 周敏", ["purchaser"], list(warehouse_ids), []),
            ("nurse", "护士 刘芳", ["clinician"], [], [department_ids[0]]),
            ("head", "护士长 孙静", ["department_head"], [], [department_ids[0]]),
            ("auditor", "审计员 钱磊", ["auditor"], [], []),
        )
        await _bulk(
            User,
            [
                User(
                    username=u,
                    full_name=n,
                    password_hash=password_hash,
                    roles=r,
                    warehouse_ids=w,
                    department_ids=d,
                )
                for u, n, r, w, d in demo_users
            ],
        )
        users = [(u, "+".join(r)) for u, _n, r, _w, _d in demo_users]
        counts["users"] = len(users)
        counts.update(await demo_stock.build(rng, today))
        counts.update(await demo_requisitions.build(rng, today))
        counts.update(await demo_orders.build(random.Random(f"{seed}:orders"), today))
        uow.audit("load_demo", "database", "demo", new={"seed": seed, **counts})
    return {"counts": counts, "users": users, "password": DEMO_PASSWORD}


FAMILY_PACK = {f.category: f.pack_sizes[1] if len(f.pack_sizes) > 1 else 1 for f in FAMILIES}
