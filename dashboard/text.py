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

# every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all
# leaves no link, image, emphasis, heading, list, table, math ($) or directive (:red[…]) syntax
_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
# GitHub-flavoured Markdown also links bare URLs and emails, after escapes are resolved: an
# invisible word joiner after "http:" / "www" / "@" keeps them text
_WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(:|@|\bwww(?=\.))")


def markdown(value: object) -> str:
    """`value` as literal text inside Markdown (st.markdown, st.caption, labels, help text)."""
    text = " ".join(str(value).split())  # a line break could open a heading, list or code block
    text = _AUTOLINK.sub(lambda m: m.group(1) + _WORD_JOINER, text)
    return _PUNCTUATION.sub(r"\\\1", text)


def html(value: object) -> str:
    """`value` as literal text inside HTML, and inside plotly's titles, labels and hover templates
    (plotly turns entities back into characters after it has read its tags and %{…} fields)."""
    return _html.escape(str(value), quote=True).replace("%", "&#37;")


def html_all(values: list[object]) -> list[str]:
    """`html()` of each value, e.g. the category labels of a chart's axis."""
    return [html(v) for v in values]
