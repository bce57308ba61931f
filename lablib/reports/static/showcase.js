// The Display showcase (lablib.reports.showcase): builds one card per innovation from the JSON
// in <script id="showcase-data">, with search, filters (OPD, bentuk, jenis; presets in the
// address: #q=akta&opd=...) and the "Putar otomatis" expo view. Inlined into the page; works
// from file:// without a server or network. Participant text is set with textContent only.
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
  // Numbers as lablib.core.formatting writes them: 1.234,5 (decimal comma, dots for thousands).
  function num(x) { return Number(x).toLocaleString("id-ID", {maximumFractionDigits: 2}); }
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
    box.appendChild(el("figcaption", "who", n + " minggu: batang = jumlah dilayani (maks " + num(maxS) +
      "), garis = rata-rata hari layanan (maks " + num(maxD) + ")"));
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
    var card = el("article", "card");
    card.setAttribute("data-id", d.id);
    var head = el("div", "head");
    head.appendChild(el("h2", "", d.name));
    head.appendChild(el("div", "who", d.opd + " · " + d.person));
    var tags = el("div", "tags");
    [d.bentuk, d.jenis, d.urusan, d.tahapan ? "Tahapan: " + d.tahapan : ""].forEach(function (t) {
      if (t && t.charAt(0) !== "(") tags.appendChild(el("span", "", t));
    });
    head.appendChild(tags);
    card.appendChild(head);
    // two columns on the expo screen: the story (problem, idea) and the evidence (indicators, trial)
    var c = el("div", "col story"), evidence = el("div", "col evidence");
    card.appendChild(c);
    card.appendChild(evidence);
    var prob = el("div");
    prob.appendChild(para(d.problem.text));
    if (d.problem.baseline) prob.appendChild(el("p", "who", "Kondisi awal: " + d.problem.baseline));
    if (d.problem.root) prob.appendChild(el("p", "who", "Akar masalah: " + d.problem.root));
    section(c, "Masalah", prob);
    var idea = el("div");
    idea.appendChild(para(d.idea));
    if (d.summary) idea.appendChild(el("p", "summary", d.summary));
    section(c, "Ide inovasi", idea);
    c = evidence;
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
    if (d.results.served) facts.push(d.results.served + " dilayani");  // people, files or boats: the log's own unit
    if (d.results.complaints) facts.push("pengaduan selesai " + d.results.complaints);
    res.appendChild(facts.length ? el("p", "who", facts.join(" · ")) : para("", "uji coba belum dilaporkan"));
    if (d.series.served.length > 1) res.appendChild(spark(d.series));
    section(c, "Hasil uji coba", res);
    c = card;
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
  // Shrink a long card's type, a pixel at a time, until it fits the screen (never below 12 px;
  // the card is one screen high, so what does not fit would be cut off).
  function fit(card) {
    var size = Math.max(14, Math.round(window.innerHeight / 42));
    card.style.fontSize = size + "px";
    while (card.scrollHeight > card.clientHeight + 1 && size > 12) {
      size -= 1;
      card.style.fontSize = size + "px";
    }
    card.setAttribute("data-font", String(size));
  }
  function show(step) {
    var visible = Array.prototype.filter.call(cards.children, function (c) { return !c.hidden; });
    Array.prototype.forEach.call(cards.children, function (c) { c.classList.remove("current"); c.style.fontSize = ""; });
    if (!visible.length) return;
    pos = ((pos + step) % visible.length + visible.length) % visible.length;
    visible[pos].classList.add("current");
    fit(visible[pos]);
    document.body.setAttribute("data-current", visible[pos].getAttribute("data-id"));
  }
  function next() { show(1); }
  function stop() {
    clearInterval(timer); timer = null; document.body.classList.remove("expo"); play.textContent = "Putar otomatis";
    Array.prototype.forEach.call(cards.children, function (c) { c.classList.remove("current"); c.style.fontSize = ""; });
  }
  play.addEventListener("click", function () {
    if (timer) { stop(); return; }
    document.body.classList.add("expo"); play.textContent = "Berhenti"; pos = -1; next(); timer = setInterval(next, 15000);
  });
  // the operator at the expo: arrows move a card (and restart the timer), Escape stops
  document.addEventListener("keydown", function (e) {
    if (!timer) return;
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      show(e.key === "ArrowRight" ? 1 : -1);
      clearInterval(timer); timer = setInterval(next, 15000);
    } else if (e.key === "Escape") { stop(); }
  });
  window.addEventListener("resize", function () {
    var cur = cards.querySelector(".card.current"); if (cur) fit(cur);
  });
  window.addEventListener("hashchange", function () { fromHash(); apply(); });
  fromHash();
  apply();
  document.body.setAttribute("data-ready", "1");
})();
