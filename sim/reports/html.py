"""A Markdown report as one self-contained HTML page: tables styled inline, images embedded as base64.

The page has no external asset (no stylesheet, script, font or image fetched from anywhere), so it opens
offline, attaches to an e-mail and prints as it shows. Markdown is rendered by Python-Markdown (its
``tables`` extension for the GitHub-style tables of `sim.reports.tables.markdown_table`).
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import markdown

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; max-width: 72rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.45; color: #1a1a1a; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.8rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.4rem; text-align: left; white-space: nowrap; }
.table { overflow-x: auto; }
th { background: #f3f3f3; }
img { max-width: 100%; height: auto; }
p, li { font-size: 0.95rem; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } table, img { break-inside: avoid; }
               table { font-size: 0.65rem; } }
"""


def markdown_to_html(text: str, title: str, images: dict[str, bytes] | None = None) -> str:
    """``text`` (Markdown) as a whole HTML page titled ``title``; an image whose source names a key of
    ``images`` (a file name) is embedded as a base64 PNG data URI. Raw HTML in ``text`` is escaped, so
    a scenario name or label cannot inject markup."""
    body = markdown.markdown(html.escape(text, quote=False), extensions=["tables"], output_format="html")
    body = body.replace("<table>", '<div class="table"><table>').replace("</table>", "</table></div>")  # scrolls
    for name, data in (images or {}).items():
        uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        body = body.replace(f'src="{html.escape(name)}"', f'src="{uri}"')
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def image_names(text: str) -> list[str]:
    """The local image files a Markdown text shows (``![alt](name)``), in order."""
    return [name for name in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text) if "://" not in name]


def write_html(markdown_path: Path, html_path: Path, title: str) -> Path:
    """Render the Markdown file at ``markdown_path`` into ``html_path``, embedding the images it names
    from its own directory (the caller writes ``html_path`` atomically, `sim.base.files`)."""
    text = Path(markdown_path).read_text(encoding="utf-8")
    folder = Path(markdown_path).parent
    images = {name: (folder / name).read_bytes() for name in image_names(text) if (folder / name).is_file()}
    Path(html_path).write_text(markdown_to_html(text, title, images), encoding="utf-8")
    return Path(html_path)
