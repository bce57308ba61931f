"""Style: the one small stylesheet of the participant forms, for JupyterLab and Voilà alike.

ipywidgets takes no stylesheet of its own, so the rules travel in an HTML widget holding a
``<style>`` block; every form shows the same widget (one model, so the rules are sent once per
kernel), and a form shown alone still carries them. The rules only touch elements under the
classes lablib puts on its widgets (``add_class``), never JupyterLab's own.

Sizes are for a 1366×768 laptop at 125% Windows scaling: about 1093×614 CSS pixels of which the
form gets less still, so nothing is wider than the form (``max-width: 100%``), a wide table
scrolls inside its own box, and prose is read in the page's sans-serif font, not monospace
(ipywidgets' default for text areas).
"""

from __future__ import annotations

from typing import Any

FORM_MAX_WIDTH = "980px"  # below the ~1093 CSS px of a 1366×768 screen at 125%

CSS = """
.lablib-form { max-width: 100%; font-size: 14px; }
.lablib-form, .lablib-form .widget-html-content { font-family: var(--jp-ui-font-family, system-ui, sans-serif); }
.lablib-form textarea, .lablib-form input[type="text"], .lablib-form select {
  font-family: var(--jp-ui-font-family, system-ui, "Segoe UI", Roboto, sans-serif) !important;
  font-size: 14px; line-height: 1.45;
}
.lablib-form textarea { padding: 4px 6px; resize: vertical; }
.lablib-form .widget-html-content { line-height: 1.4; }
.lablib-header { align-items: center; border-bottom: 1px solid #c7c7c7; gap: 8px; }
.lablib-header h3 { margin: 0.2em 0; font-size: 1.15em; }
.lablib-state { color: #444; white-space: nowrap; }
.lablib-state-done { color: #1b5e20; font-weight: 600; }
.lablib-grid-scroll { overflow-x: auto; max-width: 100%; }
.lablib-grid-row { align-items: start; border-bottom: 1px solid #e3e3e3; padding: 2px 0; }
/* Placed here, not by widget layouts (ipywidgets did not apply their grid-column): "Hapus" keeps
   the first line's last column wherever it sits in the keyboard order; a column of checkboxes and
   a row's note take a line of their own across the row. */
.lablib-grid-row > .lablib-remove { grid-row: 1; grid-column: -2 / -1; }
.lablib-grid-row > .lablib-own-line, .lablib-grid-row > .lablib-note { grid-column: 2 / -2; }
.lablib-own-line .lablib-colhead { margin-right: 0.6em; }
.lablib-grid-head { align-items: end; border-bottom: 2px solid #9e9e9e; }
.lablib-colhead { font-weight: 600; font-size: 13px; line-height: 1.25; overflow-wrap: anywhere; }
.lablib-colhelp { font-weight: normal; color: #555; font-size: 12px; }
.lablib-rownum { color: #444; font-size: 13px; padding-top: 5px; text-align: right; }
.lablib-cell .widget-text, .lablib-cell .widget-textarea, .lablib-cell .widget-dropdown,
.lablib-cell .widget-datepicker { width: 100%; }
.lablib-cell .widget-checkbox { width: auto; margin-right: 8px; }
.lablib-cell .widget-toggle-buttons .widget-toggle-button { padding: 0 2px; }
.lablib-computed { color: #424242; background: #eeeeee; border-radius: 3px; padding: 3px 8px;
  min-height: 20px; font-variant-numeric: tabular-nums; }
.lablib-note { color: #333; background: #f5f7f8; border-left: 3px solid #78909c; padding: 2px 8px;
  font-size: 13px; white-space: pre-wrap; }
.lablib-paste textarea { min-height: 4.5em; }
"""


def stylesheet() -> Any:
    """The stylesheet widget every form shows (one per kernel; rebuilt if it was closed)."""
    global _WIDGET
    import ipywidgets as W

    if _WIDGET is None or getattr(_WIDGET, "comm", None) is None:
        _WIDGET = W.HTML(f"<style>{CSS}</style>", layout=W.Layout(height="0px", margin="0", overflow="hidden"))
    return _WIDGET


_WIDGET: Any = None

__all__ = ["CSS", "FORM_MAX_WIDTH", "stylesheet"]
