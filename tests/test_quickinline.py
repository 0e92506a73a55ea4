"""carta.website.quickinline gives exactly Python-Markdown's output, on every page carta makes."""

from __future__ import annotations

import re

import markdown
import pytest
from markdown.inlinepatterns import InlineProcessor as Pattern

from carta.website.build import mkdocs_config
from carta.website.pages import site_files
from carta.website.quickinline import NEEDS, QuickInlineProcessor

FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)


def converters(charter, tmp_path) -> tuple[markdown.Markdown, markdown.Markdown]:
    """Python-Markdown with the site's extensions, without and with quickinline."""
    config = mkdocs_config(charter, tmp_path / "docs", tmp_path / "site")
    names, settings = [], {}
    for item in config["markdown_extensions"]:
        name = item if isinstance(item, str) else next(iter(item))
        if not isinstance(item, str):
            settings[name] = item[name]
        names.append(name)
    assert "carta.website.quickinline" in names  # the site uses it
    plain = [n for n in names if n != "carta.website.quickinline"]
    return (markdown.Markdown(extensions=plain, extension_configs=settings),
            markdown.Markdown(extensions=names, extension_configs=settings))


def test_every_page_of_the_shipped_charter_converts_to_the_same_html(shipped, tmp_path):
    plain, quick = converters(shipped, tmp_path)
    assert type(quick.treeprocessors["inline"]) is QuickInlineProcessor
    pages = {path: FRONT_MATTER.sub("", text) for path, text in site_files(shipped).items()
             if path.endswith(".md")}
    assert {path.split("/")[0] for path in pages} >= {"it", "en", "fr", "ar"}
    differ = [path for path, text in pages.items()
              if plain.reset().convert(text) != quick.reset().convert(text)]
    assert differ == []


# one feature each, so that a pattern skipped wrongly shows
SAMPLES = [
    "plain words, nothing to do",
    "`code`", "a \\*not emphasis", "[link](x.md)", "![image](y.png)",
    "[reference][r]\n\n[r]: z.md", "[short]\n\n[short]: z.md", "![image ref][i]\n\n[i]: i.png",
    "<https://example.org>", "<mail@example.org>", "a line break  \nhere", "a <b>tag</b>",
    "&amp; and &#169;", "*emphasis*", "_under_", "__strong__", "**strong**", "***both***",
    "a [link with *emphasis* and `code`](a.md), *stars [around](b.md) a link*",
    "<div markdown=\"1\">\n\n**inside** html\n\n</div>",
    "| a | b |\n|---|---|\n| *x* | [y](y.md) |",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_text_that_patterns_match_is_still_processed(shipped, tmp_path, text):
    plain, quick = converters(shipped, tmp_path)
    assert quick.convert(text) == plain.convert(text)


class Percent(Pattern):
    """Another extension's pattern: %%word%% becomes <mark>."""

    def handleMatch(self, m, data):
        import xml.etree.ElementTree as etree

        el = etree.Element("mark")
        el.text = m.group(1)
        return el, m.start(0), m.end(0)


def test_a_pattern_it_does_not_know_is_always_tried(shipped, tmp_path):
    _, quick = converters(shipped, tmp_path)
    quick.inlinePatterns.register(Percent(r"%%(\w+)%%", quick), "percent", 5)
    assert "percent" not in NEEDS
    assert quick.convert("plain %%word%% here") == "<p>plain <mark>word</mark> here</p>"
