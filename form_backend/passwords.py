"""The operators' password policy: long, not common, not a trivial pattern, not the name.

Length is what protects a password (NIST SP 800-63B, OWASP ASVS 6.2): no composition rules,
but a refusal of what guessers try first.  The list below is small on purpose: the most
common passwords and the words they are built on (English and Italian), matched after
lower-casing and undoing the usual decorations (digits and symbols around a word, l33t).
"""

from __future__ import annotations

import re

MIN_LENGTH = 12
MAX_LENGTH = 128  # the login form reads at most 200 characters

# the most common passwords (breach corpora top lists) and the words they are made of
_COMMON = """
123456 1234567 12345678 123456789 1234567890 12345678910 123123 111111 000000 654321 121212
123321 112233 666666 7777777 987654321 0987654321 1q2w3e4r 1q2w3e4r5t 1qaz2wsx 1qazxsw2 zaq12wsx
qwerty qwertyuiop qwertyuiopas qwerty123 qwertz asdfgh asdfghjkl asdfghjkl zxcvbnm zxcvbnm123
azerty password password1 password12 password123 passw0rd passwort passwordpassword motdepasse
contrasena segreto segreta parola parolachiave parolasegreta chiave accesso entra entrare
welcome welcome1 letmein iloveyou iloveyou1 ilovey0u loveyou trustno1 admin administrator
administrateur amministratore root toor guest user utente operatore operatrice ufficio
servizi servizisociali sociale assistente assistenza comune sportello protocollo carta
cartadeiservizi login monkey dragon master shadow sunshine princess football baseball soccer
superman batman starwars pokemon naruto freedom whatever qazwsx michael jennifer jordan
hunter buster charlie thomas daniel andrew joshua matthew ashley jessica nicole hannah
computer internet secret changeme change default abc123 abcdef abcdefg abcdefgh abcd1234
aa123456 a123456 q1w2e3r4 q1w2e3r4t5 1234qwer qwer1234 pass1234 test test123 testing demo
ciao ciaociao ciao123 amore amoremio tiamo teamo ciccio cicciobello tesoro juventus
napoli forzanapoli forzajuve juve inter milan forzamilan roma forzaroma lazio fiorentina
italia italiano forzaitalia maradona
francesco giuseppe giovanni antonio mario luigi salvatore vincenzo gennaro ciro anna maria
giulia chiara francesca federica alessandro andrea marco luca matteo lorenzo stefano
paolo pietro raffaele rosa carmela angela lucia martina sara valentina alessia elena
gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre
lunedi martedi mercoledi giovedi venerdi sabato domenica primavera estate autunno inverno
spring summer autumn winter january february march april may june july august september
october november december monday tuesday wednesday thursday friday saturday sunday
"""
COMMON = frozenset(_COMMON.split())

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s", "!": "i"})


_RUNS = ("abcdefghijklmnopqrstuvwxyz", "0123456789" * 3, "qwertyuiopasdfghjklzxcvbnm",
         "qwertzuiopasdfghjklyxcvbnm", "azertyuiopqsdfghjklmwxcvbn", "1qaz2wsx3edc4rfv5tgb6yhn7ujm",
         "1q2w3e4r5t6y7u8i9o0p")


def _sequence(text: str) -> bool:
    """``abcdefghijkl``, ``123456789012``, ``qwertyuiopas``: a run along the alphabet, the
    digits or a keyboard row, either way."""
    return any(text in run or text in run[::-1] for run in _RUNS)


def _words(password: str) -> set[str]:
    """The forms a guesser would try: as typed, without digits and symbols, de-l33ted."""
    low = password.lower()
    forms = {low, re.sub(r"[\W\d_]+", "", low), re.sub(r"[\W_]+", "", low.translate(_LEET))}
    # a common word with a short decoration around it: Password2024!, !!juventus1897
    core = re.fullmatch(r"[\W\d_]*(.*?)[\W\d_]*", low)
    if core:
        forms.add(core.group(1))
        forms.add(core.group(1).translate(_LEET))
    # a common word typed twice or more: juventusjuventus, napoli1926napoli
    for form in list(forms):
        repeated = re.fullmatch(r"(.+?)\1+", form)
        if repeated:
            forms.add(repeated.group(1))
    return {f for f in forms if f}


def context_words(charter) -> frozenset[str]:
    """The words a guesser tries first against this district: its names, its comuni, their
    patron saints, its region and province (OWASP ASVS 6.1.2: the list is the charter)."""
    d = charter.district
    texts = [d.short_name.resolve("it")[0], d.name.resolve("it")[0], d.region or "",
             d.province or ""]
    for comune in d.comuni:
        texts += [comune.name, comune.patron.saint if comune.patron else ""]
    words = set()
    for text in texts:
        low = text.lower()
        words.add(re.sub(r"[\W\d_]+", "", low))  # "Massa Lubrense" → massalubrense
        words.update(w for w in re.split(r"[\W\d_]+", low) if len(w) >= 4)
    return frozenset(w for w in words if len(w) >= 4)


def password_problem(name: str, password: str,
                     context: frozenset[str] = frozenset()) -> tuple[str, dict] | None:
    """Why ``password`` may not be used by operator ``name``, as ``(string key, values)``
    for the interface strings (``office_pw_*``), or ``None`` when it may.  ``context``: more
    words to refuse (:func:`context_words`)."""
    if len(password) < MIN_LENGTH:
        return "office_pw_short", {"n": MIN_LENGTH}
    if len(password) > MAX_LENGTH:
        return "office_pw_long", {"n": MAX_LENGTH}
    low = password.lower()
    if len(set(low)) < 5 or re.fullmatch(r"(.+?)\1+", low):
        return "office_pw_repeated", {}
    if _sequence(low) or _sequence(re.sub(r"\W+", "", low)):
        return "office_pw_sequence", {}
    clean_name = name.strip().lower()
    if len(clean_name) >= 3 and (clean_name in low or clean_name in re.sub(r"\W+", "", low)):
        return "office_pw_name", {}
    if _words(password) & (COMMON | context):
        return "office_pw_common", {}
    return None
