"""Publish the run's quality report: GX Data Docs made to work offline, plus summary.json.

GX writes pages that load styles and scripts from CDNs and a logo from an S3 bucket with a
timestamp in its URL (a beacon). Every such URL is rewritten to the vendored copies in
`expectations/data_docs_assets/`; a page of this report never asks the network for anything.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from pathlib import Path

from orchestration.lib.warehouse import publish_folder, scratch_path

ASSETS_DIR = Path(__file__).resolve().parents[3] / "expectations" / "data_docs_assets"
VENDOR = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap/bootstrap.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper/popper.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        "bootstrap-table/bootstrap-table-filter-control.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        "bootstrap-table/bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": (
        "bootstrap-table/bootstrap-table-filter-control.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker/bootstrap-datepicker.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker/bootstrap-datepicker.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "fontawesome/css/all.min.css",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": (
        "bootstrap-dark/bootstrap-prefers-dark.css"
    ),
}
_VEGA_SCRIPT = re.compile(
    r'<script[^>]*src="https://cdn\.jsdelivr\.net/npm/vega[^"]*"[^>]*>\s*</script>'
)
# GX writes some pages' links to its own static folder one level too shallow (the favicon
# of validation pages): every link into static/ is recomputed from the page's depth.
_STATIC_LINK = re.compile(r'(src|href)="(?:\.\./)*static/')
_LOGO = re.compile(r"https://great-expectations-web-assets\.s3[^\"')\s]+")


def publish_report(
    site_dir: Path, summaries: list[dict], run: dict, quality_dir: Path, scratch: Path
) -> Path:
    """Copy the site, make it offline, add summary.json, and swap it in as `quality_dir`."""
    staged = _staging_folder(quality_dir, run, scratch)
    if site_dir.exists():
        shutil.copytree(site_dir, staged)
    else:
        staged.mkdir(parents=True)
    shutil.copytree(ASSETS_DIR / "vendor", staged / "static" / "vendor", dirs_exist_ok=True)
    for page in staged.rglob("*.html"):
        page.write_text(
            offline_html(page.read_text(encoding="utf-8"), page, staged), encoding="utf-8"
        )
    for stylesheet in staged.rglob("*.css"):
        text = stylesheet.read_text(encoding="utf-8")
        if _LOGO.search(text):
            logo = os.path.relpath(
                staged / "static" / "images" / "logo-long.png", stylesheet.parent
            )
            stylesheet.write_text(_LOGO.sub(logo, text), encoding="utf-8")
    _write_summary(staged, run_summary(summaries, run))
    publish_folder(staged, quality_dir, scratch, run["run_id"])
    return quality_dir


def _staging_folder(quality_dir: Path, run: dict, scratch: Path) -> Path:
    """An empty place to write this run's report before it replaces the last one. (What
    killed runs left in the scratch folder is removed as the brief is published.)"""
    staged = scratch_path(scratch, quality_dir.name, run["run_id"], "staged")
    shutil.rmtree(staged, ignore_errors=True)
    return staged


def _write_summary(staged: Path, summary: dict) -> None:
    text = json.dumps(summary, indent=2, sort_keys=True) + "\n"
    (staged / "summary.json").write_text(text, encoding="utf-8")


def run_summary(summaries: list[dict], run: dict) -> dict:
    """One entry per suite of the project: those the run did not reach say so (`ran`)."""
    from orchestration.lib.quality.suites import load_suite, suite_names

    ran = {summary["suite"]: {**summary, "ran": True} for summary in summaries}
    entries = [
        ran.get(name)
        or {"suite": name, "table": load_suite(name)["meta"]["table"], "ran": False, "passed": None}
        for name in suite_names()
    ]
    passed = all(entry["passed"] for entry in entries if entry["ran"]) and all(
        e["ran"] for e in entries
    )
    return {**run, "passed": passed, "suites": entries}


def publish_stopped_report(quality_dir: Path, run: dict, reason: str, scratch: Path) -> None:
    """For a run that stopped before any check ran: the report says so, instead of
    showing the previous run's results as if they were this one's."""
    staged = _staging_folder(quality_dir, run, scratch)
    staged.mkdir(parents=True)
    _write_summary(staged, {**run_summary([], run), "stopped_before_checks": reason})
    page = (
        "<!doctype html><meta charset='utf-8'><title>IDREAM data quality</title>"
        f"<h1>Run {html.escape(run['run_id'])}</h1>"
        "<p>The run stopped before any data-quality check ran:</p>"
        f"<pre>{html.escape(reason)}</pre>"
    )
    (staged / "index.html").write_text(page, encoding="utf-8")
    publish_folder(staged, quality_dir, scratch, run["run_id"])


def offline_html(html: str, page: Path, root: Path) -> str:
    """Point every CDN asset of `page` at the vendored copy, relative to the page."""
    static = os.path.relpath(root / "static", page.parent)
    html = _STATIC_LINK.sub(lambda match: f'{match.group(1)}="{static}/', html)
    vendor = os.path.relpath(root / "static" / "vendor", page.parent)
    for url, local in VENDOR.items():
        html = html.replace(url, f"{vendor}/{local}")
    html = _VEGA_SCRIPT.sub("", html)
    logo = os.path.relpath(root / "static" / "images" / "logo-long.png", page.parent)
    return _LOGO.sub(logo, html)


def remote_loads(html: str) -> list[str]:
    """URLs a page would fetch by itself (scripts, styles, images); links to click are fine."""
    found = re.findall(r'<(?:script|img|link)[^>]*(?:src|href)="(https?://[^"]+)"', html)
    return sorted(set(found))
