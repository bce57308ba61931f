"""The Display showcase: a static, self-contained HTML gallery of the cohort's innovations.

One card per innovation (problem, idea, indicators, trial results with a small SVG of the
weekly trial), with search and filters
(OPD, bentuk, jenis) in inline vanilla JavaScript that works from ``file://`` without a server
or network: ready for the expo screen (a "Putar otomatis" button shows one card at a time,
large). The card data is embedded as JSON in a ``<script type="application/json">`` block with
``<``, ``>`` and ``&`` escaped, so no participant text can end the block; the script builds
the cards with ``textContent`` only. Filters can be preset in the address:
``showcase.html#q=akta&opd=Dinas%20Kesehatan``.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

from lablib.core.files import write_text_atomic
from lablib.reports.documents import EMPTY, value_of
from lablib.reports.report import Cohort, Innovation, load_cohort, portfolio_dimensions

SHOWCASE_DIR = "pameran"
_e = html.escape


def _num(value: Any) -> str:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return EMPTY
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
    return text.replace(",", "\u2009")


def _problem(inn: Innovation) -> dict:
    chosen = inn.text("diagnose.dg1.masalah_terpilih")
    baseline = ""
    for row in inn.value("diagnose.dg1.masalah") or []:
        if chosen and (row.get("nama") or "").strip() == chosen.strip() and row.get("baseline") is not None:
            baseline = f"{_num(row.get('baseline'))} {row.get('satuan') or ''}".strip()
            source = row.get("sumber_data")
            if source:
                baseline += f" (sumber: {source})"
    return {"text": chosen, "baseline": baseline, "root": inn.text("diagnose.dg2.akar_masalah")}


def _indicators(inn: Innovation) -> list[dict]:
    out = []
    for row in inn.value("design.ds2.indikator") or []:
        out.append({"name": str(row.get("nama") or ""), "unit": str(row.get("satuan") or ""),
                    "baseline": _num(row.get("baseline")), "target": _num(row.get("target"))})
    return out


def _results(inn: Innovation) -> dict:
    rows = []
    for row in inn.value("deliver.dv1.perubahan") or []:
        pct = row.get("perubahan_persen")
        rows.append({"name": str(row.get("indikator") or ""), "baseline": _num(row.get("baseline")),
                     "result": _num(row.get("capaian")),
                     "change": _num(row.get("perubahan")) + (f" ({_num(pct)}%)" if pct is not None else "")})
    log = inn.value("deliver.dv1.log") or []
    served = sum(r.get("dilayani") or 0 for r in log if isinstance(r.get("dilayani"), (int, float)))
    pct = value_of(inn.answers, "deliver.dv1.rasio_pengaduan")
    return {"rows": rows, "weeks": len(log), "served": _num(served) if log else "",
            "complaints": f"{_num(pct)}%" if pct is not None else ""}


def _series(inn: Innovation) -> dict:
    """The weekly trial as numbers only (drawn as an SVG by the page's script)."""
    import datetime as _dt
    import math

    def num(v: Any) -> float | None:
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        return float(v) if ok else None

    rows = [r for r in inn.value("deliver.dv1.log") or [] if isinstance(r.get("tanggal"), _dt.date)]
    rows.sort(key=lambda r: r["tanggal"])
    return {"served": [num(r.get("dilayani")) or 0.0 for r in rows], "days": [num(r.get("hari_layanan")) for r in rows]}


def card_data(inn: Innovation, charts: bool = True) -> dict:
    dims = portfolio_dimensions(inn)
    idea = inn.text("diagnose.dg4.ide_terpilih")
    summary = inn.text("display.dp1.ringkasan") or inn.text("design.ds1.tujuan")
    return {
        "id": inn.person.id,
        "name": inn.name or "(nama inovasi belum diisi)",
        "person": inn.person.name or inn.person.id,
        "opd": inn.opd or "(OPD tidak diketahui)",
        "bentuk": dims["Bentuk"], "jenis": dims["Jenis"], "urusan": dims["Urusan"], "tahapan": dims["Tahapan"],
        "problem": _problem(inn), "idea": idea, "summary": summary,
        "indicators": _indicators(inn), "results": _results(inn),
        "series": _series(inn) if charts else {"served": [], "days": []},
    }


def embed_json(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>``, ``&`` survive.

    >>> embed_json({"a": "</script><b>&"})
    '{"a": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;margin:0;background:#f2f5f9;
 color:#14213d}
header{background:#1f4e79;color:#fff;padding:1em 1.4em} header h1{margin:0;font-size:1.7em}
header p{margin:.2em 0 0;opacity:.9}
.bar{display:flex;flex-wrap:wrap;gap:.6em;align-items:center;padding:.8em 1.4em;background:#fff;
 border-bottom:1px solid #d5dde8;position:sticky;top:0;z-index:2}
.bar input,.bar select,.bar button{font-size:1em;padding:.4em .6em;border:1px solid #9fb3c8;border-radius:5px;background:#fff}
.bar input{flex:1 1 16em} .bar select{max-width:16em} .bar button{cursor:pointer;background:#e8f0f8}
#count{color:#444;margin-left:auto}
#cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(22em,1fr));gap:1em;padding:1.2em 1.4em}
.card{background:#fff;border-radius:10px;box-shadow:0 1px 4px rgba(0,0,0,.12);padding:1em 1.1em;display:flex;
 flex-direction:column;gap:.45em}
.card[hidden]{display:none}
.card h2{margin:0;font-size:1.25em;color:#1f4e79}
.who{color:#555;font-size:.92em}
.tags span{display:inline-block;background:#e8f0f8;color:#1f4e79;border-radius:999px;padding:.1em .6em;margin:0 .3em .3em 0;
 font-size:.8em}
.card h3{margin:.5em 0 .1em;font-size:.95em;color:#e07b00;text-transform:uppercase;letter-spacing:.03em}
.card p{margin:0;white-space:pre-wrap} .muted{color:#777;font-style:italic}
.card .summary{display:-webkit-box;-webkit-line-clamp:6;-webkit-box-orient:vertical;overflow:hidden;color:#333}
body.expo .card .summary{display:block}
.card table{border-collapse:collapse;width:100%;font-size:.88em} .card td,.card th{border-bottom:1px solid #e3e8ef;
 padding:2px 4px;text-align:left}
.spark{margin:.3em 0} .spark svg{display:block;background:#fafcff;border:1px solid #e3e8ef}
body.expo #cards{display:block;padding:1.5em 4vw} body.expo .card{font-size:1.6em;max-width:none;min-height:80vh}
body.expo .card:not(.current){display:none}
noscript div{padding:1em 1.4em}
"""

SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("showcase-data").textContent);
  var cards = document.getElementById("cards");
  var q = document.getElementById("q"), fOpd = document.getElementById("f-opd"),
      fBentuk = document.getElementById("f-bentuk"), fJenis = document.getElementById("f-jenis"),
      count = document.getElementById("count"), play = document.getElementById("play");
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function section(card, title, body) { card.appendChild(el("h3", "", title)); card.appendChild(body); }
  function para(text, empty) { return text ? el("p", "", text) : el("p", "muted", empty || "belum diisi"); }
  function table(headers, rows) {
    var t = el("table"), tr = el("tr");
    headers.forEach(function (h) { tr.appendChild(el("th", "", h)); });
    t.appendChild(tr);
    rows.forEach(function (r) {
      var row = el("tr");
      r.forEach(function (c) { row.appendChild(el("td", "", c)); });
      t.appendChild(row);
    });
    return t;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    return e;
  }
  function spark(series) {
    var W = 320, H = 96, P = 4, n = series.served.length, bw = (W - 2 * P) / n;
    var maxS = Math.max.apply(null, series.served.concat([1]));
    var days = series.days.filter(function (x) { return x !== null; });
    var maxD = Math.max.apply(null, days.concat([1]));
    var box = el("figure", "spark");
    var s = svg("svg", {viewBox: "0 0 " + W + " " + H, width: "100%", role: "img"});
    series.served.forEach(function (v, i) {
      var h = (H - 2 * P) * v / maxS;
      s.appendChild(svg("rect", {x: P + i * bw + 1, y: H - P - h, width: Math.max(bw - 2, 1), height: h, fill: "#9ecae1"}));
    });
    var pts = [];
    series.days.forEach(function (v, i) {
      if (v !== null) pts.push((P + i * bw + bw / 2).toFixed(1) + "," + (H - P - (H - 2 * P) * v / maxD).toFixed(1));
    });
    if (pts.length > 1) s.appendChild(svg("polyline", {points: pts.join(" "), fill: "none", stroke: "#e07b00", "stroke-width": 2.5}));
    var title = svg("title", {}); title.textContent = "Uji coba per minggu"; s.appendChild(title);
    box.appendChild(s);
    box.appendChild(el("figcaption", "who", n + " minggu: batang = warga dilayani (maks " + maxS +
      "), garis = rata-rata hari layanan (maks " + maxD + ")"));
    return box;
  }
  function fill(select, key) {
    var seen = {};
    data.forEach(function (d) { seen[d[key]] = true; });
    Object.keys(seen).sort().forEach(function (v) {
      var o = el("option", "", v); o.value = v; select.appendChild(o);
    });
  }
  data.forEach(function (d) {
    var c = el("article", "card");
    c.setAttribute("data-id", d.id);
    c.appendChild(el("h2", "", d.name));
    c.appendChild(el("div", "who", d.opd + " · " + d.person));
    var tags = el("div", "tags");
    [d.bentuk, d.jenis, d.urusan, d.tahapan].forEach(function (t) { if (t && t.charAt(0) !== "(") tags.appendChild(el("span", "", t)); });
    c.appendChild(tags);
    var prob = el("div");
    prob.appendChild(para(d.problem.text));
    if (d.problem.baseline) prob.appendChild(el("p", "who", "Kondisi awal: " + d.problem.baseline));
    if (d.problem.root) prob.appendChild(el("p", "who", "Akar masalah: " + d.problem.root));
    section(c, "Masalah", prob);
    var idea = el("div");
    idea.appendChild(para(d.idea));
    if (d.summary) idea.appendChild(el("p", "summary", d.summary));
    section(c, "Ide inovasi", idea);
    section(c, "Indikator", d.indicators.length ? table(["Indikator", "Baseline", "Target"],
      d.indicators.map(function (i) { return [i.name, i.baseline + " " + i.unit, i.target + " " + i.unit]; }))
      : para("", "belum ada indikator"));
    var res = el("div");
    if (d.results.rows.length) {
      res.appendChild(table(["Indikator", "Sebelum", "Sesudah", "Perubahan"],
        d.results.rows.map(function (r) { return [r.name, r.baseline, r.result, r.change]; })));
    }
    var facts = [];
    if (d.results.weeks) facts.push(d.results.weeks + " minggu uji coba");
    if (d.results.served) facts.push(d.results.served + " warga dilayani");
    if (d.results.complaints) facts.push("pengaduan selesai " + d.results.complaints);
    res.appendChild(facts.length ? el("p", "who", facts.join(" · ")) : para("", "uji coba belum dilaporkan"));
    if (d.series.served.length > 1) res.appendChild(spark(d.series));
    section(c, "Hasil uji coba", res);
    c._text = [d.name, d.opd, d.person, d.bentuk, d.jenis, d.urusan, d.tahapan, d.problem.text, d.problem.root,
               d.idea, d.summary].concat(d.indicators.map(function (i) { return i.name; })).join(" ").toLowerCase();
    c._d = d;
    cards.appendChild(c);
  });
  fill(fOpd, "opd"); fill(fBentuk, "bentuk"); fill(fJenis, "jenis");
  function apply() {
    var text = q.value.trim().toLowerCase(), shown = 0;
    Array.prototype.forEach.call(cards.children, function (c) {
      var ok = (!text || c._text.indexOf(text) >= 0) && (!fOpd.value || c._d.opd === fOpd.value) &&
               (!fBentuk.value || c._d.bentuk === fBentuk.value) && (!fJenis.value || c._d.jenis === fJenis.value);
      c.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown + " dari " + data.length + " inovasi";
    document.body.setAttribute("data-shown", String(shown));
  }
  function fromHash() {
    var h = location.hash.replace(/^#/, "");
    h.split("&").forEach(function (kv) {
      var i = kv.indexOf("="); if (i < 0) return;
      var k = decodeURIComponent(kv.slice(0, i)), v = decodeURIComponent(kv.slice(i + 1).replace(/\+/g, " "));
      if (k === "q") q.value = v;
      if (k === "opd") fOpd.value = v;
      if (k === "bentuk") fBentuk.value = v;
      if (k === "jenis") fJenis.value = v;
    });
  }
  [q, fOpd, fBentuk, fJenis].forEach(function (e) { e.addEventListener("input", apply); e.addEventListener("change", apply); });
  document.getElementById("reset").addEventListener("click", function () {
    q.value = ""; fOpd.value = ""; fBentuk.value = ""; fJenis.value = ""; apply();
  });
  var timer = null, pos = -1;
  function next() {
    var visible = Array.prototype.filter.call(cards.children, function (c) { return !c.hidden; });
    Array.prototype.forEach.call(cards.children, function (c) { c.classList.remove("current"); });
    if (!visible.length) return;
    pos = (pos + 1) % visible.length;
    visible[pos].classList.add("current");
  }
  play.addEventListener("click", function () {
    if (timer) { clearInterval(timer); timer = null; document.body.classList.remove("expo"); play.textContent = "Putar otomatis"; return; }
    document.body.classList.add("expo"); play.textContent = "Berhenti"; pos = -1; next(); timer = setInterval(next, 12000);
  });
  window.addEventListener("hashchange", function () { fromHash(); apply(); });
  fromHash();
  apply();
  document.body.setAttribute("data-ready", "1");
})();
"""


def showcase_html(cohort: Cohort, title: str = "Pameran Inovasi Daerah", charts: bool = True) -> str:
    items = [card_data(inn, charts) for inn in cohort.innovations()]
    items.sort(key=lambda d: (d["opd"].lower(), d["name"].lower()))
    fallback = "".join(f"<li>{_e(d['name'])} · {_e(d['opd'])}</li>" for d in items)
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="id"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<header><h1>{_e(title)}</h1><p>Laboratorium Inovasi · {len(items)} inovasi dari tahap Display</p></header>",
        '<div class="bar"><input id="q" type="search" placeholder="Cari inovasi, masalah, OPD…" aria-label="Cari">',
        '<select id="f-opd" aria-label="OPD"><option value="">Semua OPD</option></select>',
        '<select id="f-bentuk" aria-label="Bentuk"><option value="">Semua bentuk</option></select>',
        '<select id="f-jenis" aria-label="Jenis"><option value="">Semua jenis</option></select>',
        '<button id="reset" type="button">Atur ulang</button><button id="play" type="button">Putar otomatis</button>',
        '<span id="count"></span></div>',
        (f'<noscript><div>Aktifkan JavaScript untuk kartu, pencarian dan saringan. Daftar inovasi:<ul>{fallback}'
         "</ul></div></noscript>"),
        '<main id="cards"></main>',
        f'<script type="application/json" id="showcase-data">{embed_json(items)}</script>',
        f"<script>{SCRIPT}</script>",
        "</body></html>",
    ])


def write_showcase(course_dir: str | os.PathLike, out: str | os.PathLike | None = None, *,
                   title: str = "Pameran Inovasi Daerah", charts: bool = True) -> Path:
    """Write the gallery (default ``<course>/pameran/pameran-inovasi.html``); returns its path."""
    course_dir = Path(course_dir)
    path = Path(out) if out else course_dir / SHOWCASE_DIR / "pameran-inovasi.html"
    if path.suffix.lower() != ".html":
        path = path / "pameran-inovasi.html"
    page = showcase_html(load_cohort(course_dir), title, charts)
    write_text_atomic(path, page)
    return path


def cmd_showcase(args) -> int:
    """``lablib showcase [--out FILE] [--title TEXT] [--no-charts]``."""
    course = Path(getattr(args, "course", None) or ".")
    path = write_showcase(course, getattr(args, "out", None), title=getattr(args, "title", None)
                          or "Pameran Inovasi Daerah", charts=not getattr(args, "no_charts", False))
    print(f"Pameran inovasi: {path}\nBuka file ini di peramban (tidak perlu internet).")
    return 0


__all__ = ["SHOWCASE_DIR", "card_data", "cmd_showcase", "embed_json", "showcase_html", "write_showcase"]

