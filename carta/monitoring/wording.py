"""carta's default wording for the rows it computes (formula, source, factor, complaint
deadlines), in the four languages carta ships; a charter shows only its own languages."""

from __future__ import annotations

from decimal import Decimal

from carta.model.quality import CaseKind, ComplaintDeadline, Event, Unit
from carta.model.text import Text

# the source of every row carta computes: how the monitoring file tells its rows from the
# editors' (a row with another source is never touched)
SOURCE = {"it": "carta: domande e reclami ricevuti online e loro stati",
          "en": "carta: applications and complaints received online and their statuses",
          "fr": "carta : demandes et réclamations reçues en ligne et leurs états",
          "ar": "carta: الطلبات والشكاوى المستلمة عبر الإنترنت وحالاتها"}

TIMELINESS = {"it": "Tempestività", "en": "Timeliness", "fr": "Rapidité",
              "ar": "سرعة الاستجابة"}

SCOPE_NAMES = {
    "system": {"it": "Sistema dei servizi", "en": "The service system",
               "fr": "Le système des services", "ar": "منظومة الخدمات"},
    "complaints": {"it": "Procedura dei reclami", "en": "Complaints procedure",
                   "fr": "Procédure de réclamation", "ar": "إجراء الشكاوى"},
}

# "from X to Y": Italian and French need the article joined to the preposition
_EVENTS: dict[Event, dict[str, tuple[str, str]]] = {
    Event.received: {"it": ("dal ricevimento", "al ricevimento"),
                     "en": ("receipt", "receipt"), "fr": ("de la réception", "à la réception"),
                     "ar": ("الاستلام", "الاستلام")},
    Event.taken_in_charge: {"it": ("dalla presa in carico", "alla presa in carico"),
                            "en": ("taking charge", "taking charge"),
                            "fr": ("de la prise en charge", "à la prise en charge"),
                            "ar": ("التكفل", "التكفل")},
    Event.call_in: {"it": ("dalla convocazione", "alla convocazione"),
                    "en": ("call-in", "call-in"),
                    "fr": ("de la convocation", "à la convocation"),
                    "ar": ("الاستدعاء", "الاستدعاء")},
    Event.meeting: {"it": ("dall'incontro", "all'incontro"), "en": ("meeting", "meeting"),
                    "fr": ("de la rencontre", "à la rencontre"),
                    "ar": ("الاجتماع", "الاجتماع")},
    Event.integration_requested: {
        "it": ("dalla richiesta di integrazione", "alla richiesta di integrazione"),
        "en": ("request for more documents", "request for more documents"),
        "fr": ("de la demande de compléments", "à la demande de compléments"),
        "ar": ("طلب استكمال الملف", "طلب استكمال الملف")},
    Event.integration_received: {
        "it": ("dalla ricezione dell'integrazione", "alla ricezione dell'integrazione"),
        "en": ("more documents received", "more documents received"),
        "fr": ("de la réception des compléments", "à la réception des compléments"),
        "ar": ("استلام الملف المستكمل", "استلام الملف المستكمل")},
    Event.decision: {"it": ("dalla decisione", "alla decisione"),
                     "en": ("decision", "decision"), "fr": ("de la décision", "à la décision"),
                     "ar": ("القرار", "القرار")},
    Event.complaint_answer: {"it": ("dalla risposta al reclamo", "alla risposta al reclamo"),
                             "en": ("answer to the complaint", "answer to the complaint"),
                             "fr": ("de la réponse à la réclamation",
                                    "à la réponse à la réclamation"),
                             "ar": ("الرد على الشكوى", "الرد على الشكوى")},
    Event.closure: {"it": ("dalla chiusura", "alla chiusura"), "en": ("closure", "closure"),
                    "fr": ("de la clôture", "à la clôture"), "ar": ("الإغلاق", "الإغلاق")},
}

_KINDS = {CaseKind.domanda: {"it": ("domande", "misurate"), "en": ("applications", "measured"),
                             "fr": ("demandes", "mesurées"), "ar": ("الطلبات", "المقيسة")},
          CaseKind.reclamo: {"it": ("reclami", "misurati"), "en": ("complaints", "measured"),
                             "fr": ("réclamations", "mesurées"), "ar": ("الشكاوى", "المقيسة")}}

_FORMULA = {
    "it": "{k} nei tempi / {k} {m} ({a} {b} entro {n})",
    "en": "{k} in time / {k} {m} (from {a} to {b} within {n})",
    "fr": "{k} dans les délais / {k} {m} ({a} {b} sous {n})",
    "ar": "{k} في الآجال / {k} {m} (من {a} إلى {b} خلال {n})",
}

