"""The registry's coded values with their Arabic and English labels.

Codes are the contract's (docs/contract/README.md); labels are what people read. Order
matters where it means something (ranks run from lowest to highest). Countries are built
in `server.domain.codes` from Babel's locale data rather than typed here.
"""

from __future__ import annotations

# code: (Arabic, English)
Labels = dict[str, tuple[str, str]]

CATEGORIES: Labels = {
    "PHYSICIAN": ("طبيب", "Physician"),
    "DENTIST": ("طبيب أسنان", "Dentist"),
    "PHARMACIST": ("صيدلي", "Pharmacist"),
    "NURSE": ("تمريض", "Nurse"),
    "ALLIED_HEALTH": ("التخصصات الصحية المساندة", "Allied health"),
}

RANKS: Labels = {
    "GENERAL_PRACTITIONER": ("طبيب عام", "General Practitioner"),
    "RESIDENT": ("طبيب مقيم", "Resident"),
    "REGISTRAR": ("نائب", "Registrar"),
    "SENIOR_REGISTRAR": ("نائب أول", "Senior Registrar"),
    "CONSULTANT": ("استشاري", "Consultant"),
    "PHARMACIST": ("صيدلي", "Pharmacist"),
    "SENIOR_PHARMACIST": ("صيدلي أول", "Senior Pharmacist"),
    "CONSULTANT_PHARMACIST": ("صيدلي استشاري", "Consultant Pharmacist"),
    "TECHNICIAN": ("فني", "Technician"),
    "SPECIALIST": ("أخصائي", "Specialist"),
    "SENIOR_SPECIALIST": ("أخصائي أول", "Senior Specialist"),
}

_MEDICAL_LADDER = (
    "GENERAL_PRACTITIONER", "RESIDENT", "REGISTRAR", "SENIOR_REGISTRAR", "CONSULTANT",
)
_HEALTH_LADDER = ("TECHNICIAN", "SPECIALIST", "SENIOR_SPECIALIST", "CONSULTANT")

# Lowest rank first.
RANKS_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "PHYSICIAN": _MEDICAL_LADDER,
    "DENTIST": _MEDICAL_LADDER,
    "PHARMACIST": ("PHARMACIST", "SENIOR_PHARMACIST", "CONSULTANT_PHARMACIST"),
    "NURSE": _HEALTH_LADDER,
    "ALLIED_HEALTH": _HEALTH_LADDER,
}

_P, _D, _PH, _N, _A = "PHYSICIAN", "DENTIST", "PHARMACIST", "NURSE", "ALLIED_HEALTH"

