"""Device families the demo catalogue is drawn from (see shared/reference/device_families.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Family:
    category: str
    name: str
    name_en: str
    risk_class: str
    tracking: str
    shelf_life_days: int | None
    cost_yuan: tuple[float, float]
    variants: tuple[str, ...]
    implant: bool = False
    cold_chain: bool = False
    temp: tuple[float, float] | None = None
    unit: str = "支"
    pack_sizes: tuple[int, ...] = (1, 10, 100)
    min_remaining_days: int = 180


FAMILIES: tuple[Family, ...] = (
    Family("syringe", "一次性使用无菌注射器", "Sterile syringe", "III", "lot", 1460, (0.3, 1.0),
           ("1ml", "2ml", "5ml", "10ml", "20ml", "50ml 螺口"), pack_sizes=(1, 100, 1000)),
    Family("infusion_set", "一次性使用输液器", "Infusion set", "III", "lot", 1460, (1, 5),
           ("重力式 0.7mm", "重力式 0.8mm", "避光 0.7mm", "精密过滤 5μm"), unit="套",
           pack_sizes=(1, 50, 500)),
    Family("iv_cannula", "静脉留置针", "IV cannula", "III", "lot", 1095, (3, 15),
           ("18G", "20G", "22G", "24G", "26G 安全型"), pack_sizes=(1, 50, 400)),
    Family("cvc_kit", "中心静脉导管套件", "Central venous catheter kit", "III", "lot", 1000,
           (150, 600), ("单腔 16G", "双腔 7Fr", "三腔 7Fr", "PICC 4Fr"), unit="套",
           pack_sizes=(1, 10)),
    Family("mask", "医用外科口罩", "Surgical mask", "II", "lot", 900, (0.2, 1.0),
           ("17.5×9.5cm 挂耳", "17.5×9.5cm 绑带", "儿童款 14.5×9.5cm"), unit="只",
           pack_sizes=(1, 50, 2000)),
    Family("gloves", "医用检查手套", "Examination gloves", "II", "lot", 1460, (0.2, 1.0),
           ("丁腈 S", "丁腈 M", "丁腈 L", "乳胶 M", "乳胶 L"), unit="只",
           pack_sizes=(1, 100, 1000)),
    Family("dressing", "无菌纱布敷料", "Sterile dressing", "II", "lot", 1460, (0.5, 30),
           ("5×7cm", "10×10cm", "10×20cm", "透明敷贴 6×7cm", "泡沫敷料 10×10cm"), unit="片"),
    Family("urinary_catheter", "导尿管", "Urinary catheter", "II", "lot", 1095, (5, 40),
           ("双腔 Fr12", "双腔 Fr14", "双腔 Fr16", "三腔 Fr18", "硅胶 Fr16"), unit="根"),
    Family("stapler", "一次性使用吻合器", "Surgical stapler", "III", "lot", 1095, (800, 4000),
           ("管型 26mm", "管型 29mm", "直线切割 60mm", "直线切割 80mm"), pack_sizes=(1, 6)),
    Family("suture", "可吸收缝合线", "Absorbable suture", "III", "lot", 1460, (20, 120),
           ("2-0 圆针", "3-0 圆针", "4-0 角针", "5-0 角针", "1# 圆针"), unit="包",
           pack_sizes=(1, 12, 144)),
    Family("des_stent", "冠状动脉药物洗脱支架", "Drug-eluting coronary stent", "III", "serial",
           540, (700, 10000), ("2.5×14mm", "2.5×18mm", "2.75×18mm", "3.0×18mm", "3.0×23mm",
                               "3.5×18mm", "3.5×28mm", "4.0×18mm"), implant=True,
           temp=(0.0, 25.0), unit="个", pack_sizes=(1,), min_remaining_days=90),
    Family("ptca_balloon", "PTCA球囊扩张导管", "PTCA balloon catheter", "III", "serial", 900,
           (1000, 5000), ("2.0×15mm", "2.5×15mm", "3.0×15mm", "3.5×12mm 非顺应性"),
           unit="根", pack_sizes=(1,)),
    Family("pacemaker", "植入式心脏起搏器", "Implantable pacemaker", "III", "serial", 640,
           (20000, 60000), ("单腔 SR", "双腔 DR", "双腔 DR MRI兼容"), implant=True, unit="台",
           pack_sizes=(1,), min_remaining_days=90),
    Family("hip", "人工髋关节假体", "Hip prosthesis", "III", "serial", 1825, (5000, 30000),
           ("股骨柄 #8", "股骨柄 #10", "股骨柄 #12", "髋臼杯 48mm", "髋臼杯 52mm",
            "股骨头 28mm", "股骨头 32mm"), implant=True, unit="个", pack_sizes=(1,)),
    Family("knee", "人工膝关节假体", "Knee prosthesis", "III", "serial", 1825, (5000, 30000),
           ("股骨髁 左 3#", "股骨髁 右 3#", "股骨髁 左 4#", "胫骨平台 3#", "胫骨平台 4#",
            "垫片 10mm", "垫片 12mm"), implant=True, unit="个", pack_sizes=(1,)),
    Family("bone_plate", "骨科接骨板", "Bone plate", "III", "lot_serial", 1825, (50, 3000),
           ("锁定板 5孔", "锁定板 7孔", "锁定板 9孔", "桡骨远端板 左", "桡骨远端板 右"),
           implant=True, unit="块", pack_sizes=(1,)),
    Family("bone_screw", "骨科螺钉", "Bone screw", "III", "lot_serial", 1825, (50, 300),
           ("皮质骨 3.5×20", "皮质骨 3.5×30", "锁定 3.5×24", "锁定 5.0×36", "松质骨 6.5×40"),
           implant=True, unit="枚", pack_sizes=(1, 10)),
    Family("iol", "人工晶状体", "Intraocular lens", "III", "serial", 1460, (800, 10000),
           ("+18.0D", "+19.0D", "+20.0D", "+21.0D", "+22.0D", "+23.0D", "+24.0D"),
           implant=True, unit="片", pack_sizes=(1,)),
    Family("hernia_mesh", "疝修补补片", "Hernia mesh", "III", "lot_serial", 1460, (500, 5000),
           ("6×11cm", "10×15cm", "15×15cm 3D"), implant=True, unit="片", pack_sizes=(1, 5)),
    Family("dialyser", "血液透析器", "Haemodialyser", "III", "lot", 1095, (60, 200),
           ("低通量 1.4㎡", "低通量 1.6㎡", "高通量 1.8㎡"), pack_sizes=(1, 24)),
    Family("ivd_chem", "生化检测试剂盒", "IVD chemistry reagent kit", "II", "lot", 365,
           (200, 2000), ("丙氨酸氨基转移酶 ALT", "肌酐 CREA", "葡萄糖 GLU", "总胆固醇 TC",
                         "甘油三酯 TG", "C反应蛋白 CRP", "尿素 UREA", "总蛋白 TP"),
           cold_chain=True, temp=(2.0, 8.0), unit="盒", pack_sizes=(1, 10), min_remaining_days=60),
    Family("antigen_test", "流感/新冠抗原检测试剂", "Influenza / COVID antigen test", "III", "lot",
           540, (5, 30), ("甲乙流 1人份", "新冠 1人份", "新冠 25人份"), temp=(2.0, 30.0),
           unit="人份", pack_sizes=(1, 25), min_remaining_days=90),
    Family("glucose_strip", "血糖试纸", "Glucose test strips", "II", "lot", 540, (1, 3),
           ("50条装", "100条装"), temp=(4.0, 30.0), unit="条", pack_sizes=(1, 50),
           min_remaining_days=90),
    Family("insulin_reservoir", "胰岛素泵储药器", "Insulin pump reservoir", "II", "lot", 1095,
           (20, 60), ("1.8ml", "3.0ml"), pack_sizes=(1, 10)),
    Family("ecg_electrode", "心电电极片", "ECG electrodes", "II", "lot", 540, (0.5, 2),
           ("成人 圆形", "儿童 圆形", "新生儿"), unit="片", pack_sizes=(1, 50, 1000)),
    Family("breathing_circuit", "麻醉呼吸回路", "Anaesthesia breathing circuit", "II", "lot", 1460,
           (20, 80), ("成人 1.8m", "儿童 1.5m", "螺纹管 可伸缩"), unit="套", pack_sizes=(1, 20)),
    Family("biopsy_forceps", "一次性使用内镜活检钳", "Endoscopic biopsy forceps", "II", "lot",
           1095, (50, 300), ("2.3mm 1800mm", "2.8mm 2300mm"), pack_sizes=(1, 10)),
    Family("ultrasonic_blade", "超声刀头", "Ultrasonic scalpel blade", "III", "serial", 900,
           (2000, 6000), ("23cm", "36cm", "45cm"), unit="把", pack_sizes=(1,)),
    Family("spare_part", "监护仪配件", "Monitor spare part", "II", "serial", None, (100, 3000),
           ("血氧探头 成人指夹", "血氧探头 儿童", "无创血压袖带 成人", "心电导联线 5导"),
           unit="个", pack_sizes=(1,)),
    Family("instrument", "手术器械（可复用）", "Reusable surgical instrument", "I", "serial",
           None, (50, 5000), ("持针钳 18cm", "组织剪 16cm", "止血钳 弯 14cm", "牵开器"),
           unit="把", pack_sizes=(1,)),
)

BRANDS = ("康瑞", "华泰", "安捷", "博晟", "迈途", "元和", "瑞森", "恒康", "Medora", "Cardion",
          "Orthex", "Vistara")
