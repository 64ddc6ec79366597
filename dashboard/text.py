"""Data-derived text made inert before it is rendered: one function for Markdown, one for HTML.

A team, tool, person, PR title or email comes from input files and sign-in, so it may hold
`[a link](https://…)`, `![an image](…)`, HTML or a plotly template. Streamlit renders captions,
titles, labels and help text as Markdown, and plotly renders titles, tick labels, legends and
hover text as a subset of HTML. Everything that puts such a string there goes through `markdown()`
or `html()`. Both the dashboard and the exports (pipelines/report) import this module.
"""

from __future__ import annotations

import html as _html
import re

# what makes Markdown from plain text: links and images ([ ]), emphasis (* and a word-edge _), code
# (`), HTML and autolinks (< >), entities (&), strikethrough (~), math ($), tables (|), Streamlit's
# :color[...] directives ([); a backslash before each leaves it a plain character
_INLINE = re.compile(r"([\\`*\[\]<>&~$|])|(?<![A-Za-z0-9])(_)|(_)(?![A-Za-z0-9])")
# at the start of a block: a heading, quote, list item or setext underline
_BLOCK_START = re.compile(r"^([#>+\-*=]|\d+(?=[.)]))")
# GitHub-flavoured Markdown also links bare URLs, after escapes are resolved: an invisible word
# joiner in "://" and after "www" keeps them text (emails stay as they are: a mailto link fetches
# nothing, and a word joiner would spoil an address copied from the page)
_WORD_JOINER = "\u2060"
_BARE_URL = re.compile(r"(?i)(:)(?=//)|\b(www)(?=\.)")


def markdown(value: object) -> str:
    """`value` as literal text inside Markdown (st.markdown, st.caption, labels, help text)."""
    text = " ".join(str(value).split())  # a line break could open a heading, list or code block
    text = _BARE_URL.sub(lambda m: (m.group(1) or m.group(2)) + _WORD_JOINER, text)
    text = _INLINE.sub(lambda m: "\\" + (m.group(1) or m.group(2) or m.group(3)), text)
    block = _BLOCK_START.match(text)
    if block and not block.group(1).isdigit():
        return "\\" + text
    if block:  # "1." or "1)" would start an ordered list
        end = len(block.group(1))
        return text[:end] + "\\" + text[end:]
    return text


def html(value: object) -> str:
    """`value` as literal text inside HTML, and inside plotly's titles, labels and hover templates
    (plotly turns entities back into characters after it has read its tags and %{…} fields)."""
    return _html.escape(str(value), quote=True).replace("%", "&#37;")


def html_all(values: list[object]) -> list[str]:
    """`html()` of each value, e.g. the category labels of a chart's axis."""
    return [html(v) for v in values]