# (one, several) per language; Arabic: 3–10 take the plural, 11 and more the singular
_UNITS = {
    Unit.days: {"it": ("giorno", "giorni"), "en": ("day", "days"), "fr": ("jour", "jours"),
                "ar": ("يوم", "أيام", "يومًا")},
    Unit.working_days: {"it": ("giorno lavorativo", "giorni lavorativi"),
                        "en": ("working day", "working days"),
                        "fr": ("jour ouvrable", "jours ouvrables"),
                        "ar": ("يوم عمل", "أيام عمل", "يوم عمل")},
    Unit.hours: {"it": ("ora", "ore"), "en": ("hour", "hours"), "fr": ("heure", "heures"),
                 "ar": ("ساعة", "ساعات", "ساعة")},
    Unit.minutes: {"it": ("minuto", "minuti"), "en": ("minute", "minutes"),
                   "fr": ("minute", "minutes"), "ar": ("دقيقة", "دقائق", "دقيقة")},
}

_COMPLAINTS: dict[ComplaintDeadline, tuple[dict[str, str], dict[str, str]]] = {
    ComplaintDeadline.call_in_days: (
        {"it": "Convocazione di chi presenta un reclamo",
         "en": "Invitation to a meeting after a complaint",
         "fr": "Convocation de l'auteur d'une réclamation", "ar": "استدعاء مقدّم الشكوى"},
        {"it": "Entro {n} dal ricevimento del reclamo",
         "en": "Within {n} of receiving the complaint",
         "fr": "Dans les {n} suivant la réception de la réclamation",
         "ar": "خلال {n} من استلام الشكوى"}),
    ComplaintDeadline.meeting_within_working_days: (
        {"it": "Incontro sul reclamo", "en": "Meeting about the complaint",
         "fr": "Rencontre sur la réclamation", "ar": "الاجتماع بشأن الشكوى"},
        {"it": "Entro {n} dalla segnalazione", "en": "Within {n} of the report",
         "fr": "Dans les {n} suivant le signalement", "ar": "خلال {n} من الإبلاغ"}),
    ComplaintDeadline.urgent_action_days: (
        {"it": "Azioni urgenti di autotutela", "en": "Urgent protective action",
         "fr": "Mesures de protection urgentes", "ar": "إجراءات الحماية العاجلة"},
        {"it": "Entro {n} dall'incontro", "en": "Within {n} of the meeting",
         "fr": "Dans les {n} suivant la rencontre", "ar": "خلال {n} من الاجتماع"}),
    ComplaintDeadline.user_protection_days: (
        {"it": "Decisione dell'Ufficio Tutela Utenti",
         "en": "Decision of the users' rights office",
         "fr": "Décision du bureau de protection des usagers",
         "ar": "قرار مكتب حماية حقوق المستفيدين"},
        {"it": "Entro {n} dalla presentazione del reclamo",
         "en": "Within {n} of the complaint being made",
         "fr": "Dans les {n} suivant le dépôt de la réclamation",
         "ar": "خلال {n} من تقديم الشكوى"}),
}


def text(by_lang: dict[str, str], langs: list[str]) -> Text:
    """``by_lang`` limited to the charter's languages (Italian always)."""
    return Text({lang: v for lang, v in by_lang.items() if lang == "it" or lang in langs})


def duration(n: Decimal, unit: Unit, lang: str) -> str:
    """``15 giorni lavorativi``, ``1 day``, ``30 يوم عمل``."""
    forms = _UNITS[unit][lang]
    count = int(n) if n == int(n) else n
    if lang == "ar":
        word = forms[0] if count == 1 else forms[1] if 2 <= count <= 10 else forms[2]
    else:
        word = forms[0] if count == 1 else forms[1]
    return f"{count} {word}"


def formula(kind: CaseKind, start: Event, end: Event, within: Decimal, unit: Unit,
            langs: list[str]) -> Text:
    """``domande nei tempi / domande misurate (dal ricevimento alla decisione entro 15
    giorni)`` in each language of the charter."""
    out = {}
    for lang, template in _FORMULA.items():
        k, m = _KINDS[kind][lang]
        out[lang] = template.format(k=k, m=m, a=_EVENTS[start][lang][0],
                                    b=_EVENTS[end][lang][1], n=duration(within, unit, lang))
    return text(out, langs)


def complaint_texts(deadline: ComplaintDeadline, within: Decimal, unit: Unit,
                    langs: list[str]) -> tuple[Text, Text]:
    """(indicator, guaranteed) of a deadline of the complaint procedure."""
    indicator, standard = _COMPLAINTS[deadline]
    return (text(indicator, langs),
            text({lang: s.format(n=duration(within, unit, lang)) for lang, s in standard.items()},
                 langs))