# code: (Arabic, English, the categories it is open to)
SPECIALTIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "GENERAL_PRACTICE": ("الممارسة العامة", "General Practice", (_P,)),
    "FAMILY_MEDICINE": ("طب الأسرة", "Family Medicine", (_P,)),
    "INTERNAL_MEDICINE": ("الطب الباطني", "Internal Medicine", (_P,)),
    "GENERAL_SURGERY": ("الجراحة العامة", "General Surgery", (_P,)),
    "PEDIATRICS": ("طب الأطفال", "Pediatrics", (_P,)),
    "OBSTETRICS_GYNECOLOGY": ("أمراض النساء والولادة", "Obstetrics and Gynecology", (_P,)),
    "ANESTHESIA": ("التخدير", "Anesthesia", (_P,)),
    "EMERGENCY_MEDICINE": ("طب الطوارئ", "Emergency Medicine", (_P,)),
    "CRITICAL_CARE": ("طب العناية المركزة", "Critical Care Medicine", (_P,)),
    "CARDIOLOGY": ("أمراض القلب", "Cardiology", (_P,)),
    "CARDIAC_SURGERY": ("جراحة القلب", "Cardiac Surgery", (_P,)),
    "DERMATOLOGY": ("الأمراض الجلدية", "Dermatology", (_P,)),
    "ENDOCRINOLOGY": ("الغدد الصماء والسكري", "Endocrinology", (_P,)),
    "GASTROENTEROLOGY": ("أمراض الجهاز الهضمي", "Gastroenterology", (_P,)),
    "NEPHROLOGY": ("أمراض الكلى", "Nephrology", (_P,)),
    "NEUROLOGY": ("طب الأعصاب", "Neurology", (_P,)),
    "NEUROSURGERY": ("جراحة المخ والأعصاب", "Neurosurgery", (_P,)),
    "MEDICAL_ONCOLOGY": ("علاج الأورام", "Medical Oncology", (_P,)),
    "HEMATOLOGY": ("أمراض الدم", "Hematology", (_P,)),
    "INFECTIOUS_DISEASES": ("الأمراض المعدية", "Infectious Diseases", (_P,)),
    "PULMONOLOGY": ("الأمراض الصدرية", "Pulmonology", (_P,)),
    "RHEUMATOLOGY": ("الروماتيزم", "Rheumatology", (_P,)),
    "ORTHOPEDIC_SURGERY": ("جراحة العظام", "Orthopedic Surgery", (_P,)),
    "UROLOGY": ("جراحة المسالك البولية", "Urology", (_P,)),
    "OPHTHALMOLOGY": ("طب وجراحة العيون", "Ophthalmology", (_P,)),
    "OTOLARYNGOLOGY": ("الأنف والأذن والحنجرة", "Otolaryngology", (_P,)),
    "PSYCHIATRY": ("الطب النفسي", "Psychiatry", (_P,)),
    "RADIOLOGY": ("الأشعة التشخيصية", "Radiology", (_P,)),
    "RADIATION_ONCOLOGY": ("علاج الأورام بالإشعاع", "Radiation Oncology", (_P,)),
    "NUCLEAR_MEDICINE": ("الطب النووي", "Nuclear Medicine", (_P,)),
    "ANATOMIC_PATHOLOGY": ("علم الأمراض التشريحي", "Anatomic Pathology", (_P,)),
    "CLINICAL_PATHOLOGY": ("علم الأمراض السريري", "Clinical Pathology", (_P,)),
    "PLASTIC_SURGERY": ("جراحة التجميل", "Plastic Surgery", (_P,)),
    "VASCULAR_SURGERY": ("جراحة الأوعية الدموية", "Vascular Surgery", (_P,)),
    "PEDIATRIC_SURGERY": ("جراحة الأطفال", "Pediatric Surgery", (_P,)),
    "PHYSICAL_MEDICINE_REHABILITATION": (
        "الطب الطبيعي والتأهيل", "Physical Medicine and Rehabilitation", (_P,)
    ),
    "PREVENTIVE_MEDICINE": ("الطب الوقائي", "Preventive Medicine", (_P,)),
    "FORENSIC_MEDICINE": ("الطب الشرعي", "Forensic Medicine", (_P,)),
    "OCCUPATIONAL_MEDICINE": ("طب العمل", "Occupational Medicine", (_P,)),
    "GERIATRICS": ("طب الشيخوخة", "Geriatric Medicine", (_P,)),
    "PUBLIC_HEALTH": ("الصحة العامة", "Public Health", (_P, _A)),
    "DENTISTRY_GENERAL": ("طب الأسنان العام", "General Dentistry", (_D,)),
    "ORTHODONTICS": ("تقويم الأسنان", "Orthodontics", (_D,)),
    "ENDODONTICS": ("علاج جذور الأسنان", "Endodontics", (_D,)),
    "PERIODONTICS": ("أمراض اللثة", "Periodontics", (_D,)),
    "PROSTHODONTICS": ("تركيبات الأسنان", "Prosthodontics", (_D,)),
    "PEDIATRIC_DENTISTRY": ("طب أسنان الأطفال", "Pediatric Dentistry", (_D,)),
    "RESTORATIVE_DENTISTRY": ("طب الأسنان الترميمي", "Restorative Dentistry", (_D,)),
    "ORAL_MAXILLOFACIAL_SURGERY": (
        "جراحة الفم والوجه والفكين", "Oral and Maxillofacial Surgery", (_D,)
    ),
    "PHARMACY": ("الصيدلة", "Pharmacy", (_PH,)),
    "CLINICAL_PHARMACY": ("الصيدلة السريرية", "Clinical Pharmacy", (_PH,)),
    "NURSING": ("التمريض", "Nursing", (_N,)),
    "GENERAL_NURSING": ("التمريض العام", "General Nursing", (_N,)),
    "MIDWIFERY": ("القبالة", "Midwifery", (_N,)),
    "CRITICAL_CARE_NURSING": ("تمريض العناية المركزة", "Critical Care Nursing", (_N,)),
    "PHYSIOTHERAPY": ("العلاج الطبيعي", "Physiotherapy", (_A,)),
    "RADIOLOGY_TECHNOLOGY": ("تقنية الأشعة", "Radiology Technology", (_A,)),
    "LABORATORY": ("المختبرات الطبية", "Medical Laboratory", (_A,)),
    "RESPIRATORY_THERAPY": ("العلاج التنفسي", "Respiratory Therapy", (_A,)),
    "CLINICAL_NUTRITION": ("التغذية العلاجية", "Clinical Nutrition", (_A,)),
    "OCCUPATIONAL_THERAPY": ("العلاج الوظيفي", "Occupational Therapy", (_A,)),
    "SPEECH_LANGUAGE_PATHOLOGY": ("علاج النطق والتخاطب", "Speech-Language Pathology", (_A,)),
    "AUDIOLOGY": ("السمعيات", "Audiology", (_A,)),
    "OPTOMETRY": ("البصريات", "Optometry", (_A,)),
    "ANESTHESIA_TECHNOLOGY": ("تقنية التخدير", "Anesthesia Technology", (_A,)),
    "EMERGENCY_MEDICAL_SERVICES": ("الخدمات الطبية الطارئة", "Emergency Medical Services", (_A,)),
    "CARDIOVASCULAR_TECHNOLOGY": ("تقنية القلب والأوعية", "Cardiovascular Technology", (_A,)),
    "PHARMACY_TECHNOLOGY": ("تقنية الصيدلة", "Pharmacy Technology", (_A,)),
    "DENTAL_TECHNOLOGY": ("تقنية الأسنان", "Dental Technology", (_A,)),
    "DENTAL_HYGIENE": ("صحة الفم والأسنان", "Dental Hygiene", (_A,)),
    "CLINICAL_PSYCHOLOGY": ("علم النفس السريري", "Clinical Psychology", (_A,)),
    "HEALTH_INFORMATICS": ("المعلوماتية الصحية", "Health Informatics", (_A,)),
    "SOCIAL_WORK": ("الخدمة الاجتماعية", "Social Work", (_A,)),
}

