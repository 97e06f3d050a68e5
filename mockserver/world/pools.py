"""Value pools: the vocabulary every generated record draws from.

Faker is slow per call (stack-notes §5: ~1 ms per record), so it runs once per process: a seeded
`Faker` fills fixed-size pools of names, sentences and paragraphs in four locales (English, Spanish,
French, Arabic), and each record then picks from the pools with its own
`random.Random(blake2b(f"{seed}:{kind}:{i}"))` (see `generate.rng`). The pools are a vocabulary,
independent of the world seed, so they are built once and shared by every world in the process.
Curated lists (real organization codes, subject names, course topics and their translations,
enumerations) live here too: Faker cannot invent "Data Analysis & Statistics".
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from faker import Faker

POOL_SIZE = 256
# Faker's seeded output is stable only for a pinned Faker version; this seed is part of the world.
_POOL_SEED = 20240601

LOCALES = {"en": "en_US", "es": "es_ES", "fr": "fr_FR", "ar": "ar_AA"}
_PROVIDERS = ["faker.providers.person", "faker.providers.lorem", "faker.providers.job"]

# LanguageTag code, name, 2-letter code (discovery codes; edx-search/BlendX use the short code).
LANGUAGES: tuple[tuple[str, str, str], ...] = (
    ("en-us", "English", "en"),
    ("es-es", "Spanish", "es"),
    ("fr", "French", "fr"),
    ("ar", "Arabic", "ar"),
    ("zh-cmn", "Chinese - Mandarin", "zh"),
    ("hi", "Hindi", "hi"),
    ("pt-br", "Portuguese - Brazil", "pt"),
)
LANG_OF = {"en": "en-us", "es": "es-es", "fr": "fr", "ar": "ar"}

# (key, name, homepage, text language). Real edX partner codes; the language drives course text.
ORGANIZATIONS: tuple[tuple[str, str, str, str], ...] = (
    ("MITx", "Massachusetts Institute of Technology", "https://www.mit.edu", "en"),
    ("HarvardX", "Harvard University", "https://www.harvard.edu", "en"),
    ("BerkeleyX", "University of California, Berkeley", "https://www.berkeley.edu", "en"),
    ("DelftX", "Delft University of Technology", "https://www.tudelft.nl", "en"),
    ("UQx", "The University of Queensland", "https://www.uq.edu.au", "en"),
    ("IIMBx", "Indian Institute of Management Bangalore", "https://www.iimb.ac.in", "en"),
    ("GTx", "Georgia Institute of Technology", "https://www.gatech.edu", "en"),
    ("CornellX", "Cornell University", "https://www.cornell.edu", "en"),
    ("ColumbiaX", "Columbia University", "https://www.columbia.edu", "en"),
    ("UBCx", "The University of British Columbia", "https://www.ubc.ca", "en"),
    ("EPFLx", "École polytechnique fédérale de Lausanne", "https://www.epfl.ch", "fr"),
    ("UC3Mx", "Universidad Carlos III de Madrid", "https://www.uc3m.es", "es"),
    ("UAMx", "Universidad Autónoma de Madrid", "https://www.uam.es", "es"),
    ("UPValenciaX", "Universitat Politècnica de València", "https://www.upv.es", "es"),
    ("TecdeMonterreyX", "Tecnológico de Monterrey", "https://tec.mx", "es"),
    ("IMTx", "IMT (Institut Mines-Télécom)", "https://www.imt.fr", "fr"),
    ("LouvainX", "Université catholique de Louvain", "https://uclouvain.be", "fr"),
    ("AUBx", "الجامعة الأميركية في بيروت", "https://www.aub.edu.lb", "ar"),
    ("QUx", "جامعة قطر", "https://www.qu.edu.qa", "ar"),
    ("UNSWx", "UNSW Sydney", "https://www.unsw.edu.au", "en"),
)

SUBJECTS: tuple[str, ...] = (
    "Architecture", "Art & Culture", "Biology & Life Sciences", "Business & Management",
    "Chemistry", "Communication", "Computer Science", "Data Analysis & Statistics", "Design",
    "Economics & Finance", "Education & Teacher Training", "Electronics",
    "Energy & Earth Sciences", "Engineering", "Environmental Studies", "Ethics",
    "Food & Nutrition", "Health & Safety", "History", "Humanities", "Language", "Law",
    "Literature", "Math", "Medicine", "Music", "Philosophy & Ethics", "Physics", "Science",
    "Social Sciences",
)

# (subject, English topic, Spanish, French, Arabic, course-number prefix, BlendX tags)
TOPICS: tuple[tuple[str, str, str, str, str, str, tuple[str, ...]], ...] = (
    ("Computer Science", "Python Programming", "programación en Python", "programmation Python", "البرمجة بلغة بايثون", "CS", ("python", "programming")),
    ("Computer Science", "AI", "inteligencia artificial (IA)", "intelligence artificielle (IA)", "الذكاء الاصطناعي", "AI", ("ai", "machine-learning")),
    ("Computer Science", "Machine Learning", "aprendizaje automático", "apprentissage automatique", "تعلم الآلة", "ML", ("ai", "machine-learning")),
    ("Computer Science", "Web Development", "desarrollo web", "développement web", "تطوير الويب", "WD", ("programming", "web")),
    ("Computer Science", "Cybersecurity", "ciberseguridad", "cybersécurité", "الأمن السيبراني", "SEC", ("security",)),
    ("Data Analysis & Statistics", "Data Science", "ciencia de datos", "science des données", "علم البيانات", "DS", ("data", "statistics")),
    ("Data Analysis & Statistics", "Statistics and R", "estadística con R", "statistiques avec R", "الإحصاء باستخدام R", "STAT", ("data", "statistics")),
    ("Economics & Finance", "Corporate Finance", "finanzas corporativas", "finance d'entreprise", "التمويل المؤسسي", "FIN", ("finance",)),
    ("Economics & Finance", "Microeconomics", "microeconomía", "microéconomie", "الاقتصاد الجزئي", "ECON", ("economics",)),
    ("Business & Management", "Project Management", "gestión de proyectos", "gestion de projet", "إدارة المشاريع", "PM", ("management",)),
    ("Business & Management", "Digital Marketing", "marketing digital", "marketing numérique", "التسويق الرقمي", "MKT", ("marketing",)),
    ("Health & Safety", "Public Health", "salud pública", "santé publique", "الصحة العامة", "PH", ("health",)),
    ("Medicine", "Maternal and Newborn Health", "salud materna y neonatal", "santé maternelle et néonatale", "صحة الأم والوليد", "MED", ("health", "midwifery")),
    ("Physics", "Quantum Mechanics", "mecánica cuántica", "mécanique quantique", "ميكانيكا الكم", "PHYS", ("physics",)),
    ("Chemistry", "Organic Chemistry", "química orgánica", "chimie organique", "الكيمياء العضوية", "CHEM", ("chemistry",)),
    ("History", "World History", "historia universal", "histoire du monde", "تاريخ العالم", "HIST", ("history",)),
    ("Music", "Music Theory", "teoría musical", "théorie musicale", "نظرية الموسيقى", "MUS", ("music",)),
    ("Architecture", "Sustainable Architecture", "arquitectura sostenible", "architecture durable", "العمارة المستدامة", "ARCH", ("architecture", "sustainability")),
    ("Social Sciences", "Sociology", "sociología", "sociologie", "علم الاجتماع", "SOC", ("society",)),
    ("Engineering", "Electric Circuits", "circuitos eléctricos", "circuits électriques", "الدوائر الكهربائية", "EE", ("engineering",)),
    ("Environmental Studies", "Climate Change", "cambio climático", "changement climatique", "تغير المناخ", "ENV", ("climate", "sustainability")),
    ("Biology & Life Sciences", "Genetics", "genética", "génétique", "علم الوراثة", "BIO", ("biology",)),
    ("Math", "Calculus", "cálculo", "calcul différentiel", "حساب التفاضل والتكامل", "MATH", ("math",)),
    ("Language", "English Grammar", "gramática inglesa", "grammaire anglaise", "قواعد اللغة الإنجليزية", "ENG", ("language",)),
)

TITLE_TEMPLATES = {
    "en": ("Introduction to {t}", "{t} Fundamentals", "Advanced {t}", "{t} for Everyone",
           "Foundations of {t}", "Applied {t}", "{t}: Principles and Practice", "{t} in Practice"),
    "es": ("Introducción a la {t}", "Fundamentos de {t}", "Curso de {t}", "{t} para todos",
           "{t}: principios y práctica"),
    "fr": ("Introduction à la {t}", "Les fondamentaux : {t}", "Cours de {t}", "{t} pour tous",
           "{t} : principes et pratique"),
    "ar": ("مقدمة في {t}", "أساسيات {t}", "{t} للجميع", "{t}: المبادئ والتطبيق"),
}
SHORT_TEMPLATES = {
    "en": "Learn the essentials of {t} from leading experts. {s}",
    "es": "Aprende los conceptos esenciales de {t} con expertos. {s}",
    "fr": "Découvrez l'essentiel de la {t} avec des experts. {s}",
    "ar": "تعلم أساسيات {t} مع نخبة من الخبراء. {s}",
}
SECTION_WORD = {"en": "Module", "es": "Módulo", "fr": "Module", "ar": "الوحدة"}
LESSON_WORD = {"en": "Lesson", "es": "Lección", "fr": "Leçon", "ar": "الدرس"}
INTRO_WORD = {"en": "Introduction", "es": "Introducción", "fr": "Introduction", "ar": "مقدمة"}
REVIEW_COMMENTS = {
    "en": ("Excellent course!", "Very well structured and clear.", "Good content, but the pace was fast.",
           "The assignments were really useful.", "I learned a lot, thank you!", "Too theoretical for me."),
    "es": ("¡Excelente curso!", "Muy bien estructurado.", "Buen contenido, aunque algo rápido.",
           "Aprendí muchísimo, ¡gracias!"),
    "fr": ("Excellent cours !", "Très bien structuré et clair.", "Bon contenu, rythme un peu rapide.",
           "J'ai beaucoup appris, merci !"),
    "ar": ("دورة ممتازة!", "محتوى منظم وواضح.", "استفدت كثيراً، شكراً!", "جيدة لكن الوتيرة سريعة."),
}

LEVEL_TYPES = ("Introductory", "Intermediate", "Advanced")
PROGRAM_TYPES = ("MicroMasters", "XSeries", "Professional Certificate", "MicroBachelors", "Masters")
REPORTING_TYPES = ("mooc", "spoc", "test", "demo", "other")
COUNTRIES = ("US", "GB", "IN", "CA", "DE", "FR", "ES", "MX", "CO", "BR", "EG", "AE", "JO", "AU", "NG")
SEAT_DISPLAY = {"audit": "Audit", "verified": "Verified Certificate", "honor": "Honor",
                "professional": "Professional Education", "no-id-professional": "Professional Education",
                "credit": "Credit", "masters": "Master's"}
BUSINESS_SUFFIXES = ("Inc.", "LLC", "Group", "Corporation", "Company", "Partners")


def slugify(text: str) -> str:
    """ASCII slug as Django's `slugify` makes it ("Data Analysis & Statistics" → data-analysis-statistics)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out, dash = [], False
    for ch in ascii_text.lower():
        if ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def ascii_name(text: str) -> str:
    """Accent-stripped lowercase letters only, for usernames and e-mail local parts."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in ascii_text.lower() if ch.isalpha())


@dataclass(frozen=True)
class LocalePool:
    """Faker-filled values of one locale."""

    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    sentences: tuple[str, ...]
    paragraphs: tuple[str, ...]
    paragraphs_lower: tuple[str, ...]


@dataclass(frozen=True)
class Pools:
    """All pools: per-language text plus English-only job titles and company names."""

    by_lang: dict[str, LocalePool]
    jobs: tuple[str, ...]
    companies: tuple[str, ...]


@lru_cache(maxsize=1)
def get_pools() -> Pools:
    """Build (once per process) and return the Faker pools."""
    # Only the providers the pools call: Faker otherwise scans the package of each of its ~25 default
    # providers for every locale (0.15 s of start-up); the values drawn are the same either way.
    faker = Faker(list(LOCALES.values()), providers=_PROVIDERS, use_weighting=False)
    faker.seed_instance(_POOL_SEED)
    by_lang = {}
    for lang, locale in LOCALES.items():
        f = faker[locale]
        paragraphs = tuple(f.paragraph(nb_sentences=4) for _ in range(POOL_SIZE))
        by_lang[lang] = LocalePool(
            first_names=tuple(f.first_name() for _ in range(POOL_SIZE)),
            last_names=tuple(f.last_name() for _ in range(POOL_SIZE)),
            sentences=tuple(f.sentence(nb_words=10) for _ in range(POOL_SIZE)),
            paragraphs=paragraphs,
            paragraphs_lower=tuple(p.lower() for p in paragraphs),
        )
    en = faker["en_US"]
    jobs = tuple(en.job() for _ in range(POOL_SIZE // 2))
    companies = tuple(sorted({en.last_name() + " " + en.random_element(BUSINESS_SUFFIXES)
                              for _ in range(POOL_SIZE // 2)}))
    return Pools(by_lang=by_lang, jobs=jobs, companies=companies)
