"""Cross-references (``[vedi Allegato 1](see:fasce)``) as links on the site and page
references in the printed binder.  What a target is lives in :mod:`carta.model.crossref`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from carta.model.charter import Charter
from carta.model.crossref import SEE, resolve
from carta.present.text import Shown, shown


@dataclass(frozen=True)
class CrossRef:
    """Where a reference leads, for every output.

    ``site_path`` is relative to the language's docs root, as MkDocs source paths are
    (``tariffe.md#fasce``): a page at ``servizi/x.md`` links to ``../tariffe.md#fasce``.
    ``anchor`` is the element id that the print templates put on the target in the binder;
    ``part`` the binder part that holds it (``generale``, ``scheda:<slug>``, ``form:<id>``).
    """

    target: str
    label: str  # the editor's words: "vedi Allegato 1"
    title: Shown  # what the target is, in the reader's language: "Fasce d'accesso"
    site_path: str
    anchor: str
    part: str


def crossref(charter: Charter, target: str, lang: str, label: str = "") -> CrossRef:
    """The view of one cross-reference target (``KeyError`` when it does not exist: ``carta
    check`` reports those before anything renders)."""
    t = resolve(charter, target)
    if t is None:
        raise KeyError(f"unknown cross-reference target {target!r}")

    def s(key: str) -> Shown:
        return Shown(charter.t(lang, key), lang)

    if t.kind == "service":
        title = shown(t.obj.title, lang)
        title = Shown(f"{t.obj.code} {title.text}", title.lang, title.fallback)
        return CrossRef(target, label, title, f"servizi/{t.key}.md", f"scheda-{t.key}",
                        f"scheda:{t.key}")
    if t.kind == "sites":
        title = shown(t.obj.sites_title, lang) if t.obj.sites_title else s("service_sites")
        return CrossRef(target, label, title, f"servizi/{t.key}.md#sedi", f"sedi-{t.key}",
                        f"scheda:{t.key}")
    if t.kind == "office":
        offices = t.obj
        if len(offices) == 1 and offices[0].id == t.key:
            o = offices[0]
            return CrossRef(target, label, shown(o.name, lang), f"uffici.md#{o.id}",
                            f"ufficio-{o.id}", "generale")
        # a kind: the first office of that kind is where the list of them starts
        return CrossRef(target, label, shown(offices[0].name, lang) if len(offices) == 1
                        else s("offices_title"), f"uffici.md#{offices[0].id}",
                        f"ufficio-{offices[0].id}", "generale")
    if t.kind == "form":
        return CrossRef(target, label, shown(t.obj.title, lang),
                        "reclami.md" if t.key == "reclamo" else "download.md",
                        f"form-{t.key}", f"form:{t.key}")
    fixed = {"uffici": ("offices_title", "uffici.md", "uffici"),
             "fasce": ("bands_title", "tariffe.md#fasce", "fasce"),
             "tariffe": ("tariffs_title", "tariffe.md", "tariffe"),
             "parametri": ("parameters_title", "tariffe.md#parametri", "parametri"),
             "enti-gestori": ("providers_title", "enti-gestori.md", "enti-gestori"),
             "reclami": ("complaints_title", "reclami.md", "reclami")}
    key, path, anchor = fixed[t.kind]
    return CrossRef(target, label, s(key), path, anchor, "generale")


def crossrefs(charter: Charter, text: str, lang: str) -> list[CrossRef]:
    """Every cross-reference in ``text`` (one language's words), in order."""
    return [crossref(charter, m.group(2), lang, m.group(1)) for m in SEE.finditer(text)]


def rewrite(charter: Charter, text: str, lang: str, link: Callable[[CrossRef], str]) -> str:
    """``text`` with each ``[label](see:target)`` replaced by what ``link`` returns for it.

    The site makes Markdown links: ``rewrite(c, md, lang, lambda r: f"[{r.label}](../{r.site_path})")``;
    print makes a link to the anchor followed by the page in the binder.
    """
    return SEE.sub(lambda m: link(crossref(charter, m.group(2), lang, m.group(1))), text)


def unlinked(text: str) -> str:
    """``text`` with references reduced to their words (plain-text outputs: e-mails, JSON-LD)."""
    return SEE.sub(lambda m: m.group(1), text)


def relative(page: str, site_path: str) -> str:
    """``site_path`` (docs-relative, ``tariffe.md#fasce``) as seen from the page ``page``
    (``servizi/telesoccorso.md``): ``../tariffe.md#fasce``."""
    import posixpath

    path, _, fragment = site_path.partition("#")
    rel = posixpath.relpath(path, posixpath.dirname(page) or ".")
    return f"{rel}#{fragment}" if fragment else rel


def site_markdown(charter: Charter, text: str, lang: str, page: str) -> str:
    """Markdown ``text`` of the page ``page`` with every reference a relative Markdown link
    (MkDocs then checks it like any other link): what the site renderers call on each text."""
    return rewrite(charter, text, lang,
                   lambda r: f"[{r.label}]({relative(page, r.site_path)})")