ORGANIZATION_TYPES: Labels = {
    "GOVERNMENT": ("حكومي", "Government"),
    "PRIVATE": ("خاص", "Private"),
    "MILITARY": ("عسكري", "Military"),
    "UNIVERSITY": ("جامعي", "University"),
    "OTHER": ("أخرى", "Other"),
}

DOCUMENT_KINDS: Labels = {
    "EXPERIENCE_CERTIFICATE": ("شهادة خبرة", "Experience certificate"),
    "EMPLOYER_LETTER": ("خطاب جهة العمل", "Employer letter"),
    "LICENSE": ("رخصة مزاولة", "Practice licence"),
    "QUALIFICATION_CERTIFICATE": ("شهادة المؤهل", "Qualification certificate"),
    "CPD_CERTIFICATE": ("شهادة تطوير مهني مستمر", "CPD certificate"),
    "MEDICAL_FITNESS_REPORT": ("تقرير اللياقة الطبية", "Medical fitness report"),
    "BLS_CERTIFICATE": ("شهادة دعم الحياة الأساسي", "BLS certificate"),
    "PHOTO": ("صورة شخصية", "Photo"),
    "EVIDENCE": ("مستند داعم", "Supporting evidence"),
    "OTHER": ("أخرى", "Other"),
}

IDENTITY_TYPES: Labels = {
    "NATIONAL_ID": ("الهوية الوطنية", "National ID"),
    "IQAMA": ("هوية مقيم (إقامة)", "Iqama"),
    "PASSPORT": ("جواز السفر", "Passport"),
}

GENDERS: Labels = {"M": ("ذكر", "Male"), "F": ("أنثى", "Female")}

REGISTRATION_STATUSES: Labels = {
    "ACTIVE": ("ساري", "Active"),
    "EXPIRED": ("منتهي", "Expired"),
    "SUSPENDED": ("موقوف", "Suspended"),
}

APPLICATION_KINDS: Labels = {
    "CLASSIFICATION": ("التصنيف المهني", "Classification"),
    "REGISTRATION": ("التسجيل المهني", "Registration"),
    "RENEWAL": ("تجديد التسجيل المهني", "Renewal"),
    "RECLASSIFICATION": ("إعادة التصنيف", "Reclassification"),
    "TRAINING_CERTIFICATE": ("شهادة تدريب", "Training certificate"),
    "GOOD_STANDING": ("شهادة حسن السيرة المهنية", "Good-standing certificate"),
    "QUALIFICATION_EVALUATION": ("تقييم مؤهل", "Qualification evaluation"),
    "CPD_RECOGNITION": ("احتساب ساعات التطوير المهني", "CPD recognition"),
    "PERSONAL_DATA_CHANGE": ("تعديل البيانات الشخصية", "Personal data change"),
}

APPLICATION_STATUSES: Labels = {
    "DRAFT": ("مسودة", "Draft"),
    "AWAITING_PAYMENT": ("بانتظار الدفع", "Awaiting payment"),
    "SUBMITTED": ("مُقدَّم", "Submitted"),
    "IN_REVIEW": ("قيد المراجعة", "In review"),
    "RETURNED": ("مُعاد للتصحيح", "Returned for correction"),
    "APPROVED": ("مقبول", "Approved"),
    "REJECTED": ("مرفوض", "Rejected"),
    "CANCELLED": ("ملغى", "Cancelled"),
}

PAYMENT_METHODS: Labels = {
    "MADA": ("مدى", "mada"),
    "CARD": ("بطاقة ائتمانية", "Visa / Mastercard"),
    "APPLE_PAY": ("Apple Pay", "Apple Pay"),
    "SADAD": ("سداد", "SADAD"),
}

# Babel lists these two-letter territories too, but they are not countries of ISO 3166-1:
# groupings (EU, EZ, UN, QO), test and unknown regions (XA, XB, ZZ), and the "exceptionally
# reserved" codes of islands that belong to a listed country (AC, CP, CQ, DG, EA, IC, TA).
# XK (Kosovo) is user-assigned rather than ISO, but it is kept: the Kingdom recognises
# Kosovo, and its nationals need a nationality to choose.
NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
)

# Where the name a Saudi reader expects differs from CLDR's.
COUNTRY_NAME_OVERRIDES: Labels = {"PS": ("فلسطين", "Palestine")}
