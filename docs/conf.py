"""Sphinx configuration for the offline documentation site; `tools/build_site.py` is the way to use it.

The build tool writes the nbdev-processed notebooks into a Sphinx source folder and runs Sphinx with `-c docs`, so
this file only says how pages look. Everything a page loads is served by the site itself: furo ships its CSS/JS and
uses system fonts, MathJax 3 is copied into `_static/mathjax` (see `mathjax_path`), and search is Sphinx's own
offline index (`searchindex.js`).
"""
import os
from pathlib import Path
from nbdev.config import get_config

_cfg = get_config(path=Path(__file__).resolve().parents[1])

project = _cfg.title
author = _cfg.author
copyright = _cfg.copyright
release = version = _cfg.version

extensions = ['myst_nb']
root_doc = 'index'
exclude_patterns = ['_build', '**.ipynb_checkpoints']

# MyST: `$...$` / `$$...$$` and bare `\begin{align}` math (as Quarto reads it), `{.class}` block attributes, heading
# anchors as GitHub/Quarto make them (`as_prior`), so nbdev's doc links `page.html#name` land on the heading.
myst_enable_extensions = ['dollarmath', 'amsmath', 'attrs_inline', 'attrs_block', 'colon_fence', 'strikethrough']
myst_dmath_double_inline = True
myst_heading_anchors = 4

# Notebooks are never executed: the site shows the outputs saved in them (figures included).
nb_execution_mode = 'off'
nb_render_markdown_format = 'myst'
nb_ipywidgets_js = {}              # never pull widget managers from a CDN
nb_merge_streams = True
# show_doc headings jump levels (## section, then #### method) and notebooks may hold outputs Sphinx can't map
suppress_warnings = ['myst.header', 'mystnb.unknown_mime_type', 'misc.highlighting_failure']

# MathJax 3, served by the site: build_site.py copies it into <out>/_static/mathjax.
mathjax_path = 'mathjax/tex-chtml.js'

html_theme = 'furo'
html_title = _cfg.title
html_static_path = ['_static']
templates_path = ['_templates']   # page.html: a footer whose only links out are the paper and the repository
html_css_files = ['aae_nb.css']
html_favicon = '_static/favicon.svg'      # or browsers ask for /favicon.ico, a 404
html_copy_source = False           # notebooks with embedded figures would double the site's size
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {'navigation_with_keys': True}
pygments_style = 'friendly'
pygments_dark_style = 'monokai'
