// kostra web: charts (Vega-Embed, SVG renderer), municipality type-ahead, auto-submitting filters.
// No inline scripts and no eval: chart specs are JSON data blocks, Vega runs its expression
// interpreter (ast: true), so the Content-Security-Policy can forbid both.
"use strict";

(function () {
  const STATE_KEYS = ["ar", "gruppe", "lang", "grenser"];

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

  // Map zoom and pan (kostra.report.maps): the spec's map_zoom, map_dx and map_dy parameters
  // move the main view's projection; the wheel zooms around the pointer, dragging pans, and the
  // buttons beside the map (and the arrow keys while one has focus) do both from the keyboard.
  const ZOOM_MIN = 1;
  const ZOOM_MAX = 40;

  function zoomable(view, target, spec) {
    const main = spec.hconcat && spec.hconcat[0];
    const names = (spec.params || []).map((p) => p.name);
    if (!main || names.indexOf("map_zoom") < 0) return;
    const width = main.width;
    const height = main.height;
    let zoom = 1;
    let dx = 0;
    let dy = 0;
    let queued = false;

    function apply() {
      target.dataset.zoom = zoom.toFixed(3);
      target.dataset.pan = Math.round(dx) + "," + Math.round(dy);
      if (queued) return;
      queued = true;
      window.requestAnimationFrame(() => {
        queued = false;
        view.signal("map_zoom", zoom).signal("map_dx", dx).signal("map_dy", dy).runAsync();
      });
    }

    // keep the map on screen: at most half a view of empty space beside it
    function clampPan() {
      const limitX = (zoom - 1) * width / 2 + width / 2;
      const limitY = (zoom - 1) * height / 2 + height / 2;
      dx = Math.max(-limitX, Math.min(limitX, dx));
      dy = Math.max(-limitY, Math.min(limitY, dy));
    }

    // zoom by factor around (px, py) in the main view's pixels: that point stays put
    function zoomAt(factor, px, py) {
      const next = Math.max(ZOOM_MIN, Math.min(ZOOM_MAX, zoom * factor));
      if (next === zoom) return;
      const baseX = width / 2 + (px - width / 2 - dx) / zoom;
      const baseY = height / 2 + (py - height / 2 - dy) / zoom;
      zoom = next;
      dx = px - width / 2 - zoom * (baseX - width / 2);
      dy = py - height / 2 - zoom * (baseY - height / 2);
      if (zoom === ZOOM_MIN) { dx = 0; dy = 0; }
      clampPan();
      apply();
    }

    function frame() {
      return target.querySelector("g.concat_0_group path.background");
    }

    // the pointer's position in the main view's pixels, or null outside it
    function local(event) {
      const box = frame();
      if (!box) return null;
      const rect = box.getBoundingClientRect();
      if (!rect.width || !rect.height) return null;
      const x = (event.clientX - rect.left) * width / rect.width;
      const y = (event.clientY - rect.top) * height / rect.height;
      return x < 0 || y < 0 || x > width || y > height ? null : { x: x, y: y, scale: width / rect.width };
    }

    target.addEventListener("wheel", (event) => {
      const at = local(event);
      if (!at) return;
      event.preventDefault();
      zoomAt(Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.002)), at.x, at.y);
    }, { passive: false });

    let drag = null;
    target.addEventListener("pointerdown", (event) => {
      const at = local(event);
      if (!at || event.button !== 0) return;
      drag = { x: event.clientX, y: event.clientY, dx: dx, dy: dy, scale: at.scale, moved: false };
      target.dataset.dragged = "false";
    });
    window.addEventListener("pointermove", (event) => {
      if (!drag) return;
      const mx = event.clientX - drag.x;
      const my = event.clientY - drag.y;
      if (!drag.moved && Math.abs(mx) + Math.abs(my) < 4) return;
      drag.moved = true;
      target.dataset.dragged = "true";
      target.classList.add("dragging");
      dx = drag.dx + mx * drag.scale;
      dy = drag.dy + my * drag.scale;
      clampPan();
      apply();
    });
    const endDrag = () => {
      if (!drag) return;
      drag = null;
      target.classList.remove("dragging");
      // the click that ends a drag must not open a municipality
      setTimeout(() => { target.dataset.dragged = "false"; }, 0);
    };
    // a touch that turns into page scrolling is cancelled, not released
    window.addEventListener("pointerup", endDrag);
    window.addEventListener("pointercancel", endDrag);

    const tools = document.querySelector('.map-tools[data-map="' + target.id + '"]');
    if (!tools) return;
    tools.hidden = false;
    const step = 80;
    const actions = {
      in: () => zoomAt(1.6, width / 2, height / 2),
      out: () => zoomAt(1 / 1.6, width / 2, height / 2),
      reset: () => { zoom = 1; dx = 0; dy = 0; apply(); },
    };
    tools.querySelectorAll("button[data-zoom]").forEach((button) => {
      button.addEventListener("click", () => actions[button.dataset.zoom]());
    });
    const keys = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    tools.addEventListener("keydown", (event) => {
      const move = keys[event.key];
      if (move) {
        event.preventDefault();
        dx += move[0];
        dy += move[1];
        clampPan();
        apply();
      } else if (event.key === "+" || event.key === "=") {
        event.preventDefault();
        actions.in();
      } else if (event.key === "-") {
        event.preventDefault();
        actions.out();
      }
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
          zoomable(result.view, target, spec);
          if (target.dataset.click === "overview") {
            target.classList.add("clickable");
            result.view.addEventListener("click", (_event, item) => {
              if (target.dataset.dragged === "true") return;
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
        // the municipalities of the page's year on its borders
        const state = stateQuery();
        const url = "/api/kommuner" + (state ? state + "&" : "?") + "limit=8&q=" + encodeURIComponent(q);
        fetch(url, { headers: { Accept: "application/json" } })
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
        const isDefault = (select.name === "gruppe" && select.value === "standard")
          || (select.name === "grenser" && select.value === "aar");
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
    const pairs = [["kommune-input", "kommune-list"], ["compare-input", "compare-list"], ["mark-input", "mark-list"]];
    for (const [inputId, listId] of pairs) {
      const input = document.getElementById(inputId);
      const list = document.getElementById(listId);
      if (input && list) typeahead(input, list);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
