"""Short information about the network's site in seven languages (issue 25, point 6, as far as it
goes): what the site holds, how to reach the Koordinierungsstelle and where to report a barrier.
Each text carries its own language and writing direction; the whole portal is translated into
German, English and Arabic only (services/portal/translations)."""

from __future__ import annotations

# (code, the language's name in itself, sentences); {name} and {email} are filled in.
# The link to the feedback form, per language.
FORM_LINK = {
    "de": "Zum Formular für Ihre Rückmeldung",
    "en": "To the feedback form",
    "ar": "إلى نموذج الملاحظات",
    "fa": "رفتن به فرم بازخورد",
    "ru": "К форме обратной связи",
    "uk": "До форми зворотного зв'язку",
    "tr": "Geri bildirim formuna git",
}

TEXTS = (
    (
        "de",
        "Deutsch",
        (
            "Auf diesen Seiten stellt sich das Netzwerk „{name}“ vor: seine Partner, Termine und "
            "Gremien.",
            "Fragen beantwortet die Koordinierungsstelle: {email}.",
            "Ist Ihnen eine Barriere aufgefallen? Schreiben Sie uns über das Formular in der "
            "Erklärung zur Barrierefreiheit.",
        ),
    ),
    (
        "en",
        "English",
        (
            "On these pages the network “{name}” presents itself: its partners, events and bodies.",
            "The coordination office answers questions: {email}.",
            "Have you come across a barrier? Write to us with the form in the accessibility "
            "statement.",
        ),
    ),
    (
        "ar",
        "العربية",
        (
            "تعرّف في هذه الصفحات على شبكة «{name}»: شركاؤها ومواعيدها وهيئاتها.",
            "يجيب مكتب التنسيق عن أسئلتك: {email}.",
            "هل لاحظت عائقًا؟ اكتب إلينا عبر النموذج في بيان إمكانية الوصول.",
        ),
    ),
    (
        "fa",
        "فارسی",
        (
            "در این صفحه‌ها شبکهٔ «{name}» خود را معرفی می‌کند: شرکا، قرارها و نهادهای آن.",
            "دفتر هماهنگی به پرسش‌های شما پاسخ می‌دهد: {email}.",
            "به مانعی برخورده‌اید؟ با فرم موجود در بیانیهٔ دسترسی‌پذیری برای ما بنویسید.",
        ),
    ),
    (
        "ru",
        "Русский",
        (
            "На этих страницах представлена сеть «{name}»: её партнёры, мероприятия и органы.",
            "На вопросы отвечает координационное бюро: {email}.",
            "Вы столкнулись с барьером? Напишите нам через форму в заявлении о доступности.",
        ),
    ),
    (
        "uk",
        "Українська",
        (
            "На цих сторінках представлена мережа «{name}»: її партнери, заходи та органи.",
            "На запитання відповідає координаційне бюро: {email}.",
            "Ви натрапили на бар'єр? Напишіть нам через форму в заяві про доступність.",
        ),
    ),
    (
        "tr",
        "Türkçe",
        (
            "Bu sayfalarda “{name}” ağı kendini tanıtıyor: ortakları, etkinlikleri ve kurulları.",
            "Sorularınızı koordinasyon ofisi yanıtlar: {email}.",
            "Bir engelle mi karşılaştınız? Erişilebilirlik beyanındaki form ile bize yazın.",
        ),
    ),
)


def sections(rules: dict) -> list[dict]:
    """The seven sections with the network's name and address filled in."""
    cp, imprint = rules.get("contact_point") or {}, rules.get("imprint") or {}
    values = {
        "name": rules.get("name", ""),
        "email": cp.get("email") or imprint.get("email") or "",
    }
    return [
        {
            "code": code,
            "name": name,
            "sentences": [s.format(**values) for s in sentences],
            "form": FORM_LINK[code],
        }
        for code, name, sentences in TEXTS
    ]
