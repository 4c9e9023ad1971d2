// kostra web: charts (Vega-Embed, SVG renderer), municipality type-ahead, auto-submitting filters.
// No inline scripts and no eval: chart specs are JSON data blocks, Vega runs its expression
// interpreter (ast: true), so the Content-Security-Policy can forbid both.
"use strict";

(function () {
  const STATE_KEYS = ["ar", "gruppe", "lang"];

  function stateQuery() {
    const here = new URLSearchParams(window.location.search);
    const out = new URLSearchParams();
    for (const key of STATE_KEYS) {
      if (here.get(key)) out.set(key, here.get(key));
    }
    const text = out.toString();
    return text ? "?" + text : "";
  }

  function overviewUrl(code) {
    return "/kommune/" + encodeURIComponent(code) + stateQuery();
  }

  function codeOf(item) {
    const datum = item && item.datum;
    if (!datum) return null;
    if (datum.properties && datum.properties.code) return String(datum.properties.code);
    if (datum.code) return String(datum.code);
    return null;
  }

  // a chart wider than its figure scrolls sideways: the figure then takes focus so the
  // keyboard can scroll it too (WCAG 2.1.1)
  function focusableScrollers() {
    document.querySelectorAll("figure.chart").forEach((fig) => {
      if (fig.scrollWidth > fig.clientWidth) fig.tabIndex = 0;
      else fig.removeAttribute("tabindex");
    });
  }

  function renderCharts() {
    const blocks = document.querySelectorAll("script.vega-spec");
    if (!blocks.length || typeof window.vegaEmbed !== "function") return;
    document.body.dataset.chartsPending = String(blocks.length);
    let pending = blocks.length;
    const done = () => {
      pending -= 1;
      document.body.dataset.chartsPending = String(pending);
      if (pending === 0) {
        focusableScrollers();
        window.addEventListener("resize", focusableScrollers);
        document.body.dataset.chartsReady = "true";
      }
    };
    blocks.forEach((block) => {
      const target = document.getElementById(block.dataset.target);
      if (!target) { done(); return; }
      let spec;
      try { spec = JSON.parse(block.textContent); } catch (err) { console.warn(err); done(); return; }
      window.vegaEmbed(target, spec, { renderer: "svg", actions: false, ast: true })
        .then((result) => {
          if (target.dataset.click === "overview") {
            target.classList.add("clickable");
            result.view.addEventListener("click", (_event, item) => {
              const code = codeOf(item);
              if (code && /^[0-9]{4}$/.test(code)) window.location.href = overviewUrl(code);
            });
          }
        })
        .catch((err) => { console.warn("chart", block.dataset.target, err); })
        .finally(done);
    });
  }

  function typeahead(input, list) {
    let timer = null;
    let items = [];
    let active = -1;
    const navigate = input.dataset.mode !== "value";

    function close() { list.hidden = true; list.innerHTML = ""; active = -1; input.setAttribute("aria-expanded", "false"); }

    function choose(item) {
      if (navigate) {
        window.location.href = overviewUrl(item.code);
      } else {
        input.value = item.code;
        close();
        if (input.form) { compact(input.form); input.form.submit(); }
      }
    }

    function show(found) {
      items = found;
      list.innerHTML = "";
      found.forEach((m, i) => {
        const li = document.createElement("li");
        li.setAttribute("role", "option");
        li.id = list.id + "-" + i;
        li.dataset.code = m.code;
        li.textContent = m.name + " (" + m.code + ", " + m.county + ")";
        li.addEventListener("mousedown", (ev) => { ev.preventDefault(); choose(m); });
        list.appendChild(li);
      });
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
    }

    function highlight(i) {
      const nodes = list.querySelectorAll("li");
      nodes.forEach((n, j) => n.setAttribute("aria-selected", j === i ? "true" : "false"));
      active = i;
      if (i >= 0 && nodes[i]) input.setAttribute("aria-activedescendant", nodes[i].id);
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      const q = input.value.trim();
      if (!q) { close(); return; }
      timer = setTimeout(() => {
        fetch("/api/kommuner?limit=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then((r) => (r.ok ? r.json() : { municipalities: [] }))
          .then((body) => { if (input.value.trim() === q) show(body.municipalities || []); })
          .catch(() => close());
      }, 120);
    });
    input.addEventListener("keydown", (ev) => {
      if (list.hidden) return;
      if (ev.key === "ArrowDown") { ev.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); choose(items[active]); }
      else if (ev.key === "Escape") { close(); }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
  }

  // empty fields stay out of the URL, so a shared link holds only the state that was chosen
  function compact(form) {
    for (const field of form.elements) {
      if (field.name && field.value === "") field.disabled = true;
    }
  }

  function autoSubmit() {
    document.querySelectorAll("form.filters, form.chooser").forEach((form) => {
      form.addEventListener("submit", () => compact(form));
    });
    document.querySelectorAll("form.auto-submit select").forEach((select) => {
      select.addEventListener("change", () => { compact(select.form); select.form.submit(); });
    });
  }

  // year and peer group: reopen the current page (all its other state kept) with the new value
  function stateSelects() {
    document.querySelectorAll("form.chooser select.state").forEach((select) => {
      select.addEventListener("change", () => {
        const params = new URLSearchParams(window.location.search);
        const isDefault = select.name === "gruppe" && select.value === "standard";
        if (isDefault) params.delete(select.name); else params.set(select.name, select.value);
        const text = params.toString();
        window.location.href = window.location.pathname + (text ? "?" + text : "");
      });
    });
  }

  function start() {
    stateSelects();
    renderCharts();
    autoSubmit();
    const pairs = [["kommune-input", "kommune-list"], ["compare-input", "compare-list"]];
    for (const [inputId, listId] of pairs) {
      const input = document.getElementById(inputId);
      const list = document.getElementById(listId);
      if (input && list) typeahead(input, list);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
