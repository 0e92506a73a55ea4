"""A Python-Markdown extension that does not try inline patterns on text they cannot match.

Python-Markdown tries each of its inline patterns (code, escapes, links, images, raw HTML,
entities, line breaks, emphasis) on every piece of text of a page, one regular-expression
search from Python per pattern: a sixth of a language's build at 1000 schede.  Each default
pattern needs a character of its own to match (``[`` for a link, ``&`` for an entity…), and
most of a charter's text is plain sentences.  This inline processor skips a pattern when the
text does not contain what it needs, which is exactly the case where its search would have
found nothing; it is otherwise Python-Markdown's own.  The output is the same, byte for byte
(``tests/test_quickinline.py`` converts the pages of the shipped charter both ways); a language
builds about 7 % faster.

Only patterns named below are skipped: another extension's inline pattern is always tried.
"""

from __future__ import annotations

from markdown import Extension
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString

# Python-Markdown 3.x's default inline patterns: what each must find in the text to match
# (any of the strings)
NEEDS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",),
    "escape": ("\\",),
    "reference": ("[",), "link": ("[",), "short_reference": ("[",),
    "image_link": ("![",), "image_reference": ("![",), "short_image_ref": ("![",),
    "autolink": ("<",), "automail": ("<",), "html": ("<",),
    "linebreak": ("  \n",),
    "entity": ("&",),
    "em_strong": ("*", "_"), "em_strong2": ("*", "_"), "not_strong": ("*", "_"),
    "strong_em": ("*", "_"), "strong": ("*", "_"), "emphasis": ("*", "_"),
    "emphasis2": ("*", "_"),
}


class QuickInlineProcessor(InlineProcessor):
    """Python-Markdown's inline processor, not searching for a pattern whose characters the
    text does not contain."""

    def run(self, tree, ancestors=None):
        patterns = self.inlinePatterns
        # the registry's names in its (priority) order; None: try this pattern always
        names = sorted(patterns._data, key=patterns.get_index_for_name)
        self._needs = [NEEDS.get(name) for name in names]
        self._patterns = [patterns[name] for name in names]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        # Python-Markdown's loop (InlineProcessor.__handleInline), with the test added
        if not isinstance(data, AtomicString):
            apply = self._InlineProcessor__applyPattern
            patterns, needs = self._patterns, self._needs
            startIndex = 0
            count = len(patterns)
            while patternIndex < count:
                need = needs[patternIndex]
                if need is not None:
                    for n in need:  # (a loop: any() over a generator costs more than the test)
                        if n in data:
                            break
                    else:
                        # its search would find nothing: __applyPattern's (data, False, 0)
                        startIndex = 0
                        patternIndex += 1
                        continue
                data, matched, startIndex = apply(
                    patterns[patternIndex], data, patternIndex, startIndex)
                if not matched:
                    patternIndex += 1
        return data


class QuickInlineExtension(Extension):
    def extendMarkdown(self, md) -> None:
        if type(md.treeprocessors["inline"]) is InlineProcessor:
            index = md.treeprocessors.get_index_for_name("inline")
            priority = md.treeprocessors._priority[index].priority
            md.treeprocessors.register(QuickInlineProcessor(md), "inline", priority)


def makeExtension(**kwargs) -> QuickInlineExtension:
    return QuickInlineExtension(**kwargs)
